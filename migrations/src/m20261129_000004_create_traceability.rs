use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Lots become traceable: a public trace code, their origin, recall details and a scan count;
/// trace events are an append-only hash chain per lot; scans remember which client addresses
/// (hashed) looked a code up on which day, for the anomaly warning.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
ALTER TABLE lots ADD COLUMN trace_code TEXT;
ALTER TABLE lots ADD COLUMN origin_province_code TEXT REFERENCES provinces (code);
ALTER TABLE lots ADD COLUMN origin_commune_code TEXT REFERENCES communes (code);
ALTER TABLE lots ADD COLUMN origin_place TEXT;
ALTER TABLE lots ADD COLUMN gln TEXT;
ALTER TABLE lots ADD COLUMN recall_reason TEXT;
ALTER TABLE lots ADD COLUMN scan_count BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX lots_trace_code_key ON lots (trace_code);
CREATE INDEX lots_origin_province_code_idx ON lots (origin_province_code);
CREATE INDEX lots_origin_commune_code_idx ON lots (origin_commune_code);

CREATE TABLE trace_events (
    id {pk},
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    seq INTEGER NOT NULL,
    biz_step TEXT NOT NULL,
    disposition TEXT,
    event_time TEXT NOT NULL,
    record_time {ts} NOT NULL,
    location TEXT NOT NULL,
    note TEXT,
    data TEXT,
    recorded_by BIGINT REFERENCES users (id),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    CONSTRAINT trace_events_lot_seq_key UNIQUE (lot_id, seq)
);
CREATE INDEX trace_events_recorded_by_idx ON trace_events (recorded_by);

CREATE TABLE lot_scan_clients (
    lot_id BIGINT NOT NULL REFERENCES lots (id),
    day {date} NOT NULL,
    client TEXT NOT NULL,
    CONSTRAINT lot_scan_clients_pkey PRIMARY KEY (lot_id, day, client)
);
"#,
        )
        .await
    }
}
