//! Looking a trace code up: everything a buyer scanning a jar should see, and what should
//! worry them.

use kernel::Result;
use kernel::time::today_vn;
use kernel::trace_code::TraceCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use catalog::certificates::{EXPIRED, REVOKED, VERIFIED, effective_status};
use catalog::entity::{certificate, lot, producer, product, trace_event, variant};

use crate::events::verify_chain;
use crate::scans::{ScanCounter, clients_today};

pub struct Trace {
    pub lot: lot::Model,
    pub variant: variant::Model,
    pub product: product::Model,
    pub producer: producer::Model,
    pub certificate: certificate::Model,
    pub events: Vec<trace_event::Model>,
    pub chain_intact: bool,
    pub scan_count: i64,
    pub warnings: Vec<String>,
}

fn dmy(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The trace of a code, counting this look-up; `None` when no lot has the code.
pub async fn lookup(
    db: &impl ConnectionTrait,
    scans: &ScanCounter,
    code: &TraceCode,
    client_ip: &str,
) -> Result<Option<Trace>> {
    let Some(lot) = crate::lots::by_code(db, code).await? else {
        return Ok(None);
    };
    scans.record(lot.id, client_ip);
    let variant = catalog::variants::get(db, lot.variant_id).await?;
    let product = catalog::products::get(db, variant.product_id).await?;
    let producer = catalog::producers::get(db, product.producer_id).await?;
    let certificate = catalog::certificates::get(db, product.certificate_id).await?;
    let events = trace_event::Entity::find()
        .filter(trace_event::Column::LotId.eq(lot.id))
        .order_by_asc(trace_event::Column::Seq)
        .all(db)
        .await?;
    let chain_intact = verify_chain(code.as_str(), &events);
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
        VERIFIED => {}
        EXPIRED => warnings.push(format!(
            "Giấy chứng nhận OCOP của sản phẩm đã hết hạn ngày {}.",
            dmy(certificate.valid_until)
        )),
        REVOKED => warnings.push("Giấy chứng nhận OCOP của sản phẩm đã bị thu hồi.".to_owned()),
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
    Ok(Some(Trace {
        lot,
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
