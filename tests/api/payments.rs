//! Paying for an order after checkout: which methods the server takes, VietQR bank transfers
//! reconciled through SePay's webhook, and VNPay's payment URL and IPN. Each provider report
//! settles an order once, only for the amount due, only while the order waits; everything
//! else is kept for ADMIN to review.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha512;

use crate::builders::{Fixture, Gid, Person};
use crate::docs::{self, CHECKOUT};
use crate::harness::TestApp;

const REVIEW: &str = "{ paymentsToReview(first: 20) { nodes { provider outcome amount { amount } order { number } } } }";

pub(crate) fn checkout_by(key: &str, f: &Fixture, method: &str) -> Value {
    json!({ "i": { "idempotencyKey": key, "lines": [{ "variantId": f.variant.gid(), "quantity": 2 }],
        "shippingAddress": docs::address(), "paymentMethod": method } })
}

/// A bank-transfer order of 2 × 120.000 ₫ (shipping free from 500.000 ₫: 30.000 ₫ here).
pub(crate) async fn bank_order(app: &TestApp, buyer: &Person, f: &Fixture, key: &str) -> Value {
    let d = app
        .data(Some(buyer), CHECKOUT, checkout_by(key, f, "BANK_TRANSFER"))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    let id = d["checkout"]["order"]["id"].clone();
    app.data(
        Some(buyer),
        "query($id: ID!) { order(id: $id) { id number status total { amount } payment { method status redirectUrl
            bankTransfer { bankBin accountNumber accountName amount { amount } reference qrPayload qrUrl } } } }",
        json!({ "id": id }),
    )
    .await["order"]
        .clone()
}

/// One order of 2 units from `a` and 1 from `b` (two producers, two parts) paid by `method`;
/// the checkout's order.
pub(crate) async fn two_producer_order(
    app: &TestApp,
    buyer: &Person,
    a: &Fixture,
    b: &Fixture,
    method: &str,
) -> Value {
    let d = app
        .data(
            Some(buyer),
            CHECKOUT,
            json!({ "i": { "idempotencyKey": "two", "lines": [
                { "variantId": a.variant.gid(), "quantity": 2 },
                { "variantId": b.variant.gid(), "quantity": 1 } ],
              "shippingAddress": docs::address(), "paymentMethod": method } }),
        )
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    d["checkout"]["order"].clone()
}

/// SePay's body for a transfer of `amount` with `content`.
pub(crate) fn sepay(id: i64, amount: i64, content: &str) -> Value {
    json!({ "id": id, "gateway": "Vietcombank", "transactionDate": "2026-11-29 14:02:37",
        "accountNumber": "0011001932418", "code": null, "content": content, "transferType": "in",
        "transferAmount": amount, "accumulated": 19_077_000, "subAccount": null,
        "referenceCode": "MBVCB.3278907687", "description": "" })
}

pub(crate) async fn post_sepay(app: &TestApp, key: &str, body: &Value) -> (u16, Value) {
    let resp = app
        .client
        .post(format!("{}/webhooks/sepay", app.addr))
        .header("authorization", format!("Apikey {key}"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn order_state(app: &TestApp, buyer: &Person, id: &Value) -> (String, String) {
    let d = app
        .data(
            Some(buyer),
            "query($id: ID!) { order(id: $id) { status payment { status } } }",
            json!({ "id": id }),
        )
        .await;
    (
        d["order"]["status"].as_str().unwrap().to_owned(),
        d["order"]["payment"]["status"].as_str().unwrap().to_owned(),
    )
}

/// Reads an EMVCo payload as `ID LL value` fields, independently of the code that wrote it.
fn tlv(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    while rest.len() >= 4 {
        let id = &rest[..2];
        let len: usize = rest[2..4].parse().expect("a two-digit length");
        out.push((id.to_owned(), rest[4..4 + len].to_owned()));
        rest = &rest[4 + len..];
    }
    assert!(rest.is_empty(), "trailing bytes in {s}");
    out
}

fn get<'a>(fields: &'a [(String, String)], id: &str) -> &'a str {
    &fields
        .iter()
        .find(|(k, _)| k == id)
        .unwrap_or_else(|| panic!("no field {id}"))
        .1
}

/// CRC-16/CCITT-FALSE, written here from its definition, table-driven, so the payload's CRC is
/// checked by other code than the one that wrote it.
fn crc16(data: &[u8]) -> u16 {
    let table: Vec<u16> = (0..256u16)
        .map(|i| {
            (0..8).fold(i << 8, |c, _| {
                if c & 0x8000 != 0 {
                    (c << 1) ^ 0x1021
                } else {
                    c << 1
                }
            })
        })
        .collect();
    data.iter().fold(0xFFFF, |crc, b| {
        (crc << 8) ^ table[usize::from((crc >> 8) as u8 ^ b)]
    })
}

#[tokio::test]
async fn the_server_lists_and_takes_only_the_methods_it_is_configured_for() {
    let app = TestApp::spawn().await;
    let d = app.data(None, "{ paymentMethods }", json!({})).await;
    // Cards are configured when the suite has localstripe (`.ci/run`).
    let expected = if server::config::test_stripe_url().is_some() {
        json!(["COD", "STRIPE", "VNPAY", "BANK_TRANSFER"])
    } else {
        json!(["COD", "VNPAY", "BANK_TRANSFER"])
    };
    assert_eq!(d["paymentMethods"], expected);

    let bare = TestApp::spawn_with(|c| {
        c.stripe_secret_key = None;
        c.stripe_webhook_secrets = vec![];
        c.vnpay_tmn_code = None;
        c.vnpay_hash_secret = None;
        c.bank_bin = None;
        c.bank_account_number = None;
        c.bank_account_name = None;
    })
    .await;
    assert_eq!(
        bare.data(None, "{ paymentMethods }", json!({})).await["paymentMethods"],
        json!(["COD"])
    );
    let f = bare.listed_product("Nước mắm", 4, 120_000, "40").await;
    let buyer = bare.buyer("mua@test.vn").await;
    for (key, method) in [("v", "VNPAY"), ("b", "BANK_TRANSFER"), ("s", "STRIPE")] {
        let d = bare
            .data(Some(&buyer), CHECKOUT, checkout_by(key, &f, method))
            .await;
        let e = &d["checkout"]["userErrors"][0];
        assert_eq!(e["code"], "PAYMENT_FAILED", "{method}: {d}");
        assert_eq!(e["field"], json!(["input", "paymentMethod"]));
        assert!(e["message"].as_str().unwrap().contains("thanh toán"));
    }
    assert_eq!(bare.count("orders").await, 0);
    assert_eq!(bare.count("lot_allocations").await, 0);
}

#[tokio::test]
async fn a_bank_transfer_order_shows_a_vietqr_that_any_decoder_reads() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let o = bank_order(&app, &buyer, &f, "k").await;
    assert_eq!(o["status"], "AWAITING_PAYMENT");
    let bt = &o["payment"]["bankTransfer"];
    assert_eq!(bt["amount"]["amount"], 270_000);
    assert_eq!(bt["bankBin"], "970436");
    let reference = bt["reference"].as_str().unwrap();
    assert!(reference.starts_with("OC") && reference.chars().all(|c| c.is_ascii_alphanumeric()));

    let payload = bt["qrPayload"].as_str().unwrap();
    let fields = tlv(payload);
    assert_eq!(get(&fields, "00"), "01");
    assert_eq!(get(&fields, "01"), "12", "dynamic: one amount, one order");
    let merchant = tlv(get(&fields, "38"));
    assert_eq!(get(&merchant, "00"), "A000000727");
    assert_eq!(get(&merchant, "02"), "QRIBFTTA");
    let beneficiary = tlv(get(&merchant, "01"));
    assert_eq!(get(&beneficiary, "00"), "970436");
    assert_eq!(get(&beneficiary, "01"), "0011001932418");
    assert_eq!(get(&fields, "53"), "704");
    assert_eq!(get(&fields, "54"), "270000");
    assert_eq!(get(&fields, "58"), "VN");
    assert_eq!(get(&tlv(get(&fields, "62")), "08"), reference);
    let (body, crc) = payload.split_at(payload.len() - 4);
    assert!(body.ends_with("6304"));
    assert_eq!(crc, format!("{:04X}", crc16(body.as_bytes())));

    // The QR image decodes to the same payload; without the reference there is no image.
    let url = bt["qrUrl"]
        .as_str()
        .unwrap()
        .replace("http://127.0.0.1", &app.addr);
    let png = app.client.get(&url).send().await.unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(
        crate::trace_page::decode_png(&png.bytes().await.unwrap()),
        payload
    );
    let number = o["number"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/payments/{number}/vietqr.png"))
            .await
            .status(),
        404
    );
    assert_eq!(
        app.get(&format!("/payments/{number}/vietqr.svg?ref=OC1ZZZZ"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_transfer_delivered_five_times_at_once_pays_the_order_once() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let o = bank_order(&app, &buyer, &f, "k").await;
    let reference = o["payment"]["bankTransfer"]["reference"].as_str().unwrap();
    // Banks lower-case the text and drop punctuation; SePay retries.
    let body = sepay(
        92704,
        270_000,
        &format!("nguyen van a ck {} cam on", reference.to_lowercase()),
    );
    let answers =
        futures_util::future::join_all((0..5).map(|_| post_sepay(&app, "sepay-test-key", &body)))
            .await;
    for answer in answers {
        assert_eq!(answer, (200, json!({ "success": true })));
    }
    assert_eq!(
        order_state(&app, &buyer, &o["id"]).await,
        ("CONFIRMED".to_owned(), "SUCCEEDED".to_owned())
    );
    assert_eq!(app.count("payment_events").await, 1);
    let admin = app.admin().await;
    assert_eq!(
        app.data(Some(&admin), REVIEW, json!({})).await["paymentsToReview"]["nodes"],
        json!([])
    );
}

#[tokio::test]
async fn wrong_unknown_late_and_unsigned_transfers_change_no_order() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let o = bank_order(&app, &buyer, &f, "a").await;
    let reference = o["payment"]["bankTransfer"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    // A wrong key is refused and nothing is recorded.
    let (status, _) = post_sepay(&app, "not-the-key", &sepay(1, 270_000, &reference)).await;
    assert_eq!(status, 401);
    assert_eq!(app.count("payment_events").await, 0);
    // Too little money, and a text without any reference of ours.
    assert_eq!(
        post_sepay(&app, "sepay-test-key", &sepay(2, 27_000, &reference))
            .await
            .0,
        200
    );
    assert_eq!(
        post_sepay(&app, "sepay-test-key", &sepay(3, 270_000, "tien hang"))
            .await
            .0,
        200
    );
    assert_eq!(
        order_state(&app, &buyer, &o["id"]).await,
        ("AWAITING_PAYMENT".to_owned(), "PENDING".to_owned())
    );
    // Money for an order the buyer already cancelled.
    let late = bank_order(&app, &buyer, &f, "b").await;
    app.data(
        Some(&buyer),
        docs::ORDER_CANCEL,
        json!({ "id": late["id"], "r": "Đổi ý" }),
    )
    .await;
    let late_ref = late["payment"]["bankTransfer"]["reference"]
        .as_str()
        .unwrap();
    post_sepay(&app, "sepay-test-key", &sepay(4, 270_000, late_ref)).await;
    assert_eq!(order_state(&app, &buyer, &late["id"]).await.0, "CANCELLED");
    // The right amount settles the first order; a second transfer for it is a double payment.
    post_sepay(&app, "sepay-test-key", &sepay(5, 270_000, &reference)).await;
    post_sepay(&app, "sepay-test-key", &sepay(6, 270_000, &reference)).await;
    assert_eq!(order_state(&app, &buyer, &o["id"]).await.1, "SUCCEEDED");

    let admin = app.admin().await;
    let review = app.data(Some(&admin), REVIEW, json!({})).await;
    let number = o["number"].clone();
    assert_eq!(
        review["paymentsToReview"]["nodes"],
        json!([
            { "provider": "SEPAY", "outcome": "ALREADY_PAID", "amount": { "amount": 270_000 }, "order": { "number": number } },
            { "provider": "SEPAY", "outcome": "LATE", "amount": { "amount": 270_000 }, "order": { "number": late["number"] } },
            { "provider": "SEPAY", "outcome": "UNKNOWN_REFERENCE", "amount": { "amount": 270_000 }, "order": null },
            { "provider": "SEPAY", "outcome": "AMOUNT_MISMATCH", "amount": { "amount": 27_000 }, "order": { "number": number } },
        ])
    );
    let v = app.gql(Some(&buyer), REVIEW, json!({})).await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

/// Signs IPN parameters as VNPay does, with this suite's own HMAC (the Python vectors in
/// `crates/payments/tests` pin the algorithm).
fn signed_ipn(params: &[(&str, String)]) -> Vec<(String, String)> {
    let mut sorted: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    sorted.sort();
    let data = sorted
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&");
    let mut mac = Hmac::<Sha512>::new_from_slice(b"vnpay-test-secret").unwrap();
    mac.update(data.as_bytes());
    sorted.push((
        "vnp_SecureHash".into(),
        hex::encode(mac.finalize().into_bytes()),
    ));
    sorted
}

/// `path` on the app with `params` as its (form-encoded) query string.
fn url_with(app: &TestApp, path: &str, params: &[(String, String)]) -> reqwest::Url {
    let mut url = reqwest::Url::parse(&format!("{}{path}", app.addr)).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url
}

async fn ipn(app: &TestApp, params: &[(String, String)]) -> Value {
    app.client
        .get(url_with(app, "/payments/vnpay/ipn", params))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn vnpay_orders_are_paid_by_a_signed_ipn_once() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let d = app
        .data(Some(&buyer), CHECKOUT, checkout_by("v", &f, "VNPAY"))
        .await;
    let id = d["checkout"]["order"]["id"].clone();
    let o = app
        .data(
            Some(&buyer),
            "query($id: ID!) { order(id: $id) { number payment { redirectUrl } } }",
            json!({ "id": id }),
        )
        .await;
    let url = reqwest::Url::parse(o["order"]["payment"]["redirectUrl"].as_str().unwrap()).unwrap();
    assert_eq!(url.path(), "/paymentv2/vpcpay.html");
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["vnp_Amount"], "27000000", "đồng × 100");
    assert_eq!(q["vnp_Version"], "2.1.0");
    assert_eq!(q["vnp_TmnCode"], "CHOOCOP1");
    assert_eq!(q["vnp_CurrCode"], "VND");
    assert_eq!(q["vnp_CreateDate"].len(), 14);
    let txn_ref = q["vnp_TxnRef"].clone();

    let result = |amount: &str, code: &str, no: &str| {
        signed_ipn(&[
            ("vnp_Amount", amount.to_owned()),
            ("vnp_ResponseCode", code.to_owned()),
            ("vnp_TransactionStatus", code.to_owned()),
            ("vnp_TmnCode", "CHOOCOP1".to_owned()),
            ("vnp_TransactionNo", no.to_owned()),
            ("vnp_TxnRef", txn_ref.clone()),
            ("vnp_OrderInfo", "Thanh toan don hang".to_owned()),
        ])
    };
    let mut forged = result("27000000", "00", "1");
    forged.last_mut().unwrap().1 = "00".repeat(64);
    assert_eq!(ipn(&app, &forged).await["RspCode"], "97");
    let mut unknown = result("27000000", "00", "1");
    unknown.retain(|(k, _)| k != "vnp_SecureHash");
    unknown
        .iter_mut()
        .find(|(k, _)| k == "vnp_TxnRef")
        .unwrap()
        .1 = "OC999ZZZZ".into();
    let unknown: Vec<(&str, String)> = unknown
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    assert_eq!(ipn(&app, &signed_ipn(&unknown)).await["RspCode"], "01");
    assert_eq!(ipn(&app, &result("100", "00", "2")).await["RspCode"], "04");
    assert_eq!(
        order_state(&app, &buyer, &id).await,
        ("AWAITING_PAYMENT".to_owned(), "PENDING".to_owned())
    );
    // A declined card: the payment failed, the order still waits (the buyer may try again).
    assert_eq!(
        ipn(&app, &result("27000000", "24", "3")).await["RspCode"],
        "00"
    );
    assert_eq!(order_state(&app, &buyer, &id).await.1, "FAILED");
    // Paid; the same IPN again is "already confirmed".
    let paid = result("27000000", "00", "4");
    let first = ipn(&app, &paid).await;
    assert_eq!(
        first,
        json!({ "RspCode": "00", "Message": "Confirm Success" })
    );
    assert_eq!(ipn(&app, &paid).await["RspCode"], "02");
    assert_eq!(
        order_state(&app, &buyer, &id).await,
        ("CONFIRMED".to_owned(), "SUCCEEDED".to_owned())
    );
    // The return page shows what the IPN recorded, in Vietnamese, and changes nothing.
    let page = app
        .client
        .get(url_with(&app, "/payments/vnpay/return", &paid))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Thanh toán thành công"), "{page}");
    let forged_page = app
        .client
        .get(url_with(&app, "/payments/vnpay/return", &forged))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(forged_page.contains("Không xác nhận được"));
}

#[tokio::test]
async fn a_storm_of_a_thousand_deliveries_with_duplicates_pays_every_order_exactly_once() {
    use futures_util::StreamExt;
    let app = TestApp::spawn_with(|c| {
        c.unpaid_orders_per_buyer = 50;
        c.unpaid_units_per_variant = i64::MAX;
    })
    .await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    app.stock(&f.owner, f.variant, 1_000).await;
    let buyer = app.buyer("mua@test.vn").await;
    // 50 orders, each paid by one transfer that SePay delivers 20 times: 1,000 deliveries.
    let mut orders = Vec::new();
    for i in 0..50 {
        let o = bank_order(&app, &buyer, &f, &format!("storm-{i}")).await;
        orders.push((
            o["id"].clone(),
            o["payment"]["bankTransfer"]["reference"]
                .as_str()
                .unwrap()
                .to_owned(),
        ));
    }
    let mut deliveries: Vec<Value> = orders
        .iter()
        .enumerate()
        .flat_map(|(i, (_, reference))| {
            let body = sepay(10_000 + i as i64, 270_000, &format!("CK {reference}"));
            std::iter::repeat_n(body, 20)
        })
        .collect();
    // Interleave the duplicates the way retries arrive: not one after another.
    deliveries.sort_by_key(|b| (b["id"].as_i64().unwrap() * 7919) % 1000);
    let answers: Vec<(u16, Value)> = futures_util::stream::iter(deliveries)
        .map(|body| {
            let app = &app;
            async move { post_sepay(app, "sepay-test-key", &body).await }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    assert_eq!(answers.len(), 1_000);
    assert!(
        answers
            .iter()
            .all(|a| *a == (200, json!({ "success": true })))
    );
    assert_eq!(
        app.count("payment_events").await,
        50,
        "one row per transfer"
    );
    for (id, _) in &orders {
        assert_eq!(
            order_state(&app, &buyer, id).await,
            ("CONFIRMED".to_owned(), "SUCCEEDED".to_owned())
        );
    }
    let admin = app.admin().await;
    assert_eq!(
        app.data(Some(&admin), REVIEW, json!({})).await["paymentsToReview"]["nodes"],
        json!([])
    );
}

#[tokio::test]
async fn money_after_expiry_takes_the_units_again_or_is_kept_for_a_refund() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await; // 10 units
    let buyer = app.buyer("mua@test.vn").await;
    let a = bank_order(&app, &buyer, &f, "a").await; // 2 units each
    let b = bank_order(&app, &buyer, &f, "b").await;
    let available = || async {
        app.data(None, docs::STOCK, json!({ "id": f.product.gid() }))
            .await["product"]["variants"][0]["available"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(available().await, 6);
    // Both expire unpaid and give their units back; then another buyer takes 7 of the 10.
    app.exec("UPDATE orders SET created_at = '2020-01-01T00:00:00Z'")
        .await;
    orders::lifecycle::expire_unpaid(&app.db, chrono::Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!(order_state(&app, &buyer, &a["id"]).await.0, "CANCELLED");
    let other = app.buyer("khac@test.vn").await;
    let d = app
        .data(
            Some(&other),
            CHECKOUT,
            docs::checkout_vars(
                "c",
                json!([{ "variantId": f.variant.gid(), "quantity": 7 }]),
            ),
        )
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]));
    assert_eq!(available().await, 3);
    // A's money arrives late: its 2 units are still there, so they are taken again.
    let a_ref = a["payment"]["bankTransfer"]["reference"].as_str().unwrap();
    post_sepay(&app, "sepay-test-key", &sepay(1, 270_000, a_ref)).await;
    assert_eq!(
        order_state(&app, &buyer, &a["id"]).await,
        ("CONFIRMED".to_owned(), "SUCCEEDED".to_owned())
    );
    assert_eq!(available().await, 1);
    // B's money finds 1 unit for 2: the order stays cancelled and the money waits for a refund.
    let b_ref = b["payment"]["bankTransfer"]["reference"].as_str().unwrap();
    post_sepay(&app, "sepay-test-key", &sepay(2, 270_000, b_ref)).await;
    assert_eq!(order_state(&app, &buyer, &b["id"]).await.0, "CANCELLED");
    assert_eq!(available().await, 1, "nothing half-taken");
    crate::orders::stock_invariant(&app).await;
    let admin = app.admin().await;
    assert_eq!(
        app.data(Some(&admin), REVIEW, json!({})).await["paymentsToReview"]["nodes"],
        json!([{ "provider": "SEPAY", "outcome": "LATE", "amount": { "amount": 270_000 }, "order": { "number": b["number"] } }])
    );
}

#[tokio::test]
async fn a_buyer_holds_at_most_three_unpaid_orders_at_once() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    app.stock(&f.owner, f.variant, 100).await;
    let buyer = app.buyer("mua@test.vn").await;
    let mut refs = Vec::new();
    for k in 0..3 {
        let o = bank_order(&app, &buyer, &f, &format!("u{k}")).await;
        refs.push(
            o["payment"]["bankTransfer"]["reference"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let d = app
        .data(Some(&buyer), CHECKOUT, checkout_by("u3", &f, "VNPAY"))
        .await;
    let e = &d["checkout"]["userErrors"][0];
    assert_eq!(e["code"], "LIMIT_EXCEEDED", "{d}");
    assert!(e["message"].as_str().unwrap().contains("chờ thanh toán"));
    assert_eq!(
        app.count("orders").await,
        3,
        "the refused order left nothing"
    );
    // Cash on delivery holds nothing unpaid: still allowed.
    let d = app
        .data(Some(&buyer), CHECKOUT, checkout_by("cod", &f, "COD"))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]));
    // Paying one frees a place.
    post_sepay(&app, "sepay-test-key", &sepay(1, 270_000, &refs[0])).await;
    let d = app
        .data(
            Some(&buyer),
            CHECKOUT,
            checkout_by("u4", &f, "BANK_TRANSFER"),
        )
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
}

#[tokio::test]
async fn unpaid_orders_hold_at_most_ten_units_of_a_variant() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    app.stock(&f.owner, f.variant, 100).await;
    let buyer = app.buyer("mua@test.vn").await;
    let order = |key: &str, quantity: i64| {
        json!({ "i": { "idempotencyKey": key, "lines": [{ "variantId": f.variant.gid(), "quantity": quantity }],
            "shippingAddress": docs::address(), "paymentMethod": "BANK_TRANSFER" } })
    };
    let d = app.data(Some(&buyer), CHECKOUT, order("a", 8)).await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    // Eight held; three more would make eleven.
    let d = app.data(Some(&buyer), CHECKOUT, order("b", 3)).await;
    let e = &d["checkout"]["userErrors"][0];
    assert_eq!(e["code"], "LIMIT_EXCEEDED", "{d}");
    assert_eq!(e["field"], json!(["input", "lines"]));
    assert!(e["message"].as_str().unwrap().contains("tối đa 10"), "{e}");
    assert_eq!(app.count("orders").await, 1);
    let d = app.data(Some(&buyer), CHECKOUT, order("c", 2)).await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    // Cash on delivery holds nothing unpaid.
    let d = app
        .data(Some(&buyer), CHECKOUT, checkout_by("cod", &f, "COD"))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]));
}

/// A producer cancels its part of a VNPay order while it waits; VNPay's signed amount cannot
/// change, so the buyer pays the original total. The order is paid, and the money beyond what
/// it now comes to is booked and refunded (by hand, for VNPay), never kept.
#[tokio::test]
async fn money_beyond_a_shrunken_order_is_refunded() {
    let app = TestApp::spawn().await;
    let a = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let b = app.listed_product("Mật ong", 4, 200_000, "38").await;
    let buyer = app.buyer("mua@test.vn").await;
    let order = two_producer_order(&app, &buyer, &a, &b, "VNPAY").await;
    let id = order["id"].clone();
    assert_eq!(order["total"]["amount"], 500_000);
    let o = app
        .data(
            Some(&buyer),
            "query($id: ID!) { order(id: $id) { payment { redirectUrl } } }",
            json!({ "id": id }),
        )
        .await;
    let url = reqwest::Url::parse(o["order"]["payment"]["redirectUrl"].as_str().unwrap()).unwrap();
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    // B's producer cancels its part (230.000 ₫) while the order waits for payment.
    let d = app
        .data(
            Some(&b.owner),
            docs::ORDER_CANCEL,
            json!({ "id": id, "r": "Hết hàng" }),
        )
        .await;
    assert_eq!(d["orderCancel"]["userErrors"], json!([]), "{d}");
    // VNPay reports the amount it was asked for.
    let paid = signed_ipn(&[
        ("vnp_Amount", q["vnp_Amount"].clone()),
        ("vnp_ResponseCode", "00".to_owned()),
        ("vnp_TransactionStatus", "00".to_owned()),
        ("vnp_TmnCode", "CHOOCOP1".to_owned()),
        ("vnp_TransactionNo", "9".to_owned()),
        ("vnp_TxnRef", q["vnp_TxnRef"].clone()),
        ("vnp_OrderInfo", "Thanh toan don hang".to_owned()),
    ]);
    assert_eq!(ipn(&app, &paid).await["RspCode"], "00");
    let o = app
        .data(
            Some(&buyer),
            "query($id: ID!) { order(id: $id) { status total { amount } payment { status refunded { amount } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(o["order"]["status"], "CONFIRMED");
    assert_eq!(o["order"]["total"]["amount"], 270_000);
    assert_eq!(o["order"]["payment"]["status"], "PARTIALLY_REFUNDED");
    assert_eq!(o["order"]["payment"]["refunded"]["amount"], 230_000);
    assert_eq!(
        app.scalar("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM refunds WHERE status = 'MANUAL' AND amount = 230000")
            .await,
        1
    );
    crate::refunds::assert_books_balance(&app).await;
}
