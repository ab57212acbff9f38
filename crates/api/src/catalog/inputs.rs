//! The catalog's inputs and payloads.

use async_graphql::{ID, InputObject, SimpleObject};

use crate::catalog::objects::{OcopCertificate, Producer, ProducerKind};
use crate::catalog::product::{Product, Variant};
use crate::context::{GqlResult, outcome};
use crate::errors::UserError;
use crate::scalars::Date;

#[derive(InputObject)]
pub struct ProducerInput {
    pub name: String,
    pub kind: ProducerKind,
    pub tax_code: Option<String>,
    pub province_code: String,
    pub commune_code: Option<String>,
    pub address: String,
    pub phone: Option<String>,
    /// Show the phone number to the public (default: members and ADMIN only).
    pub phone_public: Option<bool>,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct OcopCertificateInput {
    pub producer_id: ID,
    pub product_name: String,
    pub category_code: String,
    pub stars: i32,
    pub score: Option<i32>,
    pub decision_number: String,
    pub issued_by: String,
    pub issued_on: Date,
    pub document_url: Option<String>,
}

#[derive(InputObject)]
pub struct OriginInput {
    pub province_code: String,
    pub commune_code: Option<String>,
    pub place: Option<String>,
}

impl OriginInput {
    pub fn fields(&self) -> catalog::products::Origin<'_> {
        catalog::products::Origin {
            province_code: &self.province_code,
            commune_code: self.commune_code.as_deref(),
            place: self.place.as_deref(),
        }
    }
}

#[derive(InputObject)]
pub struct ProductInput {
    pub producer_id: ID,
    pub certificate_id: ID,
    pub name: String,
    pub description: String,
    /// The certificate's category (the default); another one is refused.
    pub category_code: Option<String>,
    pub origin: OriginInput,
    pub images: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct ProductUpdateInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub certificate_id: Option<ID>,
    pub origin: Option<OriginInput>,
    pub images: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct VariantInput {
    pub sku: String,
    pub name: String,
    /// Whole đồng, positive.
    pub price: i64,
    pub compare_at_price: Option<i64>,
    /// GTIN-8/12/13/14; the check digit is verified.
    pub gtin: Option<String>,
    pub weight_grams: Option<i32>,
}

impl VariantInput {
    pub fn fields(&self) -> catalog::variants::VariantFields<'_> {
        catalog::variants::VariantFields {
            sku: &self.sku,
            name: &self.name,
            price: self.price,
            compare_at_price: self.compare_at_price,
            gtin: self.gtin.as_deref(),
            weight_grams: self.weight_grams,
        }
    }
}

/// A partial variant update. `variantUpdate` takes a whole `VariantInput` as API.md fixes it;
/// this type is kept in the schema for clients generated from the contract.
#[derive(InputObject)]
pub struct VariantUpdateInput {
    pub name: Option<String>,
    pub price: Option<i64>,
    pub compare_at_price: Option<i64>,
    pub gtin: Option<String>,
    pub weight_grams: Option<i32>,
}

#[derive(SimpleObject)]
pub struct ProducerPayload {
    pub producer: Option<Producer>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct OcopCertificatePayload {
    pub certificate: Option<OcopCertificate>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct ProductPayload {
    pub product: Option<Product>,
    pub user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
pub struct VariantPayload {
    pub variant: Option<Variant>,
    pub user_errors: Vec<UserError>,
}

pub fn producer_payload(
    r: kernel::Result<catalog::entity::producer::Model>,
) -> GqlResult<ProducerPayload> {
    let (p, user_errors) = outcome(r)?;
    Ok(ProducerPayload {
        producer: p.map(Producer),
        user_errors,
    })
}

pub fn certificate_payload(
    r: kernel::Result<catalog::entity::certificate::Model>,
) -> GqlResult<OcopCertificatePayload> {
    let (c, user_errors) = outcome(r)?;
    Ok(OcopCertificatePayload {
        certificate: c.map(OcopCertificate),
        user_errors,
    })
}

pub fn product_payload(
    r: kernel::Result<catalog::entity::product::Model>,
) -> GqlResult<ProductPayload> {
    let (p, user_errors) = outcome(r)?;
    Ok(ProductPayload {
        product: p.map(Product),
        user_errors,
    })
}

pub fn variant_payload(
    r: kernel::Result<catalog::entity::variant::Model>,
) -> GqlResult<VariantPayload> {
    let (v, user_errors) = outcome(r)?;
    Ok(VariantPayload {
        variant: v.map(Variant),
        user_errors,
    })
}
