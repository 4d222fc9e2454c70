-- The back office lists orders by status (pending / paid / shipped).
CREATE INDEX idx_orders_status ON orders (status);
