-- Report queries used by the back office (sqlc-style annotations).

-- name: RevenueByProductLast30Days :many
SELECT p.sku, p.name, sum(oi.quantity * oi.unit_price_cents) AS revenue_cents
FROM order_items oi
JOIN orders o ON o.id = oi.order_id
JOIN products p ON p.id = oi.product_id
WHERE o.created_at >= now() - interval '30 days'
  AND o.status <> 'cancelled'
GROUP BY p.sku, p.name
ORDER BY revenue_cents DESC
LIMIT 50;

-- name: CustomerOrders :many
SELECT id, status, total_cents, created_at
FROM orders
WHERE customer_id = $1
ORDER BY created_at DESC;

-- name: PendingOrders :many
SELECT id, customer_id, total_cents, created_at
FROM orders
WHERE status = 'pending'
ORDER BY id;

-- name: SearchProducts :many
SELECT id, sku, name
FROM products
WHERE name ILIKE '%' || $1 || '%'
  AND active
ORDER BY name
LIMIT 20;

-- name: CustomerByPhone :one
SELECT id, email, full_name
FROM customers
WHERE phone = $1;

-- name: OrdersContainingProduct :many
SELECT o.id, o.created_at, oi.quantity
FROM order_items oi
JOIN orders o ON o.id = oi.order_id
WHERE oi.product_id = $1
ORDER BY o.id DESC
LIMIT 100;

-- name: ProductBySku :one
SELECT id, sku, name, price_cents
FROM products
WHERE sku = $1;
