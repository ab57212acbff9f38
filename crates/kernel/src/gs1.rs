//! GS1 Digital Link URIs (1.2): `{base}/01/{gtin14}/10/{lot}?17={YYMMDD}`.

use chrono::NaiveDate;

/// Characters GS1 Digital Link leaves unescaped in a path segment (RFC 3986 unreserved).
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes a lot number (AI 10) for a URI path segment.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a percent-encoded segment; `None` when malformed or not UTF-8.
pub fn decode_segment(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Digital Link URI of a lot of a GTIN, with the expiry (AI 17) when there is one.
pub fn digital_link(base: &str, gtin14: &str, lot: &str, expires_on: Option<NaiveDate>) -> String {
    let mut uri = format!(
        "{}/01/{gtin14}/10/{}",
        base.trim_end_matches('/'),
        encode_segment(lot)
    );
    if let Some(d) = expires_on {
        uri.push_str(&format!("?17={}", d.format("%y%m%d")));
    }
    uri
}

/// What a Digital Link names: the GTIN (as GTIN-14) and the lot (AI 10), decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub gtin14: String,
    pub lot: String,
}

/// Parses the path of a GS1 Digital Link URI: `/01/{gtin}/10/{lot}` followed by any other
/// key qualifiers (`/21/{serial}`, …), which are ignored, as is the query string. The GTIN may
/// be given as GTIN-8, -12, -13 or -14; its check digit must hold.
pub fn parse_path(path: &str) -> Option<LinkTarget> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut parts = path.trim_start_matches('/').split('/');
    if parts.next()? != "01" {
        return None;
    }
    let gtin = crate::domain::Gtin::parse(parts.next()?).ok()?;
    if parts.next()? != "10" {
        return None;
    }
    let lot = decode_segment(parts.next()?)?;
    if lot.is_empty() {
        return None;
    }
    Some(LinkTarget {
        gtin14: gtin.as_gtin14().to_owned(),
        lot,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn builds_the_uri_gs1_shows() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        assert_eq!(
            digital_link(
                "https://cho-ocop.vn/",
                "08934588012112",
                "L2026/11 A",
                Some(d)
            ),
            "https://cho-ocop.vn/01/08934588012112/10/L2026%2F11%20A?17=270331"
        );
        assert_eq!(
            digital_link("https://x.vn", "08934588012112", "ABC-1", None),
            "https://x.vn/01/08934588012112/10/ABC-1"
        );
    }

    #[test]
    fn parses_paths_with_short_gtins_extra_ais_and_queries() {
        let t = parse_path("/01/8934588012112/10/L%2F7/21/998?17=270331").unwrap();
        assert_eq!(
            t,
            LinkTarget {
                gtin14: "08934588012112".into(),
                lot: "L/7".into()
            }
        );
        assert!(
            parse_path("/01/8934588012113/10/L1").is_none(),
            "wrong check digit"
        );
        assert!(parse_path("/01/08934588012112/21/L1").is_none(), "no lot");
        assert!(parse_path("/02/08934588012112/10/L1").is_none());
    }

    proptest! {
        #[test]
        fn built_links_parse_back(body in proptest::collection::vec(0u32..10, 13), lot in "[A-Za-z0-9/._ -]{1,20}") {
            let check = crate::domain::gtin_check_digit(&body);
            let gtin14: String = body.iter().chain(std::iter::once(&check)).map(|d| char::from_digit(*d, 10).unwrap()).collect();
            let uri = digital_link("https://cho-ocop.vn", &gtin14, &lot, NaiveDate::from_ymd_opt(2027, 1, 2));
            let path = uri.strip_prefix("https://cho-ocop.vn").unwrap();
            prop_assert_eq!(parse_path(path), Some(LinkTarget { gtin14, lot }));
        }

        #[test]
        fn lot_numbers_round_trip(lot in "\\PC{1,20}") {
            let enc = encode_segment(&lot);
            prop_assert!(!enc.contains('/') && !enc.contains('?') && !enc.contains(' '));
            prop_assert_eq!(decode_segment(&enc), Some(lot));
        }
    }
}
