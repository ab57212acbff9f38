//! Batched reads by id, one statement per call, for the API layer's DataLoaders. Reads only:
//! every write goes through the services.

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::NaiveDate;
use kernel::Result;
use kernel::sql::Sql;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{Columns, category, certificate, image, member, producer, product, variant};
use crate::listing;

pub async fn producers(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<producer::Model>> {
    Ok(producer::Entity::find()
        .filter(producer::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn certificates(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<certificate::Model>> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The producers and the certificates of these products, in one statement: a page shows both,
/// and each statement costs a pooled connection's round trips on top of its own.
/// `products` are (id, producer id) pairs. The producers' ids bound the join too: without them
/// PostgreSQL hashed every producer to join twenty (0.31 ms of its CPU a page at 10,000
/// products; 0.20 ms with them). They are one per product, repeats and all, so the statement's
/// text depends only on the page's size and stays one prepared statement.
pub async fn producers_and_certificates_of(
    db: &impl ConnectionTrait,
    products: &[(i64, i64)],
) -> Result<(Vec<producer::Model>, Vec<certificate::Model>)> {
    if products.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let product_ids: Vec<i64> = products.iter().map(|(id, _)| *id).collect();
    let producer_ids: Vec<i64> = products.iter().map(|(_, producer)| *producer).collect();
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT ")
        .push(&OWNERS)
        .push("p.id IN ")
        .bind_list(&product_ids)
        .push(" AND pr.id IN ")
        .bind_list(&producer_ids);
    let rows = db.query_all_raw(q.build()).await?;
    let mut producers: Vec<producer::Model> = Vec::new();
    let mut certs: Vec<certificate::Model> = Vec::new();
    let mut seen = HashSet::new();
    for r in &rows {
        let producer = producer::Model::read_at(r, 0)?;
        if seen.insert(producer.id) {
            producers.push(producer);
        }
        certs.push(certificate::Model::read_at(r, CERT_AT)?);
    }
    Ok((producers, certs))
}

/// The producer's columns, then the certificate's from `CERT_AT` (read by position:
/// [`Columns`]).
static OWNER_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{}, {}",
        producer::Model::list("pr"),
        certificate::Model::list("c")
    )
});

/// Where the certificate's columns start in [`OWNER_COLUMNS`].
const CERT_AT: usize = producer::Model::COLUMNS.len();

/// Products `p` joined to their producers `pr` and certificates `c`.
const OWNERS_JOIN: &str = "FROM products p JOIN producers pr ON pr.id = p.producer_id \
     JOIN ocop_certificates c ON c.id = p.certificate_id";

/// The producer's and the certificate's columns ([`OWNER_COLUMNS`]) of the products `p`
/// named by what follows `WHERE`. Written once per process: a page reads it on every request.
static OWNERS: LazyLock<String> =
    LazyLock::new(|| format!("{} {OWNERS_JOIN} WHERE ", *OWNER_COLUMNS));

/// Products' producers, certificates and variants (each with its units), as their pages show
/// them.
pub struct Owned {
    pub producers: Vec<producer::Model>,
    pub certificates: Vec<certificate::Model>,
    /// Cheapest first, each with its units available (0 when they were not asked for).
    pub variants: Vec<(variant::Model, i64)>,
}

/// The units the variant `v` has available on `today`: the sum over its sellable lots, 0
/// without one.
fn push_units(q: &mut Sql, today: NaiveDate) {
    q.push(
        "CAST(COALESCE((SELECT SUM(l.quantity_available) FROM lots l \
         WHERE l.variant_id = v.id AND ",
    );
    crate::stock::push_sellable(q, "l", today);
    q.push("), 0) AS BIGINT)");
}

/// The product with this slug, with its producer, certificate and variants (and each
/// variant's units on `available`'s day, when given), in one statement: product detail shows
/// them all. A row per variant (the product's, producer's, certificate's and variant's columns
/// in that order, then the units), or one with the variant's null for a product without
/// variants. For one product only: on a page of twenty, the producer's
/// and certificate's columns repeated on every variant's row cost PostgreSQL more than the
/// statement they save.
pub async fn product_by_slug_with_owned(
    db: &impl ConnectionTrait,
    slug: &str,
    available: Option<NaiveDate>,
) -> Result<Option<(product::Model, Owned)>> {
    static COLUMNS: LazyLock<String> = LazyLock::new(|| {
        format!(
            "{}, {}, {}",
            product::Model::list("p"),
            *OWNER_COLUMNS,
            variant::Model::list("v")
        )
    });
    const OWNERS_AT: usize = product::Model::COLUMNS.len();
    const VARIANT_AT: usize = OWNERS_AT + CERT_AT + certificate::Model::COLUMNS.len();
    const UNITS_AT: usize = VARIANT_AT + variant::Model::COLUMNS.len();
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT ").push(&COLUMNS).push(", ");
    match available {
        Some(today) => push_units(&mut q, today),
        None => {
            q.push("CAST(0 AS BIGINT)");
        }
    }
    q.push(" AS available ")
        .push(OWNERS_JOIN)
        .push(" LEFT JOIN variants v ON v.product_id = p.id WHERE p.slug = ")
        .bind(slug.to_owned())
        .push(" ORDER BY v.price, v.id");
    let rows = db.query_all_raw(q.build()).await?;
    // The product's, producer's and certificate's columns repeat on every row: read once.
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut variants = Vec::with_capacity(rows.len());
    for r in &rows {
        if r.try_get_by_index::<Option<i64>>(VARIANT_AT)?.is_some() {
            variants.push((
                variant::Model::read_at(r, VARIANT_AT)?,
                r.try_get_by_index::<i64>(UNITS_AT)?,
            ));
        }
    }
    Ok(Some((
        product::Model::read_at(first, 0)?,
        Owned {
            producers: vec![producer::Model::read_at(first, OWNERS_AT)?],
            certificates: vec![certificate::Model::read_at(first, OWNERS_AT + CERT_AT)?],
            variants,
        },
    )))
}

pub async fn categories(
    db: &impl ConnectionTrait,
    codes: &[String],
) -> Result<Vec<category::Model>> {
    Ok(category::Entity::find()
        .filter(category::Column::Code.is_in(codes.iter().cloned()))
        .all(db)
        .await?)
}

/// Every OCOP category, by code.
pub async fn all_categories(db: &impl ConnectionTrait) -> Result<Vec<category::Model>> {
    Ok(category::Entity::find()
        .order_by_asc(category::Column::Code)
        .all(db)
        .await?)
}

pub async fn products(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<product::Model>> {
    Ok(product::Entity::find()
        .filter(product::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

pub async fn variants(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<variant::Model>> {
    Ok(variant::Entity::find()
        .filter(variant::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The variants of these products, cheapest first.
pub async fn variants_of(
    db: &impl ConnectionTrait,
    product_ids: &[i64],
) -> Result<Vec<variant::Model>> {
    Ok(variant::Entity::find()
        .filter(variant::Column::ProductId.is_in(product_ids.iter().copied()))
        .order_by_asc(variant::Column::Price)
        .order_by_asc(variant::Column::Id)
        .all(db)
        .await?)
}

/// The variants of these products, cheapest first, each with its units available (the sum
/// over its sellable lots, 0 without one): one statement for what a page shows of them.
pub async fn variants_of_with_available(
    db: &impl ConnectionTrait,
    product_ids: &[i64],
    today: NaiveDate,
) -> Result<Vec<(variant::Model, i64)>> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    static COLUMNS: LazyLock<String> = LazyLock::new(|| variant::Model::list("v"));
    const UNITS_AT: usize = variant::Model::COLUMNS.len();
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT ").push(&COLUMNS).push(", ");
    push_units(&mut q, today);
    q.push(" AS available FROM variants v WHERE v.product_id IN ")
        .bind_list(product_ids)
        .push(" ORDER BY v.price, v.id");
    let rows = db.query_all_raw(q.build()).await?;
    rows.iter()
        .map(|r| {
            Ok((
                variant::Model::read_at(r, 0)?,
                r.try_get_by_index::<i64>(UNITS_AT)?,
            ))
        })
        .collect()
}

/// The images of these products, in order.
pub async fn images_of(
    db: &impl ConnectionTrait,
    product_ids: &[i64],
) -> Result<Vec<image::Model>> {
    Ok(image::Entity::find()
        .filter(image::Column::ProductId.is_in(product_ids.iter().copied()))
        .order_by_asc(image::Column::Position)
        .all(db)
        .await?)
}

/// Of these products, the ones listed to the public on `today`.
pub async fn listed_among(
    db: &impl ConnectionTrait,
    product_ids: &[i64],
    today: NaiveDate,
) -> Result<HashSet<i64>> {
    if product_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let mut q = Sql::new(db.get_database_backend());
    q.push(
        "SELECT p.id FROM products p JOIN ocop_certificates c ON c.id = p.certificate_id \
         JOIN producers pr ON pr.id = p.producer_id WHERE p.id IN ",
    )
    .bind_list(product_ids)
    .push(" AND");
    listing::push_listed(&mut q, today);
    let rows = db.query_all_raw(q.build()).await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<i64>("", "id")?))
        .collect()
}

/// Memberships of these users in these producers.
pub async fn memberships(
    db: &impl ConnectionTrait,
    user_ids: &[i64],
    producer_ids: &[i64],
) -> Result<Vec<member::Model>> {
    Ok(member::Entity::find()
        .filter(member::Column::UserId.is_in(user_ids.iter().copied()))
        .filter(member::Column::ProducerId.is_in(producer_ids.iter().copied()))
        .all(db)
        .await?)
}
