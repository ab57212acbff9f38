//! EPCIS 2.0 JSON-LD export of lots' events (`GET /epcis/events`), as GS1's schema describes:
//! ObjectEvents with a `quantityList` (lots are classes, not serialised items), `bizStep`,
//! `disposition`, `readPoint`/`bizLocation`, and the lot's master data in `ilmd` on
//! commissioning.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, FixedOffset, Utc};
use kernel::domain::Gtin;
use kernel::gs1::encode_segment;
use kernel::problem::Problem;
use kernel::trace_code::TraceCode;
use kernel::{Error, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

use catalog::entity::{certificate, lot, producer, product, variant};

use crate::entity::trace_event;

pub const DEFAULT_PER_PAGE: u64 = 100;
pub const MAX_PER_PAGE: u64 = 1000;

/// The query of `GET /epcis/events`, as EPCIS 2.0's REST binding names its parameters.
#[derive(Debug, Default, Clone)]
pub struct EventQuery {
    /// A trace code, or a lot number together with `gtin`.
    pub lot: Option<String>,
    pub gtin: Option<String>,
    pub ge_event_time: Option<DateTime<FixedOffset>>,
    pub lt_event_time: Option<DateTime<FixedOffset>>,
    pub per_page: Option<u64>,
    pub next_page_token: Option<String>,
}

pub struct Page {
    pub document: Value,
    pub next_page_token: Option<String>,
}

fn bad(field: &str, problem: Problem) -> Error {
    Error::invalid(&[field], problem)
}

/// The identifier of a lot as an EPC class: the GS1 Digital Link of GTIN + lot when there is a
/// GTIN, else the lot's trace page on this platform.
fn epc_class(base: &str, l: &lot::Model, gtin14: Option<&str>) -> String {
    match gtin14 {
        Some(g) => format!(
            "https://id.gs1.org/01/{g}/10/{}",
            encode_segment(&l.lot_number)
        ),
        None => format!("{base}/t/{}", l.trace_code.as_deref().unwrap_or("")),
    }
}

fn location_uri(base: &str, l: &lot::Model, location: &str) -> String {
    match &l.gln {
        Some(gln) => format!("https://id.gs1.org/414/{gln}"),
        None => format!("{base}/locations/{}", encode_segment(location)),
    }
}

/// One ObjectEvent in EPCIS 2.0 JSON-LD.
pub fn object_event(
    base: &str,
    l: &lot::Model,
    gtin14: Option<&str>,
    e: &trace_event::Model,
) -> Value {
    let event_time = DateTime::parse_from_rfc3339(&e.event_time).ok();
    let offset = event_time
        .map(|t| t.format("%:z").to_string())
        .unwrap_or_else(|| "+07:00".to_owned());
    let action = if e.biz_step == "commissioning" {
        "ADD"
    } else {
        "OBSERVE"
    };
    let quantity = if e.biz_step == "commissioning" {
        l.quantity_produced
    } else {
        l.quantity_available
    };
    let mut ev = json!({
        "type": "ObjectEvent",
        "eventID": format!("ni:///sha-256;{}?ver=CBV2.0", e.hash),
        "eventTime": event_time.map(|t| t.to_rfc3339()).unwrap_or_else(|| e.event_time.clone()),
        "eventTimeZoneOffset": offset,
        "recordTime": e.record_time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "action": action,
        "epcList": [],
        "quantityList": [{ "epcClass": epc_class(base, l, gtin14), "quantity": quantity }],
        "bizStep": e.biz_step,
        "readPoint": { "id": location_uri(base, l, &e.location) },
        "bizLocation": { "id": location_uri(base, l, &e.location) },
        "ocop:location": e.location,
        "ocop:traceCode": l.trace_code,
        "ocop:hash": e.hash,
    });
    if let Some(d) = &e.disposition {
        ev["disposition"] = json!(d);
    }
    if let Some(n) = &e.note {
        ev["ocop:note"] = json!(n);
    }
    if e.biz_step == "commissioning" {
        let mut ilmd = json!({ "cbvmda:lotNumber": l.lot_number });
        if let Some(exp) = l.expires_on {
            ilmd["cbvmda:itemExpirationDate"] = json!(exp.to_string());
        }
        ilmd["ocop:producedOn"] = json!(l.produced_on.to_string());
        if let Some(p) = &l.origin_province_code {
            ilmd["ocop:originProvinceCode"] = json!(p);
        }
        if let Some(c) = &l.origin_commune_code {
            ilmd["ocop:originCommuneCode"] = json!(c);
        }
        ev["ilmd"] = ilmd;
    }
    ev
}

/// Wraps events in an `EPCISDocument`.
pub fn document(base: &str, events: Vec<Value>) -> Value {
    json!({
        "@context": [
            "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
            { "ocop": format!("{base}/epcis/vocab/") }
        ],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "epcisBody": { "eventList": events }
    })
}

/// Runs a query: events of the lots it names, oldest first, one page.
pub async fn query(db: &impl ConnectionTrait, base: &str, q: &EventQuery) -> Result<Page> {
    let per_page = q
        .per_page
        .unwrap_or(DEFAULT_PER_PAGE)
        .clamp(1, MAX_PER_PAGE);
    let after_id = match &q.next_page_token {
        None => 0,
        Some(t) => URL_SAFE_NO_PAD
            .decode(t.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("e:").and_then(|n| n.parse::<i64>().ok()))
            .ok_or_else(|| bad("nextPageToken", Problem::BadPageToken))?,
    };
    // The lots the query names: by trace code, or by GTIN (and lot number) — never by a bare
    // lot number, which anyone could guess through. Only lots anyone may trace (see
    // `Trace::public`), at most MAX_LOTS of them.
    let mut lots_q = lot::Entity::find();
    if q.lot.is_none() && q.gtin.is_none() {
        return Err(bad("lot", Problem::LotOrGtinNeeded));
    }
    if let Some(g) = &q.gtin {
        let gtin = Gtin::parse(g).map_err(|m| bad("gtin", m))?;
        let ids: Vec<i64> = variant::Entity::find()
            .filter(variant::Column::Gtin.eq(gtin.as_gtin14()))
            .all(db)
            .await?
            .into_iter()
            .map(|v| v.id)
            .collect();
        lots_q = lots_q.filter(lot::Column::VariantId.is_in(ids));
    }
    if let Some(l) = &q.lot {
        lots_q = match TraceCode::parse(l) {
            Some(code) => lots_q.filter(lot::Column::TraceCode.eq(code.as_str())),
            None if q.gtin.is_some() => lots_q.filter(lot::Column::LotNumber.eq(l.trim())),
            None => return Err(bad("lot", Problem::LotNumberNeedsGtin)),
        };
    }
    let candidates = lots_q
        .order_by_asc(lot::Column::Id)
        .limit(MAX_LOTS)
        .all(db)
        .await?;
    let (lots, gtins) = public_lots(db, candidates).await?;
    let lot_ids: Vec<i64> = lots.keys().copied().collect();
    if lot_ids.is_empty() {
        return Ok(Page {
            document: document(base, vec![]),
            next_page_token: None,
        });
    }

    // One page of events in id order after the token, the time window applied in SQL on each
    // event's UTC instant: the scan is one index range, never the lots' whole history.
    let mut events_q = trace_event::Entity::find()
        .filter(trace_event::Column::LotId.is_in(lot_ids))
        .filter(trace_event::Column::Id.gt(after_id));
    if let Some(ge) = q.ge_event_time {
        events_q = events_q.filter(trace_event::Column::EventAt.gte(ge.with_timezone(&Utc)));
    }
    if let Some(lt) = q.lt_event_time {
        events_q = events_q.filter(trace_event::Column::EventAt.lt(lt.with_timezone(&Utc)));
    }
    let mut events = events_q
        .order_by_asc(trace_event::Column::Id)
        .limit(per_page + 1)
        .all(db)
        .await?;
    let next = if events.len() as u64 > per_page {
        events.truncate(per_page as usize);
        events
            .last()
            .map(|e| URL_SAFE_NO_PAD.encode(format!("e:{}", e.id)))
    } else {
        None
    };
    let out: Vec<Value> = events
        .iter()
        .map(|e| {
            let l = &lots[&e.lot_id];
            let gtin = gtins.get(&l.variant_id).cloned().flatten();
            object_event(base, l, gtin.as_deref(), e)
        })
        .collect();
    Ok(Page {
        document: document(base, out),
        next_page_token: next,
    })
}

/// At most this many lots per query (a GTIN names one trade item; its lots are far fewer).
pub const MAX_LOTS: u64 = 1000;

/// The lots among `candidates` anyone may trace ([`crate::trace::publicly_traceable`]), and
/// their variants' GTINs.
async fn public_lots(
    db: &impl ConnectionTrait,
    candidates: Vec<lot::Model>,
) -> Result<(HashMap<i64, lot::Model>, HashMap<i64, Option<String>>)> {
    let variants: Vec<variant::Model> = variant::Entity::find()
        .filter(variant::Column::Id.is_in(candidates.iter().map(|l| l.variant_id)))
        .all(db)
        .await?;
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(variants.iter().map(|v| v.product_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let certificates: HashMap<i64, certificate::Model> = certificate::Entity::find()
        .filter(certificate::Column::Id.is_in(products.values().map(|p| p.certificate_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let producers: HashMap<i64, producer::Model> = producer::Entity::find()
        .filter(producer::Column::Id.is_in(products.values().map(|p| p.producer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let traceable = |product_id: i64| {
        let Some(p) = products.get(&product_id) else {
            return false;
        };
        match (
            producers.get(&p.producer_id),
            certificates.get(&p.certificate_id),
        ) {
            (Some(producer), Some(cert)) => crate::trace::publicly_traceable(p, producer, cert),
            _ => false,
        }
    };
    let gtins: HashMap<i64, Option<String>> = variants
        .iter()
        .filter(|v| traceable(v.product_id))
        .map(|v| (v.id, v.gtin.clone()))
        .collect();
    let lots = candidates
        .into_iter()
        .filter(|l| gtins.contains_key(&l.variant_id))
        .map(|l| (l.id, l))
        .collect();
    Ok((lots, gtins))
}
