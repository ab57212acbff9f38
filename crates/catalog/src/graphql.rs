//! The catalog's GraphQL: objects, inputs, payloads, `CatalogQuery` and `CatalogMutation`.
//! Resolvers stay a few lines: they parse IDs and call the services.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use kernel::admin_units::AdminUnits;
use kernel::cursor::{Cursor, page_size};
use kernel::id::{self, Kind};
use kernel::scalars::Date;
use kernel::time::today_vn;
use kernel::{Error, Money, TopError, UserError, Viewer};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::entity::{category, certificate, image, producer, product, variant};
use crate::listing::{self, Filter, Sort};
use crate::loaders::{
    AvailableOf, CatalogDataLoader, CategoryKey, CertificateKey, ImagesOf, ListedKey, MemberKey,
    ProducerKey, ProductKey, VariantsOf,
};
use crate::{PublicCatalogChanged, certificates, producers, products, variants};

type GqlResult<T> = async_graphql::Result<T>;

fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}
fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    ctx.data_unchecked::<Viewer>()
}
fn loader<'a>(ctx: &Context<'a>) -> &'a CatalogDataLoader {
    ctx.data_unchecked::<CatalogDataLoader>()
}
fn units<'a>(ctx: &Context<'a>) -> &'a AdminUnits {
    ctx.data_unchecked::<Arc<AdminUnits>>()
}
fn changed(ctx: &Context<'_>) {
    if let Some(n) = ctx.data_opt::<Arc<dyn PublicCatalogChanged>>() {
        n.changed();
    }
}
fn load_err(e: Arc<sea_orm::DbErr>) -> async_graphql::Error {
    tracing::error!(error = %e, "loader failed");
    TopError::internal().into()
}

/// Decodes an ID argument of a mutation; an ID of another type or garbage is `NOT_FOUND`.
fn decode(kind: Kind, id: &ID, field: &[&str]) -> kernel::Result<i64> {
    id::decode(kind, id)
        .ok_or_else(|| Error::not_found(field, "Không tìm thấy đối tượng với ID đã cho."))
}

fn decode_after(after: Option<&str>, tag: &str) -> GqlResult<Option<i64>> {
    match after {
        None => Ok(None),
        Some(a) => Cursor::decode(a, tag, 1)
            .map(|c| Some(c.keys[0]))
            .ok_or_else(|| TopError::invalid("Con trỏ phân trang (after) không hợp lệ.").into()),
    }
}

fn id_connection<T: async_graphql::OutputType>(
    rows: Vec<(i64, T)>,
    limit: u64,
    after: bool,
    tag: &str,
) -> Connection<String, T> {
    let has_next = rows.len() as u64 > limit;
    let mut conn = Connection::new(after, has_next);
    conn.edges.extend(
        rows.into_iter()
            .take(limit as usize)
            .map(|(id, node)| Edge::new(Cursor::new(tag, vec![id]).encode(), node)),
    );
    conn
}

/// The complexity of a page: each of its nodes costs what one node's selection costs.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let n = first
        .unwrap_or(kernel::cursor::DEFAULT_PAGE)
        .clamp(1, kernel::cursor::MAX_PAGE);
    1 + n as usize * child_complexity
}

/// Splits a service result into the object and the payload's `userErrors`.
fn split<T>(r: kernel::Result<T>) -> GqlResult<(Option<T>, Vec<UserError>)> {
    match r {
        Ok(v) => Ok((Some(v), vec![])),
        Err(e) => Ok((None, e.into_user_errors()?)),
    }
}

// ---------------------------------------------------------------------------------------------
// Enums

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ProducerKind {
    Cooperative,
    Enterprise,
    CooperativeGroup,
    HouseholdBusiness,
}

impl ProducerKind {
    fn as_str(self) -> &'static str {
        match self {
            ProducerKind::Cooperative => "COOPERATIVE",
            ProducerKind::Enterprise => "ENTERPRISE",
            ProducerKind::CooperativeGroup => "COOPERATIVE_GROUP",
            ProducerKind::HouseholdBusiness => "HOUSEHOLD_BUSINESS",
        }
    }
    fn parse(s: &str) -> ProducerKind {
        match s {
            "ENTERPRISE" => ProducerKind::Enterprise,
            "COOPERATIVE_GROUP" => ProducerKind::CooperativeGroup,
            "HOUSEHOLD_BUSINESS" => ProducerKind::HouseholdBusiness,
            _ => ProducerKind::Cooperative,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum CertificateStatus {
    Submitted,
    Verified,
    Rejected,
    Revoked,
    Expired,
}

impl CertificateStatus {
    fn parse(s: &str) -> CertificateStatus {
        match s {
            certificates::VERIFIED => CertificateStatus::Verified,
            certificates::REJECTED => CertificateStatus::Rejected,
            certificates::REVOKED => CertificateStatus::Revoked,
            certificates::EXPIRED => CertificateStatus::Expired,
            _ => CertificateStatus::Submitted,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ProductStatus {
    Draft,
    Published,
    Unlisted,
    Archived,
}

impl ProductStatus {
    fn parse(s: &str) -> ProductStatus {
        match s {
            products::PUBLISHED => ProductStatus::Published,
            products::UNLISTED => ProductStatus::Unlisted,
            products::ARCHIVED => ProductStatus::Archived,
            _ => ProductStatus::Draft,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ProductSort {
    #[default]
    Newest,
    PriceAsc,
    PriceDesc,
    StarsDesc,
    Relevance,
}

// ---------------------------------------------------------------------------------------------
// Reference data

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

// ---------------------------------------------------------------------------------------------
// Producer

/// A cooperative (HTX) or other OCOP producer.
#[derive(Clone)]
pub struct Producer(pub producer::Model);

#[Object]
impl Producer {
    pub async fn id(&self) -> ID {
        id::encode(Kind::Producer, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn kind(&self) -> ProducerKind {
        ProducerKind::parse(&self.0.kind)
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
    async fn tax_code(&self) -> Option<&str> {
        self.0.tax_code.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
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
        let limit = page_size(first).map_err(async_graphql::Error::from)?;
        let after_id = decode_after(after.as_deref(), "PP")?;
        let rows = products::of_producer(db(ctx), viewer(ctx), self.0.id, limit + 1, after_id)
            .await
            .map_err(Error::into_top)?;
        Ok(id_connection(
            rows.into_iter().map(|p| (p.id, Product(p))).collect(),
            limit,
            after_id.is_some(),
            "PP",
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Certificate

/// An OCOP certificate: the recognising decision for one product of one producer.
#[derive(Clone)]
pub struct OcopCertificate(pub certificate::Model);

#[Object]
impl OcopCertificate {
    pub async fn id(&self) -> ID {
        id::encode(Kind::OcopCertificate, self.0.id)
    }
    async fn producer(&self, ctx: &Context<'_>) -> GqlResult<Producer> {
        loader(ctx)
            .load_one(ProducerKey(self.0.producer_id))
            .await
            .map_err(load_err)?
            .map(Producer)
            .ok_or_else(|| TopError::internal().into())
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
        CertificateStatus::parse(certificates::effective_status(&self.0, today_vn()))
    }
    async fn document_url(&self) -> Option<&str> {
        self.0.document_url.as_deref()
    }
    /// The reviewer's note or the reason for revocation.
    async fn review_note(&self) -> Option<&str> {
        self.0.review_note.as_deref()
    }
}

async fn category_of(ctx: &Context<'_>, code: &str) -> GqlResult<OcopCategory> {
    loader(ctx)
        .load_one(CategoryKey(code.to_owned()))
        .await
        .map_err(load_err)?
        .map(OcopCategory::from)
        .ok_or_else(|| TopError::internal().into())
}

// ---------------------------------------------------------------------------------------------
// Product

/// Where a product is grown or made.
#[derive(SimpleObject)]
pub struct Origin {
    pub province: Province,
    pub commune: Option<Commune>,
    pub place: Option<String>,
}

#[derive(SimpleObject)]
pub struct Image {
    pub url: String,
    pub alt: Option<String>,
}

#[derive(SimpleObject)]
pub struct PriceRange {
    pub min: Money,
    pub max: Money,
}

#[derive(Clone)]
pub struct Product(pub product::Model);

#[Object]
impl Product {
    pub async fn id(&self) -> ID {
        id::encode(Kind::Product, self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn producer(&self, ctx: &Context<'_>) -> GqlResult<Producer> {
        loader(ctx)
            .load_one(ProducerKey(self.0.producer_id))
            .await
            .map_err(load_err)?
            .map(Producer)
            .ok_or_else(|| TopError::internal().into())
    }
    async fn category(&self, ctx: &Context<'_>) -> GqlResult<OcopCategory> {
        category_of(ctx, &self.0.category_code).await
    }
    async fn certificate(&self, ctx: &Context<'_>) -> GqlResult<OcopCertificate> {
        self.cert(ctx).await.map(OcopCertificate)
    }
    /// Stars come from the certificate only, never from the seller's text.
    async fn ocop_stars(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        Ok(self.cert(ctx).await?.stars)
    }
    async fn status(&self) -> ProductStatus {
        ProductStatus::parse(&self.0.status)
    }
    async fn origin(&self, ctx: &Context<'_>) -> Origin {
        let u = units(ctx);
        Origin {
            province: province_of(u, &self.0.origin_province_code),
            commune: commune_of(u, self.0.origin_commune_code.as_deref()),
            place: self.0.origin_place.clone(),
        }
    }
    async fn images(&self, ctx: &Context<'_>) -> GqlResult<Vec<Image>> {
        Ok(loader(ctx)
            .load_one(ImagesOf(self.0.id))
            .await
            .map_err(load_err)?
            .unwrap_or_default()
            .into_iter()
            .map(|i: image::Model| Image {
                url: i.url,
                alt: i.alt,
            })
            .collect())
    }
    async fn variants(&self, ctx: &Context<'_>) -> GqlResult<Vec<Variant>> {
        Ok(self
            .variant_models(ctx)
            .await?
            .into_iter()
            .map(Variant)
            .collect())
    }
    async fn price_range(&self, ctx: &Context<'_>) -> GqlResult<PriceRange> {
        let vs = self.variant_models(ctx).await?;
        let min = vs.iter().map(|v| v.price).min().unwrap_or(0);
        let max = vs.iter().map(|v| v.price).max().unwrap_or(0);
        Ok(PriceRange {
            min: Money::vnd(min),
            max: Money::vnd(max),
        })
    }
    /// Whether any variant has a sellable lot (stock left, not expired, not recalled).
    async fn in_stock(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        let vs = self.variant_models(ctx).await?;
        let avail = loader(ctx)
            .load_many(vs.iter().map(|v| AvailableOf(v.id)))
            .await
            .map_err(load_err)?;
        Ok(avail.values().any(|q| *q > 0))
    }
    /// Whether the public sees the product today.
    async fn listed(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        Ok(self.issues(ctx).await?.is_empty())
    }
    /// Why the product is not listed (for its producer's members and ADMIN); empty when listed.
    async fn unlisted_reasons(&self, ctx: &Context<'_>) -> GqlResult<Vec<UserError>> {
        self.issues(ctx).await
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    async fn published_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.published_at
    }
    /// The product's lots, newest first: their trace codes are public.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn lots(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, crate::lots::Lot>> {
        crate::lots::lots_of_product(db(ctx), self.0.id, first, after.as_deref()).await
    }
}

impl Product {
    async fn cert(&self, ctx: &Context<'_>) -> GqlResult<certificate::Model> {
        loader(ctx)
            .load_one(CertificateKey(self.0.certificate_id))
            .await
            .map_err(load_err)?
            .ok_or_else(|| TopError::internal().into())
    }
    async fn variant_models(&self, ctx: &Context<'_>) -> GqlResult<Vec<variant::Model>> {
        Ok(loader(ctx)
            .load_one(VariantsOf(self.0.id))
            .await
            .map_err(load_err)?
            .unwrap_or_default())
    }
    async fn issues(&self, ctx: &Context<'_>) -> GqlResult<Vec<UserError>> {
        let producer = loader(ctx)
            .load_one(ProducerKey(self.0.producer_id))
            .await
            .map_err(load_err)?
            .ok_or_else(TopError::internal)?;
        let cert = self.cert(ctx).await?;
        let variants = self.variant_models(ctx).await?;
        let available = loader(ctx)
            .load_many(variants.iter().map(|v| AvailableOf(v.id)))
            .await
            .map_err(load_err)?;
        let stock = listing::Stock {
            has_variants: !variants.is_empty(),
            has_sellable_lot: available.values().any(|q| *q > 0),
        };
        Ok(listing::issues(
            &self.0,
            &producer,
            &cert,
            stock,
            today_vn(),
            true,
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Variant

#[derive(Clone)]
pub struct Variant(pub variant::Model);

#[Object]
impl Variant {
    pub async fn id(&self) -> ID {
        id::encode(Kind::Variant, self.0.id)
    }
    async fn sku(&self) -> &str {
        &self.0.sku
    }
    /// GTIN-13 for EAN packs, else GTIN-14.
    async fn gtin(&self) -> Option<String> {
        self.0
            .gtin
            .as_deref()
            .and_then(|g| kernel::domain::Gtin::parse(g).ok())
            .map(|g| g.display().to_owned())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn price(&self) -> Money {
        Money::vnd(self.0.price)
    }
    async fn compare_at_price(&self) -> Option<Money> {
        self.0.compare_at_price.map(Money::vnd)
    }
    /// Sum over the variant's sellable lots.
    async fn available(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        Ok(loader(ctx)
            .load_one(AvailableOf(self.0.id))
            .await
            .map_err(load_err)?
            .unwrap_or(0))
    }
    async fn weight_grams(&self) -> Option<i32> {
        self.0.weight_grams
    }
    async fn product(&self, ctx: &Context<'_>) -> GqlResult<Option<Product>> {
        visible_product(ctx, self.0.product_id).await
    }
}

// ---------------------------------------------------------------------------------------------
// Visibility, shared with `node(id:)`

/// A product the viewer may see: listed today, or the viewer manages its producer.
pub async fn visible_product(ctx: &Context<'_>, id: i64) -> GqlResult<Option<Product>> {
    match loader(ctx)
        .load_one(ProductKey(id))
        .await
        .map_err(load_err)?
    {
        Some(p) => product_if_visible(ctx, p).await,
        None => Ok(None),
    }
}

async fn product_if_visible(ctx: &Context<'_>, p: product::Model) -> GqlResult<Option<Product>> {
    let listed = loader(ctx)
        .load_one(ListedKey(p.id))
        .await
        .map_err(load_err)?
        .unwrap_or(false);
    if listed || manages(ctx, p.producer_id).await? {
        Ok(Some(Product(p)))
    } else {
        Ok(None)
    }
}

/// Whether the viewer is ADMIN or a member of the producer, batched across the request.
async fn manages(ctx: &Context<'_>, producer_id: i64) -> GqlResult<bool> {
    let v = viewer(ctx);
    match v.user_id {
        None => Ok(false),
        Some(_) if v.is_admin => Ok(true),
        Some(user_id) => Ok(loader(ctx)
            .load_one(MemberKey {
                user_id,
                producer_id,
            })
            .await
            .map_err(load_err)?
            .is_some()),
    }
}

/// A producer the viewer may see: verified, or the viewer is its member or ADMIN.
pub async fn visible_producer(ctx: &Context<'_>, id: i64) -> GqlResult<Option<Producer>> {
    let Some(p) = loader(ctx)
        .load_one(ProducerKey(id))
        .await
        .map_err(load_err)?
    else {
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
    let Some(c) = loader(ctx)
        .load_one(CertificateKey(id))
        .await
        .map_err(load_err)?
    else {
        return Ok(None);
    };
    if c.reviewed_at.is_some() && c.status != certificates::REJECTED
        || manages(ctx, c.producer_id).await?
    {
        Ok(Some(OcopCertificate(c)))
    } else {
        Ok(None)
    }
}

/// A variant the viewer may see: its product is visible.
pub async fn visible_variant(ctx: &Context<'_>, id: i64) -> GqlResult<Option<Variant>> {
    let Some(v) = variant::Entity::find_by_id(id)
        .one(db(ctx))
        .await
        .map_err(|e| Error::Db(e).into_top())?
    else {
        return Ok(None);
    };
    Ok(visible_product(ctx, v.product_id)
        .await?
        .map(|_| Variant(v)))
}

// ---------------------------------------------------------------------------------------------
// Queries

#[derive(InputObject, Default)]
pub struct ProductFilter {
    /// Ignores case and Vietnamese diacritics: "nuoc mam" finds "Nước mắm".
    pub search: Option<String>,
    pub min_stars: Option<i32>,
    pub province_codes: Option<Vec<String>>,
    pub category_codes: Option<Vec<String>>,
    pub producer_id: Option<ID>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub in_stock: Option<bool>,
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// The 34 provincial units.
    async fn provinces(&self, ctx: &Context<'_>) -> Vec<Province> {
        units(ctx)
            .provinces()
            .iter()
            .map(|p| Province {
                code: p.code.clone(),
                name: p.name.clone(),
            })
            .collect()
    }

    /// The communes of a province.
    async fn communes(&self, ctx: &Context<'_>, province_code: String) -> Vec<Commune> {
        units(ctx)
            .communes_of(&province_code)
            .into_iter()
            .map(|c| Commune {
                code: c.code.clone(),
                name: c.name.clone(),
                province_code: c.province_code.clone(),
            })
            .collect()
    }

    async fn ocop_categories(&self, ctx: &Context<'_>) -> GqlResult<Vec<OcopCategory>> {
        use sea_orm::QueryOrder;
        Ok(category::Entity::find()
            .order_by_asc(category::Column::Code)
            .all(db(ctx))
            .await
            .map_err(|e| Error::Db(e).into_top())?
            .into_iter()
            .map(OcopCategory::from)
            .collect())
    }

    /// Verified producers (all of them for ADMIN), newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn producers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        province_code: Option<String>,
        search: Option<String>,
    ) -> GqlResult<Connection<String, Producer>> {
        let limit = page_size(first).map_err(async_graphql::Error::from)?;
        let after_id = decode_after(after.as_deref(), "PR")?;
        let rows = producers::list(
            db(ctx),
            viewer(ctx),
            limit + 1,
            after_id,
            province_code.as_deref(),
            search.as_deref(),
        )
        .await
        .map_err(Error::into_top)?;
        Ok(id_connection(
            rows.into_iter().map(|p| (p.id, Producer(p))).collect(),
            limit,
            after_id.is_some(),
            "PR",
        ))
    }

    async fn producer(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> GqlResult<Option<Producer>> {
        let pid = match (id, slug) {
            (Some(id), _) => id::decode(Kind::Producer, &id),
            (None, Some(slug)) => {
                use sea_orm::{ColumnTrait, QueryFilter};
                producer::Entity::find()
                    .filter(producer::Column::Slug.eq(slug))
                    .one(db(ctx))
                    .await
                    .map_err(|e| Error::Db(e).into_top())?
                    .map(|p| p.id)
            }
            (None, None) => None,
        };
        match pid {
            Some(pid) => visible_producer(ctx, pid).await,
            None => Ok(None),
        }
    }

    /// The public listing: only PUBLISHED products whose producer is verified and whose
    /// certificate is VERIFIED, ≥3★ and not expired, judged now.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ProductFilter>,
        sort: Option<ProductSort>,
    ) -> GqlResult<Connection<String, Product>> {
        let limit = page_size(first).map_err(async_graphql::Error::from)?;
        let f = filter.unwrap_or_default();
        let search = f
            .search
            .map(|s| s.trim().chars().take(200).collect::<String>())
            .filter(|s| !s.is_empty());
        let sort = match sort {
            Some(ProductSort::Newest) => Sort::Newest,
            Some(ProductSort::PriceAsc) => Sort::PriceAsc,
            Some(ProductSort::PriceDesc) => Sort::PriceDesc,
            Some(ProductSort::StarsDesc) => Sort::StarsDesc,
            Some(ProductSort::Relevance) => Sort::Relevance,
            None if search.is_some() => Sort::Relevance,
            None => Sort::Newest,
        };
        let too_many = |v: &Option<Vec<String>>| v.as_ref().is_some_and(|v| v.len() > 50);
        if too_many(&f.province_codes) || too_many(&f.category_codes) {
            return Err(TopError::invalid("Bộ lọc có quá nhiều giá trị (tối đa 50).").into());
        }
        // An ID that names no producer matches no product.
        let producer_id = f
            .producer_id
            .map(|pid| id::decode(Kind::Producer, &pid).unwrap_or(0));
        let filter = Filter {
            search,
            min_stars: f.min_stars,
            province_codes: f.province_codes,
            category_codes: f.category_codes,
            producer_id,
            price_min: f.price_min,
            price_max: f.price_max,
            in_stock: f.in_stock,
        };
        let page = listing::search(db(ctx), &filter, sort, limit, after.as_deref(), today_vn())
            .await
            .map_err(Error::into_top)?;
        let mut conn = Connection::new(after.is_some(), page.has_next);
        conn.edges.extend(
            page.items
                .into_iter()
                .map(|(cursor, p)| Edge::new(cursor, Product(p))),
        );
        Ok(conn)
    }

    /// One product by ID or slug: listed, or the viewer manages it.
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> GqlResult<Option<Product>> {
        use sea_orm::{ColumnTrait, QueryFilter};
        let found = match (id, slug) {
            (Some(id), _) => match id::decode(Kind::Product, &id) {
                Some(pid) => product::Entity::find_by_id(pid).one(db(ctx)).await,
                None => Ok(None),
            },
            (None, Some(slug)) => {
                product::Entity::find()
                    .filter(product::Column::Slug.eq(slug))
                    .one(db(ctx))
                    .await
            }
            (None, None) => Ok(None),
        }
        .map_err(|e| Error::Db(e).into_top())?;
        match found {
            Some(p) => product_if_visible(ctx, p).await,
            None => Ok(None),
        }
    }

    /// Certificates waiting for review, oldest first (ADMIN).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn certificates_to_review(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, OcopCertificate>> {
        viewer(ctx).require_admin()?;
        let limit = page_size(first).map_err(async_graphql::Error::from)?;
        let after_id = decode_after(after.as_deref(), "CR")?;
        let rows = certificates::to_review(db(ctx), viewer(ctx), limit + 1, after_id)
            .await
            .map_err(Error::into_top)?;
        Ok(id_connection(
            rows.into_iter()
                .map(|c| (c.id, OcopCertificate(c)))
                .collect(),
            limit,
            after_id.is_some(),
            "CR",
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs and payloads

#[derive(InputObject)]
pub struct ProducerInput {
    pub name: String,
    pub kind: ProducerKind,
    pub tax_code: Option<String>,
    pub province_code: String,
    pub commune_code: Option<String>,
    pub address: String,
    pub phone: Option<String>,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct OcopCertificateInput {
    pub producer_id: ID,
    pub product_name: String,
    pub category_code: String,
    pub stars: i32,
    pub score: Option<i32>,
    pub decision_number: String,
    pub issued_by: String,
    pub issued_on: Date,
    pub document_url: Option<String>,
}

#[derive(InputObject)]
pub struct OriginInput {
    pub province_code: String,
    pub commune_code: Option<String>,
    pub place: Option<String>,
}

impl OriginInput {
    pub fn fields(&self) -> products::Origin<'_> {
        products::Origin {
            province_code: &self.province_code,
            commune_code: self.commune_code.as_deref(),
            place: self.place.as_deref(),
        }
    }
}

#[derive(InputObject)]
pub struct ProductInput {
    pub producer_id: ID,
    pub certificate_id: ID,
    pub name: String,
    pub description: String,
    /// Defaults to the certificate's category.
    pub category_code: Option<String>,
    pub origin: OriginInput,
    pub images: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct ProductUpdateInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub certificate_id: Option<ID>,
    pub origin: Option<OriginInput>,
    pub images: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct VariantInput {
    pub sku: String,
    pub name: String,
    /// Whole đồng, positive.
    pub price: i64,
    pub compare_at_price: Option<i64>,
    /// GTIN-8/12/13/14; the check digit is verified.
    pub gtin: Option<String>,
    pub weight_grams: Option<i32>,
}

impl VariantInput {
    fn fields(&self) -> variants::VariantFields<'_> {
        variants::VariantFields {
            sku: &self.sku,
            name: &self.name,
            price: self.price,
            compare_at_price: self.compare_at_price,
            gtin: self.gtin.as_deref(),
            weight_grams: self.weight_grams,
        }
    }
}

/// A partial variant update. `variantUpdate` takes a whole `VariantInput` as API.md fixes it;
/// this type is kept in the schema for clients generated from the contract.
#[derive(InputObject)]
pub struct VariantUpdateInput {
    pub name: Option<String>,
    pub price: Option<i64>,
    pub compare_at_price: Option<i64>,
    pub gtin: Option<String>,
    pub weight_grams: Option<i32>,
}

#[derive(SimpleObject)]
pub struct ProducerPayload {
    pub producer: Option<Producer>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct OcopCertificatePayload {
    pub certificate: Option<OcopCertificate>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct ProductPayload {
    pub product: Option<Product>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct VariantPayload {
    pub variant: Option<Variant>,
    pub user_errors: Vec<UserError>,
}

fn producer_payload(r: kernel::Result<producer::Model>) -> GqlResult<ProducerPayload> {
    let (p, user_errors) = split(r)?;
    Ok(ProducerPayload {
        producer: p.map(Producer),
        user_errors,
    })
}

fn certificate_payload(r: kernel::Result<certificate::Model>) -> GqlResult<OcopCertificatePayload> {
    let (c, user_errors) = split(r)?;
    Ok(OcopCertificatePayload {
        certificate: c.map(OcopCertificate),
        user_errors,
    })
}

fn product_payload(r: kernel::Result<product::Model>) -> GqlResult<ProductPayload> {
    let (p, user_errors) = split(r)?;
    Ok(ProductPayload {
        product: p.map(Product),
        user_errors,
    })
}

fn variant_payload(r: kernel::Result<variant::Model>) -> GqlResult<VariantPayload> {
    let (v, user_errors) = split(r)?;
    Ok(VariantPayload {
        variant: v.map(Variant),
        user_errors,
    })
}

// ---------------------------------------------------------------------------------------------
// Mutations

#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Creates a producer; the caller becomes its OWNER.
    async fn producer_create(
        &self,
        ctx: &Context<'_>,
        input: ProducerInput,
    ) -> GqlResult<ProducerPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let new = producers::NewProducer::parse(
                units(ctx),
                producers::ProducerFields {
                    name: &input.name,
                    kind: input.kind.as_str(),
                    tax_code: input.tax_code.as_deref(),
                    province_code: &input.province_code,
                    commune_code: input.commune_code.as_deref(),
                    address: &input.address,
                    phone: input.phone.as_deref(),
                    description: input.description.as_deref(),
                },
            )?;
            producers::create(db(ctx), units(ctx), viewer(ctx), new).await
        }
        .await;
        producer_payload(r)
    }

    /// Adds a registered user to a producer as OWNER or STAFF (the producer's OWNER or ADMIN).
    async fn producer_member_add(
        &self,
        ctx: &Context<'_>,
        producer_id: ID,
        email: String,
        role: String,
    ) -> GqlResult<ProducerPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let pid = decode(Kind::Producer, &producer_id, &["producerId"])?;
            producers::add_member(db(ctx), viewer(ctx), pid, &email, role.trim()).await
        }
        .await;
        producer_payload(r)
    }

    /// ADMIN verifies a producer.
    async fn producer_verify(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ProducerPayload> {
        viewer(ctx).require_admin()?;
        let r = async {
            let pid = decode(Kind::Producer, &id, &["id"])?;
            producers::verify(db(ctx), viewer(ctx), pid).await
        }
        .await;
        changed(ctx);
        producer_payload(r)
    }

    /// A producer's member submits a certificate for review.
    async fn ocop_certificate_submit(
        &self,
        ctx: &Context<'_>,
        input: OcopCertificateInput,
    ) -> GqlResult<OcopCertificatePayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let pid = decode(Kind::Producer, &input.producer_id, &["input", "producerId"])?;
            certificates::submit(
                db(ctx),
                viewer(ctx),
                certificates::CertificateFields {
                    producer_id: pid,
                    product_name: &input.product_name,
                    category_code: input.category_code.trim(),
                    stars: input.stars,
                    score: input.score,
                    decision_number: &input.decision_number,
                    issued_by: &input.issued_by,
                    issued_on: input.issued_on.0,
                    document_url: input.document_url.as_deref(),
                },
            )
            .await
        }
        .await;
        certificate_payload(r)
    }

    /// ADMIN approves or rejects a submitted certificate.
    async fn ocop_certificate_review(
        &self,
        ctx: &Context<'_>,
        id: ID,
        approve: bool,
        note: Option<String>,
    ) -> GqlResult<OcopCertificatePayload> {
        viewer(ctx).require_admin()?;
        let r = async {
            let cid = decode(Kind::OcopCertificate, &id, &["id"])?;
            certificates::review(db(ctx), viewer(ctx), cid, approve, note.as_deref()).await
        }
        .await;
        changed(ctx);
        certificate_payload(r)
    }

    /// ADMIN revokes a certificate: its products leave the listing at once.
    async fn ocop_certificate_revoke(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> GqlResult<OcopCertificatePayload> {
        viewer(ctx).require_admin()?;
        let r = async {
            let cid = decode(Kind::OcopCertificate, &id, &["id"])?;
            certificates::revoke(db(ctx), viewer(ctx), cid, &reason).await
        }
        .await;
        changed(ctx);
        certificate_payload(r)
    }

    /// Creates a DRAFT product.
    async fn product_create(
        &self,
        ctx: &Context<'_>,
        input: ProductInput,
    ) -> GqlResult<ProductPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let producer_id = decode(Kind::Producer, &input.producer_id, &["input", "producerId"])?;
            let certificate_id = decode(
                Kind::OcopCertificate,
                &input.certificate_id,
                &["input", "certificateId"],
            )?;
            products::create(
                db(ctx),
                units(ctx),
                viewer(ctx),
                products::ProductFields {
                    producer_id,
                    certificate_id,
                    name: &input.name,
                    description: &input.description,
                    category_code: input.category_code.as_deref(),
                    origin: input.origin.fields(),
                    images: input.images.as_deref(),
                },
            )
            .await
        }
        .await;
        product_payload(r)
    }

    async fn product_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ProductUpdateInput,
    ) -> GqlResult<ProductPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let pid = decode(Kind::Product, &id, &["id"])?;
            let certificate_id = match &input.certificate_id {
                Some(c) => Some(decode(
                    Kind::OcopCertificate,
                    c,
                    &["input", "certificateId"],
                )?),
                None => None,
            };
            products::update(
                db(ctx),
                units(ctx),
                viewer(ctx),
                pid,
                products::ProductChanges {
                    name: input.name.as_deref(),
                    description: input.description.as_deref(),
                    certificate_id,
                    origin: input.origin.as_ref().map(OriginInput::fields),
                    images: input.images.as_deref(),
                },
            )
            .await
        }
        .await;
        changed(ctx);
        product_payload(r)
    }

    /// Publishes a product when the listing rule holds; otherwise every reason it does not.
    async fn product_publish(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ProductPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let pid = decode(Kind::Product, &id, &["id"])?;
            products::publish(db(ctx), viewer(ctx), pid).await
        }
        .await;
        changed(ctx);
        match r {
            Ok(Ok(p)) => Ok(ProductPayload {
                product: Some(Product(p)),
                user_errors: vec![],
            }),
            Ok(Err(issues)) => Ok(ProductPayload {
                product: None,
                user_errors: issues,
            }),
            Err(e) => product_payload(Err(e)),
        }
    }

    async fn product_unpublish(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ProductPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let pid = decode(Kind::Product, &id, &["id"])?;
            products::unpublish(db(ctx), viewer(ctx), pid).await
        }
        .await;
        changed(ctx);
        product_payload(r)
    }

    async fn variant_create(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        input: VariantInput,
    ) -> GqlResult<VariantPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let pid = decode(Kind::Product, &product_id, &["productId"])?;
            variants::create(db(ctx), viewer(ctx), pid, input.fields()).await
        }
        .await;
        changed(ctx);
        variant_payload(r)
    }

    async fn variant_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: VariantInput,
    ) -> GqlResult<VariantPayload> {
        viewer(ctx).require_user()?;
        let r = async {
            let vid = decode(Kind::Variant, &id, &["id"])?;
            variants::update(db(ctx), viewer(ctx), vid, input.fields()).await
        }
        .await;
        changed(ctx);
        variant_payload(r)
    }
}
