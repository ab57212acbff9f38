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

    proptest! {
        #[test]
        fn lot_numbers_round_trip(lot in "\\PC{1,20}") {
            let enc = encode_segment(&lot);
            prop_assert!(!enc.contains('/') && !enc.contains('?') && !enc.contains(' '));
            prop_assert_eq!(decode_segment(&enc), Some(lot));
        }
    }
}
