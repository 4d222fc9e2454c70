-- Kept alone in its own file: Flyway runs a PostgreSQL CREATE INDEX CONCURRENTLY
-- outside a transaction, which only works if nothing else shares the migration.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_orders_created_at ON orders (created_at);
