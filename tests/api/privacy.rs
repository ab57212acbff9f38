//! What the public may see, and what only a producer's members and ADMIN may: a DRAFT
//! product's lots, an unreviewed or rejected certificate, why a product is unlisted, a
//! reviewer's note, a household business's tax code (its owner's personal ID number), a phone
//! number the producer did not choose to show. EPCIS cannot be walked by guessing lot numbers.

use serde_json::{Value, json};

use crate::builders::Gid;
use crate::docs;
use crate::harness::TestApp;

const TRACE: &str = "query($c: String!) { trace(code: $c) { lot { lotNumber } product { name } } }";

async fn traced(app: &TestApp, token: Option<&str>, code: &str) -> Value {
    app.data(token, TRACE, json!({ "c": code })).await["trace"].clone()
}

#[tokio::test]
async fn a_draft_products_lot_is_traced_only_by_its_members_until_published() {
    let app = TestApp::spawn().await;
    let seller = app.seller().stars(4).build().await;
    let (product, variant) = seller.draft(&app, "Nước mắm nhĩ", 150_000).await;
    let (_, code) = app.stock(&seller.owner, variant, 10).await;
    assert_eq!(traced(&app, None, &code).await, Value::Null);
    let stranger = app.buyer("la@test.vn").await;
    assert_eq!(traced(&app, Some(&stranger), &code).await, Value::Null);
    assert_eq!(
        traced(&app, Some(&seller.owner), &code).await["product"]["name"],
        "Nước mắm nhĩ"
    );
    assert!(traced(&app, Some(&seller.admin), &code).await["lot"]["lotNumber"].is_string());
    // The page says what it says of an unknown code.
    assert_eq!(app.get(&format!("/t/{code}")).await.status(), 404);

    app.publish(&seller.owner, &product.gid()).await;
    assert_eq!(
        traced(&app, None, &code).await["product"]["name"],
        "Nước mắm nhĩ"
    );
    assert_eq!(app.get(&format!("/t/{code}")).await.status(), 200);
    // Unlisted later, its jars are still in kitchens: they still trace.
    app.data(
        Some(&seller.owner),
        docs::PRODUCT_UNPUBLISH,
        json!({ "id": product.gid() }),
    )
    .await;
    assert_eq!(
        traced(&app, None, &code).await["product"]["name"],
        "Nước mắm nhĩ"
    );
}

#[tokio::test]
async fn a_rejected_certificates_products_and_notes_stay_private() {
    let app = TestApp::spawn().await;
    let seller = app.seller().stars(4).unapproved().build().await;
    let (product, variant) = seller.draft(&app, "Mật ong", 200_000).await;
    let (_, code) = app.stock(&seller.owner, variant, 10).await;
    let d = app
        .data(
            Some(&seller.admin),
            "mutation($id: ID!, $n: String) { ocopCertificateReview(id: $id, approve: false, note: $n) { certificate { status } } }",
            json!({ "id": seller.cert.gid(), "n": "Hồ sơ thiếu phiếu kiểm nghiệm" }),
        )
        .await;
    assert_eq!(
        d["ocopCertificateReview"]["certificate"]["status"],
        "REJECTED"
    );
    assert_eq!(traced(&app, None, &code).await, Value::Null);
    let q = "query($id: ID!) { node(id: $id) { ... on Product { listed unlistedReasons { code } certificate { reviewNote } } } }";
    let mine = app
        .data(Some(&seller.owner), q, json!({ "id": product.gid() }))
        .await;
    assert_eq!(mine["node"]["listed"], false);
    assert!(
        !mine["node"]["unlistedReasons"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        mine["node"]["certificate"]["reviewNote"],
        "Hồ sơ thiếu phiếu kiểm nghiệm"
    );
    // The public gets nothing of it: the product is not public, nor its reasons or note.
    let anon = app.data(None, q, json!({ "id": product.gid() })).await;
    assert_eq!(anon["node"], Value::Null, "{anon}");
}

#[tokio::test]
async fn the_public_sees_a_reasons_and_notes_free_certificate_and_no_private_numbers() {
    let app = TestApp::spawn().await;
    let owner = app.buyer("ho@test.vn").await;
    let admin = app.admin().await;
    let mk = |kind: &str, public: bool| {
        json!({ "i": { "name": format!("Cơ sở {kind}"), "kind": kind, "taxCode": "8012345678",
                       "provinceCode": "40", "address": "Xóm 2", "phone": "0912345678", "phonePublic": public } })
    };
    let mut ids = Vec::new();
    for (kind, public) in [("HOUSEHOLD_BUSINESS", false), ("COOPERATIVE", true)] {
        let d = app
            .data(Some(&owner), docs::PRODUCER_CREATE, mk(kind, public))
            .await;
        let id = d["producerCreate"]["producer"]["id"].clone();
        app.data(Some(&admin), docs::PRODUCER_VERIFY, json!({ "id": id }))
            .await;
        ids.push(id);
    }
    let q = "query($id: ID!) { producer(id: $id) { taxCode phone phonePublic } }";
    let household = app.data(None, q, json!({ "id": ids[0] })).await;
    assert_eq!(
        household["producer"],
        json!({ "taxCode": null, "phone": null, "phonePublic": false })
    );
    let coop = app.data(None, q, json!({ "id": ids[1] })).await;
    assert_eq!(
        coop["producer"],
        json!({ "taxCode": "8012345678", "phone": "0912345678", "phonePublic": true })
    );
    // Its members see everything.
    let mine = app.data(Some(&owner), q, json!({ "id": ids[0] })).await;
    assert_eq!(mine["producer"]["taxCode"], "8012345678");
    assert_eq!(mine["producer"]["phone"], "0912345678");

    // A revoked certificate is public (buyers may check it), but not the reviewer's note.
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    app.data(
        Some(&f.admin),
        docs::CERTIFICATE_REVOKE,
        json!({ "c": f.cert.gid(), "r": "Vi phạm chất lượng" }),
    )
    .await;
    let q = "query($id: ID!) { node(id: $id) { ... on OcopCertificate { status reviewNote } } }";
    let public = app.data(None, q, json!({ "id": f.cert.gid() })).await;
    assert_eq!(
        public["node"],
        json!({ "status": "REVOKED", "reviewNote": null })
    );
    let theirs = app
        .data(Some(&f.owner), q, json!({ "id": f.cert.gid() }))
        .await;
    assert_eq!(theirs["node"]["reviewNote"], "Vi phạm chất lượng");
}

#[tokio::test]
async fn epcis_cannot_be_walked_by_guessing_lot_numbers() {
    let app = TestApp::spawn().await;
    let (f, _, code) = app.gtin_lot().await;
    // A bare lot number: refused, saying what to send instead.
    let resp = app.get("/epcis/events?lot=VP%2F2026-11").await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert!(body.to_string().contains("gtin"), "{body}");
    // With its GTIN, or by trace code: the events.
    for q in [
        "/epcis/events?gtin=8934588012112&lot=VP%2F2026-11".to_owned(),
        format!("/epcis/events?lot={code}"),
    ] {
        let d: Value = app.get(&q).await.json().await.unwrap();
        assert!(
            !d["epcisBody"]["eventList"].as_array().unwrap().is_empty(),
            "{q}: {d}"
        );
    }
    // A DRAFT product's lot with a GTIN of its own: nothing, by GTIN or by trace code.
    let (product, _) = f
        .seller("40")
        .draft(&app, "Nước mắm chưa bán", 90_000)
        .await;
    let v = catalog::variants::create(
        &app.db,
        &f.owner.viewer,
        product,
        catalog::variants::VariantFields {
            sku: "DRAFT-1",
            name: "Chai",
            price: 90_000,
            compare_at_price: None,
            gtin: Some("8934588012129"),
            weight_grams: None,
        },
    )
    .await
    .unwrap();
    let (_, draft_code) = app.stock(&f.owner, kernel::id::VariantId(v.id), 5).await;
    for q in [
        "/epcis/events?gtin=8934588012129".to_owned(),
        format!("/epcis/events?lot={draft_code}"),
    ] {
        let d: Value = app.get(&q).await.json().await.unwrap();
        assert_eq!(d["epcisBody"]["eventList"], json!([]), "{q}: {d}");
    }
}
