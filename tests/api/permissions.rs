//! Every catalog mutation, tried as each wrong role, is refused and changes nothing.

use serde_json::{Value, json};

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
            "mutation($p: ID!) { producerMemberAdd(producerId: $p, email: \"staff@test.vn\", role: \"STAFF\") { userErrors { code } } }",
            json!({ "p": f.producer }),
        )
        .await;
    assert_eq!(d["producerMemberAdd"]["userErrors"], json!([]));

    let before_products = app.count("products").await;
    let before_variants = app.count("variants").await;
    let before_certs = app.count("ocop_certificates").await;
    let before_members = app.count("producer_members").await;

    let cert_input = json!({
        "producerId": f.producer, "productName": "X", "categoryCode": "I.4.a", "stars": 4,
        "decisionNumber": "1/QĐ-UBND", "issuedBy": "UBND", "issuedOn": "2025-01-01"
    });
    let product_input = json!({
        "producerId": f.producer, "certificateId": f.cert, "name": "Hàng giả",
        "description": "x", "origin": { "provinceCode": "40" }
    });
    let variant_input = json!({ "sku": "HACK-1", "name": "x", "price": 1 });
    // (mutation, variables, roles that must be refused)
    let anon: Option<&str> = None;
    let cases: Vec<(&str, Value, Vec<Option<&str>>)> = vec![
        (
            "mutation($i: ProducerInput!) { producerCreate(input: $i) { userErrors { code } } }",
            json!({ "i": { "name": "HTX", "kind": "COOPERATIVE", "provinceCode": "01", "address": "x" } }),
            vec![anon],
        ),
        (
            "mutation($p: ID!) { producerMemberAdd(producerId: $p, email: \"buyer@test.vn\", role: \"OWNER\") { userErrors { code } } }",
            json!({ "p": f.producer }),
            vec![anon, Some(&buyer), Some(&other_owner), Some(&staff)],
        ),
        (
            "mutation($p: ID!) { producerVerify(id: $p) { userErrors { code } } }",
            json!({ "p": f.producer }),
            vec![anon, Some(&buyer), Some(&f.owner), Some(&staff)],
        ),
        (
            "mutation($i: OcopCertificateInput!) { ocopCertificateSubmit(input: $i) { userErrors { code } } }",
            json!({ "i": cert_input }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            "mutation($c: ID!) { ocopCertificateReview(id: $c, approve: false) { userErrors { code } } }",
            json!({ "c": f.cert }),
            vec![anon, Some(&buyer), Some(&f.owner), Some(&staff)],
        ),
        (
            "mutation($c: ID!) { ocopCertificateRevoke(id: $c, reason: \"x\") { userErrors { code } } }",
            json!({ "c": f.cert }),
            vec![anon, Some(&buyer), Some(&f.owner), Some(&staff)],
        ),
        (
            "mutation($i: ProductInput!) { productCreate(input: $i) { userErrors { code } } }",
            json!({ "i": product_input }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            "mutation($p: ID!) { productUpdate(id: $p, input: { name: \"Bị sửa\" }) { userErrors { code } } }",
            json!({ "p": f.product }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            "mutation($p: ID!) { productUnpublish(id: $p) { userErrors { code } } }",
            json!({ "p": f.product }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            "mutation($p: ID!) { productPublish(id: $p) { userErrors { code } } }",
            json!({ "p": f.product }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            "mutation($p: ID!, $i: VariantInput!) { variantCreate(productId: $p, input: $i) { userErrors { code } } }",
            json!({ "p": f.product, "i": variant_input }),
            vec![anon, Some(&buyer), Some(&other_owner)],
        ),
        (
            "mutation($v: ID!, $i: VariantInput!) { variantUpdate(id: $v, input: $i) { userErrors { code } } }",
            json!({ "v": f.variant, "i": variant_input }),
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
        .data(None, "query($id: ID!) { product(id: $id) { name status variants { sku price { amount } } certificate { status } } }", json!({ "id": f.product }))
        .await;
    assert_eq!(d["product"]["name"], "Nước mắm Cửa Lò");
    assert_eq!(d["product"]["status"], "PUBLISHED");
    assert_eq!(d["product"]["certificate"]["status"], "VERIFIED");
    assert_eq!(d["product"]["variants"][0]["price"]["amount"], 120_000);

    // The STAFF member may manage the producer's products, which the wrong roles could not.
    let d = app
        .data(Some(&staff), "mutation($p: ID!) { productUpdate(id: $p, input: { name: \"Nước mắm Cửa Lò loại 1\" }) { product { name } userErrors { code } } }", json!({ "p": f.product }))
        .await;
    assert_eq!(
        d["productUpdate"]["product"]["name"],
        "Nước mắm Cửa Lò loại 1"
    );
}
