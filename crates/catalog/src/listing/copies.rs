//! The listing's copies of the facts it filters and sorts on, kept in the transaction of every
//! change to them: each product's `listed_until` (from its status, certificate and producer),
//! and each variant's copy of its product's `listed_until`, province, stars and search text
//! (which the walks by variant price read, [`super::by_price`]).

use kernel::Result;
use kernel::sql::Sql;
use sea_orm::ConnectionTrait;

use super::rule::push_rule_but_the_day;

/// Which products' listing copy to recompute after a change.
#[derive(Debug, Clone, Copy)]
pub enum Affected {
    Product(i64),
    Certificate(i64),
    Producer(i64),
}

/// Recomputes `products.listed_until` from the product's status, its certificate and its
/// producer, then the copies its variants hold. Call it inside the transaction of the change,
/// after the change.
pub async fn refresh(db: &impl ConnectionTrait, which: Affected) -> Result<()> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE products SET listed_until = (");
    push_listed_until(&mut q);
    q.push(") WHERE ");
    match which {
        Affected::Product(id) => q.push("id = ").bind(id),
        Affected::Certificate(id) => q.push("certificate_id = ").bind(id),
        Affected::Producer(id) => q.push("producer_id = ").bind(id),
    };
    db.execute_raw(q.build()).await?;
    refresh_variants(db, which).await
}

/// The product's columns each variant keeps a copy of, under the same names.
const VARIANT_COPY: [&str; 4] = [
    "listed_until",
    "origin_province_code",
    "stars",
    "search_text",
];

/// Copies each affected product's `listed_until`, province, stars and search text to its
/// variants, and widens the search words' price bounds ([`super::bounds`]) the products now
/// fall outside. Call it after [`refresh`]'s update of the products, after any other change to
/// those facts, or after adding a variant.
pub async fn refresh_variants(db: &impl ConnectionTrait, which: Affected) -> Result<()> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("UPDATE variants SET ");
    for (i, column) in VARIANT_COPY.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push(column)
            .push(" = (SELECT p.")
            .push(column)
            .push(" FROM products p WHERE p.id = variants.product_id)");
    }
    q.push(" WHERE ");
    match which {
        Affected::Product(id) => q.push("product_id = ").bind(id),
        Affected::Certificate(id) => q
            .push("product_id IN (SELECT id FROM products WHERE certificate_id = ")
            .bind(id)
            .push(")"),
        Affected::Producer(id) => q.push("producer_id = ").bind(id),
    };
    db.execute_raw(q.build()).await?;
    super::bounds::widen(db, which).await
}

/// The value `listed_until` should hold for the row `products`, as a scalar subquery.
pub fn push_listed_until(q: &mut Sql) {
    q.push(
        "SELECT c.valid_until FROM ocop_certificates c, producers pr \
         WHERE c.id = products.certificate_id AND pr.id = products.producer_id AND",
    );
    push_rule_but_the_day(q, "products");
}

/// Products whose `listed_until` differs from what the rule gives, or whose variants' copy of
/// it, of the province, the stars or the search text differs from the product's (a check for
/// tests and operators: it should always be empty).
pub async fn stale_listing_copies(db: &impl ConnectionTrait) -> Result<Vec<i64>> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT id FROM products WHERE NOT (COALESCE(listed_until, '1900-01-01') = COALESCE((");
    push_listed_until(&mut q);
    q.push(
        "), '1900-01-01')) UNION SELECT v.product_id FROM variants v \
         JOIN products p ON p.id = v.product_id WHERE NOT (",
    );
    for (i, column) in VARIANT_COPY.iter().enumerate() {
        if i > 0 {
            q.push(" AND ");
        }
        // Equal, or both NULL (a product not listed has no `listed_until`); never NULL itself,
        // so a NULL copy of a set value counts as stale.
        q.push(&format!(
            "COALESCE(v.{column} = p.{column}, v.{column} IS NULL AND p.{column} IS NULL)"
        ));
    }
    q.push(") ORDER BY 1");
    let rows = db.query_all_raw(q.build()).await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<i64>("", "id")?))
        .collect()
}
