//! The catalog's mutations. Caches are told of a change only after it succeeded.

use async_graphql::{Context, ID, Object};
use kernel::id::{CertificateId, ProducerId, ProductId, VariantId};

use crate::catalog::inputs::*;
use crate::catalog::product::Product;
use crate::context::{GqlResult, catalog_changed, db, decode_arg, units, viewer};
use crate::errors;
use crate::ids::Kind;

#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Creates a producer; the caller becomes its OWNER.
    async fn producer_create(
        &self,
        ctx: &Context<'_>,
        input: ProducerInput,
    ) -> GqlResult<ProducerPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let new = catalog::producers::NewProducer::parse(
                units(ctx),
                catalog::producers::ProducerFields {
                    name: &input.name,
                    kind: input.kind.into(),
                    tax_code: input.tax_code.as_deref(),
                    province_code: &input.province_code,
                    commune_code: input.commune_code.as_deref(),
                    address: &input.address,
                    phone: input.phone.as_deref(),
                    phone_public: input.phone_public.unwrap_or(false),
                    description: input.description.as_deref(),
                },
            )?;
            catalog::producers::create(db(ctx), units(ctx), viewer(ctx), new).await
        }
        .await;
        producer_payload(r)
    }

    /// The producer's OWNER (or ADMIN) invites an e-mail address as OWNER or STAFF; the person
    /// joins with `producerInvitationAccept`. The answer does not tell whether the address has
    /// an account. At most 20 invitations per person per hour.
    async fn producer_member_add(
        &self,
        ctx: &Context<'_>,
        producer_id: ID,
        email: String,
        role: String,
    ) -> GqlResult<ProducerPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let pid = ProducerId(decode_arg(Kind::Producer, &producer_id, &["producerId"])?);
            catalog::producers::add_member(db(ctx), viewer(ctx), pid, &email, role.trim()).await
        }
        .await;
        producer_payload(r)
    }

    /// The invited person, signed in with the invited address, joins the producer.
    async fn producer_invitation_accept(
        &self,
        ctx: &Context<'_>,
        producer_id: ID,
    ) -> GqlResult<ProducerPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let pid = ProducerId(decode_arg(Kind::Producer, &producer_id, &["producerId"])?);
            catalog::producers::accept_invitation(db(ctx), viewer(ctx), pid).await
        }
        .await;
        producer_payload(r)
    }

    /// ADMIN verifies a producer.
    async fn producer_verify(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ProducerPayload> {
        viewer(ctx).require_admin().map_err(errors::top)?;
        let r = async {
            let pid = ProducerId(decode_arg(Kind::Producer, &id, &["id"])?);
            catalog::producers::verify(db(ctx), viewer(ctx), pid).await
        }
        .await;
        if r.is_ok() {
            catalog_changed(ctx);
        }
        producer_payload(r)
    }

    /// A producer's member submits a certificate for review.
    async fn ocop_certificate_submit(
        &self,
        ctx: &Context<'_>,
        input: OcopCertificateInput,
    ) -> GqlResult<OcopCertificatePayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let pid = ProducerId(decode_arg(
                Kind::Producer,
                &input.producer_id,
                &["input", "producerId"],
            )?);
            catalog::certificates::submit(
                db(ctx),
                viewer(ctx),
                catalog::certificates::CertificateFields {
                    producer_id: pid,
                    product_name: &input.product_name,
                    category_code: input.category_code.trim(),
                    stars: input.stars,
                    score: input.score,
                    decision_number: &input.decision_number,
                    issued_by: &input.issued_by,
                    issued_on: input.issued_on.0,
                    document_url: input.document_url.as_deref(),
                },
            )
            .await
        }
        .await;
        certificate_payload(r)
    }

    /// ADMIN approves or rejects a submitted certificate.
    async fn ocop_certificate_review(
        &self,
        ctx: &Context<'_>,
        id: ID,
        approve: bool,
        note: Option<String>,
    ) -> GqlResult<OcopCertificatePayload> {
        viewer(ctx).require_admin().map_err(errors::top)?;
        let r = async {
            let cid = CertificateId(decode_arg(Kind::OcopCertificate, &id, &["id"])?);
            catalog::certificates::review(db(ctx), viewer(ctx), cid, approve, note.as_deref()).await
        }
        .await;
        if r.is_ok() {
            catalog_changed(ctx);
        }
        certificate_payload(r)
    }

    /// ADMIN revokes a certificate: its products leave the listing at once.
    async fn ocop_certificate_revoke(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> GqlResult<OcopCertificatePayload> {
        viewer(ctx).require_admin().map_err(errors::top)?;
        let r = async {
            let cid = CertificateId(decode_arg(Kind::OcopCertificate, &id, &["id"])?);
            catalog::certificates::revoke(db(ctx), viewer(ctx), cid, &reason).await
        }
        .await;
        if r.is_ok() {
            catalog_changed(ctx);
        }
        certificate_payload(r)
    }

    /// Creates a DRAFT product.
    async fn product_create(
        &self,
        ctx: &Context<'_>,
        input: ProductInput,
    ) -> GqlResult<ProductPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let producer_id = ProducerId(decode_arg(
                Kind::Producer,
                &input.producer_id,
                &["input", "producerId"],
            )?);
            let certificate_id = CertificateId(decode_arg(
                Kind::OcopCertificate,
                &input.certificate_id,
                &["input", "certificateId"],
            )?);
            catalog::products::create(
                db(ctx),
                units(ctx),
                viewer(ctx),
                catalog::products::ProductFields {
                    producer_id,
                    certificate_id,
                    name: &input.name,
                    description: &input.description,
                    category_code: input.category_code.as_deref(),
                    origin: input.origin.fields(),
                    images: input.images.as_deref(),
                },
            )
            .await
        }
        .await;
        product_payload(r)
    }

    async fn product_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ProductUpdateInput,
    ) -> GqlResult<ProductPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let pid = ProductId(decode_arg(Kind::Product, &id, &["id"])?);
            let certificate_id = match &input.certificate_id {
                Some(c) => Some(CertificateId(decode_arg(
                    Kind::OcopCertificate,
                    c,
                    &["input", "certificateId"],
                )?)),
                None => None,
            };
            catalog::products::update(
                db(ctx),
                units(ctx),
                viewer(ctx),
                pid,
                catalog::products::ProductChanges {
                    name: input.name.as_deref(),
                    description: input.description.as_deref(),
                    certificate_id,
                    origin: input.origin.as_ref().map(OriginInput::fields),
                    images: input.images.as_deref(),
                },
            )
            .await
        }
        .await;
        if r.is_ok() {
            catalog_changed(ctx);
        }
        product_payload(r)
    }

    /// Publishes a product when the listing rule holds; otherwise every reason it does not.
    async fn product_publish(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ProductPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let pid = ProductId(decode_arg(Kind::Product, &id, &["id"])?);
            catalog::products::publish(db(ctx), viewer(ctx), pid).await
        }
        .await;
        if matches!(r, Ok(Ok(_))) {
            catalog_changed(ctx);
        }
        match r {
            Ok(Ok(p)) => Ok(ProductPayload {
                product: Some(Product(p)),
                user_errors: vec![],
            }),
            Ok(Err(issues)) => Ok(ProductPayload {
                product: None,
                user_errors: issues.into_iter().map(Into::into).collect(),
            }),
            Err(e) => product_payload(Err(e)),
        }
    }

    async fn product_unpublish(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ProductPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let pid = ProductId(decode_arg(Kind::Product, &id, &["id"])?);
            catalog::products::unpublish(db(ctx), viewer(ctx), pid).await
        }
        .await;
        if r.is_ok() {
            catalog_changed(ctx);
        }
        product_payload(r)
    }

    async fn variant_create(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        input: VariantInput,
    ) -> GqlResult<VariantPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let pid = ProductId(decode_arg(Kind::Product, &product_id, &["productId"])?);
            catalog::variants::create(db(ctx), viewer(ctx), pid, input.fields()).await
        }
        .await;
        if r.is_ok() {
            catalog_changed(ctx);
        }
        variant_payload(r)
    }

    async fn variant_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: VariantInput,
    ) -> GqlResult<VariantPayload> {
        viewer(ctx).require_user().map_err(errors::top)?;
        let r = async {
            let vid = VariantId(decode_arg(Kind::Variant, &id, &["id"])?);
            catalog::variants::update(db(ctx), viewer(ctx), vid, input.fields()).await
        }
        .await;
        if r.is_ok() {
            catalog_changed(ctx);
        }
        variant_payload(r)
    }
}
