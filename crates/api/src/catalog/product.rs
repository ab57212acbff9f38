//! Products and their variants.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, SimpleObject};
use catalog::entity::{certificate, image, product, variant};
use kernel::id::ProductId;
use kernel::time::today_vn;

use crate::catalog::objects::{
    Commune, OcopCategory, OcopCertificate, Producer, ProductStatus, Province, category_of,
    commune_of, manages, producer_of, province_of,
};
use crate::context::{GqlResult, IdPage, db, list_cost, load, loader, page_cost, units};
use crate::errors::{self, UserError};
use crate::ids::{self, Kind};
use crate::loaders::{
    AvailableOf, CertificateKey, ImagesOf, ListedKey, ProductKey, VariantKey, VariantsOf,
};
use crate::scalars::Money;
use crate::traceability::objects::Lot;

/// What `Product.variants` is priced as in the complexity limit: products have a handful.
const VARIANTS_PRICED: usize = 10;

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
        ids::encode(Kind::Product, self.0.id)
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
        producer_of(ctx, self.0.producer_id).await
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
        self.0.status.into()
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
        Ok(load(ctx, ImagesOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|i: image::Model| Image {
                url: i.url,
                alt: i.alt,
            })
            .collect())
    }
    #[graphql(complexity = "list_cost(VARIANTS_PRICED, child_complexity)")]
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
            .map_err(errors::load_err)?;
        Ok(avail.values().any(|q| *q > 0))
    }
    /// Whether the public sees the product today.
    async fn listed(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        Ok(self.issues(ctx).await?.is_empty())
    }
    /// Why the product is not listed, for its producer's members and ADMIN; empty when listed,
    /// and always empty for everyone else.
    async fn unlisted_reasons(&self, ctx: &Context<'_>) -> GqlResult<Vec<UserError>> {
        if !crate::catalog::objects::manages(ctx, self.0.producer_id).await? {
            return Ok(vec![]);
        }
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
    ) -> GqlResult<Connection<String, Lot>> {
        let page = IdPage::new(first, after.as_deref(), "LT")?;
        let rows =
            catalog::stock::of_product(db(ctx), ProductId(self.0.id), page.fetch(), page.after)
                .await
                .map_err(errors::top)?;
        Ok(page.connection(rows, |l| l.id, Lot))
    }
}

impl Product {
    async fn cert(&self, ctx: &Context<'_>) -> GqlResult<certificate::Model> {
        load(ctx, CertificateKey(self.0.certificate_id))
            .await?
            .ok_or_else(|| errors::missing("certificate"))
    }
    async fn variant_models(&self, ctx: &Context<'_>) -> GqlResult<Vec<variant::Model>> {
        Ok(load(ctx, VariantsOf(self.0.id)).await?.unwrap_or_default())
    }
    async fn issues(&self, ctx: &Context<'_>) -> GqlResult<Vec<UserError>> {
        let producer = producer_of(ctx, self.0.producer_id).await?.0;
        let cert = self.cert(ctx).await?;
        let variants = self.variant_models(ctx).await?;
        let available = loader(ctx)
            .load_many(variants.iter().map(|v| AvailableOf(v.id)))
            .await
            .map_err(errors::load_err)?;
        let stock = catalog::listing::Stock {
            has_variants: !variants.is_empty(),
            has_sellable_lot: available.values().any(|q| *q > 0),
        };
        Ok(
            catalog::listing::issues(&self.0, &producer, &cert, stock, today_vn(), true)
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }
}

#[derive(Clone)]
pub struct Variant(pub variant::Model);

#[Object]
impl Variant {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Variant, self.0.id)
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
        Ok(load(ctx, AvailableOf(self.0.id)).await?.unwrap_or(0))
    }
    async fn weight_grams(&self) -> Option<i32> {
        self.0.weight_grams
    }
    async fn product(&self, ctx: &Context<'_>) -> GqlResult<Option<Product>> {
        visible_product(ctx, self.0.product_id).await
    }
}

/// A product the viewer may see: listed today, or the viewer manages its producer.
pub async fn visible_product(ctx: &Context<'_>, id: i64) -> GqlResult<Option<Product>> {
    match load(ctx, ProductKey(id)).await? {
        Some(p) => product_if_visible(ctx, p).await,
        None => Ok(None),
    }
}

pub async fn product_if_visible(
    ctx: &Context<'_>,
    p: product::Model,
) -> GqlResult<Option<Product>> {
    let listed = load(ctx, ListedKey(p.id)).await?.unwrap_or(false);
    if listed || manages(ctx, p.producer_id).await? {
        Ok(Some(Product(p)))
    } else {
        Ok(None)
    }
}

/// A variant the viewer may see: its product is visible.
pub async fn visible_variant(ctx: &Context<'_>, id: i64) -> GqlResult<Option<Variant>> {
    let Some(v) = load(ctx, VariantKey(id)).await? else {
        return Ok(None);
    };
    Ok(visible_product(ctx, v.product_id)
        .await?
        .map(|_| Variant(v)))
}
