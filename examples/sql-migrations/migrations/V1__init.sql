-- Initial schema for the order service.

CREATE TABLE customers (
    id          bigserial   PRIMARY KEY,
    email       text        NOT NULL UNIQUE,
    full_name   text        NOT NULL,
    phone       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id           bigserial   PRIMARY KEY,
    sku          text        NOT NULL UNIQUE,
    legacy_sku   text,
    name         text        NOT NULL,
    price_cents  integer     NOT NULL CHECK (price_cents >= 0),
    active       boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_products_legacy_sku ON products (legacy_sku);

CREATE TABLE orders (
    id           bigserial   PRIMARY KEY,
    customer_id  bigint      NOT NULL REFERENCES customers (id),
    status       text        NOT NULL DEFAULT 'pending',
    total_cents  integer     NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_orders_customer_id ON orders (customer_id);

CREATE TABLE order_items (
    order_id          bigint  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id        bigint  NOT NULL REFERENCES products (id),
    quantity          integer NOT NULL CHECK (quantity > 0),
    unit_price_cents  integer NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
