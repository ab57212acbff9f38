//! Opaque global IDs: `base64url("Type:123")`. Unique across types because the type is inside.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The object types that have global IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Producer,
    OcopCertificate,
    Product,
    Variant,
    Lot,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Producer => "Producer",
            Kind::OcopCertificate => "OcopCertificate",
            Kind::Product => "Product",
            Kind::Variant => "Variant",
            Kind::Lot => "Lot",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "User" => Kind::User,
            "Producer" => Kind::Producer,
            "OcopCertificate" => Kind::OcopCertificate,
            "Product" => Kind::Product,
            "Variant" => Kind::Variant,
            "Lot" => Kind::Lot,
            _ => return None,
        })
    }
}

/// Encodes a database id as an opaque global ID.
pub fn encode(kind: Kind, id: i64) -> async_graphql::ID {
    async_graphql::ID(encode_raw(kind.as_str(), id))
}

/// The type name and positive database id inside a global ID.
fn parse(id: &str) -> Option<(String, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.as_bytes()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (kind, num) = text.split_once(':')?;
    let n: i64 = num.parse().ok()?;
    (n > 0).then(|| (kind.to_owned(), n))
}

/// Decodes any global ID into its kind and database id.
pub fn decode_any(id: &str) -> Option<(Kind, i64)> {
    let (kind, n) = parse(id)?;
    Some((Kind::parse(&kind)?, n))
}

/// Decodes a global ID that must be of `kind`.
pub fn decode(kind: Kind, id: &str) -> Option<i64> {
    match decode_any(id) {
        Some((k, n)) if k == kind => Some(n),
        _ => None,
    }
}

/// Encodes an id of a type this module does not list (types of later crates).
pub fn encode_raw(kind: &str, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// Decodes an id made by [`encode_raw`] for `kind`.
pub fn decode_raw(kind: &str, id: &str) -> Option<i64> {
    parse(id).and_then(|(k, n)| (k == kind).then_some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_wrong_kind() {
        let id = encode(Kind::Product, 42);
        assert_eq!(decode(Kind::Product, &id), Some(42));
        assert_eq!(decode(Kind::Producer, &id), None);
        assert_eq!(decode_any("not an id"), None);
        assert_eq!(decode_any(&URL_SAFE_NO_PAD.encode("Product:-1")), None);
    }
}
