-- legacy_sku lookups went away with the old importer.
DROP INDEX idx_products_legacy_sku;
