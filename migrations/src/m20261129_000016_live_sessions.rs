use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Live sessions (SCHEDULED → LIVE → ENDED), hosted by a verified creator or a producer's
/// member, and the offers pinned in them: a variant at a live price, up to a cap.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
CREATE TABLE live_sessions (
    id {pk},
    host_user_id BIGINT NOT NULL REFERENCES users (id),
    producer_id BIGINT REFERENCES producers (id),
    title TEXT NOT NULL,
    platform TEXT NOT NULL,
    stream_url TEXT,
    scheduled_at {ts} NOT NULL,
    status TEXT NOT NULL,
    started_at {ts},
    ended_at {ts},
    pinned_offer_id BIGINT,
    created_at {ts} NOT NULL
);
CREATE INDEX live_sessions_status_idx ON live_sessions (status, scheduled_at, id);
CREATE INDEX live_sessions_host_idx ON live_sessions (host_user_id);
CREATE INDEX live_sessions_producer_idx ON live_sessions (producer_id);
CREATE TABLE live_offers (
    id {pk},
    session_id BIGINT NOT NULL REFERENCES live_sessions (id),
    variant_id BIGINT NOT NULL REFERENCES variants (id),
    producer_id BIGINT NOT NULL REFERENCES producers (id),
    live_price BIGINT NOT NULL CHECK (live_price > 0),
    quantity_cap BIGINT NOT NULL CHECK (quantity_cap > 0),
    quantity_sold BIGINT NOT NULL DEFAULT 0 CHECK (quantity_sold >= 0 AND quantity_sold <= quantity_cap),
    per_buyer_limit BIGINT CHECK (per_buyer_limit IS NULL OR per_buyer_limit > 0),
    added_by BIGINT NOT NULL REFERENCES users (id),
    created_at {ts} NOT NULL,
    CONSTRAINT live_offers_session_variant_key UNIQUE (session_id, variant_id)
);
CREATE INDEX live_offers_variant_idx ON live_offers (variant_id);
CREATE INDEX live_offers_producer_idx ON live_offers (producer_id);
CREATE INDEX live_offers_added_by_idx ON live_offers (added_by);
"#,
        )
        .await
    }
}
