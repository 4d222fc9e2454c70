-- Shipments: one order can ship in several parcels.

CREATE TABLE shipments (
    id            bigserial   PRIMARY KEY,
    order_id      bigint      NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    carrier       text        NOT NULL,
    tracking_no   text,
    shipped_at    timestamptz,
    delivered_at  timestamptz
);

CREATE INDEX idx_shipments_order_id ON shipments (order_id);

ALTER TABLE customers ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT false;
