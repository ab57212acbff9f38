//! Variants (sizes, packs) of a product, with whole-đồng prices and optional GTINs.

use kernel::domain::{Gtin, Sku, price, text};
use kernel::error::is_unique_violation;
use kernel::id::{ProductId, VariantId};
use kernel::problem::{Label, Problem};
use kernel::sql::Sql;
use kernel::{Error, ErrorCode, Result, Viewer};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, Set, TransactionSession, TransactionTrait,
};

use crate::entity::variant;
use crate::products;

pub struct VariantFields<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    pub price: i64,
    pub compare_at_price: Option<i64>,
    pub gtin: Option<&'a str>,
    pub weight_grams: Option<i32>,
}

struct Parsed {
    sku: Sku,
    name: String,
    price: i64,
    compare_at_price: Option<i64>,
    gtin: Option<Gtin>,
    weight_grams: Option<i32>,
}

fn parse(f: &VariantFields<'_>) -> Result<Parsed> {
    let field = |name: &'static str| move |m: Problem| Error::invalid(&["input", name], m);
    let sku = Sku::parse(f.sku).map_err(field("sku"))?;
    let name = text(f.name, 100, Label::VariantName).map_err(field("name"))?;
    let price = price(f.price).map_err(field("price"))?;
    let compare_at_price = match f.compare_at_price {
        Some(c) => {
            let c = kernel::domain::price(c).map_err(field("compareAtPrice"))?;
            if c <= price {
                return Err(Error::invalid(
                    &["input", "compareAtPrice"],
                    Problem::CompareAtNotAbovePrice,
                ));
            }
            Some(c)
        }
        None => None,
    };
    let gtin = match f.gtin.map(str::trim).filter(|g| !g.is_empty()) {
        Some(g) => Some(Gtin::parse(g).map_err(field("gtin"))?),
        None => None,
    };
    if let Some(w) = f.weight_grams
        && !(1..=1_000_000).contains(&w)
    {
        return Err(Error::invalid(
            &["input", "weightGrams"],
            Problem::WeightRange,
        ));
    }
    Ok(Parsed {
        sku,
        name,
        price,
        compare_at_price,
        gtin,
        weight_grams: f.weight_grams,
    })
}

fn map_duplicate(e: sea_orm::DbErr) -> Error {
    if is_unique_violation(
        &e,
        "variants_producer_sku_key",
        "variants.producer_id, variants.sku",
    ) {
        Error::code(ErrorCode::Duplicate, &["input", "sku"], Problem::SkuTaken)
    } else if is_unique_violation(&e, "variants_gtin_key", "variants.gtin") {
        Error::code(ErrorCode::Duplicate, &["input", "gtin"], Problem::GtinTaken)
    } else {
        Error::Db(e)
    }
}

/// Keeps the product's `min_price`/`max_price` (used to sort by price) and `variant_count`
/// (which spares a price range the look at its variants) equal to its variants', and a new
/// variant's copy of the product's listing facts (which the walks by variant price read).
async fn refresh_price_range(db: &impl ConnectionTrait, product_id: i64) -> Result<()> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE products SET min_price = COALESCE((SELECT MIN(price) FROM variants WHERE product_id = ")
        .bind(product_id)
        .push("), 0), max_price = COALESCE((SELECT MAX(price) FROM variants WHERE product_id = ")
        .bind(product_id)
        .push("), 0), variant_count = (SELECT COUNT(*) FROM variants WHERE product_id = ")
        .bind(product_id)
        .push(") WHERE id = ")
        .bind(product_id);
    db.execute_raw(q.build()).await?;
    crate::listing::refresh_variants(db, crate::listing::Affected::Product(product_id)).await
}

pub async fn create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    product_id: ProductId,
    f: VariantFields<'_>,
) -> Result<variant::Model> {
    let product = products::get_managed(db, viewer, product_id).await?;
    let v = parse(&f)?;
    let txn = db.begin().await?;
    let now = chrono::Utc::now();
    let created = variant::ActiveModel {
        product_id: Set(product.id),
        producer_id: Set(product.producer_id),
        sku: Set(v.sku.as_str().to_owned()),
        gtin: Set(v.gtin.map(|g| g.as_gtin14().to_owned())),
        name: Set(v.name),
        price: Set(v.price),
        compare_at_price: Set(v.compare_at_price),
        weight_grams: Set(v.weight_grams),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(map_duplicate)?;
    refresh_price_range(&txn, product.id).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn get(db: &impl ConnectionTrait, id: VariantId) -> Result<variant::Model> {
    variant::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(&["id"], Problem::VariantNotFound))
}

/// Replaces a variant's fields (the `VariantInput` of `variantUpdate`).
pub async fn update<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    id: VariantId,
    f: VariantFields<'_>,
) -> Result<variant::Model> {
    viewer.require_user()?;
    let current = get(db, id).await?;
    products::get_managed(db, viewer, ProductId(current.product_id)).await?;
    let v = parse(&f)?;
    let txn = db.begin().await?;
    let product_id = current.product_id;
    let mut active: variant::ActiveModel = current.into();
    active.sku = Set(v.sku.as_str().to_owned());
    active.gtin = Set(v.gtin.map(|g| g.as_gtin14().to_owned()));
    active.name = Set(v.name);
    active.price = Set(v.price);
    active.compare_at_price = Set(v.compare_at_price);
    active.weight_grams = Set(v.weight_grams);
    active.updated_at = Set(chrono::Utc::now());
    let updated = active.update(&txn).await.map_err(map_duplicate)?;
    refresh_price_range(&txn, product_id).await?;
    txn.commit().await?;
    Ok(updated)
}
