//! Global IDs: one opaque encoding for every object with an id, `base64url("Type:123")`.
//! Unique across types because the type is inside; decoding checks the type, so an order's ID
//! never names a product.

use async_graphql::ID;
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
    TraceEvent,
    Order,
    SellerOrder,
    OrderLine,
    LiveSession,
    LiveOffer,
    Commission,
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
            Kind::TraceEvent => "TraceEvent",
            Kind::Order => "Order",
            Kind::SellerOrder => "SellerOrder",
            Kind::OrderLine => "OrderLine",
            Kind::LiveSession => "LiveSession",
            Kind::LiveOffer => "LiveOffer",
            Kind::Commission => "Commission",
        }
    }

    const ALL: [Kind; 13] = [
        Kind::User,
        Kind::Producer,
        Kind::OcopCertificate,
        Kind::Product,
        Kind::Variant,
        Kind::Lot,
        Kind::TraceEvent,
        Kind::Order,
        Kind::SellerOrder,
        Kind::OrderLine,
        Kind::LiveSession,
        Kind::LiveOffer,
        Kind::Commission,
    ];
}

/// Encodes a database id as an opaque global ID.
pub fn encode(kind: Kind, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.as_str())))
}

/// Decodes any global ID into its kind and positive database id.
pub fn decode_any(id: &str) -> Option<(Kind, i64)> {
    if id.len() > 100 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(id.as_bytes()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (kind, num) = text.split_once(':')?;
    let n: i64 = num.parse().ok()?;
    let kind = Kind::ALL.into_iter().find(|k| k.as_str() == kind)?;
    (n > 0).then_some((kind, n))
}

/// Decodes a global ID that must be of `kind`.
pub fn decode(kind: Kind, id: &str) -> Option<i64> {
    match decode_any(id) {
        Some((k, n)) if k == kind => Some(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_wrong_kind() {
        for kind in Kind::ALL {
            let id = encode(kind, 42);
            assert_eq!(decode(kind, &id), Some(42));
        }
        let id = encode(Kind::Order, 7);
        assert_eq!(decode(Kind::Product, &id), None);
        assert_eq!(decode_any("not an id"), None);
        assert_eq!(decode_any(&URL_SAFE_NO_PAD.encode("Product:-1")), None);
        assert_eq!(decode_any(&URL_SAFE_NO_PAD.encode("Nope:1")), None);
    }
}
