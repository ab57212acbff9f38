//! Traceability: lots and trace codes, the event chain, recalls, and the lot rule of publishing.

use serde_json::{Value, json};

use crate::builders::Gid;
use crate::docs;
use crate::harness::TestApp;

#[tokio::test]
async fn a_lot_gets_a_checkable_code_a_digital_link_and_a_commissioning_event() {
    let app = TestApp::spawn().await;
    let (_, _, code) = app.gtin_lot().await;
    assert!(kernel::trace_code::TraceCode::parse(&code).is_some());
    let d = app.data(None, docs::TRACE, json!({ "c": code })).await;
    assert_eq!(
        d["trace"]["lot"]["traceUrl"],
        format!("http://127.0.0.1/t/{code}")
    );
    // The whole public record of the lot; only the random code and what derives from it vary.
    insta::assert_json_snapshot!(d, {
        ".trace.lot.id" => "[id]",
        ".trace.lot.traceCode" => "[trace code]",
        ".trace.lot.traceUrl" => "[trace url]",
        ".trace.lot.events[].hash" => "[hash]",
    });
    // Lower case, spaces and a dash are forgiven; a typo is not.
    let typed = format!("{}-{}", &code[..5].to_lowercase(), &code[5..]);
    assert_eq!(
        app.data(None, docs::TRACE, json!({ "c": typed })).await["trace"]["lot"]["traceCode"],
        json!(code)
    );
    let mut typo = code.clone().into_bytes();
    typo[3] = if typo[3] == b'A' { b'B' } else { b'A' };
    assert_eq!(
        app.data(
            None,
            docs::TRACE,
            json!({ "c": String::from_utf8(typo).unwrap() })
        )
        .await["trace"],
        json!(null)
    );
    // The product lists its lots publicly.
    let lots = app
        .data(
            None,
            "{ products { nodes { lots(first: 10) { nodes { traceCode } } } } }",
            json!({}),
        )
        .await;
    let codes: Vec<&Value> = lots["products"]["nodes"][0]["lots"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["traceCode"])
        .collect();
    assert!(codes.contains(&&json!(code)));
}

#[tokio::test]
async fn events_are_validated_chained_and_a_row_edited_behind_the_api_breaks_the_chain() {
    let app = TestApp::spawn().await;
    let (f, lot, code) = app.gtin_lot().await;
    let lot = lot.gid();
    let rec = docs::TRACE_EVENT_RECORD;
    let d = app
        .data(Some(&f.owner), rec, json!({ "i": { "lotId": lot, "bizStep": "packing", "eventTime": "2026-11-02T09:30:00+07:00", "location": "Xưởng đóng chai", "data": { "bottles": 500 } } }))
        .await;
    assert_eq!(d["traceEventRecord"]["event"]["disposition"], "active");
    for (input, field) in [
        (
            json!({ "lotId": lot, "bizStep": "dancing", "eventTime": "2026-11-02T09:30:00+07:00", "location": "x" }),
            "bizStep",
        ),
        (
            json!({ "lotId": lot, "bizStep": "shipping", "eventTime": "2099-01-01T00:00:00+07:00", "location": "x" }),
            "eventTime",
        ),
        (
            json!({ "lotId": lot, "bizStep": "shipping", "eventTime": "2026-11-02T09:30:00+07:00", "location": "" }),
            "location",
        ),
        (
            json!({ "lotId": lot, "bizStep": "shipping", "eventTime": "2026-11-02T09:30:00+07:00", "location": "x", "data": [1, 2] }),
            "data",
        ),
        (
            json!({ "lotId": lot, "bizStep": "shipping", "eventTime": "2026-11-02T09:30:00+07:00", "location": "x", "data": { "big": "x".repeat(9000) } }),
            "data",
        ),
    ] {
        let d = app.data(Some(&f.owner), rec, json!({ "i": input })).await;
        assert_eq!(
            d["traceEventRecord"]["userErrors"][0]["code"], "INVALID",
            "{input}"
        );
        assert_eq!(
            d["traceEventRecord"]["userErrors"][0]["field"],
            json!(["input", field])
        );
    }
    // Another producer's member may not write into this lot's history.
    let stranger = app.buyer("stranger@test.vn").await;
    app.producer(&stranger, "HTX Lạ", "01").await;
    let v = app
        .gql(Some(&stranger), rec, json!({ "i": { "lotId": lot, "bizStep": "shipping", "eventTime": "2026-11-02T09:30:00+07:00", "location": "x" } }))
        .await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let t = app.data(None, docs::TRACE, json!({ "c": code })).await;
    assert_eq!(t["trace"]["lot"]["events"].as_array().unwrap().len(), 2);
    assert_eq!(t["trace"]["chainIntact"], true);

    // Someone edits a row in the database directly.
    app.exec("UPDATE trace_events SET location = 'Nơi khác' WHERE biz_step = 'packing'")
        .await;
    let t = app.data(None, docs::TRACE, json!({ "c": code })).await;
    assert_eq!(t["trace"]["chainIntact"], false);
    assert!(
        t["trace"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("bị sửa đổi")
    );
}

#[tokio::test]
async fn concurrent_events_on_one_lot_keep_one_linear_chain() {
    let app = TestApp::spawn().await;
    let (f, lot, code) = app.gtin_lot().await;
    let lot = lot.gid();
    let rec = docs::TRACE_EVENT_RECORD;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (client, addr, token, lot) = (
            app.client.clone(),
            app.addr.clone(),
            f.owner.clone(),
            lot.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let body = json!({ "query": rec, "variables": { "i": { "lotId": lot, "bizStep": "storing", "eventTime": "2026-11-03T10:00:00+07:00", "location": format!("Kho {i}") } } });
            let v: Value = client.post(format!("{addr}/graphql")).bearer_auth(token).json(&body).send().await.unwrap().json().await.unwrap();
            v
        }));
    }
    for t in tasks {
        let v = t.await.unwrap();
        assert!(
            v["data"]["traceEventRecord"]["event"]["hash"].is_string(),
            "{v}"
        );
    }
    let t = app.data(None, docs::TRACE, json!({ "c": code })).await;
    assert_eq!(t["trace"]["lot"]["events"].as_array().unwrap().len(), 9);
    assert_eq!(t["trace"]["chainIntact"], true);
}

#[tokio::test]
async fn lots_are_validated_and_only_members_create_them() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Rau cải", 3, 30_000, "01").await;
    let create = docs::LOT_CREATE;
    let base = json!({ "variantId": f.variant.gid(), "lotNumber": "RC-01", "producedOn": "2026-11-20", "expiresOn": "2026-12-20", "quantity": 10 });
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        json!({ "i": b })
    };
    for (vars, field) in [
        (with("lotNumber", json!("lô có dấu")), "lotNumber"),
        (with("quantity", json!(0)), "quantity"),
        (with("quantity", json!(-3)), "quantity"),
        (with("expiresOn", json!("2026-11-01")), "expiresOn"),
        (with("producedOn", json!("2099-01-01")), "producedOn"),
        (with("gln", json!("8934588012113")), "gln"),
    ] {
        let d = app.data(Some(&f.owner), create, vars.clone()).await;
        assert_eq!(
            d["lotCreate"]["userErrors"][0]["field"],
            json!(["input", field]),
            "{vars}"
        );
    }
    let d = app.data(Some(&f.owner), create, json!({ "i": base })).await;
    assert_eq!(d["lotCreate"]["userErrors"], json!([]));
    let d = app.data(Some(&f.owner), create, json!({ "i": base })).await;
    assert_eq!(d["lotCreate"]["userErrors"][0]["code"], "DUPLICATE");
    let buyer = app.buyer("b@test.vn").await;
    let v = app.gql(Some(&buyer), create, json!({ "i": base })).await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let v = app.gql(None, create, json!({ "i": base })).await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn fresh_food_needs_an_expiry_date() {
    let app = TestApp::spawn().await;
    let owner = app.buyer("o@test.vn").await;
    let admin = app.admin().await;
    let producer = app.producer(&owner, "HTX Rau", "01").await;
    app.verify_producer(&admin, &producer).await;
    let d = app
        .data(Some(&owner), docs::CERTIFICATE_SUBMIT,
            json!({ "i": { "producerId": producer, "productName": "Rau", "categoryCode": "I.1.a", "stars": 3, "decisionNumber": "1/QĐ", "issuedBy": "UBND", "issuedOn": "2025-05-05" } }))
        .await;
    let cert = d["ocopCertificateSubmit"]["certificate"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, variant) = app
        .product(&owner, &producer, &cert, "Rau muống", 20_000, "01")
        .await;
    let d = app
        .data(Some(&owner), docs::LOT_CREATE,
            json!({ "i": { "variantId": variant, "lotNumber": "R1", "producedOn": "2026-11-27", "quantity": 5 } }))
        .await;
    assert_eq!(
        d["lotCreate"]["userErrors"][0]["field"],
        json!(["input", "expiresOn"])
    );
}

#[tokio::test]
async fn a_recalled_lot_stops_selling_at_once_and_says_so_in_red() {
    let app = TestApp::spawn().await;
    let (f, lot, code) = app.gtin_lot().await;
    let lot = lot.gid();
    let before = app
        .data(
            None,
            "query($id: ID!) { product(id: $id) { variants { sku available } } }",
            json!({ "id": f.product.gid() }),
        )
        .await;
    let d = app
        .data(
            Some(&f.owner),
            docs::LOT_RECALL,
            json!({ "id": lot, "r": "Phát hiện tạp chất" }),
        )
        .await;
    assert_eq!(d["lotRecall"]["lot"]["sellable"], false);
    let after = app
        .data(
            None,
            "query($id: ID!) { product(id: $id) { variants { sku available } } }",
            json!({ "id": f.product.gid() }),
        )
        .await;
    let avail = |v: &Value, sku: &str| {
        v["product"]["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["sku"] == sku)
            .unwrap()["available"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(avail(&before, "VP-500"), 500);
    assert_eq!(avail(&after, "VP-500"), 0);
    let t = app.data(None, docs::TRACE, json!({ "c": code })).await;
    assert!(
        t["trace"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("thu hồi: Phát hiện tạp chất")
    );
    let events = t["trace"]["lot"]["events"].as_array().unwrap();
    assert_eq!(events.last().unwrap()["disposition"], "recalled");
    let html = app.get(&format!("/t/{code}")).await.text().await.unwrap();
    assert!(html.contains("class=\"warn\"") && html.contains("Phát hiện tạp chất"));
    let d = app
        .data(
            Some(&f.owner),
            docs::LOT_RECALL,
            json!({ "id": lot, "r": "lần nữa" }),
        )
        .await;
    assert_eq!(d["lotRecall"]["userErrors"][0]["code"], "INVALID_STATE");
}

#[tokio::test]
async fn publishing_needs_a_sellable_lot() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mắm tôm", 3, 40_000, "31").await;
    let (p, v) = f.seller("31").draft(&app, "Mắm tôm chua", 45_000).await;
    let r = app.publish(&f.owner, &p.gid()).await;
    assert_eq!(r["userErrors"][0]["code"], "NO_SELLABLE_LOT");
    app.stock(&f.owner, v, 1).await;
    assert_eq!(
        app.publish(&f.owner, &p.gid()).await["userErrors"],
        json!([])
    );
}

#[tokio::test]
async fn deleting_the_tail_of_a_chain_is_seen_as_tampering() {
    let app = TestApp::spawn().await;
    let (f, lot, code) = app.gtin_lot().await;
    let lot = lot.gid();
    let d = app
        .data(Some(&f.owner), docs::TRACE_EVENT_RECORD, json!({ "i": { "lotId": lot, "bizStep": "shipping", "eventTime": "2026-11-02T09:30:00+07:00", "location": "Kho Vinh" } }))
        .await;
    assert_eq!(d["traceEventRecord"]["userErrors"], json!([]));
    let t = app.data(None, docs::TRACE, json!({ "c": code })).await;
    assert_eq!(t["trace"]["chainIntact"], true);
    // Someone with database access removes the last event: every remaining link still holds.
    app.exec("DELETE FROM trace_events WHERE biz_step = 'shipping'")
        .await;
    let t = app.data(None, docs::TRACE, json!({ "c": code })).await;
    assert_eq!(t["trace"]["lot"]["events"].as_array().unwrap().len(), 1);
    assert_eq!(t["trace"]["chainIntact"], false, "{t}");
    assert!(
        t["trace"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("bị sửa đổi")
    );
}

#[tokio::test]
async fn a_products_lots_page_newest_first_across_its_variants() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mật ong", 4, 150_000, "40").await;
    let d = app
        .data(
            Some(&f.owner.token),
            docs::VARIANT_CREATE,
            json!({ "p": f.product.gid(), "i": { "sku": "MO-1L", "name": "Chai 1 lít", "price": 280_000 } }),
        )
        .await;
    let second = d["variantCreate"]["variant"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("variantCreate failed: {d}"))
        .to_owned();
    // Lots made in turn on the two variants (the fixture's own lot is the oldest).
    let mut made = Vec::new();
    for i in 0..5 {
        let variant = if i % 2 == 0 {
            f.variant.gid()
        } else {
            second.clone()
        };
        made.push(app.add_stock(&f.owner.token, &variant, 10).await.1);
    }
    const PAGE: &str = "query($id: ID!, $after: String) { product(id: $id) { lots(first: 2, after: $after) { nodes { traceCode } pageInfo { hasNextPage endCursor } } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let d = app
            .data(None, PAGE, json!({ "id": f.product.gid(), "after": after }))
            .await;
        let lots = &d["product"]["lots"];
        for n in lots["nodes"].as_array().unwrap() {
            seen.push(n["traceCode"].as_str().unwrap().to_owned());
        }
        if lots["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = lots["pageInfo"]["endCursor"].clone();
    }
    // Newest first across both variants, each lot once; the fixture's lot last.
    let newest_first: Vec<String> = made.iter().rev().cloned().collect();
    assert_eq!(seen.len(), made.len() + 1, "{seen:?}");
    assert_eq!(seen[..made.len()], newest_first[..]);
}
