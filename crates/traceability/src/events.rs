//! Trace events: append-only, each hashed with the previous event's hash.

use chrono::{DateTime, FixedOffset, Utc};
use kernel::domain::{optional_text, text};
use kernel::error::is_unique_violation;
use kernel::problem::{Label, Problem};
use kernel::sql::Sql;
use kernel::{Error, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};

use catalog::entity::lot;
use kernel::id::LotId;

use crate::entity::trace_event;

/// CBV 2.0 business steps (GS1's `cbv-bizstep.jsonld`).
pub const BIZ_STEPS: &[&str] = &[
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "sampling",
    "sensor_reporting",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
];

/// CBV 2.0 dispositions used here, and the one each business step implies by default.
pub const DISPOSITIONS: &[&str] = &[
    "active",
    "in_transit",
    "in_progress",
    "sellable_accessible",
    "sellable_not_accessible",
    "expired",
    "recalled",
    "damaged",
    "destroyed",
    "returned",
    "needs_replacement",
    "non_sellable_other",
    "unknown",
];

pub fn default_disposition(biz_step: &str) -> &'static str {
    match biz_step {
        "commissioning" | "packing" | "inspecting" | "storing" | "stocking" => "active",
        "shipping" | "departing" | "transporting" | "loading" => "in_transit",
        "receiving" | "arriving" | "unloading" | "accepting" => "in_progress",
        "retail_selling" => "sellable_accessible",
        _ => "active",
    }
}

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Largest `data` object accepted, serialised.
pub const MAX_DATA_BYTES: usize = 8 * 1024;

/// The canonical form of an event: a JSON object with sorted keys and no spaces, naming the
/// lot by its trace code so that the chain also binds the event to its lot.
pub fn canonical(trace_code: &str, e: &trace_event::Model) -> String {
    // serde_json's map keeps keys sorted (no `preserve_order`), so this is canonical.
    let data: serde_json::Value = e
        .data
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "lot": trace_code,
        "seq": e.seq,
        "bizStep": e.biz_step,
        "disposition": e.disposition,
        "eventTime": e.event_time,
        "recordTime": e.record_time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "location": e.location,
        "note": e.note,
        "data": data,
    })
    .to_string()
}

pub fn chain_hash(canonical: &str, prev_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(canonical.as_bytes());
    h.update(prev_hash.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Re-verifies a lot's chain: consecutive sequence numbers, each `prev_hash` equal to the
/// previous `hash`, and each `hash` recomputed from the stored fields.
pub fn verify_chain(trace_code: &str, events: &[trace_event::Model]) -> bool {
    let mut prev = GENESIS.to_owned();
    for (i, e) in events.iter().enumerate() {
        if e.seq != i as i32 + 1 || e.prev_hash != prev {
            return false;
        }
        if chain_hash(&canonical(trace_code, e), &prev) != e.hash {
            return false;
        }
        prev = e.hash.clone();
    }
    true
}

/// A new event, parsed.
pub struct NewEvent {
    pub biz_step: String,
    pub disposition: Option<String>,
    pub event_time: DateTime<FixedOffset>,
    pub location: String,
    pub note: Option<String>,
    pub data: Option<serde_json::Value>,
}

impl NewEvent {
    pub fn parse(
        biz_step: &str,
        disposition: Option<&str>,
        event_time: DateTime<FixedOffset>,
        location: &str,
        note: Option<&str>,
        data: Option<serde_json::Value>,
    ) -> Result<NewEvent> {
        let step = biz_step.trim();
        if !BIZ_STEPS.contains(&step) {
            return Err(Error::invalid(
                &["input", "bizStep"],
                Problem::UnknownBizStep(step.to_owned()),
            ));
        }
        let disposition = match disposition.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) if DISPOSITIONS.contains(&d) => d.to_owned(),
            Some(d) => {
                return Err(Error::invalid(
                    &["input", "disposition"],
                    Problem::UnknownDisposition(d.to_owned()),
                ));
            }
            None => default_disposition(step).to_owned(),
        };
        let now = Utc::now();
        if event_time.with_timezone(&Utc) > now + chrono::Duration::minutes(10)
            || !kernel::time::plausible_year(event_time.date_naive())
        {
            return Err(Error::invalid(
                &["input", "eventTime"],
                Problem::EventInFuture,
            ));
        }
        let location = text(location, 300, Label::Location)
            .map_err(|m| Error::invalid(&["input", "location"], m))?;
        let note = optional_text(note, 2000, Label::Note)
            .map_err(|m| Error::invalid(&["input", "note"], m))?;
        if let Some(d) = &data {
            if !d.is_object() {
                return Err(Error::invalid(&["input", "data"], Problem::DataNotObject));
            }
            if d.to_string().len() > MAX_DATA_BYTES {
                return Err(Error::invalid(
                    &["input", "data"],
                    Problem::DataTooLarge {
                        max_kb: MAX_DATA_BYTES / 1024,
                    },
                ));
            }
        }
        Ok(NewEvent {
            biz_step: step.to_owned(),
            disposition: Some(disposition),
            event_time,
            location,
            note,
            data,
        })
    }
}

/// Appends an event to a lot's chain inside `db` (a transaction).
pub async fn append(
    db: &impl ConnectionTrait,
    lot: &lot::Model,
    e: NewEvent,
    recorded_by: Option<i64>,
) -> Result<trace_event::Model> {
    let code = lot.trace_code.clone().unwrap_or_default();
    // The lot row holds the chain's head, so it is the chain's lock: on PostgreSQL appends to
    // one lot queue here instead of racing for the same `seq` (SQLite serialises writers).
    kernel::sql::lock_row(db, "lots", lot.id).await?;
    let last = trace_event::Entity::find()
        .filter(trace_event::Column::LotId.eq(lot.id))
        .order_by_desc(trace_event::Column::Seq)
        .one(db)
        .await?;
    let (seq, prev) = match last {
        Some(l) => (l.seq + 1, l.hash),
        None => (1, GENESIS.to_owned()),
    };
    // Microsecond precision: what both databases store, so the hash survives the round trip.
    let record_time =
        DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap_or_else(Utc::now);
    let mut model = trace_event::Model {
        id: 0,
        lot_id: lot.id,
        seq,
        biz_step: e.biz_step,
        disposition: e.disposition,
        event_time: e
            .event_time
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
        event_at: e.event_time.with_timezone(&Utc),
        record_time,
        location: e.location,
        note: e.note,
        data: e.data.map(|d| d.to_string()),
        recorded_by,
        prev_hash: prev.clone(),
        hash: String::new(),
    };
    model.hash = chain_hash(&canonical(&code, &model), &prev);
    let active = trace_event::ActiveModel {
        lot_id: Set(model.lot_id),
        seq: Set(model.seq),
        biz_step: Set(model.biz_step.clone()),
        disposition: Set(model.disposition.clone()),
        event_time: Set(model.event_time.clone()),
        event_at: Set(model.event_at),
        record_time: Set(model.record_time),
        location: Set(model.location.clone()),
        note: Set(model.note.clone()),
        data: Set(model.data.clone()),
        recorded_by: Set(model.recorded_by),
        prev_hash: Set(model.prev_hash.clone()),
        hash: Set(model.hash.clone()),
        ..Default::default()
    };
    let inserted = active.insert(db).await?;
    // The head moves in the same transaction: a chain whose tail is deleted no longer ends
    // where the lot says it does.
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE lots SET events_count = ")
        .bind(inserted.seq)
        .push(", head_hash = ")
        .bind(inserted.hash.clone())
        .push(" WHERE id = ")
        .bind(lot.id);
    db.execute_raw(q.build()).await?;
    Ok(inserted)
}

/// Whether the lot's events end where the lot says its chain ends: as many as it counted, the
/// last with the hash it kept. [`verify_chain`] catches an edited or removed middle; this
/// catches a removed tail.
pub fn head_matches(lot: &lot::Model, events: &[trace_event::Model]) -> bool {
    events.len() == lot.events_count as usize
        && events.last().map(|e| &e.hash) == lot.head_hash.as_ref()
}

/// Records an event on a lot (the lot's producer members, or ADMIN). Two events racing for the
/// same place in the chain cannot both win (`UNIQUE (lot_id, seq)`): the loser retries on top.
pub async fn record<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    lot_id: LotId,
    e: impl Fn() -> Result<NewEvent>,
) -> Result<trace_event::Model> {
    let uid = viewer.require_user()?;
    let lot = catalog::stock::get(db, lot_id).await?;
    crate::lots::require_manager(db, viewer, &lot).await?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let txn = db.begin().await?;
        kernel::sql::write_lock(&txn, "trace_events").await?;
        match append(&txn, &lot, e()?, Some(uid)).await {
            Ok(ev) => {
                txn.commit().await?;
                return Ok(ev);
            }
            Err(Error::Db(err))
                if attempt < 5
                    && (is_unique_violation(
                        &err,
                        "trace_events_lot_seq_key",
                        "trace_events.lot_id",
                    ) || err.to_string().contains("locked")) =>
            {
                drop(txn);
                tokio::time::sleep(std::time::Duration::from_millis(5 * attempt)).await;
            }
            Err(other) => return Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: i32, prev: &str) -> trace_event::Model {
        let mut e = trace_event::Model {
            id: seq as i64,
            lot_id: 1,
            seq,
            biz_step: "packing".into(),
            disposition: Some("active".into()),
            event_time: "2026-11-20T08:00:00+07:00".into(),
            event_at: DateTime::from_timestamp(1_763_600_400, 0).unwrap(),
            record_time: DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap(),
            location: "Xưởng".into(),
            note: None,
            data: Some("{\"b\":1,\"a\":2}".into()),
            recorded_by: None,
            prev_hash: prev.into(),
            hash: String::new(),
        };
        e.hash = chain_hash(&canonical("7KQ4MXH2RC", &e), prev);
        e
    }

    #[test]
    fn a_chain_verifies_and_any_edit_breaks_it() {
        let a = ev(1, GENESIS);
        let b = ev(2, &a.hash);
        let chain = vec![a.clone(), b.clone()];
        assert!(verify_chain("7KQ4MXH2RC", &chain));
        assert!(
            !verify_chain("OTHERCODE2", &chain),
            "the chain is bound to its lot"
        );
        let mut edited = chain.clone();
        edited[0].location = "Nơi khác".into();
        assert!(!verify_chain("7KQ4MXH2RC", &edited));
        let mut dropped = chain.clone();
        dropped.remove(0);
        assert!(!verify_chain("7KQ4MXH2RC", &dropped));
        // Key order inside `data` does not matter: the form is canonical.
        let mut reordered = chain.clone();
        reordered[0].data = Some("{\"a\":2,\"b\":1}".into());
        assert!(verify_chain("7KQ4MXH2RC", &reordered));
    }
}
