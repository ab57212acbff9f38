//! The catalog's objects: reference data, producers and certificates, and who may see them.

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, Enum, ID, Object, SimpleObject};
use catalog::entity::{category, certificate, producer};

use kernel::admin_units::AdminUnits;
use kernel::id::ProducerId;
use kernel::time::today_vn;

use crate::catalog::product::Product;
use crate::context::{GqlResult, IdPage, db, load, page_cost, units, viewer};
use crate::errors;
use crate::ids::{self, Kind};
use crate::loaders::{CategoryKey, CertificateKey, MemberKey, ProducerKey};
use crate::scalars::Date;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(
    rename_items = "SCREAMING_SNAKE_CASE",
    remote = "catalog::ProducerKind"
)]
pub enum ProducerKind {
    Cooperative,
    Enterprise,
    CooperativeGroup,
    HouseholdBusiness,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(
    rename_items = "SCREAMING_SNAKE_CASE",
    remote = "catalog::CertificateStatus"
)]
pub enum CertificateStatus {
    Submitted,
    Verified,
    Rejected,
    Revoked,
    Expired,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(
    rename_items = "SCREAMING_SNAKE_CASE",
    remote = "catalog::ProductStatus"
)]
pub enum ProductStatus {
    Draft,
    Published,
    Unlisted,
    Archived,
}

/// One of the 34 provincial units in force since 2025-07-01.
#[derive(SimpleObject, Clone)]
pub struct Province {
    pub code: String,
    pub name: String,
}

/// A commune-level unit (xã, phường, đặc khu).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Commune {
    pub code: String,
    pub name: String,
    #[graphql(skip)]
    pub province_code: String,
}

#[ComplexObject]
impl Commune {
    async fn province(&self, ctx: &Context<'_>) -> Province {
        province_of(units(ctx), &self.province_code)
    }
}

pub(crate) fn province_of(units: &AdminUnits, code: &str) -> Province {
    units
        .province(code)
        .map(|p| Province {
            code: p.code.clone(),
            name: p.name.clone(),
        })
        .unwrap_or_else(|| Province {
            code: code.to_owned(),
            name: String::new(),
        })
}

pub(crate) fn commune_of(units: &AdminUnits, code: Option<&str>) -> Option<Commune> {
    code.and_then(|c| units.commune(c)).map(|c| Commune {
        code: c.code.clone(),
        name: c.name.clone(),
        province_code: c.province_code.clone(),
    })
}

/// An OCOP product category, e.g. `I.4.a` Nước chấm, nước mắm.
#[derive(SimpleObject, Clone)]
pub struct OcopCategory {
    pub code: String,
    pub name: String,
    /// The group, e.g. "Gia vị".
    pub group: String,
}

impl From<category::Model> for OcopCategory {
    fn from(m: category::Model) -> Self {
        OcopCategory {
            code: m.code,
            name: m.name,
            group: m.group_name,
        }
    }
}

/// A cooperative (HTX) or other OCOP producer.
#[derive(Clone)]
pub struct Producer(pub producer::Model);

#[Object]
impl Producer {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Producer, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn kind(&self) -> ProducerKind {
        self.0.kind.into()
    }
    async fn province(&self, ctx: &Context<'_>) -> Province {
        province_of(units(ctx), &self.0.province_code)
    }
    async fn commune(&self, ctx: &Context<'_>) -> Option<Commune> {
        commune_of(units(ctx), self.0.commune_code.as_deref())
    }
    async fn address(&self) -> &str {
        &self.0.address
    }
    async fn verified(&self) -> bool {
        self.0.verified
    }
    /// A household business's tax code is its owner's personal ID number (Decree 13/2023 on
    /// personal data): only its members and ADMIN see it. Others' tax codes are public.
    async fn tax_code(&self, ctx: &Context<'_>) -> GqlResult<Option<&str>> {
        let private = self.0.kind == catalog::entity::producer::ProducerKind::HouseholdBusiness;
        Ok(if private && !manages(ctx, self.0.id).await? {
            None
        } else {
            self.0.tax_code.as_deref()
        })
    }
    /// Shown to the public only when the producer chose to (`phonePublic`); always to its
    /// members and ADMIN.
    async fn phone(&self, ctx: &Context<'_>) -> GqlResult<Option<&str>> {
        Ok(if self.0.phone_public || manages(ctx, self.0.id).await? {
            self.0.phone.as_deref()
        } else {
            None
        })
    }
    /// Whether the phone number is shown to the public.
    async fn phone_public(&self) -> bool {
        self.0.phone_public
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The producer's products: all of them for its members and ADMIN, the listed ones for
    /// everyone else.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Product>> {
        let page = IdPage::new(first, after.as_deref(), "PP")?;
        let rows = catalog::products::of_producer(
            db(ctx),
            viewer(ctx),
            ProducerId(self.0.id),
            page.fetch(),
            page.after,
        )
        .await
        .map_err(errors::top)?;
        Ok(page.connection(rows, |p| p.id, Product))
    }
}

/// An OCOP certificate: the recognising decision for one product of one producer.
#[derive(Clone)]
pub struct OcopCertificate(pub certificate::Model);

#[Object]
impl OcopCertificate {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::OcopCertificate, self.0.id)
    }
    async fn producer(&self, ctx: &Context<'_>) -> GqlResult<Producer> {
        producer_of(ctx, self.0.producer_id).await
    }
    async fn product_name(&self) -> &str {
        &self.0.product_name
    }
    /// 1..5; only 3..5 may be listed.
    async fn stars(&self) -> i32 {
        self.0.stars
    }
    /// 0..100 when known.
    async fn score(&self) -> Option<i32> {
        self.0.score
    }
    async fn category(&self, ctx: &Context<'_>) -> GqlResult<OcopCategory> {
        category_of(ctx, &self.0.category_code).await
    }
    async fn decision_number(&self) -> &str {
        &self.0.decision_number
    }
    async fn issued_by(&self) -> &str {
        &self.0.issued_by
    }
    async fn issued_on(&self) -> Date {
        Date(self.0.issued_on)
    }
    /// issuedOn + 36 months.
    async fn valid_until(&self) -> Date {
        Date(self.0.valid_until)
    }
    /// As judged today in Asia/Ho_Chi_Minh: a verified certificate past `validUntil` is EXPIRED.
    async fn status(&self) -> CertificateStatus {
        catalog::certificates::effective_status(&self.0, today_vn()).into()
    }
    async fn document_url(&self) -> Option<&str> {
        self.0.document_url.as_deref()
    }
    /// The reviewer's note or the reason for revocation: for the producer's members and ADMIN.
    async fn review_note(&self, ctx: &Context<'_>) -> GqlResult<Option<&str>> {
        Ok(if manages(ctx, self.0.producer_id).await? {
            self.0.review_note.as_deref()
        } else {
            None
        })
    }
}

pub async fn category_of(ctx: &Context<'_>, code: &str) -> GqlResult<OcopCategory> {
    load(ctx, CategoryKey(code.to_owned()))
        .await?
        .map(OcopCategory::from)
        .ok_or_else(|| errors::missing("category"))
}

/// The producer a row names (visible to whoever may see the row).
pub async fn producer_of(ctx: &Context<'_>, producer_id: i64) -> GqlResult<Producer> {
    load(ctx, ProducerKey(producer_id))
        .await?
        .map(Producer)
        .ok_or_else(|| errors::missing("producer"))
}

/// Whether the viewer is ADMIN or a member of the producer, batched across the request.
pub async fn manages(ctx: &Context<'_>, producer_id: i64) -> GqlResult<bool> {
    let v = viewer(ctx);
    let role = match v.user_id {
        Some(user_id) if !v.is_admin => {
            load(
                ctx,
                MemberKey {
                    user_id,
                    producer_id,
                },
            )
            .await?
        }
        _ => None,
    };
    Ok(catalog::access::manages(v, role))
}

/// A producer the viewer may see: verified, or the viewer is its member or ADMIN.
pub async fn visible_producer(ctx: &Context<'_>, id: i64) -> GqlResult<Option<Producer>> {
    let Some(p) = load(ctx, ProducerKey(id)).await? else {
        return Ok(None);
    };
    if p.verified || manages(ctx, p.id).await? {
        Ok(Some(Producer(p)))
    } else {
        Ok(None)
    }
}

/// A certificate the viewer may see: verified (even if since expired or revoked: buyers check
/// them), or the viewer is its producer's member or ADMIN.
pub async fn visible_certificate(ctx: &Context<'_>, id: i64) -> GqlResult<Option<OcopCertificate>> {
    let Some(c) = load(ctx, CertificateKey(id)).await? else {
        return Ok(None);
    };
    if catalog::certificates::public(&c) || manages(ctx, c.producer_id).await? {
        Ok(Some(OcopCertificate(c)))
    } else {
        Ok(None)
    }
}
