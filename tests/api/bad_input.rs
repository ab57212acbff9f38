//! Bad input gets a clear error with its code, and changes nothing.

use serde_json::json;

use crate::builders::Gid;
use crate::docs;
use crate::harness::TestApp;

#[tokio::test]
async fn bad_catalog_input_is_refused_with_codes_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let products = app.count("products").await;
    let variants = app.count("variants").await;
    let producers = app.count("producers").await;
    let certs = app.count("ocop_certificates").await;

    let create = docs::PRODUCT_CREATE;
    let product = |name: &str| json!({ "i": { "producerId": f.producer.gid(), "certificateId": f.cert.gid(), "name": name, "description": "x", "origin": { "provinceCode": "40" } } });
    for name in ["", "   ", &"a".repeat(201)] {
        let d = app.data(Some(&f.owner), create, product(name)).await;
        let e = &d["productCreate"]["userErrors"][0];
        assert_eq!(e["code"], "INVALID");
        assert_eq!(e["field"], json!(["input", "name"]));
        assert!(e["message"].as_str().unwrap().contains("Tên sản phẩm"));
    }
    // An origin commune that is not in the province.
    let d = app
        .data(Some(&f.owner), create, json!({ "i": { "producerId": f.producer.gid(), "certificateId": f.cert.gid(), "name": "x", "description": "x", "origin": { "provinceCode": "01", "communeCode": "31078" } } }))
        .await;
    assert_eq!(
        d["productCreate"]["userErrors"][0]["field"],
        json!(["input", "origin", "communeCode"])
    );
    assert!(
        d["productCreate"]["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("không thuộc")
    );

    let vcreate = docs::VARIANT_CREATE;
    for (input, field) in [
        (json!({ "sku": "A-1", "name": "x", "price": -5 }), "price"),
        (json!({ "sku": "A-1", "name": "x", "price": 0 }), "price"),
        (
            json!({ "sku": "A-1", "name": "x", "price": 1000, "gtin": "8934588012113" }),
            "gtin",
        ),
        (
            json!({ "sku": "A-1", "name": "x", "price": 1000, "compareAtPrice": 900 }),
            "compareAtPrice",
        ),
        (
            json!({ "sku": "mã sai", "name": "x", "price": 1000 }),
            "sku",
        ),
        (
            json!({ "sku": "A-1", "name": "x", "price": 1000, "weightGrams": 0 }),
            "weightGrams",
        ),
    ] {
        let d = app
            .data(
                Some(&f.owner),
                vcreate,
                json!({ "p": f.product.gid(), "i": input }),
            )
            .await;
        let e = &d["variantCreate"]["userErrors"][0];
        assert_eq!(e["code"], "INVALID", "{input}");
        assert_eq!(e["field"], json!(["input", field]), "{input}");
    }
    // A duplicate SKU within the producer.
    let sku = "NM-500";
    let ok = app.data(Some(&f.owner), vcreate, json!({ "p": f.product.gid(), "i": { "sku": sku, "name": "Chai", "price": 1000, "gtin": "8934588012112" } })).await;
    assert_eq!(ok["variantCreate"]["userErrors"], json!([]));
    let dup = app
        .data(
            Some(&f.owner),
            vcreate,
            json!({ "p": f.product.gid(), "i": { "sku": sku, "name": "Chai", "price": 1000 } }),
        )
        .await;
    assert_eq!(dup["variantCreate"]["userErrors"][0]["code"], "DUPLICATE");

    let cert = docs::CERTIFICATE_SUBMIT;
    let d = app
        .data(Some(&f.owner), cert, json!({ "i": { "producerId": f.producer.gid(), "productName": "x", "categoryCode": "I.4.a", "stars": 7, "decisionNumber": "1", "issuedBy": "UBND", "issuedOn": "2025-01-01" } }))
        .await;
    assert_eq!(
        d["ocopCertificateSubmit"]["userErrors"][0]["field"],
        json!(["input", "stars"])
    );
    let d = app
        .data(Some(&f.owner), cert, json!({ "i": { "producerId": f.producer.gid(), "productName": "x", "categoryCode": "IX.9", "stars": 4, "decisionNumber": "1", "issuedBy": "UBND", "issuedOn": "2025-01-01" } }))
        .await;
    assert_eq!(
        d["ocopCertificateSubmit"]["userErrors"][0]["field"],
        json!(["input", "categoryCode"])
    );
    // A malformed date is a GraphQL validation error.
    let v = app
        .gql(Some(&f.owner), cert, json!({ "i": { "producerId": f.producer.gid(), "productName": "x", "categoryCode": "I.4.a", "stars": 4, "decisionNumber": "1", "issuedBy": "UBND", "issuedOn": "01/01/2025" } }))
        .await;
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("YYYY-MM-DD"),
        "{v}"
    );

    let pc = docs::PRODUCER_CREATE;
    for (input, field) in [
        (
            json!({ "name": "HTX", "kind": "COOPERATIVE", "provinceCode": "99", "address": "x" }),
            json!(["input", "provinceCode"]),
        ),
        (
            json!({ "name": "HTX", "kind": "COOPERATIVE", "provinceCode": "40", "communeCode": "00004", "address": "x" }),
            json!(["input", "communeCode"]),
        ),
        (
            json!({ "name": "HTX", "kind": "COOPERATIVE", "provinceCode": "40", "address": "x", "taxCode": "12" }),
            json!(["input", "taxCode"]),
        ),
        (
            json!({ "name": "HTX", "kind": "COOPERATIVE", "provinceCode": "40", "address": "x", "phone": "12345" }),
            json!(["input", "phone"]),
        ),
    ] {
        let d = app.data(Some(&f.owner), pc, json!({ "i": input })).await;
        assert_eq!(d["producerCreate"]["userErrors"][0]["field"], field);
    }
    // An ID of the wrong type is NOT_FOUND.
    let d = app
        .data(
            Some(&f.owner),
            vcreate,
            json!({ "p": f.producer.gid(), "i": { "sku": "Z", "name": "x", "price": 1 } }),
        )
        .await;
    assert_eq!(d["variantCreate"]["userErrors"][0]["code"], "NOT_FOUND");

    assert_eq!(app.count("products").await, products);
    assert_eq!(app.count("variants").await, variants + 1);
    assert_eq!(app.count("producers").await, producers);
    assert_eq!(app.count("ocop_certificates").await, certs);
}

#[tokio::test]
async fn a_ten_megabyte_name_is_refused_before_it_is_read() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let before = app.count("products").await;
    let name = "a".repeat(10 * 1024 * 1024);
    let resp = app
        .client
        .post(format!("{}/graphql", app.addr))
        .bearer_auth(&f.owner)
        .json(&json!({
            "query": "mutation($i: ProductInput!) { productCreate(input: $i) { userErrors { code } } }",
            "variables": { "i": { "producerId": f.producer.gid(), "certificateId": f.cert.gid(), "name": name, "description": "x", "origin": { "provinceCode": "40" } } }
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(app.count("products").await, before);
}

#[tokio::test]
async fn deep_and_complex_queries_are_refused() {
    let app = TestApp::spawn().await;
    // 50 levels deep: the same field nested.
    let mut deep = String::from("{ products { nodes { ");
    for _ in 0..25 {
        deep.push_str("producer { products { nodes { ");
    }
    deep.push_str("id");
    for _ in 0..25 {
        deep.push_str(" } } }");
    }
    deep.push_str(" } } }");
    let v = app.gql(None, &deep, json!({})).await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
        "{v}"
    );
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Truy vấn")
    );
    // Wide but shallow: a hundred products each asking for a hundred of their producer's.
    let wide = "{ products(first: 100) { nodes { producer { products(first: 100) { nodes { variants { sku price { amount } } } } } } } }";
    let v = app.gql(None, wide, json!({})).await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
        "{v}"
    );
    // A page larger than 100 is capped, not refused.
    let v = app
        .gql(
            None,
            "{ products(first: 1000) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert!(v["errors"].is_null(), "{v}");
    let v = app
        .gql(None, "{ products(first: -1) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "INVALID");
    // Not JSON at all.
    let resp = app
        .client
        .post(format!("{}/graphql", app.addr))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["errors"][0]["extensions"]["code"], "INVALID");
}
