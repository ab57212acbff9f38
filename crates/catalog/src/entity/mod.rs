//! The catalog's tables as sea-orm entities. Never exposed through GraphQL directly.

pub mod category;
pub mod certificate;
pub mod columns;
pub mod image;
pub mod invitation;
pub mod lot;
pub mod member;
pub mod producer;
pub mod product;
pub mod variant;

pub use certificate::CertificateStatus;
pub use columns::Columns;
pub use member::MemberRole;
pub use producer::ProducerKind;
pub use product::ProductStatus;
