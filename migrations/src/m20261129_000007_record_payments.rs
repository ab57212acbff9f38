use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Payments carry the reference a provider reports them by (VNPay's `TxnRef`, the text of a
/// VietQR transfer) and, for VNPay, the payment page's URL; every provider report is kept in
/// `payment_events`, once per provider transaction, with what became of it.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
ALTER TABLE payments ADD COLUMN reference TEXT;
ALTER TABLE payments ADD COLUMN redirect_url TEXT;
CREATE UNIQUE INDEX payments_reference_key ON payments (reference);
CREATE TABLE payment_events (
    id {pk},
    provider TEXT NOT NULL,
    external_id TEXT NOT NULL,
    payment_id BIGINT REFERENCES payments (id),
    amount BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    needs_review BOOLEAN NOT NULL,
    detail TEXT NOT NULL,
    created_at {ts} NOT NULL,
    CONSTRAINT payment_events_provider_external_id_key UNIQUE (provider, external_id)
);
CREATE INDEX payment_events_payment_idx ON payment_events (payment_id);
CREATE INDEX payment_events_review_idx ON payment_events (needs_review, id);
"#,
        )
        .await
    }
}
