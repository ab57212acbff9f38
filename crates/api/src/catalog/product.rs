//! Products and their variants.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Lookahead, Object, SimpleObject};
use catalog::entity::{certificate, image, product, variant};
use catalog::reads::{self, Owned};
use kernel::id::ProductId;
use kernel::time::today_vn;

use crate::catalog::objects::{
    Commune, OcopCategory, OcopCertificate, Producer, ProductStatus, Province, category_of,
    commune_of, manages, producer_of, province_of,
};
use crate::context::{GqlResult, IdPage, db, list_cost, load, load_many, page_cost, units};
use crate::errors::{self, UserError};
use crate::ids::{self, Kind};
use crate::loaders::{
    AvailableOf, CertificateKey, ImagesOf, ListedKey, Prefetched, ProducerKey, ProductKey,
    VariantKey, VariantsOf, grouped,
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
        let avail = load_many(ctx, vs.iter().map(|v| AvailableOf(v.id))).await?;
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
        let available = load_many(ctx, variants.iter().map(|v| AvailableOf(v.id))).await?;
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

/// What a selection of products reads beyond the product row.
#[derive(Debug, Default, Clone, Copy)]
pub struct Wants {
    producer: bool,
    certificate: bool,
    variants: bool,
    available: bool,
    images: bool,
    listed: bool,
}

impl Wants {
    /// From the product selections (a connection's `edges.node` and `nodes`, or one product).
    pub fn of(selections: &[Lookahead<'_>]) -> Wants {
        let any = |f: &str| selections.iter().any(|s| s.field(f).exists());
        let variants = any("variants") || any("priceRange") || any("inStock");
        Wants {
            producer: any("producer"),
            certificate: any("certificate") || any("ocopStars"),
            variants,
            available: any("inStock")
                || selections
                    .iter()
                    .any(|s| s.field("variants").field("available").exists()),
            images: any("images"),
            listed: false,
        }
    }

    /// Whether the variants' units available are asked for.
    pub fn available(&self) -> bool {
        self.available
    }

    /// Also whether each product is listed today (the visibility check of `product`).
    pub fn with_listed(mut self) -> Wants {
        self.listed = true;
        self
    }
}

/// Reads what `wants` names for these products in a fixed handful of statements (run side by
/// side), and leaves it for the resolvers: a page answers without waiting on loader batching.
pub async fn read_ahead(
    ctx: &Context<'_>,
    products: &[&product::Model],
    wants: Wants,
) -> GqlResult<()> {
    read_ahead_knowing(ctx, products, wants, None).await
}

/// [`read_ahead`], with the products' producers, certificates and variants already read
/// (`known`, read as `wants` asked).
pub async fn read_ahead_knowing(
    ctx: &Context<'_>,
    products: &[&product::Model],
    wants: Wants,
    known: Option<Owned>,
) -> GqlResult<()> {
    if products.is_empty() {
        return Ok(());
    }
    let db = db(ctx);
    let today = today_vn();
    let mut ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let variants_wanted = wants.variants || wants.available;
    let (known_owners, known_variants) = match known {
        Some(k) => (Some((k.producers, k.certificates)), Some(k.variants)),
        None => (None, None),
    };
    let ((producers, certs), variants, images) = futures_util::try_join!(
        async {
            if let Some(known) = known_owners {
                return Ok(known);
            }
            // Both, as most pages want, in one statement.
            match (
                wants.producer || wants.listed,
                wants.certificate || wants.listed,
            ) {
                (true, true) => {
                    let mut pairs: Vec<(i64, i64)> =
                        products.iter().map(|p| (p.id, p.producer_id)).collect();
                    pairs.sort_unstable();
                    pairs.dedup();
                    reads::producers_and_certificates_of(db, &pairs).await
                }
                (true, false) => {
                    let mut producer_ids: Vec<i64> =
                        products.iter().map(|p| p.producer_id).collect();
                    producer_ids.sort_unstable();
                    producer_ids.dedup();
                    Ok((reads::producers(db, &producer_ids).await?, Vec::new()))
                }
                (false, true) => {
                    let cert_ids: Vec<i64> = products.iter().map(|p| p.certificate_id).collect();
                    Ok((Vec::new(), reads::certificates(db, &cert_ids).await?))
                }
                (false, false) => Ok((Vec::new(), Vec::new())),
            }
        },
        async {
            if let Some(known) = known_variants {
                return Ok(known);
            }
            // With availability asked for, each variant comes with its units (one statement).
            // Not with the producers and certificates: their columns would repeat on every
            // variant's row, which cost PostgreSQL more than the statement saved.
            match (wants.variants, wants.available) {
                (_, true) => reads::variants_of_with_available(db, &ids, today).await,
                (true, false) => reads::variants_of(db, &ids)
                    .await
                    .map(|vs| vs.into_iter().map(|v| (v, 0)).collect()),
                (false, false) => Ok(Vec::new()),
            }
        },
        async {
            match wants.images {
                true => reads::images_of(db, &ids).await,
                false => Ok(Vec::new()),
            }
        },
    )
    .map_err(errors::top)?;
    // The variants, and each one's units (fed only when availability was asked for).
    let (variants, available): (Vec<_>, Vec<_>) = variants
        .into_iter()
        .map(|(v, n)| {
            let units = (AvailableOf(v.id), n);
            (v, units)
        })
        .unzip();
    let Some(ahead) = ctx.data_opt::<Prefetched>() else {
        return Ok(());
    };
    if wants.listed {
        // The listing rule, judged on the rows just read (as `listing::push_listed` judges it
        // in SQL): no statement of its own.
        let producer_of: std::collections::HashMap<i64, &catalog::entity::producer::Model> =
            producers.iter().map(|p| (p.id, p)).collect();
        let cert_of: std::collections::HashMap<i64, &certificate::Model> =
            certs.iter().map(|c| (c.id, c)).collect();
        let stock = catalog::listing::Stock {
            has_variants: true,
            has_sellable_lot: true,
        };
        ahead.feed(products.iter().filter_map(|p| {
            let producer = producer_of.get(&p.producer_id)?;
            let cert = cert_of.get(&p.certificate_id)?;
            let listed = catalog::listing::issues(p, producer, cert, stock, today, true).is_empty();
            Some((ListedKey(p.id), listed))
        }));
    }
    ahead.feed(producers.into_iter().map(|p| (ProducerKey(p.id), p)));
    ahead.feed(certs.into_iter().map(|c| (CertificateKey(c.id), c)));
    if wants.available {
        ahead.feed(available);
    }
    if variants_wanted {
        let keys: Vec<VariantsOf> = ids.iter().map(|id| VariantsOf(*id)).collect();
        ahead.feed(grouped(&keys, variants, |v| VariantsOf(v.product_id)));
    }
    if wants.images {
        let keys: Vec<ImagesOf> = ids.iter().map(|id| ImagesOf(*id)).collect();
        ahead.feed(grouped(&keys, images, |i| ImagesOf(i.product_id)));
    }
    Ok(())
}
