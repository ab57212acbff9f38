//! The listing rule: which products the public sees. A product is listed while it is
//! PUBLISHED, its producer is verified, and its certificate is VERIFIED, has 3 stars or more and
//! is not past `valid_until` (judged in Asia/Ho_Chi_Minh). [`issues`] says why a product is not
//! (for `productPublish` and the seller's view); [`push_listed`] writes the same rule in SQL.

use chrono::NaiveDate;
use kernel::problem::Problem;
use kernel::sql::Sql;
use kernel::{ErrorCode, UserError};

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
    push_rule_but_the_day(q, "p");
    q.push(" AND c.valid_until >= ").bind(today);
}

/// The listing rule for `product`, `ocop_certificates c` and `producers pr`, all but the day.
pub(super) fn push_rule_but_the_day(q: &mut Sql, product: &str) {
    q.push(" ")
        .push(product)
        .push(".status = ")
        .bind(ProductStatus::Published.as_str())
        .push(" AND c.status = ")
        .bind(CertificateStatus::Verified.as_str())
        .push(" AND c.stars >= ")
        .bind(MIN_LISTED_STARS)
        .push(" AND pr.verified = ")
        .bind(true);
}
