//! Parsed value types: each has a private field and a constructor that can fail, so services
//! never see raw strings. Errors are [`Problem`]s; `api::messages` words them.

use std::fmt;

use crate::problem::{Label, Problem};

/// A GS1 GTIN stored as GTIN-14 (GTIN-8/12/13 padded with leading zeros), check digit verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Gtin(String);

impl Gtin {
    pub fn parse(s: &str) -> Result<Gtin, Problem> {
        let s = s.trim();
        if !matches!(s.len(), 8 | 12 | 13 | 14) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Problem::GtinLength);
        }
        let padded = format!("{s:0>14}");
        let digits: Vec<u32> = padded.bytes().map(|b| u32::from(b - b'0')).collect();
        if gtin_check_digit(&digits[..13]) != digits[13] {
            return Err(Problem::GtinCheckDigit);
        }
        Ok(Gtin(padded))
    }

    /// The 14-digit form used in GS1 Digital Link URIs.
    pub fn as_gtin14(&self) -> &str {
        &self.0
    }

    /// The shortest standard form: GTIN-13 for EAN packs (a leading `0` dropped), else GTIN-14.
    pub fn display(&self) -> &str {
        self.0.strip_prefix('0').unwrap_or(&self.0)
    }
}

/// The GS1 mod-10 check digit of the digits before it (weights 3,1,3,… from the right).
pub fn gtin_check_digit(body: &[u32]) -> u32 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10
}

/// OCOP stars, 1 to 5. Only 3 to 5 may be listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stars(u8);

impl Stars {
    pub fn new(n: i32) -> Result<Stars, Problem> {
        if (1..=5).contains(&n) {
            Ok(Stars(n as u8))
        } else {
            Err(Problem::StarsRange)
        }
    }
    pub fn get(self) -> i32 {
        i32::from(self.0)
    }
    /// The star band a score out of 100 falls in (Decision 148/QĐ-TTg).
    pub fn band_of_score(score: i32) -> Stars {
        Stars(match score {
            90.. => 5,
            70..=89 => 4,
            50..=69 => 3,
            30..=49 => 2,
            _ => 1,
        })
    }
}

/// A score out of 100 that matches its stars' band.
pub fn check_score(stars: Stars, score: i32) -> Result<i32, Problem> {
    if !(0..=100).contains(&score) {
        return Err(Problem::ScoreRange);
    }
    let band = Stars::band_of_score(score);
    if band != stars {
        return Err(Problem::ScoreOutOfBand {
            score,
            band: band.get(),
            stars: stars.get(),
        });
    }
    Ok(score)
}

/// A stock keeping unit: 1–64 characters of letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku(String);

impl Sku {
    pub fn parse(s: &str) -> Result<Sku, Problem> {
        let s = s.trim();
        if s.is_empty() || s.len() > 64 {
            return Err(Problem::SkuLength);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(Problem::SkuCharacters);
        }
        Ok(Sku(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email, Problem> {
        let s = s.trim().to_lowercase();
        let ok = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            })
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Email(s))
        } else {
            Err(Problem::Email)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Vietnamese phone number, normalised to the domestic form `0…`: mobile (10 digits, 03/05/07/
/// 08/09) or landline (11 digits, 02…). `+84` and `84` prefixes, spaces, dots and dashes are
/// accepted on input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneVn(String);

impl PhoneVn {
    pub fn parse(s: &str) -> Result<PhoneVn, Problem> {
        let compact: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        let national = if let Some(rest) = compact.strip_prefix("+84") {
            format!("0{rest}")
        } else if compact.len() == 11 && compact.starts_with("84") && !compact.starts_with("840") {
            format!("0{}", &compact[2..])
        } else {
            compact
        };
        let digits_ok = national.bytes().all(|b| b.is_ascii_digit());
        let mobile = national.len() == 10
            && ["03", "05", "07", "08", "09"]
                .iter()
                .any(|p| national.starts_with(p));
        let landline = national.len() == 11 && national.starts_with("02");
        if digits_ok && (mobile || landline) {
            Ok(PhoneVn(national))
        } else {
            Err(Problem::Phone)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Vietnamese tax code (mã số thuế): 10 digits, 10 digits and a 3-digit branch suffix, or the
/// 12-digit personal ID that household businesses use since 2025.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxCode(String);

impl TaxCode {
    pub fn parse(s: &str) -> Result<TaxCode, Problem> {
        let s = s.trim();
        let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        let ok = match s.split_once('-') {
            None => (s.len() == 10 || s.len() == 12) && digits(s),
            Some((a, b)) => a.len() == 10 && b.len() == 3 && digits(a) && digits(b),
        };
        if ok {
            Ok(TaxCode(s.to_owned()))
        } else {
            Err(Problem::TaxCode)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A price in whole đồng: positive and at most one trillion.
pub fn price(amount: i64) -> Result<i64, Problem> {
    if amount <= 0 {
        Err(Problem::PriceNotPositive)
    } else if amount > 1_000_000_000_000 {
        Err(Problem::PriceTooHigh)
    } else {
        Ok(amount)
    }
}

/// Trimmed text of 1..=`max` characters, without control characters other than newlines.
pub fn text(s: &str, max: usize, what: Label) -> Result<String, Problem> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Problem::Required(what));
    }
    if t.chars().count() > max {
        return Err(Problem::TooLong(what, max));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Problem::BadCharacters(what));
    }
    Ok(t.to_owned())
}

/// Like [`text`] but an empty or missing value is `None`.
pub fn optional_text(s: Option<&str>, max: usize, what: Label) -> Result<Option<String>, Problem> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => text(t, max, what).map(Some),
    }
}

/// An http(s) URL of at most 2,000 characters.
pub fn url(s: &str) -> Result<String, Problem> {
    let t = s.trim();
    let ok = (t.starts_with("https://") || t.starts_with("http://") || t.starts_with('/'))
        && t.len() <= 2000
        && !t
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<');
    if ok {
        Ok(t.to_owned())
    } else {
        Err(Problem::Url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gtin_accepts_real_codes_and_rejects_bad_check_digits() {
        let g = Gtin::parse("8934588012112").unwrap();
        assert_eq!(g.as_gtin14(), "08934588012112");
        assert_eq!(g.display(), "8934588012112");
        assert!(Gtin::parse("8934588012113").is_err());
        assert!(Gtin::parse("89345880121").is_err());
        assert!(Gtin::parse("893458801211x").is_err());
        assert!(Gtin::parse("96385074").is_ok()); // a GTIN-8
    }

    proptest! {
        #[test]
        fn any_body_with_its_check_digit_is_a_gtin(body in proptest::collection::vec(0u32..10, 12)) {
            let check = gtin_check_digit(&body);
            let s: String = body.iter().chain(std::iter::once(&check)).map(|d| char::from_digit(*d, 10).unwrap()).collect();
            prop_assert!(Gtin::parse(&s).is_ok());
            // Changing the last digit always breaks it.
            let wrong = (check + 1) % 10;
            let bad: String = body.iter().chain(std::iter::once(&wrong)).map(|d| char::from_digit(*d, 10).unwrap()).collect();
            prop_assert!(Gtin::parse(&bad).is_err());
        }
    }

    #[test]
    fn stars_and_score_bands() {
        assert!(Stars::new(7).is_err());
        assert!(Stars::new(0).is_err());
        let four = Stars::new(4).unwrap();
        assert_eq!(check_score(four, 75), Ok(75));
        assert!(check_score(four, 92).is_err());
        assert!(check_score(four, 101).is_err());
        assert_eq!(Stars::band_of_score(50).get(), 3);
        assert_eq!(Stars::band_of_score(49).get(), 2);
    }

    #[test]
    fn vietnamese_phones() {
        assert_eq!(
            PhoneVn::parse("0912 345 678").unwrap().as_str(),
            "0912345678"
        );
        assert_eq!(
            PhoneVn::parse("+84 912-345-678").unwrap().as_str(),
            "0912345678"
        );
        assert_eq!(
            PhoneVn::parse("84912345678").unwrap().as_str(),
            "0912345678"
        );
        assert_eq!(
            PhoneVn::parse("02383 123 456").unwrap().as_str(),
            "02383123456"
        );
        assert!(PhoneVn::parse("+1 415 555 0100").is_err());
        assert!(PhoneVn::parse("0112345678").is_err());
        assert!(PhoneVn::parse("091234567").is_err());
    }

    #[test]
    fn emails_skus_tax_codes() {
        assert_eq!(
            Email::parse(" An@Example.VN ").unwrap().as_str(),
            "an@example.vn"
        );
        assert!(Email::parse("no-at-sign").is_err());
        assert!(Email::parse("a@b").is_err());
        assert!(Sku::parse("NM-PQ-500ml").is_ok());
        assert!(Sku::parse("nước").is_err());
        assert!(TaxCode::parse("2901234567").is_ok());
        assert!(TaxCode::parse("2901234567-001").is_ok());
        assert!(TaxCode::parse("29012").is_err());
        assert!(price(0).is_err());
        assert!(price(-5).is_err());
        assert!(text("", 10, Label::ProductName).is_err());
        assert!(text(&"a".repeat(11), 10, Label::ProductName).is_err());
    }
}
