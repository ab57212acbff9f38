//! Typed fixtures, made straight through the domain services and the database: no HTTP round
//! trips, and no argon2 hash per person (every fixture account shares one hash of
//! [`PASSWORD`], computed once per test binary). Tests that are *about* a mutation still call it
//! over HTTP; everything they merely stand on is built here.
//!
//! ```ignore
//! let seller = app.seller().stars(4).province("40").build().await;
//! let f = seller.listed(&app, "Nước mắm", 120_000).await;   // a Fixture
//! app.data(Some(&f.owner), docs::PRODUCT, json!({ "id": f.product.gid() })).await;
//! ```

use std::ops::Deref;

use catalog::ProducerKind;
use catalog::certificates::CertificateFields;
use catalog::products::{Origin, ProductFields};
use catalog::variants::VariantFields;
use chrono::NaiveDate;
use kernel::Viewer;
use kernel::id::{CertificateId, LotId, ProducerId, ProductId, UserId, VariantId};
use kernel::time::today_vn;
use sea_orm::{ActiveModelTrait, Set};
use tokio::sync::OnceCell;
use traceability::lots::LotFields;

use crate::harness::{TestApp, random_suffix};

/// The password of every fixture account.
pub const PASSWORD: &str = "mat-khau-du-dai";

/// A global ID as clients see it, for typed ids.
pub trait Gid {
    fn gid(&self) -> String;
}

macro_rules! gid {
    ($($ty:ty => $kind:ident),* $(,)?) => {$(
        impl Gid for $ty {
            fn gid(&self) -> String {
                api::ids::encode(api::ids::Kind::$kind, self.get()).to_string()
            }
        }
    )*};
}
gid!(
    UserId => User,
    ProducerId => Producer,
    CertificateId => OcopCertificate,
    ProductId => Product,
    VariantId => Variant,
    LotId => Lot,
    kernel::id::OrderId => Order,
    kernel::id::SellerOrderId => SellerOrder,
);

/// A signed-in account. Derefs to its bearer token, so `Some(&person)` is an `Option<&str>`.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: UserId,
    pub token: String,
    pub viewer: Viewer,
}

/// The bearer token, for `bearer_auth`.
impl std::fmt::Display for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.token)
    }
}

impl Deref for Person {
    type Target = str;
    fn deref(&self) -> &str {
        &self.token
    }
}

/// A verified producer with an approved certificate; its owner and the admin who verified it.
pub struct Seller {
    pub owner: Person,
    pub admin: Person,
    pub producer: ProducerId,
    pub cert: CertificateId,
    pub province: String,
}

/// A published product with one variant and stock, and the seller behind it.
pub struct Fixture {
    pub owner: Person,
    pub admin: Person,
    pub producer: ProducerId,
    pub cert: CertificateId,
    pub product: ProductId,
    pub variant: VariantId,
}

/// How a [`Seller`] is made; defaults are a verified cooperative in Nghệ An with 4 stars.
pub struct SellerBuilder<'a> {
    app: &'a TestApp,
    name: String,
    province: String,
    stars: i32,
    issued_on: NaiveDate,
    verified: bool,
    approved: bool,
}

impl SellerBuilder<'_> {
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }
    pub fn province(mut self, code: &str) -> Self {
        self.province = code.to_owned();
        self
    }
    pub fn stars(mut self, stars: i32) -> Self {
        self.stars = stars;
        self
    }
    pub fn issued_on(mut self, date: &str) -> Self {
        self.issued_on = date.parse().expect("a YYYY-MM-DD date");
        self
    }
    /// Leaves the producer awaiting the admin's verification.
    pub fn unverified(mut self) -> Self {
        self.verified = false;
        self
    }
    /// Leaves the certificate SUBMITTED.
    pub fn unapproved(mut self) -> Self {
        self.approved = false;
        self
    }

    pub async fn build(self) -> Seller {
        let app = self.app;
        let owner = app
            .person(&format!("owner-{}@test.vn", random_suffix()), false)
            .await;
        let admin = app.admin().await;
        let producer = catalog::producers::create(
            &app.db,
            &app.units,
            &owner.viewer,
            catalog::producers::NewProducer {
                name: self.name,
                kind: ProducerKind::Cooperative,
                tax_code: None,
                province_code: self.province.clone(),
                commune_code: None,
                address: "Thôn 1".into(),
                phone: None,
                phone_public: false,
                description: None,
            },
        )
        .await
        .expect("producer created");
        let producer = ProducerId(producer.id);
        if self.verified {
            catalog::producers::verify(&app.db, &admin.viewer, producer)
                .await
                .expect("producer verified");
        }
        let cert = catalog::certificates::submit(
            &app.db,
            &owner.viewer,
            CertificateFields {
                producer_id: producer,
                product_name: "Nước mắm",
                category_code: "I.4.a",
                stars: self.stars,
                score: None,
                decision_number: "436/QĐ-UBND",
                issued_by: "UBND tỉnh Nghệ An",
                issued_on: self.issued_on,
                document_url: None,
            },
        )
        .await
        .expect("certificate submitted");
        let cert = CertificateId(cert.id);
        if self.approved {
            catalog::certificates::review(&app.db, &admin.viewer, cert, true, None)
                .await
                .expect("certificate approved");
        }
        Seller {
            owner,
            admin,
            producer,
            cert,
            province: self.province,
        }
    }
}

impl Seller {
    /// A DRAFT product with one variant at `price`, no stock.
    /// Its certificate is the seller's first one while no product has it, then a copy of it
    /// (same stars, dates and review) for each further product: one certificate backs one
    /// product.
    pub async fn draft(&self, app: &TestApp, name: &str, price: i64) -> (ProductId, VariantId) {
        let cert = self.free_certificate(app, name).await;
        let product = catalog::products::create(
            &app.db,
            &app.units,
            &self.owner.viewer,
            ProductFields {
                producer_id: self.producer,
                certificate_id: cert,
                name,
                description: "Sản phẩm OCOP",
                category_code: None,
                origin: Origin {
                    province_code: &self.province,
                    commune_code: None,
                    place: None,
                },
                images: None,
            },
        )
        .await
        .expect("product created");
        let product = ProductId(product.id);
        let variant = self.variant(app, product, price).await;
        (product, variant)
    }

    /// One more variant of `product` at `price`, SKU `SKU-{product}-{price}` (stable, so
    /// snapshots can show it).
    pub async fn variant(&self, app: &TestApp, product: ProductId, price: i64) -> VariantId {
        let sku = format!("SKU-{product}-{price}");
        let v = catalog::variants::create(
            &app.db,
            &self.owner.viewer,
            product,
            VariantFields {
                sku: &sku,
                name: "Chai 500 ml",
                price,
                compare_at_price: None,
                gtin: None,
                weight_grams: None,
            },
        )
        .await
        .expect("variant created");
        VariantId(v.id)
    }

    pub async fn free_certificate(&self, app: &TestApp, product_name: &str) -> CertificateId {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let used = catalog::entity::product::Entity::find()
            .filter(catalog::entity::product::Column::CertificateId.eq(self.cert.0))
            .one(&app.db)
            .await
            .expect("products read")
            .is_some();
        if !used {
            return self.cert;
        }
        let first = catalog::entity::certificate::Entity::find_by_id(self.cert.0)
            .one(&app.db)
            .await
            .expect("certificate read")
            .expect("the seller's certificate");
        let copy = catalog::certificates::submit(
            &app.db,
            &self.owner.viewer,
            CertificateFields {
                producer_id: self.producer,
                product_name,
                category_code: &first.category_code,
                stars: first.stars,
                score: None,
                decision_number: &first.decision_number,
                issued_by: &first.issued_by,
                issued_on: first.issued_on,
                document_url: None,
            },
        )
        .await
        .expect("certificate submitted");
        if first.status == catalog::entity::CertificateStatus::Verified {
            catalog::certificates::review(
                &app.db,
                &self.admin.viewer,
                CertificateId(copy.id),
                true,
                None,
            )
            .await
            .expect("certificate approved");
        }
        CertificateId(copy.id)
    }

    /// Renames the product over HTTP (`productUpdate`, as the owner), as the tests of what a
    /// product's change must keep true do.
    pub async fn rename(&self, app: &TestApp, product: ProductId, name: &str) {
        let vars = serde_json::json!({ "id": product.gid(), "i": { "name": name } });
        let d = app
            .data(Some(&self.owner), crate::docs::PRODUCT_UPDATE, vars)
            .await;
        assert_eq!(
            d["productUpdate"]["userErrors"],
            serde_json::json!([]),
            "{d}"
        );
    }

    /// Reprices the variant over HTTP (`variantUpdate`, as the owner).
    pub async fn reprice(&self, app: &TestApp, variant: VariantId, price: i64) {
        let doc = "mutation($v: ID!, $s: String!, $p: Int!) { variantUpdate(id: $v, input: { sku: $s, name: \"Chai\", price: $p }) { userErrors { code } } }";
        let vars = serde_json::json!({ "v": variant.gid(), "s": format!("R-{}", variant.get()), "p": price });
        let d = app.data(Some(&self.owner), doc, vars).await;
        assert_eq!(
            d["variantUpdate"]["userErrors"],
            serde_json::json!([]),
            "{d}"
        );
    }

    /// A published product with one variant at `price` and a lot of 10.
    pub async fn listed(&self, app: &TestApp, name: &str, price: i64) -> Fixture {
        let (product, variant) = self.draft(app, name, price).await;
        app.stock(&self.owner, variant, 10).await;
        catalog::products::publish(&app.db, &self.owner.viewer, product)
            .await
            .expect("publish ran")
            .unwrap_or_else(|issues| panic!("not listable: {issues:?}"));
        let cert = catalog::products::get(&app.db, product)
            .await
            .expect("product read")
            .certificate_id;
        Fixture {
            owner: self.owner.clone(),
            admin: self.admin.clone(),
            producer: self.producer,
            cert: CertificateId(cert),
            product,
            variant,
        }
    }
}

impl Fixture {
    /// The seller behind the fixture, with products' origin in `province`.
    pub fn seller(&self, province: &str) -> Seller {
        Seller {
            owner: self.owner.clone(),
            admin: self.admin.clone(),
            producer: self.producer,
            cert: self.cert,
            province: province.to_owned(),
        }
    }
}

/// One argon2 hash of [`PASSWORD`] for every fixture account.
async fn shared_hash() -> &'static str {
    static HASH: OnceCell<String> = OnceCell::const_new();
    HASH.get_or_init(|| accounts::service::hash_password(PASSWORD.to_owned()))
        .await
}

impl TestApp {
    /// An account with [`PASSWORD`], inserted directly, and a token for it.
    pub async fn person(&self, email: &str, is_admin: bool) -> Person {
        let user = accounts::user::ActiveModel {
            email: Set(email.to_lowercase()),
            password_hash: Set(shared_hash().await.to_owned()),
            name: Set("Người Mua".into()),
            phone: Set(None),
            is_admin: Set(is_admin),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .expect("user inserted");
        Person {
            id: UserId(user.id),
            token: self.keys.issue(user.id),
            viewer: Viewer::user(user.id, is_admin),
        }
    }

    /// A buyer account.
    pub async fn buyer(&self, email: &str) -> Person {
        self.person(email, false).await
    }

    /// An ADMIN account.
    pub async fn admin(&self) -> Person {
        self.person(&format!("admin-{}@test.vn", random_suffix()), true)
            .await
    }

    /// A seller; see [`SellerBuilder`] for what can be changed.
    pub fn seller(&self) -> SellerBuilder<'_> {
        SellerBuilder {
            app: self,
            name: format!("HTX {}", random_suffix()),
            province: "40".into(),
            stars: 4,
            issued_on: "2025-06-01".parse().expect("a date"),
            verified: true,
            approved: true,
        }
    }

    /// A verified producer with a verified certificate of `stars` and a published product with
    /// one variant and a lot of 10. Everything a listing test needs.
    pub async fn listed_product(
        &self,
        name: &str,
        stars: i32,
        price: i64,
        province: &str,
    ) -> Fixture {
        self.seller()
            .name(&format!("HTX {name}"))
            .stars(stars)
            .province(province)
            .build()
            .await
            .listed(self, name, price)
            .await
    }

    /// A lot of `qty` for `variant` through the `lotCreate` service, made three days ago and
    /// good for a year; returns its id and trace code.
    pub async fn stock(&self, owner: &Person, variant: VariantId, qty: i64) -> (LotId, String) {
        let lot_number = format!("L{}", &random_suffix()[..10]);
        self.lot(
            owner,
            LotFields {
                variant_id: variant,
                lot_number: &lot_number,
                produced_on: today_vn() - chrono::Duration::days(3),
                expires_on: Some(today_vn() + chrono::Duration::days(365)),
                quantity: qty,
                origin: None,
                gln: None,
            },
        )
        .await
    }

    /// A lot exactly as described, through the `lotCreate` service.
    pub async fn lot(&self, owner: &Person, fields: LotFields<'_>) -> (LotId, String) {
        let lot = traceability::lots::create(&self.db, &self.units, &owner.viewer, fields)
            .await
            .expect("lot created");
        (LotId(lot.id), lot.trace_code.expect("a trace code"))
    }

    /// The traceability fixture: a listed 4-star fish sauce from Nghệ An whose variant `VP-500`
    /// has GTIN 8934588012112, with lot `VP/2026-11` of 500 made on 2026-11-01 at "Làng nghề
    /// Vạn Phần", good until 2028-10-31. Returns the fixture, the lot and its trace code.
    pub async fn gtin_lot(&self) -> (Fixture, LotId, String) {
        let f = self
            .listed_product("Nước mắm Vạn Phần", 4, 120_000, "40")
            .await;
        let v = catalog::variants::create(
            &self.db,
            &f.owner.viewer,
            f.product,
            VariantFields {
                sku: "VP-500",
                name: "Chai 500 ml",
                price: 95_000,
                compare_at_price: None,
                gtin: Some("8934588012112"),
                weight_grams: None,
            },
        )
        .await
        .expect("variant created");
        let (lot, code) = self
            .lot(
                &f.owner,
                LotFields {
                    variant_id: VariantId(v.id),
                    lot_number: "VP/2026-11",
                    produced_on: "2026-11-01".parse().expect("a date"),
                    expires_on: Some("2028-10-31".parse().expect("a date")),
                    quantity: 500,
                    origin: Some(Origin {
                        province_code: "40",
                        commune_code: None,
                        place: Some("Làng nghề Vạn Phần"),
                    }),
                    gln: None,
                },
            )
            .await;
        (f, lot, code)
    }
}
