use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The books. A payment knows how much was taken (`captured`) and given back (`refunded`);
/// card payments keep their PaymentIntent's client secret for the browser. Each seller order
/// keeps the platform fee of the rate in force when it was placed. Every refund request is one
/// row (unique per order and idempotency key), and every movement of money one append-only
/// ledger row: the buyer's side (captured, cash collected, refunded) and each producer's
/// (sale, platform fee, refund), in đồng. Payments already taken are carried over.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
ALTER TABLE payments ADD COLUMN client_secret TEXT;
ALTER TABLE payments ADD COLUMN captured BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0;
UPDATE payments SET captured = amount WHERE status = 'SUCCEEDED';
ALTER TABLE seller_orders ADD COLUMN platform_fee BIGINT NOT NULL DEFAULT 0;
CREATE TABLE refunds (
    id {pk},
    order_id BIGINT NOT NULL REFERENCES orders (id),
    payment_id BIGINT NOT NULL REFERENCES payments (id),
    idempotency_key TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    provider_ref TEXT,
    requested_by BIGINT REFERENCES users (id),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT refunds_order_key UNIQUE (order_id, idempotency_key)
);
CREATE INDEX refunds_status_idx ON refunds (status, id);
CREATE INDEX refunds_payment_idx ON refunds (payment_id);
CREATE INDEX refunds_requested_by_idx ON refunds (requested_by);
CREATE TABLE ledger_entries (
    id {pk},
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    seller_order_id BIGINT REFERENCES seller_orders (id),
    producer_id BIGINT REFERENCES producers (id),
    refund_id BIGINT REFERENCES refunds (id),
    amount BIGINT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX ledger_entries_producer_idx ON ledger_entries (producer_id, account, created_at, id);
CREATE INDEX ledger_entries_order_idx ON ledger_entries (order_id);
CREATE INDEX ledger_entries_seller_order_idx ON ledger_entries (seller_order_id);
CREATE INDEX ledger_entries_refund_idx ON ledger_entries (refund_id);
"#,
        )
        .await
    }
}
