//! The demo catalog: a few verified cooperatives in different provinces, each product with its
//! own OCOP certificate of 3, 4 or 5 stars (one producer's expired, one's waiting for review),
//! about 30 products with Vietnamese names,
//! lots with stock, and three accounts whose credentials the start-up banner prints.
//!
//! The data is `catalog.json`; it goes in through the same services and rules as any
//! producer's (no SQL around the listing rule), so the expired certificate's products stay
//! unpublished — as they would for a real producer.
//!
//! Seeded automatically only into a new SQLite database; on PostgreSQL only by `seed-demo`.
//! Running it twice changes nothing the second time.

use chrono::NaiveDate;
use kernel::Viewer;
use kernel::domain::gtin_check_digit;
use kernel::id::{CertificateId, ProducerId, ProductId, VariantId};
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde::Deserialize;

use crate::BoxError;

pub const ADMIN_EMAIL: &str = "admin@cho-ocop.vn";
pub const ADMIN_PASSWORD: &str = "quantri-ocop-2026";
pub const SELLER_EMAIL: &str = "htx@cho-ocop.vn";
pub const SELLER_PASSWORD: &str = "hoptacxa-ocop-2026";
pub const BUYER_EMAIL: &str = "khach@cho-ocop.vn";
pub const BUYER_PASSWORD: &str = "muahang-ocop-2026";

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub products: usize,
    pub listed_example_slug: Option<String>,
    /// The trace code of a listed demo lot, for the banner.
    pub trace_code: Option<String>,
}

#[derive(Deserialize)]
struct Demo {
    producers: Vec<DemoProducer>,
}

#[derive(Deserialize)]
struct DemoProducer {
    name: String,
    kind: String,
    province: String,
    commune: String,
    address: String,
    tax_code: String,
    verified: bool,
    cert: DemoCert,
    products: Vec<DemoProduct>,
}

#[derive(Deserialize)]
struct DemoCert {
    category: String,
    stars: i32,
    score: i32,
    decision: String,
    issued_by: String,
    issued_on: NaiveDate,
    /// Approved by the admin (else left SUBMITTED for review).
    approved: bool,
}

#[derive(Deserialize)]
struct DemoProduct {
    name: String,
    description: String,
    place: String,
    variants: Vec<DemoVariant>,
    /// Days until the lot expires; `None` for goods without expiry.
    shelf_days: Option<i64>,
    publish: bool,
}

#[derive(Deserialize)]
struct DemoVariant {
    name: String,
    /// Whole đồng.
    price: i64,
    grams: i32,
    stock: i64,
}

fn gtin_for(n: u64) -> String {
    // Vietnam's GS1 prefix 893, a demo company number and an item reference.
    let body = format!("893{:09}", 123_400_000 + n);
    let digits: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
    format!("{body}{}", gtin_check_digit(&digits))
}

fn err(e: kernel::Error) -> BoxError {
    match e {
        kernel::Error::Db(d) => Box::new(d),
        other => match other.user_error() {
            Some(u) => format!("demo seed: {}", api::messages::vi(&u.problem)).into(),
            None => format!("demo seed: {other}").into(),
        },
    }
}

/// Seeds the demo catalog unless the demo admin already exists.
pub async fn seed_demo(db: &DatabaseConnection) -> Result<DemoSummary, BoxError> {
    let admin_email = kernel::domain::Email::parse(ADMIN_EMAIL).map_err(|e| e.to_string())?;
    if accounts::service::find_by_email(db, &admin_email)
        .await
        .map_err(err)?
        .is_some()
    {
        tracing::info!("demo catalog already present; nothing to seed");
        return Ok(DemoSummary {
            products: 0,
            listed_example_slug: None,
            trace_code: None,
        });
    }
    let demo: Demo = serde_json::from_str(include_str!("catalog.json"))?;
    let units = catalog::units::load(db).await?;
    let txn = db.begin().await?;
    let admin = accounts::service::ensure_admin(&txn, ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .map_err(err)?;
    let seller = accounts::service::register(
        &txn,
        accounts::service::NewUser::parse(
            SELLER_EMAIL,
            SELLER_PASSWORD,
            "Chủ nhiệm HTX (demo)",
            Some("0912345678"),
        )
        .map_err(err)?,
        false,
    )
    .await
    .map_err(err)?;
    accounts::service::register(
        &txn,
        accounts::service::NewUser::parse(
            BUYER_EMAIL,
            BUYER_PASSWORD,
            "Nguyễn Thị Khách",
            Some("0987654321"),
        )
        .map_err(err)?,
        false,
    )
    .await
    .map_err(err)?;
    let admin_v = Viewer::user(admin.id, true);
    let seller_v = Viewer::user(seller.id, false);
    let today = kernel::time::today_vn();
    let mut n_products = 0;
    let mut n_variants = 0u64;
    let mut example = None;
    let mut trace_code = None;

    for dp in &demo.producers {
        let producer = catalog::producers::create(
            &txn,
            &units,
            &seller_v,
            catalog::producers::NewProducer::parse(
                &units,
                catalog::producers::ProducerFields {
                    name: &dp.name,
                    kind: catalog::ProducerKind::parse(&dp.kind).ok_or("bad demo producer kind")?,
                    tax_code: Some(&dp.tax_code),
                    province_code: &dp.province,
                    commune_code: Some(&dp.commune),
                    address: &dp.address,
                    phone: Some("0912345678"),
                    phone_public: true,
                    description: None,
                },
            )
            .map_err(err)?,
        )
        .await
        .map_err(err)?;
        if dp.verified {
            catalog::producers::verify(&txn, &admin_v, ProducerId(producer.id))
                .await
                .map_err(err)?;
        }
        for (i, dprod) in dp.products.iter().enumerate() {
            // One certificate per product, as OCOP certifies each product on its own (the
            // producer's decision lists them all).
            let cert = catalog::certificates::submit(
                &txn,
                &seller_v,
                catalog::certificates::CertificateFields {
                    producer_id: ProducerId(producer.id),
                    product_name: &dprod.name,
                    category_code: &dp.cert.category,
                    stars: dp.cert.stars,
                    score: Some(dp.cert.score),
                    decision_number: &dp.cert.decision,
                    issued_by: &dp.cert.issued_by,
                    issued_on: dp.cert.issued_on,
                    document_url: None,
                },
            )
            .await
            .map_err(err)?;
            if dp.cert.approved {
                catalog::certificates::review(
                    &txn,
                    &admin_v,
                    CertificateId(cert.id),
                    true,
                    Some("Hồ sơ đầy đủ."),
                )
                .await
                .map_err(err)?;
            }
            let product = catalog::products::create(
                &txn,
                &units,
                &seller_v,
                catalog::products::ProductFields {
                    producer_id: ProducerId(producer.id),
                    certificate_id: CertificateId(cert.id),
                    name: &dprod.name,
                    description: &dprod.description,
                    category_code: None,
                    origin: catalog::products::Origin {
                        province_code: &dp.province,
                        commune_code: Some(&dp.commune),
                        place: Some(&dprod.place),
                    },
                    images: None,
                },
            )
            .await
            .map_err(err)?;
            n_products += 1;
            for (j, dv) in dprod.variants.iter().enumerate() {
                n_variants += 1;
                let sku = format!("DEMO-{}-{}-{}", producer.id, i + 1, j + 1);
                let gtin = gtin_for(n_variants);
                let variant = catalog::variants::create(
                    &txn,
                    &seller_v,
                    ProductId(product.id),
                    catalog::variants::VariantFields {
                        sku: &sku,
                        name: &dv.name,
                        price: dv.price,
                        compare_at_price: None,
                        gtin: Some(&gtin),
                        weight_grams: Some(dv.grams),
                    },
                )
                .await
                .map_err(err)?;
                // Stock enters through lots, each with its trace code and commissioning event.
                let produced = today - chrono::Duration::days(20 + j as i64);
                let expires = dprod
                    .shelf_days
                    .map(|d| produced + chrono::Duration::days(d));
                let lot = traceability::lots::create(
                    &txn,
                    &units,
                    &seller_v,
                    traceability::lots::LotFields {
                        variant_id: VariantId(variant.id),
                        lot_number: &format!("L{}-{:03}", produced.format("%y%m%d"), variant.id),
                        produced_on: produced,
                        expires_on: expires,
                        quantity: dv.stock,
                        origin: None,
                        gln: None,
                    },
                )
                .await
                .map_err(err)?;
                // A packing and a shipping step, so the timeline shows a journey.
                for (step, days, place) in
                    [("packing", 18, &dprod.place), ("shipping", 16, &dp.address)]
                {
                    let at = (chrono::Utc::now() - chrono::Duration::days(days))
                        .with_timezone(&kernel::time::vn_offset());
                    let event =
                        traceability::events::NewEvent::parse(step, None, at, place, None, None)
                            .map_err(err)?;
                    traceability::events::append(&txn, &lot, event, Some(seller.id))
                        .await
                        .map_err(err)?;
                }
                if trace_code.is_none() && dprod.publish && dp.verified && dp.cert.approved {
                    trace_code = lot.trace_code.clone();
                }
            }
            if dprod.publish {
                // Through the listing rule like any producer: the expired certificate's
                // products are refused and stay drafts.
                let published = catalog::products::publish(&txn, &seller_v, ProductId(product.id))
                    .await
                    .map_err(err)?;
                if let (Ok(p), None) = (published, &example) {
                    example = Some(p.slug.clone());
                }
            }
        }
    }
    txn.commit().await?;
    Ok(DemoSummary {
        products: n_products,
        listed_example_slug: example,
        trace_code,
    })
}
