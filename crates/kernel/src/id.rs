//! Typed database ids: a `ProductId` cannot be passed where a `LotId` is wanted. They are the
//! rows' `BIGINT` keys, stored as before; the API layer turns them into opaque global IDs.

use std::fmt;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for sea_orm::Value {
            fn from(id: $name) -> sea_orm::Value {
                id.0.into()
            }
        }
    )*};
}

ids!(
    UserId,
    ProducerId,
    CertificateId,
    ProductId,
    VariantId,
    LotId,
    TraceEventId,
    OrderId,
    SellerOrderId,
    OrderLineId,
);
