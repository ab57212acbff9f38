//! Every catalog mutation, tried as each wrong role, is refused and changes nothing.

use serde_json::{Value, json};

use crate::builders::Gid;
use crate::docs;
use crate::harness::TestApp;

fn refusal(v: &Value) -> Option<String> {
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}

#[tokio::test]
async fn every_catalog_mutation_refuses_every_wrong_role() {
    let app = TestApp::spawn().await;
    let f = app
        .listed_product("Nước mắm Cửa Lò", 4, 120_000, "40")
        .await;
    // A member of another producer, a plain buyer, and a STAFF member (not OWNER).
    let other_owner = app.buyer("other@test.vn").await;
    app.producer(&other_owner, "HTX Khác", "01").await;
    let buyer = app.buyer("buyer@test.vn").await;
    let staff = app.buyer("staff@test.vn").await;
    let d = app
        .data(
            Some(&f.owner),
            docs::MEMBER_ADD,
            json!({ "p": f.producer.gid(), "e": "staff@test.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(d["producerMemberAdd"]["userErrors"], json!([]));
    let d = app
        .data(
            Some(&staff),
            docs::INVITATION_ACCEPT,
            json!({ "p": f.producer.gid() }),
        )
        .await;
    assert_eq!(d["producerInvitationAccept"]["userErrors"], json!([]));

    let before_products = app.count("products").await;
    let before_variants = app.count("variants").await;
    let before_certs = app.count("ocop_certificates").await;
    let before_members = app.count("producer_members").await;

    let cert_input = json!({
        "producerId": f.producer.gid(), "productName": "X", "categoryCode": "I.4.a", "stars": 4,
        "decisionNumber": "1/QĐ-UBND", "issuedBy": "UBND", "issuedOn": "2025-01-01"
    });
    let product_input = json!({
        "producerId": f.producer.gid(), "certificateId": f.cert.gid(), "name": "Hàng giả",
        "description": "x", "origin": { "provinceCode": "40" }
    });
    let variant_input = json!({ "sku": "HACK-1", "name": "x", "price": 1 });
    // (mutation, variables, roles that must be refused)
    let anon: Option<&str> = None;
    let cases: Vec<(&str, Value, Vec<Option<&str>>)> = vec![
        (
            docs::PRODUCER_CREATE,
            json!({ "i": { "name": "HTX", "kind": "COOPERATIVE", "provinceCode": "01", "address": "x" } }),
            vec![anon],
        ),
        (
            docs::MEMBER_ADD,
            json!({ "p": f.producer.gid(), "e": "buyer@test.vn", "r": "OWNER" }),
            vec![anon, Some(&buyer), Some(&other_owner), Some(&staff)],
        ),
        (
            docs::PRODUCER_VERIFY,
            json!({ "id": f.producer.gid() }),
            vec![anon, Some(&buyer), Some(&f.owner), Some(&staff)],
        ),
        (
            docs::CERTIFICATE_SUBMIT,
            json!({ "i": cert_input }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            docs::CERTIFICATE_REVIEW,
            json!({ "id": f.cert.gid(), "approve": false }),
            vec![anon, Some(&buyer), Some(&f.owner), Some(&staff)],
        ),
        (
            docs::CERTIFICATE_REVOKE,
            json!({ "c": f.cert.gid(), "r": "x" }),
            vec![anon, Some(&buyer), Some(&f.owner), Some(&staff)],
        ),
        (
            docs::PRODUCT_CREATE,
            json!({ "i": product_input }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            docs::PRODUCT_UPDATE,
            json!({ "id": f.product.gid(), "i": { "name": "Bị sửa" } }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            docs::PRODUCT_UNPUBLISH,
            json!({ "id": f.product.gid() }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            docs::PRODUCT_PUBLISH,
            json!({ "id": f.product.gid() }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            docs::VARIANT_CREATE,
            json!({ "p": f.product.gid(), "i": variant_input }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            "mutation($v: ID!, $i: VariantInput!) { variantUpdate(id: $v, input: $i) { userErrors { code } } }",
            json!({ "v": f.variant.gid(), "i": variant_input }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
    ];
    for (query, vars, roles) in &cases {
        for role in roles {
            let v = app.gql(*role, query, vars.clone()).await;
            let code = refusal(&v);
            let expected = if role.is_none() {
                "UNAUTHENTICATED"
            } else {
                "FORBIDDEN"
            };
            assert_eq!(code.as_deref(), Some(expected), "{query} as {role:?}: {v}");
            assert!(
                v["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("quyền")
                    || role.is_none()
            );
        }
    }
    assert_eq!(app.count("products").await, before_products);
    assert_eq!(app.count("variants").await, before_variants);
    assert_eq!(app.count("ocop_certificates").await, before_certs);
    assert_eq!(app.count("producer_members").await, before_members);
    let d = app
        .data(None, "query($id: ID!) { product(id: $id) { name status variants { sku price { amount } } certificate { status } } }", json!({ "id": f.product.gid() }))
        .await;
    assert_eq!(d["product"]["name"], "Nước mắm Cửa Lò");
    assert_eq!(d["product"]["status"], "PUBLISHED");
    assert_eq!(d["product"]["certificate"]["status"], "VERIFIED");
    assert_eq!(d["product"]["variants"][0]["price"]["amount"], 120_000);

    // The STAFF member may manage the producer's products, which the wrong roles could not.
    let d = app
        .data(
            Some(&staff),
            docs::PRODUCT_UPDATE,
            json!({ "id": f.product.gid(), "i": { "name": "Nước mắm Cửa Lò loại 1" } }),
        )
        .await;
    assert_eq!(
        d["productUpdate"]["product"]["name"],
        "Nước mắm Cửa Lò loại 1"
    );
}
