//! Money going back, and the books. Cancelling a paid order refunds it; `refundCreate` refunds
//! in full or in part, never more than paid, once per idempotency key, only for ADMIN or the
//! producer's OWNER on its own part; units of parts refunded before shipping return to their
//! lots. Every movement is one ledger row, and the books balance: per order, the buyer's side
//! equals the payment's captured minus refunded; per producer, what the platform owes equals
//! its completed parts less fees and refunds — also after random sequences (a property test).

use serde_json::{Value, json};

use crate::builders::{Fixture, Gid, Person};
use crate::docs::{CHECKOUT, ORDER_CANCEL, SELLER_ORDER_DELIVER, SELLER_ORDER_SHIP};
use crate::harness::TestApp;
use crate::payments::{bank_order, post_sepay, sepay};

const REFUND: &str = "mutation($o: ID!, $k: String!, $a: Int, $r: String!) {
    refundCreate(orderId: $o, idempotencyKey: $k, amount: $a, reason: $r) {
      order { status total { amount } payment { status amount { amount } refunded { amount } }
              shipments { status } }
      userErrors { code field message } } }";

const STATEMENT: &str =
    "query($p: ID!, $f: Date!, $t: Date!) { producerStatement(producerId: $p, from: $f, to: $t) {
    openingBalance { amount } closingBalance { amount }
    lines { orderNumber kind description amount { amount } balance { amount } } } }";

async fn refund(
    app: &TestApp,
    who: &Person,
    order: &Value,
    key: &str,
    amount: Option<i64>,
) -> Value {
    app.data(
        Some(who),
        REFUND,
        json!({ "o": order, "k": key, "a": amount, "r": "Khách đổi ý" }),
    )
    .await["refundCreate"]
        .clone()
}

/// A bank-transfer order paid through SePay; returns its id and total.
async fn paid_bank_order(
    app: &TestApp,
    buyer: &Person,
    f: &Fixture,
    key: &str,
    sepay_id: i64,
) -> (Value, i64) {
    let o = bank_order(app, buyer, f, key).await;
    let total = o["total"]["amount"].as_i64().unwrap();
    let reference = o["payment"]["bankTransfer"]["reference"].as_str().unwrap();
    let (status, _) = post_sepay(
        app,
        "sepay-test-key",
        &sepay(sepay_id, total, &format!("CK {reference}")),
    )
    .await;
    assert_eq!(status, 200);
    (o["id"].clone(), total)
}

/// The books of every order and producer, checked from the tables themselves.
pub(crate) async fn assert_books_balance(app: &TestApp) {
    let off = app
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM payments p WHERE p.captured - p.refunded <>
               (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e
                 WHERE e.order_id = p.order_id AND e.account = 'BUYER')
               OR p.refunded > p.captured OR p.refunded < 0",
        )
        .await;
    assert_eq!(off, 0, "an order's buyer side disagrees with its payment");
    // Per part: never more refunded than paid.
    let over = app
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM seller_orders s WHERE
               (SELECT COALESCE(SUM(-e.amount), 0) FROM ledger_entries e WHERE e.seller_order_id = s.id
                  AND e.account = 'BUYER' AND e.kind = 'REFUNDED') >
               (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e WHERE e.seller_order_id = s.id
                  AND e.account = 'BUYER' AND e.kind <> 'REFUNDED')",
        )
        .await;
    assert_eq!(over, 0, "a part was refunded more than it was paid");
    // Per producer: owed = completed parts' goods and shipping − fees − their refunds − what
    // their creators earn.
    let owed_wrong = app
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM producers pr WHERE
               (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e
                 WHERE e.account = 'PRODUCER' AND e.producer_id = pr.id) <>
               (SELECT COALESCE(SUM(s.subtotal + s.shipping - s.platform_fee
                   - (SELECT COALESCE(SUM(-e.amount), 0) FROM ledger_entries e WHERE e.seller_order_id = s.id
                        AND e.account = 'BUYER' AND e.kind = 'REFUNDED')
                   - (SELECT COALESCE(SUM(c.amount), 0) FROM commissions c WHERE c.seller_order_id = s.id)), 0)
                 FROM seller_orders s WHERE s.producer_id = pr.id AND s.status = 'COMPLETED')",
        )
        .await;
    assert_eq!(
        owed_wrong, 0,
        "a producer's account disagrees with its completed parts"
    );
    assert_commissions_balance(app).await;
}

/// Every commission equals the sum of its entries, at the line's rate, on exactly what was
/// paid for the line less its share of refunds (none at all for a cancelled part), and exists
/// only for money that was taken.
pub(crate) async fn assert_commissions_balance(app: &TestApp) {
    let unbalanced = app
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM commissions c WHERE c.amount <>
               (SELECT COALESCE(SUM(e.amount), 0) FROM commission_entries e WHERE e.commission_id = c.id)",
        )
        .await;
    assert_eq!(unbalanced, 0, "a commission disagrees with its entries");
    let unpaid = app
        .scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM commissions c WHERE NOT EXISTS
               (SELECT 1 FROM ledger_entries e WHERE e.seller_order_id = c.seller_order_id
                  AND e.account = 'BUYER' AND e.kind IN ('CAPTURED', 'CASH_COLLECTED'))",
        )
        .await;
    assert_eq!(unpaid, 0, "a commission on money never taken");
    use sea_orm::ConnectionTrait;
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT c.amount, c.rate_bps, c.status, l.total, l.commission_bps,
                    CAST(s.subtotal + s.shipping AS BIGINT) AS part_total,
                    s.status AS part_status,
                    CAST((SELECT COALESCE(SUM(-e.amount), 0) FROM ledger_entries e WHERE e.seller_order_id = s.id
                       AND e.account = 'BUYER' AND e.kind = 'REFUNDED') AS BIGINT) AS refunded
               FROM commissions c JOIN order_lines l ON l.id = c.order_line_id
               JOIN seller_orders s ON s.id = c.seller_order_id",
        ))
        .await
        .unwrap();
    for r in rows {
        let get = |c: &str| r.try_get::<i64>("", c).unwrap();
        let (amount, rate, line, part, refunded) = (
            get("amount"),
            get("rate_bps"),
            get("total"),
            get("part_total"),
            get("refunded"),
        );
        assert_eq!(
            Some(rate),
            r.try_get::<Option<i64>>("", "commission_bps").unwrap()
        );
        let status: String = r.try_get("", "status").unwrap();
        let part_status: String = r.try_get("", "part_status").unwrap();
        let expected = if part_status == "CANCELLED" {
            0
        } else {
            orders::commissions::earned(line, rate, refunded, part)
        };
        assert_eq!(amount, expected, "{status} on a {part_status} part");
        // Never on refunded money: at most the rate on what is left of the part, pro rata.
        // amount ≤ rate × line × (part − refunded) / part, give or take half a đồng.
        let (a, r, l, p, f) = (
            i128::from(amount),
            i128::from(rate),
            i128::from(line),
            i128::from(part),
            i128::from(refunded.min(part)),
        );
        assert!(
            a * 10_000 * p <= r * l * (p - f) + 5_000 * p,
            "{amount} earned on {line} of a {part} part with {refunded} refunded"
        );
        assert_eq!(amount == 0, status == "VOIDED", "{status} of {amount}");
    }
}

async fn available(app: &TestApp, f: &Fixture) -> i64 {
    app.scalar(&format!(
        "SELECT CAST(COALESCE(SUM(quantity_available), 0) AS BIGINT) AS n FROM lots WHERE variant_id = {}",
        f.variant.0
    ))
    .await
}

#[tokio::test]
async fn cancelling_a_paid_transfer_refunds_it_by_hand_and_returns_the_units() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let (id, total) = paid_bank_order(&app, &buyer, &f, "k1", 1).await;
    assert_eq!(total, 270_000);
    assert_eq!(available(&app, &f).await, 8);

    let d = app
        .data(
            Some(&buyer),
            ORDER_CANCEL,
            json!({ "id": id, "r": "Đặt nhầm" }),
        )
        .await;
    assert_eq!(d["orderCancel"]["userErrors"], json!([]), "{d}");
    let o = app
        .data(
            Some(&buyer),
            "query($id: ID!) { order(id: $id) { status payment { status refunded { amount formatted } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(o["order"]["status"], "CANCELLED");
    assert_eq!(o["order"]["payment"]["status"], "REFUNDED");
    assert_eq!(o["order"]["payment"]["refunded"]["amount"], 270_000);
    assert_eq!(o["order"]["payment"]["refunded"]["formatted"], "270.000 ₫");
    assert_eq!(available(&app, &f).await, 10);
    // A bank transfer is paid back by hand: recorded as MANUAL for ADMIN.
    assert_eq!(
        app.scalar("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM refunds WHERE status = 'MANUAL' AND amount = 270000")
            .await,
        1
    );
    // Nothing more to refund.
    let admin = app.admin().await;
    let r = refund(&app, &admin, &id, "again", None).await;
    assert_eq!(r["userErrors"][0]["code"], "INVALID_STATE", "{r}");
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn refunds_are_capped_idempotent_and_only_for_admin_or_the_parts_owner() {
    let app = TestApp::spawn().await;
    let a = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let b = app.listed_product("Mật ong", 4, 200_000, "38").await;
    let buyer = app.buyer("mua@test.vn").await;
    // One order from both producers: 2 × 120.000 + 30.000 and 1 × 200.000 + 30.000.
    let order = crate::payments::two_producer_order(&app, &buyer, &a, &b, "BANK_TRANSFER").await;
    let id = order["id"].clone();
    let total = order["total"]["amount"].as_i64().unwrap();
    assert_eq!(total, 500_000);
    let o = app
        .data(
            Some(&buyer),
            "query($id: ID!) { order(id: $id) { payment { bankTransfer { reference } } } }",
            json!({ "id": id }),
        )
        .await;
    let reference = o["order"]["payment"]["bankTransfer"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    post_sepay(&app, "sepay-test-key", &sepay(7, total, &reference)).await;

    // The buyer and a stranger may not refund; the other producer's owner may not touch A's part.
    for who in [&buyer, &app.buyer("la@test.vn").await] {
        let r = app
            .gql(
                Some(who),
                REFUND,
                json!({ "o": id, "k": "x", "a": 1000, "r": "x" }),
            )
            .await;
        assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
    }
    // A's owner: at most A's part (270.000), in part, once per key.
    let r = refund(&app, &a.owner, &id, "k1", Some(300_000)).await;
    assert_eq!(r["userErrors"][0]["code"], "INVALID", "{r}");
    assert!(
        r["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("270.000 ₫"),
        "{r}"
    );
    let r = refund(&app, &a.owner, &id, "k1", Some(20_000)).await;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    assert_eq!(r["order"]["payment"]["status"], "PARTIALLY_REFUNDED");
    assert_eq!(r["order"]["payment"]["refunded"]["amount"], 20_000);
    let again = refund(&app, &a.owner, &id, "k1", Some(20_000)).await;
    assert_eq!(
        again["order"]["payment"]["refunded"]["amount"], 20_000,
        "{again}"
    );
    let reused = refund(&app, &a.owner, &id, "k1", Some(5_000)).await;
    assert_eq!(
        reused["userErrors"][0]["code"], "IDEMPOTENCY_KEY_REUSED",
        "{reused}"
    );
    // Ten refunds of the same key at once: one refund.
    let same: Vec<Value> = futures_util::future::join_all(
        (0..10).map(|_| refund(&app, &a.owner, &id, "k2", Some(1_000))),
    )
    .await;
    assert!(
        same.iter().all(|r| r["userErrors"] == json!([])
            || r["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"),
        "{same:?}"
    );
    assert_eq!(
        app.scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM refunds WHERE idempotency_key = 'user:k2'"
        )
        .await,
        1
    );
    // Not a member of A: refused. A's own staff who are not OWNER: refused too.
    let r = app
        .gql(
            Some(&b.owner),
            REFUND,
            json!({ "o": id, "k": "b1", "a": 250_000, "r": "x" }),
        )
        .await;
    assert_eq!(
        r["data"]["refundCreate"]["userErrors"][0]["code"], "INVALID",
        "B's part is only 230.000: {r}"
    );
    // A's owner refunds the rest of A's part without an amount: A's part is cancelled, its
    // units go back; B's part is untouched.
    let r = refund(&app, &a.owner, &id, "k3", None).await;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    assert_eq!(r["order"]["payment"]["refunded"]["amount"], 270_000);
    let statuses: Vec<&str> = r["order"]["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    // The owner sees only its own part.
    assert_eq!(statuses, ["CANCELLED"]);
    let admin = app.admin().await;
    let o = app
        .data(
            Some(&admin),
            "query($id: ID!) { order(id: $id) { status shipments { status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(o["order"]["status"], "CONFIRMED");
    assert_eq!(
        o["order"]["shipments"],
        json!([{ "status": "CANCELLED" }, { "status": "CONFIRMED" }])
    );
    assert_eq!(available(&app, &a).await, 10);
    assert_eq!(available(&app, &b).await, 9);
    // ADMIN refunds everything left: REFUNDED, every unit back.
    let r = refund(&app, &admin, &id, "all", None).await;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    assert_eq!(r["order"]["payment"]["status"], "REFUNDED");
    assert_eq!(r["order"]["payment"]["refunded"]["amount"], 500_000);
    assert_eq!(r["order"]["status"], "CANCELLED");
    assert_eq!(available(&app, &b).await, 10);
    let r = refund(&app, &admin, &id, "more", Some(1)).await;
    assert_eq!(r["userErrors"][0]["code"], "INVALID_STATE");
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_producer_is_owed_its_completed_parts_less_fee_and_refunds_in_its_statement() {
    let app = TestApp::spawn_with(|c| c.platform_fee_bps = 250).await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let d = app
        .data(
            Some(&buyer),
            CHECKOUT,
            crate::payments::checkout_by("cod", &f, "COD"),
        )
        .await;
    let order = &d["checkout"]["order"];
    let (id, number) = (
        order["id"].clone(),
        order["number"].as_str().unwrap().to_owned(),
    );
    let part = order["shipments"][0]["id"].clone();
    app.data(
        Some(&f.owner),
        SELLER_ORDER_SHIP,
        json!({ "id": part, "c": "GHN", "t": "GHN1" }),
    )
    .await;
    let d = app
        .data(Some(&f.owner), SELLER_ORDER_DELIVER, json!({ "id": part }))
        .await;
    assert_eq!(d["sellerOrderDeliver"]["userErrors"], json!([]), "{d}");
    // Cash collected; the producer is owed nothing until the buyer confirms.
    let today = kernel::time::today_vn().to_string();
    let vars = json!({ "p": f.producer.gid(), "f": today, "t": today });
    let s = app.data(Some(&f.owner), STATEMENT, vars.clone()).await;
    assert_eq!(s["producerStatement"]["lines"], json!([]));
    app.data(
        Some(&buyer),
        crate::docs::ORDER_CONFIRM_RECEIVED,
        json!({ "id": id }),
    )
    .await;
    // A goodwill refund after completion is charged to the producer at once.
    let r = refund(&app, &f.owner, &id, "goodwill", Some(10_000)).await;
    assert_eq!(r["userErrors"], json!([]), "{r}");
    let s = app.data(Some(&f.owner), STATEMENT, vars.clone()).await;
    let st = &s["producerStatement"];
    let amounts: Vec<(String, i64, i64)> = st["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_owned(),
                l["amount"]["amount"].as_i64().unwrap(),
                l["balance"]["amount"].as_i64().unwrap(),
            )
        })
        .collect();
    // 270.000 goods and shipping; 2,5 % fee = 6.750; refund 10.000.
    assert_eq!(
        amounts,
        vec![
            ("SALE".to_owned(), 270_000, 270_000),
            ("PLATFORM_FEE".to_owned(), -6_750, 263_250),
            ("REFUNDED".to_owned(), -10_000, 253_250),
        ]
    );
    assert_eq!(st["closingBalance"]["amount"], 253_250);
    assert_eq!(st["lines"][0]["orderNumber"], number);
    assert_eq!(st["lines"][1]["description"], "Phí nền tảng");

    // The same as CSV, with a BOM so Excel reads the Vietnamese; members and ADMIN only.
    let url = format!(
        "{}/producers/{}/statement.csv?from={today}&to={today}",
        app.addr,
        f.producer.gid()
    );
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&f.owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(
        rows[0],
        "Thời điểm,Đơn hàng,Nội dung,Số tiền (đồng),Số dư (đồng)"
    );
    assert!(
        rows[2].ends_with(&format!(
            "{number},Tiền hàng và phí vận chuyển,270000,270000"
        )),
        "{text}"
    );
    assert_eq!(*rows.last().unwrap(), ",,Số dư cuối kỳ,,253250");
    let stranger = app.buyer("la@test.vn").await;
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&stranger.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 401);
    let s = app.gql(Some(&stranger), STATEMENT, vars).await;
    assert_eq!(s["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_books_balance(&app).await;
}

/// Random sequences of checkout, pay, cancel, refund, ship, deliver and confirm, through the
/// services, and the books must balance after each sequence.
#[test]
fn the_books_balance_after_random_sequences() {
    use proptest::prelude::*;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let cases = if std::env::var("TEST_DATABASE_URL").is_ok() {
        6
    } else {
        12
    };
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let step = (0u8..7, 0usize..4, 0u8..3, 1i64..60_000);
    runner
        .run(&proptest::collection::vec(step, 6..30), |steps| {
            rt.block_on(crate::refunds::run_books(steps));
            Ok(())
        })
        .unwrap();
}

pub(crate) async fn run_books(steps: Vec<(u8, usize, u8, i64)>) {
    use kernel::id::{OrderId, SellerOrderId};
    use orders::checkout::{AddressFields, CheckoutFields, LineFields};
    use orders::payments::{PaymentStart, Provider, Report};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::spawn_with(|c| c.platform_fee_bps = 175).await;
    let a = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let b = app.listed_product("Mật ong", 4, 95_000, "38").await;
    app.stock(&a.owner, a.variant, 50).await;
    app.stock(&b.owner, b.variant, 50).await;
    let buyer = app.buyer("mua@test.vn").await;
    let admin = app.admin().await;
    // A creator with a link to product A, which is in the affiliate program at 10 %.
    let mai = crate::live_selling::creator(&app, "mai@test.vn", "038095002222").await;
    livestream::affiliates::set_program(&app.db, &a.owner.viewer, a.product, 1_000)
        .await
        .unwrap();
    let code = livestream::affiliates::create_link(&app.db, &mai.viewer, a.product, None)
        .await
        .unwrap()
        .code;
    let providers = payments::Providers::default();
    let bank = payments::Providers {
        bank: Some(
            payments::vietqr::BankAccount::parse("970436", "0011001932418", "CHO OCOP").unwrap(),
        ),
        sepay_api_key: Some("k".into()),
        ..Default::default()
    };
    let mut orders_made: Vec<i64> = Vec::new();
    for (n, (op, pick, who, amount)) in steps.into_iter().enumerate() {
        let order = orders_made.get(pick % orders_made.len().max(1)).copied();
        match (op, order) {
            (0, _) | (_, None) => {
                let method = if who == 0 {
                    orders::PaymentMethod::Cod
                } else {
                    orders::PaymentMethod::BankTransfer
                };
                // The creator's rate changes now and then: orders keep the rate of their day.
                if amount % 5 == 0 {
                    livestream::affiliates::set_program(
                        &app.db,
                        &a.owner.viewer,
                        a.product,
                        amount % 3_000,
                    )
                    .await
                    .unwrap();
                }
                let mut lines = vec![LineFields {
                    variant_id: Some(a.variant),
                    quantity: 1 + amount % 3,
                    // Most of producer A's lines come through the creator's link.
                    affiliate_code: (who != 1).then(|| code.clone()),
                    ..Default::default()
                }];
                if who != 1 {
                    lines.push(LineFields {
                        variant_id: Some(b.variant),
                        quantity: 1,
                        ..Default::default()
                    });
                }
                let key = format!("k{n}");
                let r = orders::checkout::checkout(
                    &app.db,
                    &app.units,
                    &buyer.viewer,
                    CheckoutFields {
                        idempotency_key: &key,
                        lines,
                        address: AddressFields {
                            name: "Lan",
                            phone: "0912345678",
                            province_code: "01",
                            commune_code: None,
                            line: "1 Tràng Tiền",
                        },
                        method,
                    },
                    &PaymentStart {
                        providers: &bank,
                        client_ip: "127.0.0.1",
                        hold: chrono::Duration::minutes(15),
                        max_open_unpaid: 1000,
                        fee_bps: 175,
                        max_unpaid_units: i64::MAX,
                    },
                )
                .await;
                if let Ok(o) = r {
                    orders_made.push(o.id);
                }
            }
            (1, Some(id)) => {
                let pay = orders::payments::of_order(&app.db, id)
                    .await
                    .unwrap()
                    .unwrap();
                if let Some(reference) = pay.reference {
                    orders::payments::settle(
                        &app.db,
                        Report {
                            provider: Provider::Sepay,
                            external_id: format!("t{n}"),
                            references: vec![reference],
                            amount: pay.amount,
                            paid: true,
                            in_vnd: true,
                            detail: String::new(),
                        },
                    )
                    .await
                    .unwrap();
                }
            }
            (2, Some(id)) => {
                let v = if who == 0 {
                    &buyer.viewer
                } else {
                    &a.owner.viewer
                };
                let _ = orders::lifecycle::cancel(&app.db, v, OrderId(id), "Hủy thử").await;
            }
            (3, Some(id)) => {
                let v = if who == 0 {
                    &admin.viewer
                } else if who == 1 {
                    &a.owner.viewer
                } else {
                    &b.owner.viewer
                };
                let amt = (amount % 4 != 0).then_some(amount);
                let _ = orders::refunds::create(
                    &app.db,
                    &providers,
                    v,
                    OrderId(id),
                    &format!("r{n}"),
                    amt,
                    "Hoàn thử",
                )
                .await;
            }
            (4 | 5, Some(id)) => {
                for (owner, producer) in [(&a.owner, a.producer), (&b.owner, b.producer)] {
                    if who as usize == usize::from(producer == b.producer) || who == 2 {
                        let parts = orders::entity::seller_order::Entity::find()
                            .filter(orders::entity::seller_order::Column::OrderId.eq(id))
                            .filter(orders::entity::seller_order::Column::ProducerId.eq(producer.0))
                            .all(&app.db)
                            .await
                            .unwrap();
                        for p in parts {
                            let _ = orders::lifecycle::ship(
                                &app.db,
                                &owner.viewer,
                                SellerOrderId(p.id),
                                "GHN",
                                "1",
                            )
                            .await;
                            if op == 5 {
                                let _ = orders::lifecycle::deliver(
                                    &app.db,
                                    &owner.viewer,
                                    SellerOrderId(p.id),
                                )
                                .await;
                            }
                        }
                    }
                }
            }
            (_, Some(id)) => {
                let _ =
                    orders::lifecycle::confirm_received(&app.db, &buyer.viewer, OrderId(id)).await;
            }
        }
    }
    assert_books_balance(&app).await;
    // Stock: what the lots hold plus what live parts took is what was put in.
    let units = app
        .scalar(&format!(
            "SELECT CAST((SELECT COALESCE(SUM(quantity_available), 0) FROM lots WHERE variant_id IN ({va}, {vb}))
               + (SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN seller_orders s ON s.id = l.seller_order_id
                  WHERE s.status <> 'CANCELLED') AS BIGINT) AS n",
            va = a.variant.0,
            vb = b.variant.0
        ))
        .await;
    assert_eq!(units, 120, "units were lost or made");
}
