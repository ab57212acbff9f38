//! Looking a trace code up: everything a buyer scanning a jar should see, and what should
//! worry them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kernel::Result;
use kernel::time::today_vn;
use kernel::trace_code::TraceCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use catalog::CertificateStatus;
use catalog::certificates::effective_status;
use catalog::entity::{certificate, image, lot, producer, product, variant};
use kernel::id::{CertificateId, ProducerId, ProductId, VariantId};

use crate::entity::trace_event;

use crate::events::{head_matches, verify_chain};
use crate::scans::{ScanCounter, clients_today};

#[derive(Clone)]
pub struct Trace {
    pub lot: lot::Model,
    /// The product's first image, for the page.
    pub image: Option<String>,
    pub variant: variant::Model,
    pub product: product::Model,
    pub producer: producer::Model,
    pub certificate: certificate::Model,
    pub events: Vec<trace_event::Model>,
    pub chain_intact: bool,
    pub scan_count: i64,
    pub warnings: Vec<String>,
}

/// Whether anyone may trace a lot of this product: it was published at some point (a jar of a
/// product unlisted since is still in kitchens and must still trace, recalls and all), its
/// producer is verified, and its certificate was not refused or left unreviewed. A DRAFT
/// product's lot, or one under a rejected certificate, is for the producer's members and ADMIN
/// only. The trace look-up and EPCIS both judge by this.
pub fn publicly_traceable(
    product: &product::Model,
    producer: &producer::Model,
    certificate: &certificate::Model,
) -> bool {
    product.published_at.is_some()
        && producer.verified
        && !matches!(
            certificate.status,
            CertificateStatus::Submitted | CertificateStatus::Rejected
        )
}

impl Trace {
    /// See [`publicly_traceable`].
    pub fn public(&self) -> bool {
        publicly_traceable(&self.product, &self.producer, &self.certificate)
    }
}

fn dmy(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Traces looked up recently, per replica. A scan is a read that many buyers repeat, and the
/// page must stay fast under a rush; entries live `ttl` and are dropped at once when this
/// replica changes lots, events or the catalog (the server clears it). Scan counts shown
/// from a cached trace still go up with every scan this replica counts.
pub struct TraceCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Arc<Cached>)>>,
}

pub struct Cached {
    pub trace: Trace,
    /// This replica's own scan total for the lot when the trace was read.
    local_total_then: i64,
    /// The trace page, rendered once, split where the scan count goes.
    pub page: std::sync::OnceLock<(String, String)>,
}

/// A looked-up trace and its scan count as of this look-up.
pub struct Looked {
    pub cached: Arc<Cached>,
    pub scan_count: i64,
}

impl Looked {
    pub fn trace(&self) -> &Trace {
        &self.cached.trace
    }
}

const MAX_CACHED: usize = 100_000;

impl TraceCache {
    pub fn new(ttl_ms: u64) -> TraceCache {
        TraceCache {
            ttl: Duration::from_millis(ttl_ms),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, code: &str) -> Option<Arc<Cached>> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(code)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, c)| c.clone())
    }

    fn put(&self, code: String, c: Arc<Cached>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_CACHED {
            let ttl = self.ttl;
            map.retain(|_, (at, _)| at.elapsed() < ttl);
            if map.len() >= MAX_CACHED {
                map.clear();
            }
        }
        map.insert(code, (Instant::now(), c));
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The trace of a code, counting this look-up; `None` when no lot has the code.
pub async fn lookup(
    db: &impl ConnectionTrait,
    scans: &ScanCounter,
    cache: &TraceCache,
    code: &TraceCode,
    client_ip: &str,
) -> Result<Option<Looked>> {
    let cached = match cache.get(code.as_str()) {
        Some(c) => c,
        None => {
            let Some(t) = read(db, scans, code).await? else {
                return Ok(None);
            };
            let c = Arc::new(Cached {
                local_total_then: scans.local_total(t.lot.id),
                trace: t,
                page: std::sync::OnceLock::new(),
            });
            cache.put(code.as_str().to_owned(), c.clone());
            c
        }
    };
    scans.record(cached.trace.lot.id, client_ip);
    let scan_count =
        cached.trace.scan_count + scans.local_total(cached.trace.lot.id) - cached.local_total_then;
    Ok(Some(Looked { cached, scan_count }))
}

/// Reads a trace from the database (without counting a scan).
async fn read(
    db: &impl ConnectionTrait,
    scans: &ScanCounter,
    code: &TraceCode,
) -> Result<Option<Trace>> {
    let Some(lot) = catalog::stock::by_code(db, code.as_str()).await? else {
        return Ok(None);
    };
    let variant = catalog::variants::get(db, VariantId(lot.variant_id)).await?;
    let product = catalog::products::get(db, ProductId(variant.product_id)).await?;
    let producer = catalog::producers::get(db, ProducerId(product.producer_id)).await?;
    let certificate = catalog::certificates::get(db, CertificateId(product.certificate_id)).await?;
    let events = trace_event::Entity::find()
        .filter(trace_event::Column::LotId.eq(lot.id))
        .order_by_asc(trace_event::Column::Seq)
        .all(db)
        .await?;
    let chain_intact = verify_chain(code.as_str(), &events) && head_matches(&lot, &events);
    let today = today_vn();
    let mut warnings = Vec::new();
    if let Some(reason) = lot
        .recalled_at
        .map(|_| lot.recall_reason.clone().unwrap_or_default())
    {
        warnings.push(format!(
            "Lô hàng này đã bị thu hồi: {reason}. Không sử dụng sản phẩm."
        ));
    }
    if let Some(e) = lot.expires_on
        && e < today
    {
        warnings.push(format!("Lô hàng đã hết hạn sử dụng ngày {}.", dmy(e)));
    }
    match effective_status(&certificate, today) {
        CertificateStatus::Verified => {}
        CertificateStatus::Expired => warnings.push(format!(
            "Giấy chứng nhận OCOP của sản phẩm đã hết hạn ngày {}.",
            dmy(certificate.valid_until)
        )),
        CertificateStatus::Revoked => {
            warnings.push("Giấy chứng nhận OCOP của sản phẩm đã bị thu hồi.".to_owned())
        }
        _ => warnings.push("Giấy chứng nhận OCOP của sản phẩm chưa được xác minh.".to_owned()),
    }
    if !chain_intact {
        warnings.push(
            "Nhật ký truy xuất của lô hàng đã bị sửa đổi sau khi ghi: thông tin không còn đáng tin cậy."
                .to_owned(),
        );
    }
    let clients = clients_today(db, lot.id).await?;
    if clients > scans.anomaly_threshold {
        warnings.push(format!(
            "Mã này được quét bất thường từ {clients} địa chỉ khác nhau trong hôm nay: hãy cẩn thận với hàng giả."
        ));
    }
    let scan_count = lot.scan_count + scans.pending(lot.id);
    let image = image::Entity::find()
        .filter(image::Column::ProductId.eq(product.id))
        .order_by_asc(image::Column::Position)
        .one(db)
        .await?
        .map(|i| i.url);
    Ok(Some(Trace {
        lot,
        image,
        variant,
        product,
        producer,
        certificate,
        events,
        chain_intact,
        scan_count,
        warnings,
    }))
}
