//! The listing rule and the public product search.
//!
//! A product is listed to the public only while it is PUBLISHED, its producer is verified, and
//! its certificate is VERIFIED, has 3 stars or more and is not past `valid_until` (judged in
//! Asia/Ho_Chi_Minh). `productPublish` checks the same rule, and the public queries apply it at
//! read time in SQL, so a product vanishes the day its certificate expires or is revoked.

use chrono::NaiveDate;
use kernel::cursor::Cursor;
use kernel::fold::{fold, search_terms};
use kernel::problem::Problem;
use kernel::sql::{Sql, like_escape};
use kernel::{ErrorCode, Result, UserError};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::certificates::effective_status;
use crate::entity::{CertificateStatus, ProductStatus, certificate, producer, product};

pub const MIN_LISTED_STARS: i32 = 3;

/// What a product has to sell.
#[derive(Debug, Clone, Copy)]
pub struct Stock {
    pub has_variants: bool,
    /// A lot with stock left, not recalled, not expired.
    pub has_sellable_lot: bool,
}

/// Why a product is not (or could not be) listed; empty when it is listed.
/// `check_status` is false for `productPublish`, which is about to change the status. A listed
/// product whose lots are sold out stays listed (it shows `inStock: false`): only publishing
/// needs a sellable lot.
pub fn issues(
    product: &product::Model,
    producer: &producer::Model,
    cert: &certificate::Model,
    stock: Stock,
    today: NaiveDate,
    check_status: bool,
) -> Vec<UserError> {
    let mut out = Vec::new();
    if check_status && product.status != ProductStatus::Published {
        out.push(UserError::new(
            ErrorCode::InvalidState,
            &["status"],
            Problem::NotPublished,
        ));
    }
    if !producer.verified {
        out.push(UserError::new(
            ErrorCode::ProducerNotVerified,
            &["producer"],
            Problem::ProducerNotVerified,
        ));
    }
    match effective_status(cert, today) {
        CertificateStatus::Verified => {}
        CertificateStatus::Expired => out.push(UserError::new(
            ErrorCode::CertificateExpired,
            &["certificate"],
            Problem::CertificateExpired(cert.valid_until),
        )),
        CertificateStatus::Revoked => out.push(UserError::new(
            ErrorCode::CertificateNotVerified,
            &["certificate"],
            Problem::CertificateRevoked,
        )),
        _ => out.push(UserError::new(
            ErrorCode::CertificateNotVerified,
            &["certificate"],
            Problem::CertificateNotVerified,
        )),
    }
    if cert.stars < MIN_LISTED_STARS {
        out.push(UserError::new(
            ErrorCode::StarsTooLow,
            &["certificate"],
            Problem::StarsTooLow(cert.stars),
        ));
    }
    if !stock.has_variants {
        out.push(UserError::new(
            ErrorCode::NoVariant,
            &["variants"],
            Problem::NoVariant,
        ));
    } else if !check_status && !stock.has_sellable_lot {
        out.push(UserError::new(
            ErrorCode::NoSellableLot,
            &["lots"],
            Problem::NoSellableLot,
        ));
    }
    out
}

/// Appends the listing rule for `products p`, `ocop_certificates c` and `producers pr`.
pub fn push_listed(q: &mut Sql, today: NaiveDate) {
    q.push(" p.status = ")
        .bind(ProductStatus::Published.as_str())
        .push(" AND c.status = ")
        .bind(CertificateStatus::Verified.as_str())
        .push(" AND c.stars >= ")
        .bind(MIN_LISTED_STARS)
        .push(" AND c.valid_until >= ")
        .bind(today)
        .push(" AND pr.verified = ")
        .bind(true);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    PriceAsc,
    PriceDesc,
    StarsDesc,
    Relevance,
}

impl Sort {
    fn tag(self) -> &'static str {
        match self {
            Sort::Newest => "N",
            Sort::PriceAsc => "PA",
            Sort::PriceDesc => "PD",
            Sort::StarsDesc => "SD",
            Sort::Relevance => "R",
        }
    }
    fn arity(self) -> usize {
        if self == Sort::Newest { 1 } else { 2 }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub search: Option<String>,
    pub min_stars: Option<i32>,
    pub province_codes: Option<Vec<String>>,
    pub category_codes: Option<Vec<String>>,
    pub producer_id: Option<kernel::id::ProducerId>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub in_stock: Option<bool>,
}

pub struct Page {
    pub items: Vec<(String, product::Model)>,
    pub has_next: bool,
}

use kernel::cursor::bad_cursor;

/// Appends the relevance score of a product for the folded query `q`: the whole query as the
/// name (4), at its start (3), inside it (2), elsewhere (producer, category, origin: 1).
fn push_relevance(q: &mut Sql, folded: &str) {
    let esc = like_escape(folded);
    q.push("(CASE WHEN p.name_folded = ")
        .bind(folded.to_owned())
        .push(" THEN 4 WHEN p.name_folded LIKE ")
        .bind(format!("{esc}%"))
        .push(" ESCAPE '\\' THEN 3 WHEN p.name_folded LIKE ")
        .bind(format!("%{esc}%"))
        .push(" ESCAPE '\\' THEN 2 ELSE 1 END)");
}

/// The public listing: listed products matching `filter`, in `sort` order, after the cursor.
pub async fn search(
    db: &impl ConnectionTrait,
    filter: &Filter,
    sort: Sort,
    limit: u64,
    after: Option<&str>,
    today: NaiveDate,
) -> Result<Page> {
    let cursor = match after {
        Some(a) => Some(Cursor::decode(a, sort.tag(), sort.arity()).ok_or_else(bad_cursor)?),
        None => None,
    };
    let terms = filter
        .search
        .as_deref()
        .map(|s| search_terms(s, 8))
        .unwrap_or_default();
    let folded = filter.search.as_deref().map(fold).unwrap_or_default();
    let relevance = sort == Sort::Relevance && !terms.is_empty();

    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT p.*, c.stars AS c_stars");
    if relevance {
        q.push(", ");
        push_relevance(&mut q, &folded);
        q.push(" AS rel");
    }
    q.push(
        " FROM products p JOIN ocop_certificates c ON c.id = p.certificate_id \
         JOIN producers pr ON pr.id = p.producer_id WHERE",
    );
    push_listed(&mut q, today);
    if let Some(min) = filter.min_stars {
        q.push(" AND p.stars >= ").bind(min);
    }
    if let Some(codes) = filter.province_codes.as_ref().filter(|c| !c.is_empty()) {
        q.push(" AND p.origin_province_code IN ").bind_list(codes);
    }
    if let Some(codes) = filter.category_codes.as_ref().filter(|c| !c.is_empty()) {
        q.push(" AND p.category_code IN ").bind_list(codes);
    }
    if let Some(pid) = filter.producer_id {
        q.push(" AND p.producer_id = ").bind(pid);
    }
    if filter.price_min.is_some() || filter.price_max.is_some() {
        q.push(" AND EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id");
        if let Some(min) = filter.price_min {
            q.push(" AND v.price >= ").bind(min);
        }
        if let Some(max) = filter.price_max {
            q.push(" AND v.price <= ").bind(max);
        }
        q.push(")");
    }
    match filter.in_stock {
        Some(true) => {
            q.push(" AND");
            crate::stock::push_product_in_stock(&mut q, today);
        }
        Some(false) => {
            q.push(" AND NOT");
            crate::stock::push_product_in_stock(&mut q, today);
        }
        None => {}
    }
    for term in &terms {
        q.push(" AND p.search_text LIKE ")
            .bind(format!("%{}%", like_escape(term)))
            .push(" ESCAPE '\\'");
    }
    // Keyset: rows strictly after the cursor's key in the sort's order.
    if let Some(c) = &cursor {
        let k = &c.keys;
        match sort {
            Sort::Newest => {
                q.push(" AND p.id < ").bind(k[0]);
            }
            Sort::PriceAsc => {
                q.push(" AND (p.min_price > ")
                    .bind(k[0])
                    .push(" OR (p.min_price = ")
                    .bind(k[0])
                    .push(" AND p.id > ")
                    .bind(k[1])
                    .push("))");
            }
            Sort::PriceDesc => {
                q.push(" AND (p.min_price < ")
                    .bind(k[0])
                    .push(" OR (p.min_price = ")
                    .bind(k[0])
                    .push(" AND p.id < ")
                    .bind(k[1])
                    .push("))");
            }
            Sort::StarsDesc => {
                q.push(" AND (p.stars < ")
                    .bind(k[0])
                    .push(" OR (p.stars = ")
                    .bind(k[0])
                    .push(" AND p.id < ")
                    .bind(k[1])
                    .push("))");
            }
            Sort::Relevance => {
                if relevance {
                    q.push(" AND (");
                    push_relevance(&mut q, &folded);
                    q.push(" < ").bind(k[0]).push(" OR (");
                    push_relevance(&mut q, &folded);
                    q.push(" = ")
                        .bind(k[0])
                        .push(" AND p.id < ")
                        .bind(k[1])
                        .push("))");
                } else {
                    q.push(" AND p.id < ").bind(k[1]);
                }
            }
        }
    }
    q.push(match sort {
        Sort::Newest => " ORDER BY p.id DESC",
        Sort::PriceAsc => " ORDER BY p.min_price ASC, p.id ASC",
        Sort::PriceDesc => " ORDER BY p.min_price DESC, p.id DESC",
        // The product's copy of its certificate's stars: an index walk, not a sort.
        Sort::StarsDesc => " ORDER BY p.stars DESC, p.id DESC",
        Sort::Relevance if relevance => " ORDER BY rel DESC, p.id DESC",
        Sort::Relevance => " ORDER BY p.id DESC",
    });
    q.push(" LIMIT ").bind(limit as i64 + 1);

    let rows = db.query_all_raw(q.build()).await?;
    let has_next = rows.len() as u64 > limit;
    let mut items = Vec::with_capacity(rows.len().min(limit as usize));
    for row in rows.iter().take(limit as usize) {
        let p = product::Model::from_query_result(row, "")?;
        let stars: i32 = row.try_get("", "c_stars")?;
        let keys = match sort {
            Sort::Newest => vec![p.id],
            Sort::PriceAsc | Sort::PriceDesc => vec![p.min_price, p.id],
            Sort::StarsDesc => vec![i64::from(stars), p.id],
            Sort::Relevance if relevance => {
                let rel: i32 = row.try_get("", "rel")?;
                vec![i64::from(rel), p.id]
            }
            Sort::Relevance => vec![1, p.id],
        };
        items.push((Cursor::new(sort.tag(), keys).encode(), p));
    }
    Ok(Page { items, has_next })
}
