//! Cards through Stripe. The webhook's signature, tolerance and replay rules are checked with
//! events signed here the way Stripe signs them; the whole payment runs against localstripe (a
//! stateful Stripe server that signs its own webhooks): our checkout creates the intent, the
//! test confirms it with a test card as a browser would, and localstripe's own signed webhook
//! pays the order. Those tests skip without `TEST_STRIPE_URL` unless `REQUIRE_STRIPE` is set
//! (`.ci/run` installs and starts localstripe and sets both).

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::builders::{Fixture, Person};
use crate::docs::{CHECKOUT, ORDER_CANCEL};
use crate::harness::TestApp;
use crate::payments::checkout_by;
use crate::refunds::assert_books_balance;

const SECRET: &str = server::config::TEST_STRIPE_WEBHOOK_SECRET;

fn signed(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn event(id: &str, kind: &str, object: Value) -> String {
    json!({ "id": id, "object": "event", "type": kind, "api_version": "2017-08-15",
            "created": chrono::Utc::now().timestamp(), "data": { "object": object } })
    .to_string()
}

async fn post_event(app: &TestApp, body: &str, signature: Option<String>) -> (u16, Value) {
    let mut req = app
        .client
        .post(format!("{}/webhooks/stripe", app.addr))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(s) = signature {
        req = req.header("stripe-signature", s);
    }
    let resp = req.send().await.unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

async fn post_signed(app: &TestApp, body: &str) -> (u16, Value) {
    let now = chrono::Utc::now().timestamp();
    post_event(app, body, Some(signed(SECRET, now, body))).await
}

#[tokio::test]
async fn webhooks_need_a_fresh_signature_by_a_configured_secret_and_act_once() {
    let app = TestApp::spawn_with(|c| {
        c.stripe_webhook_secrets = vec!["whsec_old".into(), SECRET.into()];
    })
    .await;
    let body = event(
        "evt_unknown_1",
        "payment_intent.succeeded",
        json!({ "id": "pi_nobody", "object": "payment_intent", "amount": 125_000, "currency": "vnd" }),
    );
    let now = chrono::Utc::now().timestamp();
    // Unsigned, signed by another secret, stale, tampered: 400, and nothing recorded.
    assert_eq!(post_event(&app, &body, None).await.0, 400);
    assert_eq!(
        post_event(&app, &body, Some(signed("whsec_wrong", now, &body)))
            .await
            .0,
        400
    );
    assert_eq!(
        post_event(&app, &body, Some(signed(SECRET, now - 301, &body)))
            .await
            .0,
        400
    );
    let tampered = body.replace("125000", "1");
    assert_eq!(
        post_event(&app, &tampered, Some(signed(SECRET, now, &body)))
            .await
            .0,
        400
    );
    assert_eq!(app.count("payment_events").await, 0);
    // The old secret still works during a rotation; money for no intent of ours is kept for
    // review; the same event again is a 200 that changes nothing.
    let (status, _) = post_event(&app, &body, Some(signed("whsec_old", now, &body))).await;
    assert_eq!(status, 200);
    assert_eq!(post_signed(&app, &body).await.0, 200);
    assert_eq!(app.count("payment_events").await, 1);
    let admin = app.admin().await;
    let review = app
        .data(
            Some(&admin),
            "{ paymentsToReview(first: 5) { nodes { provider outcome amount { amount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        review["paymentsToReview"]["nodes"],
        json!([{ "provider": "STRIPE", "outcome": "UNKNOWN_REFERENCE", "amount": { "amount": 125_000 } }])
    );
    // A type we do not handle: 200, ignored.
    let other = event("evt_other", "customer.created", json!({ "id": "cus_1" }));
    assert_eq!(post_signed(&app, &other).await.0, 200);
    // Garbage that is signed: 400.
    assert_eq!(post_signed(&app, "not json").await.0, 400);
}

/// localstripe's address, or `None` (and the test skips) when this machine has none.
fn localstripe() -> Option<String> {
    let url = server::config::test_stripe_url();
    if url.is_none() {
        assert!(
            std::env::var("REQUIRE_STRIPE").is_err(),
            "REQUIRE_STRIPE is set but TEST_STRIPE_URL is not"
        );
        eprintln!("skipped: no localstripe (TEST_STRIPE_URL; .ci/run starts one)");
    }
    url
}

/// Registers the app's webhook with localstripe, under a name of its own.
async fn register_webhook(app: &TestApp, base: &str) {
    let name = crate::harness::random_suffix();
    let resp = app
        .client
        .post(format!("{base}/_config/webhooks/{name}"))
        .form(&[
            ("url", format!("{}/webhooks/stripe", app.addr)),
            ("secret", SECRET.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "localstripe refused the webhook"
    );
}

/// Pays an intent on localstripe as Stripe.js would in the buyer's browser: a card payment
/// method with the test card, set on the intent, then confirmed.
async fn pay_with_test_card(app: &TestApp, base: &str, intent: &str, card: &str) -> Value {
    let key = "sk_test_cho_ocop";
    let pm: Value = app
        .client
        .post(format!("{base}/v1/payment_methods"))
        .basic_auth(key, Some(""))
        .form(&[
            ("type", "card"),
            ("card[number]", card),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2030"),
            ("card[cvc]", "123"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pm = pm["id"].as_str().expect("a payment method").to_owned();
    app.client
        .post(format!("{base}/v1/payment_intents/{intent}"))
        .basic_auth(key, Some(""))
        .form(&[("payment_method", pm.as_str())])
        .send()
        .await
        .unwrap();
    app.client
        .post(format!("{base}/v1/payment_intents/{intent}/confirm"))
        .basic_auth(key, Some(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

const ORDER_PAYMENT: &str = "query($id: ID!) { order(id: $id) { status total { amount }
    payment { method status amount { amount } refunded { amount } stripeClientSecret } } }";

async fn card_order(app: &TestApp, buyer: &Person, f: &Fixture, key: &str) -> (Value, String, i64) {
    let d = app
        .data(Some(buyer), CHECKOUT, checkout_by(key, f, "STRIPE"))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    let id = d["checkout"]["order"]["id"].clone();
    assert_eq!(d["checkout"]["order"]["status"], "AWAITING_PAYMENT");
    let o = app
        .data(Some(buyer), ORDER_PAYMENT, json!({ "id": id }))
        .await;
    let secret = o["order"]["payment"]["stripeClientSecret"]
        .as_str()
        .expect("a client secret")
        .to_owned();
    let intent = secret.split("_secret_").next().unwrap().to_owned();
    (id, intent, o["order"]["total"]["amount"].as_i64().unwrap())
}

/// Waits for the payment to reach `status`, then reads the order once more: one response
/// reads the order and its payment in separate statements, so the read that first sees the
/// payment settled may have read the order a moment before the settling transaction committed.
async fn wait_for_status(app: &TestApp, buyer: &Person, id: &Value, status: &str) -> Value {
    for _ in 0..100 {
        let o = app
            .data(Some(buyer), ORDER_PAYMENT, json!({ "id": id }))
            .await;
        if o["order"]["payment"]["status"] == status {
            return app
                .data(Some(buyer), ORDER_PAYMENT, json!({ "id": id }))
                .await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the payment never became {status}");
}

#[tokio::test]
async fn a_card_payment_is_confirmed_by_localstripes_own_signed_webhook() {
    let Some(base) = localstripe() else { return };
    let app = TestApp::spawn().await;
    register_webhook(&app, &base).await;
    let d = app.data(None, "{ paymentMethods }", json!({})).await;
    assert!(
        d["paymentMethods"]
            .as_array()
            .unwrap()
            .contains(&json!("STRIPE"))
    );
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let (id, intent, total) = card_order(&app, &buyer, &f, "card-1").await;
    assert_eq!(total, 270_000);
    // A retried checkout returns the same order and the same intent.
    let again = app
        .data(Some(&buyer), CHECKOUT, checkout_by("card-1", &f, "STRIPE"))
        .await;
    assert_eq!(again["checkout"]["order"]["id"], id);
    let o = app
        .data(Some(&buyer), ORDER_PAYMENT, json!({ "id": id }))
        .await;
    assert!(
        o["order"]["payment"]["stripeClientSecret"]
            .as_str()
            .unwrap()
            .starts_with(&intent)
    );

    let confirmed = pay_with_test_card(&app, &base, &intent, "4242424242424242").await;
    assert_eq!(confirmed["status"], "succeeded", "{confirmed}");
    let o = wait_for_status(&app, &buyer, &id, "SUCCEEDED").await;
    assert_eq!(o["order"]["status"], "CONFIRMED");
    // Paid: the client secret is no longer handed out.
    assert_eq!(o["order"]["payment"]["stripeClientSecret"], Value::Null);

    // The same event three times at once, and a failure reported after success: no change.
    let body = event(
        "evt_replayed",
        "payment_intent.succeeded",
        json!({ "id": intent, "object": "payment_intent", "amount": total, "currency": "vnd" }),
    );
    let r = futures_util::future::join_all((0..3).map(|_| post_signed(&app, &body))).await;
    assert!(r.iter().all(|(s, _)| *s == 200), "{r:?}");
    let failed = event(
        "evt_failed_late",
        "payment_intent.payment_failed",
        json!({ "id": intent, "object": "payment_intent", "amount": total, "currency": "vnd" }),
    );
    assert_eq!(post_signed(&app, &failed).await.0, 200);
    let o = app
        .data(Some(&buyer), ORDER_PAYMENT, json!({ "id": id }))
        .await;
    assert_eq!(o["order"]["payment"]["status"], "SUCCEEDED");
    assert_eq!(
        app.scalar(
            "SELECT CAST(SUM(amount) AS BIGINT) AS n FROM ledger_entries WHERE kind = 'CAPTURED'"
        )
        .await,
        total,
        "captured once"
    );

    // Cancelling before shipping refunds through Stripe, at once.
    let d = app
        .data(
            Some(&buyer),
            ORDER_CANCEL,
            json!({ "id": id, "r": "Đổi ý" }),
        )
        .await;
    assert_eq!(d["orderCancel"]["userErrors"], json!([]), "{d}");
    let o = app
        .data(Some(&buyer), ORDER_PAYMENT, json!({ "id": id }))
        .await;
    assert_eq!(o["order"]["payment"]["status"], "REFUNDED");
    assert_eq!(o["order"]["payment"]["refunded"]["amount"], total);
    assert_eq!(
        app.scalar("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM refunds WHERE status = 'SUCCEEDED' AND provider_ref LIKE 're_%'").await,
        1
    );
    // Stripe's charge.refunded for that refund changes nothing more.
    let refunded = event(
        "evt_refunded",
        "charge.refunded",
        json!({ "id": "ch_x", "object": "charge", "payment_intent": intent, "amount": total,
                "amount_refunded": total, "currency": "vnd" }),
    );
    assert_eq!(post_signed(&app, &refunded).await.0, 200);
    let o = app
        .data(Some(&buyer), ORDER_PAYMENT, json!({ "id": id }))
        .await;
    assert_eq!(o["order"]["payment"]["refunded"]["amount"], total);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn card_money_of_another_amount_or_after_cancelling_is_never_applied_silently() {
    let Some(_) = localstripe() else { return };
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let (id, intent, total) = card_order(&app, &buyer, &f, "card-2").await;
    // Another amount, or another currency: kept for review, the order still waits.
    for (n, (amount, currency)) in [(total - 1, "vnd"), (total, "usd")].into_iter().enumerate() {
        let body = event(
            &format!("evt_odd_{n}"),
            "payment_intent.succeeded",
            json!({ "id": intent, "object": "payment_intent", "amount": amount, "currency": currency }),
        );
        assert_eq!(post_signed(&app, &body).await.0, 200);
    }
    let o = app
        .data(Some(&buyer), ORDER_PAYMENT, json!({ "id": id }))
        .await;
    assert_eq!(o["order"]["status"], "AWAITING_PAYMENT");
    let admin = app.admin().await;
    let review = app
        .data(
            Some(&admin),
            "{ paymentsToReview(first: 5) { nodes { outcome } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        review["paymentsToReview"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The buyer cancels; money that arrives afterwards is booked and refunded through Stripe.
    app.data(
        Some(&buyer),
        ORDER_CANCEL,
        json!({ "id": id, "r": "Đổi ý" }),
    )
    .await;
    let late = event(
        "evt_late",
        "payment_intent.succeeded",
        json!({ "id": intent, "object": "payment_intent", "amount": total, "currency": "vnd" }),
    );
    // localstripe must hold a captured charge to refund: pay the intent there first.
    let base = server::config::test_stripe_url().unwrap();
    pay_with_test_card(&app, &base, &intent, "4242424242424242").await;
    assert_eq!(post_signed(&app, &late).await.0, 200);
    let o = app
        .data(Some(&buyer), ORDER_PAYMENT, json!({ "id": id }))
        .await;
    assert_eq!(o["order"]["status"], "CANCELLED");
    assert_eq!(o["order"]["payment"]["status"], "REFUNDED");
    assert_eq!(o["order"]["payment"]["refunded"]["amount"], total);
    assert_eq!(
        app.scalar("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM refunds WHERE status = 'SUCCEEDED'")
            .await,
        1
    );
    assert_books_balance(&app).await;
}
