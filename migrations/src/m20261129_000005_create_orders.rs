use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Orders: one per checkout, split into one seller order per producer; lines with the lots
/// their units were taken from; the payment record; the buyer's idempotency keys.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
CREATE TABLE orders (
    id {pk},
    number TEXT NOT NULL,
    buyer_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    subtotal BIGINT NOT NULL CHECK (subtotal >= 0),
    shipping_total BIGINT NOT NULL CHECK (shipping_total >= 0),
    total BIGINT NOT NULL CHECK (total >= 0),
    ship_name TEXT NOT NULL,
    ship_phone TEXT NOT NULL,
    ship_province_code TEXT NOT NULL REFERENCES provinces (code),
    ship_commune_code TEXT REFERENCES communes (code),
    ship_line TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT orders_number_key UNIQUE (number),
    CONSTRAINT orders_buyer_idempotency_key UNIQUE (buyer_id, idempotency_key)
);
CREATE INDEX orders_ship_province_code_idx ON orders (ship_province_code);
CREATE INDEX orders_ship_commune_code_idx ON orders (ship_commune_code);

CREATE TABLE seller_orders (
    id {pk},
    order_id BIGINT NOT NULL REFERENCES orders (id),
    producer_id BIGINT NOT NULL REFERENCES producers (id),
    status TEXT NOT NULL,
    subtotal BIGINT NOT NULL,
    shipping BIGINT NOT NULL,
    carrier TEXT,
    tracking_number TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX seller_orders_order_id_idx ON seller_orders (order_id);
CREATE INDEX seller_orders_producer_id_idx ON seller_orders (producer_id, id);

CREATE TABLE order_lines (
    id {pk},
    order_id BIGINT NOT NULL REFERENCES orders (id),
    seller_order_id BIGINT NOT NULL REFERENCES seller_orders (id),
    variant_id BIGINT NOT NULL REFERENCES variants (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit_price BIGINT NOT NULL CHECK (unit_price > 0),
    total BIGINT NOT NULL
);
CREATE INDEX order_lines_order_id_idx ON order_lines (order_id);
CREATE INDEX order_lines_seller_order_id_idx ON order_lines (seller_order_id);
CREATE INDEX order_lines_variant_id_idx ON order_lines (variant_id);

CREATE TABLE lot_allocations (
    id {pk},
    order_line_id BIGINT NOT NULL REFERENCES order_lines (id),
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0)
);
CREATE INDEX lot_allocations_order_line_id_idx ON lot_allocations (order_line_id);
CREATE INDEX lot_allocations_lot_id_idx ON lot_allocations (lot_id);

CREATE TABLE payments (
    id {pk},
    order_id BIGINT NOT NULL REFERENCES orders (id),
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT payments_order_id_key UNIQUE (order_id)
);
"#,
        )
        .await
    }
}
