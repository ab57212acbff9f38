//! The catalog's queries.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use catalog::listing::{self, Filter, Sort};
use kernel::cursor::page_size;
use kernel::id::{ProducerId, ProductId};
use kernel::time::today_vn;

use crate::catalog::objects::{
    Commune, OcopCategory, OcopCertificate, Producer, Province, visible_producer,
};
use crate::catalog::product::{Product, Wants, product_if_visible, read_ahead, read_ahead_knowing};
use crate::context::{GqlResult, IdPage, db, page_cost, units, viewer};
use crate::errors::{self, TopError};
use crate::ids::{self, Kind};

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
        Ok(catalog::reads::all_categories(db(ctx))
            .await
            .map_err(errors::top)?
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
        let page = IdPage::new(first, after.as_deref(), "PR")?;
        let rows = catalog::producers::list(
            db(ctx),
            viewer(ctx),
            page.fetch(),
            page.after,
            province_code.as_deref(),
            search.as_deref(),
        )
        .await
        .map_err(errors::top)?;
        Ok(page.connection(rows, |p| p.id, Producer))
    }

    async fn producer(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> GqlResult<Option<Producer>> {
        let pid = match (id, slug) {
            (Some(id), _) => ids::decode(Kind::Producer, &id),
            (None, Some(slug)) => catalog::producers::by_slug(db(ctx), &slug)
                .await
                .map_err(errors::top)?
                .map(|p| p.id),
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
        let limit = page_size(first).map_err(errors::top)?;
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
        const MAX_VALUES: usize = 50;
        let too_many = |v: &Option<Vec<String>>| v.as_ref().is_some_and(|v| v.len() > MAX_VALUES);
        if too_many(&f.province_codes) || too_many(&f.category_codes) {
            let problem = kernel::Problem::TooManyFilterValues(MAX_VALUES);
            return Err(TopError::invalid(crate::messages::vi(&problem)).into());
        }
        // An ID that names no producer matches no product.
        let producer_id = f
            .producer_id
            .map(|pid| ProducerId(ids::decode(Kind::Producer, &pid).unwrap_or(0)));
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
            .map_err(errors::top)?;
        let look = ctx.look_ahead();
        let wants = Wants::of(&[look.field("edges").field("node"), look.field("nodes")]);
        let models: Vec<&catalog::entity::product::Model> =
            page.items.iter().map(|(_, p)| p).collect();
        read_ahead(ctx, &models, wants).await?;
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
        let wants = Wants::of(&[ctx.look_ahead()]).with_listed();
        // By slug (a shopper's page), the product comes with its producer, certificate and
        // variants, in one statement.
        let found = match (id, slug) {
            (Some(id), _) => match ids::decode(Kind::Product, &id) {
                Some(pid) => catalog::products::find(db(ctx), ProductId(pid))
                    .await
                    .map(|p| p.map(|p| (p, None))),
                None => Ok(None),
            },
            (None, Some(slug)) => catalog::reads::product_by_slug_with_owned(
                db(ctx),
                &slug,
                wants.available().then(today_vn),
            )
            .await
            .map(|found| found.map(|(p, owned)| (p, Some(owned)))),
            (None, None) => Ok(None),
        }
        .map_err(errors::top)?;
        match found {
            Some((p, known)) => {
                read_ahead_knowing(ctx, &[&p], wants, known).await?;
                product_if_visible(ctx, p).await
            }
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
        viewer(ctx).require_admin().map_err(errors::top)?;
        let page = IdPage::new(first, after.as_deref(), "CR")?;
        let rows = catalog::certificates::to_review(db(ctx), viewer(ctx), page.fetch(), page.after)
            .await
            .map_err(errors::top)?;
        Ok(page.connection(rows, |c| c.id, OcopCertificate))
    }
}
