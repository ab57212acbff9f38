//! What a person is told when the app refuses: every refusal below, across the domains, with
//! its stable code, the field it names and its Vietnamese sentence, pinned in one snapshot
//! (`snapshots/api__messages__*.snap`). A changed word shows up as a diff to review.

use serde_json::{Value, json};

use crate::builders::Gid;
use crate::docs::{self, checkout_vars};
use crate::harness::TestApp;

/// The first field of the payload (the mutation's name) and its `userErrors`.
fn user_errors(d: &Value) -> Value {
    let (_, payload) = d.as_object().unwrap().iter().next().unwrap();
    payload["userErrors"].clone()
}

#[tokio::test]
async fn every_refusal_says_why_in_vietnamese() {
    let app = TestApp::spawn().await;
    let (f, lot, _) = app.gtin_lot().await;
    let buyer = app.buyer("mua@test.vn").await;
    let owner_email = accounts::service::find_by_id(&app.db, f.owner.id)
        .await
        .unwrap()
        .unwrap()
        .email;
    let (draft, draft_variant) = f.seller("40").draft(&app, "Nước mắm nháp", 90_000).await;
    // Another producer, who may not use the fixture's GTIN.
    let other = app.seller().build().await;
    let (other_product, _) = other.draft(&app, "Nước mắm khác", 80_000).await;
    let producer =
        json!({ "name": "HTX", "kind": "COOPERATIVE", "provinceCode": "40", "address": "Thôn 1" });
    let with = |base: &Value, k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        json!({ "i": b })
    };
    let cert = json!({ "producerId": f.producer.gid(), "productName": "Nước mắm", "categoryCode": "I.4.a", "stars": 4,
        "decisionNumber": "1/QĐ-UBND", "issuedBy": "UBND tỉnh Nghệ An", "issuedOn": "2025-01-01" });
    let product = json!({ "producerId": f.producer.gid(), "certificateId": f.cert.gid(), "name": "Nước mắm",
        "description": "x", "origin": { "provinceCode": "40" } });
    let variant = |k: &str, v: Value| {
        let mut b = json!({ "sku": "NM-1", "name": "Chai", "price": 10_000 });
        b[k] = v;
        json!({ "p": f.product.gid(), "i": b })
    };
    let lot_in = json!({ "variantId": f.variant.gid(), "lotNumber": "M-01", "producedOn": "2026-11-20", "expiresOn": "2027-11-20", "quantity": 10 });
    let event = json!({ "lotId": lot.gid(), "bizStep": "shipping", "eventTime": "2026-11-02T09:30:00+07:00", "location": "Kho" });
    let line = |q: i64| json!([{ "variantId": f.variant.gid(), "quantity": q }]);
    let register = |email: &str, password: &str, phone: Value| json!({ "i": { "email": email, "password": password, "name": "An", "phone": phone } });

    let cases: Vec<(&str, &str, Option<&str>, Value)> = vec![
        (
            "register: e-mail",
            docs::REGISTER,
            None,
            register("khong-phai-email", "mat-khau-du-dai", json!(null)),
        ),
        (
            "register: password",
            docs::REGISTER,
            None,
            register("a@test.vn", "ngan", json!(null)),
        ),
        (
            "register: phone",
            docs::REGISTER,
            None,
            register("a@test.vn", "mat-khau-du-dai", json!("+1 415 555 0100")),
        ),
        (
            "register: taken",
            docs::REGISTER,
            None,
            register("mua@test.vn", "mat-khau-du-dai", json!(null)),
        ),
        (
            "login: wrong",
            docs::LOGIN,
            None,
            json!({ "e": "mua@test.vn", "p": "sai-mat-khau" }),
        ),
        (
            "producer: name",
            docs::PRODUCER_CREATE,
            Some(&buyer),
            with(&producer, "name", json!("  ")),
        ),
        (
            "producer: province",
            docs::PRODUCER_CREATE,
            Some(&buyer),
            with(&producer, "provinceCode", json!("99")),
        ),
        (
            "producer: commune",
            docs::PRODUCER_CREATE,
            Some(&buyer),
            with(&producer, "communeCode", json!("00004")),
        ),
        (
            "producer: tax code",
            docs::PRODUCER_CREATE,
            Some(&buyer),
            with(&producer, "taxCode", json!("12")),
        ),
        (
            "producer: phone",
            docs::PRODUCER_CREATE,
            Some(&buyer),
            with(&producer, "phone", json!("12345")),
        ),
        (
            "member: role",
            docs::MEMBER_ADD,
            Some(&f.owner),
            json!({ "p": f.producer.gid(), "e": "mua@test.vn", "r": "BOSS" }),
        ),
        (
            "member: already",
            docs::MEMBER_ADD,
            Some(&f.owner),
            json!({ "p": f.producer.gid(), "e": owner_email, "r": "STAFF" }),
        ),
        (
            "member: no invitation",
            docs::INVITATION_ACCEPT,
            Some(&buyer),
            json!({ "p": f.producer.gid() }),
        ),
        (
            "certificate: stars",
            docs::CERTIFICATE_SUBMIT,
            Some(&f.owner),
            with(&cert, "stars", json!(7)),
        ),
        (
            "certificate: score",
            docs::CERTIFICATE_SUBMIT,
            Some(&f.owner),
            {
                let mut c = cert.clone();
                c["score"] = json!(95);
                json!({ "i": c })
            },
        ),
        (
            "certificate: category",
            docs::CERTIFICATE_SUBMIT,
            Some(&f.owner),
            with(&cert, "categoryCode", json!("IX.9")),
        ),
        (
            "certificate: issued later",
            docs::CERTIFICATE_SUBMIT,
            Some(&f.owner),
            with(&cert, "issuedOn", json!("2099-01-01")),
        ),
        (
            "certificate: reviewed twice",
            docs::CERTIFICATE_REVIEW,
            Some(&f.admin),
            json!({ "id": f.cert.gid(), "approve": true }),
        ),
        (
            "product: name",
            docs::PRODUCT_CREATE,
            Some(&f.owner),
            with(&product, "name", json!("")),
        ),
        (
            "product: long name",
            docs::PRODUCT_CREATE,
            Some(&f.owner),
            with(&product, "name", json!("a".repeat(201))),
        ),
        (
            "product: commune",
            docs::PRODUCT_CREATE,
            Some(&f.owner),
            with(
                &product,
                "origin",
                json!({ "provinceCode": "01", "communeCode": "31078" }),
            ),
        ),
        (
            "product: publish without stock",
            docs::PRODUCT_PUBLISH,
            Some(&f.owner),
            json!({ "id": draft.gid() }),
        ),
        (
            "variant: price",
            docs::VARIANT_CREATE,
            Some(&f.owner),
            variant("price", json!(0)),
        ),
        (
            "variant: gtin",
            docs::VARIANT_CREATE,
            Some(&f.owner),
            variant("gtin", json!("8934588012113")),
        ),
        (
            "variant: compare-at",
            docs::VARIANT_CREATE,
            Some(&f.owner),
            variant("compareAtPrice", json!(900)),
        ),
        (
            "variant: sku",
            docs::VARIANT_CREATE,
            Some(&f.owner),
            variant("sku", json!("mã sai")),
        ),
        (
            "variant: weight",
            docs::VARIANT_CREATE,
            Some(&f.owner),
            variant("weightGrams", json!(0)),
        ),
        (
            "variant: taken sku",
            docs::VARIANT_CREATE,
            Some(&f.owner),
            variant("sku", json!("VP-500")),
        ),
        (
            "variant: another's gtin",
            docs::VARIANT_CREATE,
            Some(&other.owner),
            json!({ "p": other_product.gid(), "i": { "sku": "X-1", "name": "Chai", "price": 10_000, "gtin": "8934588012112" } }),
        ),
        (
            "lot: number",
            docs::LOT_CREATE,
            Some(&f.owner),
            with(&lot_in, "lotNumber", json!("lô có dấu")),
        ),
        (
            "lot: quantity",
            docs::LOT_CREATE,
            Some(&f.owner),
            with(&lot_in, "quantity", json!(0)),
        ),
        (
            "lot: expiry",
            docs::LOT_CREATE,
            Some(&f.owner),
            with(&lot_in, "expiresOn", json!("2026-11-01")),
        ),
        (
            "lot: made later",
            docs::LOT_CREATE,
            Some(&f.owner),
            with(&lot_in, "producedOn", json!("2099-01-01")),
        ),
        (
            "lot: gln",
            docs::LOT_CREATE,
            Some(&f.owner),
            with(&lot_in, "gln", json!("8934588012113")),
        ),
        (
            "lot: taken number",
            docs::LOT_CREATE,
            Some(&f.owner),
            json!({ "i": lot_in }),
        ),
        (
            "event: step",
            docs::TRACE_EVENT_RECORD,
            Some(&f.owner),
            with(&event, "bizStep", json!("dancing")),
        ),
        (
            "event: later",
            docs::TRACE_EVENT_RECORD,
            Some(&f.owner),
            with(&event, "eventTime", json!("2099-01-01T00:00:00+07:00")),
        ),
        (
            "event: place",
            docs::TRACE_EVENT_RECORD,
            Some(&f.owner),
            with(&event, "location", json!("")),
        ),
        (
            "event: data",
            docs::TRACE_EVENT_RECORD,
            Some(&f.owner),
            with(&event, "data", json!([1, 2])),
        ),
        (
            "event: big data",
            docs::TRACE_EVENT_RECORD,
            Some(&f.owner),
            with(&event, "data", json!({ "big": "x".repeat(9000) })),
        ),
        (
            "checkout: empty",
            docs::CHECKOUT,
            Some(&buyer),
            checkout_vars("a", json!([])),
        ),
        (
            "checkout: too many",
            docs::CHECKOUT,
            Some(&buyer),
            checkout_vars("b", line(12)),
        ),
        (
            "checkout: none",
            docs::CHECKOUT,
            Some(&buyer),
            checkout_vars("c", line(0)),
        ),
        (
            "checkout: unknown",
            docs::CHECKOUT,
            Some(&buyer),
            checkout_vars(
                "d",
                json!([{ "variantId": "VmFyaWFudDo5OTk5", "quantity": 1 }]),
            ),
        ),
        (
            "checkout: not on sale",
            docs::CHECKOUT,
            Some(&buyer),
            checkout_vars(
                "e",
                json!([{ "variantId": draft_variant.gid(), "quantity": 1 }]),
            ),
        ),
        (
            "checkout: key",
            docs::CHECKOUT,
            Some(&buyer),
            checkout_vars(&"k".repeat(101), line(1)),
        ),
        (
            "checkout: address",
            docs::CHECKOUT,
            Some(&buyer),
            json!({ "i": { "idempotencyKey": "f", "lines": line(1), "paymentMethod": "COD",
            "shippingAddress": { "name": "", "phone": "0912", "provinceCode": "01", "communeCode": "31078", "line": "x" } } }),
        ),
    ];
    // A lot numbered like `lot_in`, so that creating it again is a duplicate.
    app.lot(
        &f.owner,
        traceability::lots::LotFields {
            variant_id: f.variant,
            lot_number: "M-01",
            produced_on: "2026-11-20".parse().unwrap(),
            expires_on: None,
            quantity: 1,
            origin: None,
            gln: None,
        },
    )
    .await;
    let mut seen = serde_json::Map::new();
    for (label, doc, token, vars) in cases {
        let d = app.data(token, doc, vars).await;
        let errors = user_errors(&d);
        assert!(
            errors.as_array().is_some_and(|e| !e.is_empty()),
            "{label} was not refused: {d}"
        );
        seen.insert(label.to_owned(), errors);
    }
    // Refusals after a state change.
    let order = app
        .data(Some(&buyer), docs::CHECKOUT, checkout_vars("ok", line(1)))
        .await;
    let id = order["checkout"]["order"]["id"].clone();
    app.data(
        Some(&buyer),
        docs::ORDER_CANCEL,
        json!({ "id": id, "r": "Đổi ý" }),
    )
    .await;
    let again = app
        .data(
            Some(&buyer),
            docs::ORDER_CANCEL,
            json!({ "id": id, "r": "Đổi ý" }),
        )
        .await;
    seen.insert("order: cancelled twice".into(), user_errors(&again));
    let same_key = app
        .data(Some(&buyer), docs::CHECKOUT, checkout_vars("ok", line(2)))
        .await;
    seen.insert("checkout: key reused".into(), user_errors(&same_key));
    // Every reason a product cannot be listed, at once.
    let unlisted = app
        .seller()
        .stars(2)
        .issued_on("2022-01-10")
        .unverified()
        .build()
        .await;
    let (p, _) = unlisted.draft(&app, "Chè", 50_000).await;
    let d = app
        .data(
            Some(&unlisted.owner),
            docs::PRODUCT_PUBLISH,
            json!({ "id": p.gid() }),
        )
        .await;
    seen.insert("product: every listing rule".into(), user_errors(&d));
    let submitted = app.seller().unapproved().build().await;
    let (p, _) = submitted.draft(&app, "Chè", 50_000).await;
    let d = app
        .data(
            Some(&submitted.owner),
            docs::PRODUCT_PUBLISH,
            json!({ "id": p.gid() }),
        )
        .await;
    seen.insert("product: certificate under review".into(), user_errors(&d));
    app.data(
        Some(&f.owner),
        docs::LOT_RECALL,
        json!({ "id": lot.gid(), "r": "Tạp chất" }),
    )
    .await;
    let twice = app
        .data(
            Some(&f.owner),
            docs::LOT_RECALL,
            json!({ "id": lot.gid(), "r": "Lần nữa" }),
        )
        .await;
    seen.insert("lot: recalled twice".into(), user_errors(&twice));

    insta::assert_json_snapshot!(Value::Object(seen));
}
