use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Selling through lives and links: when a live offer's remaining cap last moved (for the
/// STOCK events), what each buyer took of it (the per-buyer limit),
/// producers' affiliate programs (one row per rate change, so an order keeps the rate in force
/// when it was placed), creators' links and their deduplicated clicks, each order line's
/// attribution, and commissions with the append-only entries that moved them.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
ALTER TABLE live_offers ADD COLUMN stock_changed_at {ts};
CREATE INDEX live_offers_stock_changed_idx ON live_offers (stock_changed_at);
CREATE TABLE live_offer_buyers (
    offer_id BIGINT NOT NULL REFERENCES live_offers (id),
    buyer_id BIGINT NOT NULL REFERENCES users (id),
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (offer_id, buyer_id)
);
CREATE INDEX live_offer_buyers_buyer_idx ON live_offer_buyers (buyer_id);
CREATE TABLE affiliate_programs (
    id {pk},
    product_id BIGINT NOT NULL REFERENCES products (id),
    rate_bps BIGINT NOT NULL CHECK (rate_bps >= 0 AND rate_bps <= 5000),
    set_by BIGINT NOT NULL REFERENCES users (id),
    starts_at {ts} NOT NULL
);
CREATE INDEX affiliate_programs_product_idx ON affiliate_programs (product_id, starts_at, id);
CREATE INDEX affiliate_programs_set_by_idx ON affiliate_programs (set_by);
CREATE TABLE affiliate_links (
    id {pk},
    code TEXT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    creator_user_id BIGINT NOT NULL REFERENCES users (id),
    live_session_id BIGINT REFERENCES live_sessions (id),
    clicks BIGINT NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL,
    CONSTRAINT affiliate_links_code_key UNIQUE (code)
);
CREATE INDEX affiliate_links_product_idx ON affiliate_links (product_id);
CREATE INDEX affiliate_links_creator_idx ON affiliate_links (creator_user_id, id);
CREATE INDEX affiliate_links_session_idx ON affiliate_links (live_session_id);
CREATE TABLE affiliate_clicks (
    link_id BIGINT NOT NULL REFERENCES affiliate_links (id),
    visitor TEXT NOT NULL,
    hour BIGINT NOT NULL,
    PRIMARY KEY (link_id, visitor, hour)
);
CREATE INDEX affiliate_clicks_hour_idx ON affiliate_clicks (hour);
ALTER TABLE order_lines ADD COLUMN live_offer_id BIGINT REFERENCES live_offers (id);
ALTER TABLE order_lines ADD COLUMN live_session_id BIGINT REFERENCES live_sessions (id);
ALTER TABLE order_lines ADD COLUMN creator_user_id BIGINT REFERENCES users (id);
ALTER TABLE order_lines ADD COLUMN commission_bps BIGINT;
CREATE INDEX order_lines_live_offer_idx ON order_lines (live_offer_id);
CREATE INDEX order_lines_live_session_idx ON order_lines (live_session_id);
CREATE INDEX order_lines_creator_idx ON order_lines (creator_user_id);
CREATE TABLE commissions (
    id {pk},
    order_line_id BIGINT NOT NULL REFERENCES order_lines (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    seller_order_id BIGINT NOT NULL REFERENCES seller_orders (id),
    producer_id BIGINT NOT NULL REFERENCES producers (id),
    creator_user_id BIGINT NOT NULL REFERENCES users (id),
    rate_bps BIGINT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    status TEXT NOT NULL,
    part_completed_at {ts},
    payable_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT commissions_order_line_key UNIQUE (order_line_id)
);
CREATE INDEX commissions_order_idx ON commissions (order_id);
CREATE INDEX commissions_seller_order_idx ON commissions (seller_order_id);
CREATE INDEX commissions_producer_idx ON commissions (producer_id, id);
CREATE INDEX commissions_creator_idx ON commissions (creator_user_id, id);
CREATE INDEX commissions_status_idx ON commissions (status);
CREATE TABLE commission_entries (
    id {pk},
    commission_id BIGINT NOT NULL REFERENCES commissions (id),
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX commission_entries_commission_idx ON commission_entries (commission_id);
"#,
        )
        .await
    }
}
