//! Selling through lives and links: live prices only while live, within the cap and each
//! buyer's limit (race-proof), attribution of lines to sessions and creators, affiliate links
//! and their clicks, commissions, and the events viewers receive on every replica.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::builders::{Fixture, Gid, Person};
use crate::docs::{self, CHECKOUT, ORDER_CANCEL, SELLER_ORDER_DELIVER, SELLER_ORDER_SHIP};
use crate::harness::{TestApp, Ws};
use crate::ws::next_text;

const CREATE: &str = "mutation($i: LiveSessionInput!) { liveSessionCreate(input: $i) { liveSession { id } userErrors { code field message } } }";
const START: &str =
    "mutation($id: ID!) { liveSessionStart(id: $id) { userErrors { code field message } } }";
const END: &str =
    "mutation($id: ID!) { liveSessionEnd(id: $id) { userErrors { code field message } } }";
const OFFER: &str =
    "mutation($s: ID!, $i: LiveOfferInput!) { liveOfferAdd(sessionId: $s, input: $i) {
    liveSession { offers { id quantitySold } } userErrors { code field message } } }";
const PIN: &str =
    "mutation($s: ID!, $o: ID!) { livePin(sessionId: $s, offerId: $o) { userErrors { code } } }";
const OFFERS: &str = "query($id: ID!) { liveSession(id: $id) { offers { id quantitySold } } }";
const FIGURES: &str = "query($id: ID!, $p: ID) { liveSession(id: $id) { figures(producerId: $p) { orders units revenue { amount formatted } } } }";
const PROGRAM: &str = "mutation($p: ID!, $r: Int!) { affiliateProgramSet(productId: $p, rateBps: $r) { product { id } userErrors { code field message } } }";
const LINK: &str = "mutation($p: ID!, $s: ID) { affiliateLinkCreate(productId: $p, liveSessionId: $s) {
    link { code url clicks product { id } creator { id } liveSession { id } } userErrors { code field message } } }";
const LINE_ATTRIBUTION: &str = "query($id: ID!) { order(id: $id) { lines { unitPrice { amount } liveSession { id } creator { id } } } }";
const MY_COMMISSIONS: &str = "{ myCommissions(first: 20) { nodes { id rateBps amount { amount } status creator { id } orderLine { quantity total { amount } } } } }";

fn session_input(producer: Option<String>) -> Value {
    json!({ "i": { "title": "Phiên live đặc sản", "platform": "FACEBOOK",
                   "streamUrl": "https://facebook.com/htx/live",
                   "scheduledAt": (chrono::Utc::now() + chrono::Duration::minutes(5)).to_rfc3339(),
                   "producerId": producer } })
}

/// A session (the producer's own when `producer`), not started; its id.
async fn session(app: &TestApp, host: &Person, producer: Option<String>) -> Value {
    let d = app.data(Some(host), CREATE, session_input(producer)).await;
    assert_eq!(d["liveSessionCreate"]["userErrors"], json!([]), "{d}");
    d["liveSessionCreate"]["liveSession"]["id"].clone()
}

/// Adds an offer of the fixture's variant; its id.
async fn offer(
    app: &TestApp,
    who: &Person,
    s: &Value,
    f: &Fixture,
    price: i64,
    cap: i64,
    limit: Option<i64>,
) -> Value {
    let d = app
        .data(
            Some(who),
            OFFER,
            json!({ "s": s, "i": { "variantId": f.variant.gid(), "livePrice": price,
                                   "quantityCap": cap, "perBuyerLimit": limit } }),
        )
        .await;
    assert_eq!(d["liveOfferAdd"]["userErrors"], json!([]), "{d}");
    let offers = d["liveOfferAdd"]["liveSession"]["offers"]
        .as_array()
        .unwrap();
    offers.last().unwrap()["id"].clone()
}

async fn sold(app: &TestApp, s: &Value) -> i64 {
    app.data(None, OFFERS, json!({ "id": s })).await["liveSession"]["offers"][0]["quantitySold"]
        .as_i64()
        .unwrap()
}

fn live_line(key: &str, f: &Fixture, qty: i64, offer: &Value) -> Value {
    docs::checkout_vars(
        key,
        json!([{ "variantId": f.variant.gid(), "quantity": qty, "liveOfferId": offer }]),
    )
}

/// A verified creator.
pub(crate) async fn creator(app: &TestApp, email: &str, id_number: &str) -> Person {
    let p = app.buyer(email).await;
    let d = app
        .data(
            Some(&p),
            "mutation($i: CreatorApplicationInput!) { creatorApply(input: $i) { userErrors { code } } }",
            json!({ "i": { "legalName": "Trần Thị Mai", "idNumber": id_number, "phone": "0987654321",
                           "channels": ["https://www.tiktok.com/@mai"] } }),
        )
        .await;
    assert_eq!(d["creatorApply"]["userErrors"], json!([]), "{d}");
    let admin = app.admin().await;
    app.data(
        Some(&admin),
        "mutation($u: ID!) { creatorVerify(userId: $u, approve: true) { userErrors { code } } }",
        json!({ "u": p.id.gid() }),
    )
    .await;
    p
}

#[tokio::test]
async fn a_live_price_holds_only_while_live_within_the_cap_and_each_buyers_limit() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    app.stock(&f.owner, f.variant, 90).await;
    let other = app.listed_product("Mật ong", 4, 95_000, "38").await;
    let s = session(&app, &f.owner, Some(f.producer.gid())).await;
    let o = offer(&app, &f.owner, &s, &f, 99_000, 5, Some(2)).await;
    let (lan, minh, hung) = (
        app.buyer("lan@test.vn").await,
        app.buyer("minh@test.vn").await,
        app.buyer("hung@test.vn").await,
    );

    // Not live yet: refused, never charged another price, nothing taken.
    let d = app
        .data(Some(&lan), CHECKOUT, live_line("early", &f, 1, &o))
        .await;
    let e = &d["checkout"]["userErrors"][0];
    assert_eq!(e["code"], "INVALID_STATE", "{d}");
    assert_eq!(e["field"], json!(["input", "lines", "0", "liveOfferId"]));
    assert!(e["message"].as_str().unwrap().contains("đang phát"), "{e}");
    assert_eq!(app.count("orders").await, 0);

    app.data(Some(&f.owner), START, json!({ "id": s })).await;
    let d = app
        .data(Some(&lan), CHECKOUT, live_line("lan-1", &f, 2, &o))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    let lan_order = d["checkout"]["order"]["id"].clone();
    assert_eq!(
        d["checkout"]["order"]["lines"][0]["unitPrice"]["amount"],
        99_000
    );
    let line = &app
        .data(Some(&lan), LINE_ATTRIBUTION, json!({ "id": lan_order }))
        .await["order"]["lines"][0];
    assert_eq!(line["liveSession"]["id"], s);
    // The producer's own live: nobody earns a commission on it.
    assert_eq!(line["creator"], Value::Null);
    assert_eq!(sold(&app, &s).await, 2);

    // Lan's limit is 2: a third unit is refused, in another tab too.
    let d = app
        .data(Some(&lan), CHECKOUT, live_line("lan-2", &f, 1, &o))
        .await;
    let e = &d["checkout"]["userErrors"][0];
    assert_eq!(e["code"], "LIMIT_EXCEEDED", "{d}");
    assert_eq!(e["field"], json!(["input", "lines", "0", "quantity"]));
    assert!(e["message"].as_str().unwrap().contains("tối đa 2"), "{e}");

    // The cap: 5 in all. Minh takes 2, Hùng asks for 2 with 1 left.
    let d = app
        .data(Some(&minh), CHECKOUT, live_line("minh", &f, 2, &o))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    let d = app
        .data(Some(&hung), CHECKOUT, live_line("hung", &f, 2, &o))
        .await;
    let e = &d["checkout"]["userErrors"][0];
    assert_eq!(e["code"], "INSUFFICIENT_STOCK", "{d}");
    assert!(e["message"].as_str().unwrap().contains("chỉ còn 1"), "{e}");
    assert_eq!(sold(&app, &s).await, 4);

    // Lan cancels: her units go back to the cap and to her limit.
    let d = app
        .data(
            Some(&lan),
            ORDER_CANCEL,
            json!({ "id": lan_order, "r": "Đặt nhầm" }),
        )
        .await;
    assert_eq!(d["orderCancel"]["userErrors"], json!([]), "{d}");
    assert_eq!(sold(&app, &s).await, 2);
    let d = app
        .data(Some(&hung), CHECKOUT, live_line("hung-2", &f, 2, &o))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    let d = app
        .data(Some(&lan), CHECKOUT, live_line("lan-3", &f, 1, &o))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    assert_eq!(sold(&app, &s).await, 5);

    // An offer names its variant: it cannot price another product.
    let d = app
        .data(
            Some(&hung),
            CHECKOUT,
            docs::checkout_vars(
                "wrong",
                json!([{ "variantId": other.variant.gid(), "quantity": 1, "liveOfferId": o }]),
            ),
        )
        .await;
    assert_eq!(d["checkout"]["userErrors"][0]["code"], "INVALID", "{d}");
    let d = app
        .data(
            Some(&hung),
            CHECKOUT,
            docs::checkout_vars(
                "nonsense",
                json!([{ "variantId": f.variant.gid(), "quantity": 1, "liveOfferId": "garbage" }]),
            ),
        )
        .await;
    assert_eq!(d["checkout"]["userErrors"][0]["code"], "NOT_FOUND", "{d}");

    // The host sees what the live sold; the producer's members see their share; nobody else.
    let fig = app
        .data(Some(&f.owner), FIGURES, json!({ "id": s, "p": null }))
        .await;
    assert_eq!(
        fig["liveSession"]["figures"],
        json!({ "orders": 3, "units": 5, "revenue": { "amount": 495_000, "formatted": "495.000 ₫" } })
    );
    let fig = app
        .data(
            Some(&hung),
            FIGURES,
            json!({ "id": s, "p": f.producer.gid() }),
        )
        .await;
    assert_eq!(fig["liveSession"]["figures"], Value::Null);

    // Ended: the live price is gone with it.
    app.data(Some(&f.owner), END, json!({ "id": s })).await;
    let d = app
        .data(Some(&minh), CHECKOUT, live_line("late", &f, 1, &o))
        .await;
    assert_eq!(
        d["checkout"]["userErrors"][0]["code"], "INVALID_STATE",
        "{d}"
    );
}

/// A flash sale: 200 buyers, each on two connections at once asking twice, for an offer of 50
/// with a limit of 2 each. Exactly 50 are sold, and nobody gets more than 2.
#[tokio::test]
async fn a_flash_sale_of_fifty_to_two_hundred_buyers_on_two_connections_each() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mật ong", 4, 150_000, "38").await;
    app.stock(&f.owner, f.variant, 100).await;
    let s = session(&app, &f.owner, Some(f.producer.gid())).await;
    let o = offer(&app, &f.owner, &s, &f, 99_000, 50, Some(2)).await;
    app.data(Some(&f.owner), START, json!({ "id": s })).await;
    let mut buyers = Vec::new();
    for i in 0..200 {
        buyers.push(app.buyer(&format!("flash{i}@test.vn")).await);
    }
    let mut tasks = Vec::new();
    for (b, buyer) in buyers.iter().enumerate() {
        for conn in 0..2 {
            // A client of its own per connection: two tabs of one buyer.
            let http = reqwest::Client::new();
            let (addr, token, variant, offer) = (
                app.addr.clone(),
                buyer.token.clone(),
                f.variant.gid(),
                o.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut got = Vec::new();
                for n in 0..2 {
                    let vars = json!({ "i": { "idempotencyKey": format!("f{b}-{conn}-{n}"),
                        "lines": [{ "variantId": variant, "quantity": 1, "liveOfferId": offer }],
                        "shippingAddress": docs::address(), "paymentMethod": "COD" } });
                    let v: Value = http
                        .post(format!("{addr}/graphql"))
                        .bearer_auth(&token)
                        .json(&json!({ "query": "mutation($i: CheckoutInput!) { checkout(input: $i) { order { id } userErrors { code } } }", "variables": vars }))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    if v["data"]["checkout"]["order"]["id"].is_string() {
                        got.push(b);
                    } else {
                        let code = &v["data"]["checkout"]["userErrors"][0]["code"];
                        assert!(
                            code == "INSUFFICIENT_STOCK" || code == "LIMIT_EXCEEDED",
                            "{v}"
                        );
                    }
                }
                got
            }));
        }
    }
    let mut per_buyer = vec![0; 200];
    for t in tasks {
        for b in t.await.unwrap() {
            per_buyer[b] += 1;
        }
    }
    assert_eq!(
        per_buyer.iter().sum::<i64>(),
        50,
        "exactly the cap was sold"
    );
    assert!(per_buyer.iter().all(|n| *n <= 2), "nobody passed the limit");
    assert_eq!(sold(&app, &s).await, 50);
    assert_eq!(
        app.scalar("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS n FROM order_lines WHERE live_offer_id IS NOT NULL")
            .await,
        50
    );
    assert_eq!(
        app.scalar("SELECT CAST(MAX(quantity) AS BIGINT) AS n FROM live_offer_buyers")
            .await,
        2
    );
    crate::orders::stock_invariant(&app).await;
}

#[tokio::test]
async fn a_creators_link_counts_clicks_attributes_lines_and_earns_at_the_rate_of_the_day() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    app.stock(&f.owner, f.variant, 40).await;
    let mai = creator(&app, "mai@test.vn", "038095001111").await;

    // No program yet: no link. Only the OWNER sets a rate, within 0–50 %.
    let d = app
        .data(Some(&mai), LINK, json!({ "p": f.product.gid(), "s": null }))
        .await;
    assert_eq!(
        d["affiliateLinkCreate"]["userErrors"][0]["code"], "INVALID_STATE",
        "{d}"
    );
    let r = app
        .gql(
            Some(&mai),
            PROGRAM,
            json!({ "p": f.product.gid(), "r": 1000 }),
        )
        .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
    let d = app
        .data(
            Some(&f.owner),
            PROGRAM,
            json!({ "p": f.product.gid(), "r": 6000 }),
        )
        .await;
    assert_eq!(
        d["affiliateProgramSet"]["userErrors"][0]["field"],
        json!(["rateBps"])
    );
    let d = app
        .data(
            Some(&f.owner),
            PROGRAM,
            json!({ "p": f.product.gid(), "r": 1000 }),
        )
        .await;
    assert_eq!(d["affiliateProgramSet"]["userErrors"], json!([]), "{d}");

    // Unverified people get no link.
    let stranger = app.buyer("la@test.vn").await;
    let d = app
        .data(
            Some(&stranger),
            LINK,
            json!({ "p": f.product.gid(), "s": null }),
        )
        .await;
    assert_eq!(
        d["affiliateLinkCreate"]["userErrors"][0]["code"],
        "CREATOR_NOT_VERIFIED"
    );
    let d = app
        .data(Some(&mai), LINK, json!({ "p": f.product.gid(), "s": null }))
        .await;
    let link = d["affiliateLinkCreate"]["link"].clone();
    assert_eq!(link["creator"]["id"], mai.id.gid(), "{d}");
    let code = link["code"].as_str().unwrap().to_owned();
    assert!(
        link["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/l/{code}"))
    );

    // A click: counted once per client per hour, and sent to the product with the code.
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..3 {
        let r = no_redirect
            .get(format!("{}/l/{code}", app.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 302);
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("http://127.0.0.1/san-pham/"), "{to}");
        assert!(to.ends_with(&format!("?aff={code}")), "{to}");
    }
    let links = app
        .data(
            Some(&mai),
            "{ myAffiliateLinks(first: 5) { nodes { code clicks } } }",
            json!({}),
        )
        .await;
    assert_eq!(links["myAffiliateLinks"]["nodes"][0]["clicks"], 1);
    let r = no_redirect
        .get(format!("{}/l/khongco99", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Không tìm thấy liên kết"));

    // Lan buys through the link (cash on delivery): attributed to Mai at 10 %.
    let lan = app.buyer("lan@test.vn").await;
    let vars = |key: &str, code: &str| {
        docs::checkout_vars(
            key,
            json!([{ "variantId": f.variant.gid(), "quantity": 2, "affiliateCode": code }]),
        )
    };
    let d = app.data(Some(&lan), CHECKOUT, vars("aff-1", &code)).await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    let order = d["checkout"]["order"].clone();
    let line = &app
        .data(Some(&lan), LINE_ATTRIBUTION, json!({ "id": order["id"] }))
        .await["order"]["lines"][0];
    assert_eq!(line["creator"]["id"], mai.id.gid());
    assert_eq!(
        line["unitPrice"]["amount"], 120_000,
        "a link changes no price"
    );
    // A code for nothing, or for another product, is refused.
    let d = app
        .data(Some(&lan), CHECKOUT, vars("aff-bad", "khongco99"))
        .await;
    assert_eq!(d["checkout"]["userErrors"][0]["code"], "NOT_FOUND", "{d}");

    // The rate changes after the order: the order keeps 10 %.
    app.data(
        Some(&f.owner),
        PROGRAM,
        json!({ "p": f.product.gid(), "r": 500 }),
    )
    .await;
    // Nothing is earned before the cash is collected.
    let mine = app.data(Some(&mai), MY_COMMISSIONS, json!({})).await;
    assert_eq!(mine["myCommissions"]["nodes"], json!([]));
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
    let mine = app.data(Some(&mai), MY_COMMISSIONS, json!({})).await;
    let c = &mine["myCommissions"]["nodes"][0];
    assert_eq!(c["rateBps"], 1000);
    assert_eq!(c["amount"]["amount"], 24_000, "10 % of 240.000 ₫");
    assert_eq!(c["status"], "PENDING");
    assert_eq!(c["orderLine"]["quantity"], 2);

    // A partial refund of 60.000 ₫ of the 270.000 ₫ part: the line's share is 53.334 ₫
    // (rounded against the creator), so Mai earns 10 % of 186.666 ₫ = 18.667 ₫.
    let admin = app.admin().await;
    let d = app
        .data(
            Some(&admin),
            "mutation($o: ID!) { refundCreate(orderId: $o, idempotencyKey: \"r1\", amount: 60000, reason: \"Vỡ một chai\") { userErrors { code message } } }",
            json!({ "o": order["id"] }),
        )
        .await;
    assert_eq!(d["refundCreate"]["userErrors"], json!([]), "{d}");
    let mine = app.data(Some(&mai), MY_COMMISSIONS, json!({})).await;
    assert_eq!(
        mine["myCommissions"]["nodes"][0]["amount"]["amount"],
        18_667
    );

    // The producer sees what it owes; once the part completes its statement deducts it.
    let owed = app
        .data(
            Some(&f.owner),
            "query($p: ID!) { producerCommissions(producerId: $p, first: 5) { nodes { amount { amount } status } } }",
            json!({ "p": f.producer.gid() }),
        )
        .await;
    assert_eq!(
        owed["producerCommissions"]["nodes"][0]["amount"]["amount"],
        18_667
    );
    let r = app
        .gql(
            Some(&lan),
            "query($p: ID!) { producerCommissions(producerId: $p, first: 5) { nodes { id } } }",
            json!({ "p": f.producer.gid() }),
        )
        .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
    let d = app
        .data(
            Some(&lan),
            docs::ORDER_CONFIRM_RECEIVED,
            json!({ "id": order["id"] }),
        )
        .await;
    assert_eq!(d["orderConfirmReceived"]["userErrors"], json!([]), "{d}");
    let commission_in_books = app
        .scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM ledger_entries WHERE account = 'PRODUCER' AND kind = 'COMMISSION'")
        .await;
    assert_eq!(commission_in_books, -18_667);

    // Payable once the return window has passed since the part completed.
    let window = chrono::Duration::days(7);
    assert_eq!(
        orders::commissions::release_payable(&app.db, window)
            .await
            .unwrap(),
        0
    );
    {
        use orders::entity::commission;
        use sea_orm::{EntityTrait, sea_query::Expr};
        commission::Entity::update_many()
            .col_expr(
                commission::Column::PartCompletedAt,
                Expr::value(chrono::Utc::now() - chrono::Duration::days(8)),
            )
            .exec(&app.db)
            .await
            .unwrap();
    }
    assert_eq!(
        orders::commissions::release_payable(&app.db, window)
            .await
            .unwrap(),
        1
    );
    let mine = app.data(Some(&mai), MY_COMMISSIONS, json!({})).await;
    assert_eq!(mine["myCommissions"]["nodes"][0]["status"], "PAYABLE");
    crate::refunds::assert_books_balance(&app).await;

    // Mai buying through her own link earns nothing; a new order earns the new rate (5 %).
    let d = app.data(Some(&mai), CHECKOUT, vars("own", &code)).await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    let d = app.data(Some(&lan), CHECKOUT, vars("aff-2", &code)).await;
    let second = d["checkout"]["order"].clone();
    let part = second["shipments"][0]["id"].clone();
    app.data(
        Some(&f.owner),
        SELLER_ORDER_SHIP,
        json!({ "id": part, "c": "GHN", "t": "GHN2" }),
    )
    .await;
    app.data(Some(&f.owner), SELLER_ORDER_DELIVER, json!({ "id": part }))
        .await;
    let mine = app.data(Some(&mai), MY_COMMISSIONS, json!({})).await;
    let nodes = mine["myCommissions"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2, "{mine}");
    assert_eq!(nodes[1]["rateBps"], 500);
    assert_eq!(nodes[1]["amount"]["amount"], 12_000);
}

/// Reads messages until one about subscription `id` that is `next`; its payload's data.
async fn next_event(ws: &mut Ws, id: &str) -> Value {
    loop {
        let m = next_text(ws).await.expect("the connection stays open");
        if m["id"] == id && m["type"] == "next" {
            return m["payload"]["data"]["liveSessionEvents"].clone();
        }
        assert_ne!(m["type"], "error", "{m}");
    }
}

const EVENTS: &str = "subscription($s: ID!) { liveSessionEvents(sessionId: $s) { kind at offer { id quantitySold livePrice { amount } } session { id status } } }";

async fn watch(app: &TestApp, s: &Value) -> Ws {
    let mut ws = app.ws(None, &[]).await;
    ws.send(Message::Text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": EVENTS, "variables": { "s": s } } })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    ws
}

#[tokio::test]
async fn anonymous_viewers_get_the_current_pin_then_pins_stock_and_the_end() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mật ong", 4, 150_000, "38").await;
    let s = session(&app, &f.owner, Some(f.producer.gid())).await;
    let o = offer(&app, &f.owner, &s, &f, 120_000, 8, None).await;
    app.data(Some(&f.owner), START, json!({ "id": s })).await;
    app.data(Some(&f.owner), PIN, json!({ "s": s, "o": o }))
        .await;

    // Connecting mid-session: the pin comes first.
    let mut ws = watch(&app, &s).await;
    let e = next_event(&mut ws, "1").await;
    assert_eq!(e["kind"], "PINNED");
    assert_eq!(e["offer"]["id"], o);

    // A sale: the remaining cap follows within a second or two.
    let buyer = app.buyer("xem@test.vn").await;
    let d = app
        .data(Some(&buyer), CHECKOUT, live_line("watch", &f, 3, &o))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    let e = next_event(&mut ws, "1").await;
    assert_eq!(e["kind"], "STOCK");
    assert_eq!(e["offer"]["quantitySold"], 3);

    // A price drop on air reaches viewers; a rise is refused (nobody pays more than shown),
    // and the cap cannot go below what was sold.
    const UPDATE: &str =
        "mutation($o: ID!, $i: LiveOfferChangeInput!) { liveOfferUpdate(offerId: $o, input: $i) {
        userErrors { code field message } } }";
    let change =
        |price: i64, cap: i64| json!({ "o": o, "i": { "livePrice": price, "quantityCap": cap } });
    let d = app.data(Some(&f.owner), UPDATE, change(125_000, 8)).await;
    let e = &d["liveOfferUpdate"]["userErrors"][0];
    assert_eq!(e["field"], json!(["input", "livePrice"]), "{d}");
    assert!(e["message"].as_str().unwrap().contains("120.000 ₫"), "{e}");
    let d = app.data(Some(&f.owner), UPDATE, change(110_000, 2)).await;
    assert_eq!(
        d["liveOfferUpdate"]["userErrors"][0]["field"],
        json!(["input", "quantityCap"]),
        "{d}"
    );
    let d = app.data(Some(&f.owner), UPDATE, change(110_000, 8)).await;
    assert_eq!(d["liveOfferUpdate"]["userErrors"], json!([]), "{d}");
    let e = next_event(&mut ws, "1").await;
    assert_eq!(e["kind"], "PRICE");
    assert_eq!(e["offer"]["livePrice"]["amount"], 110_000);
    let d = app
        .data(Some(&buyer), CHECKOUT, live_line("watch-2", &f, 1, &o))
        .await;
    assert_eq!(
        d["checkout"]["order"]["lines"][0]["unitPrice"]["amount"], 110_000,
        "{d}"
    );
    assert_eq!(next_event(&mut ws, "1").await["kind"], "STOCK");

    app.data(
        Some(&f.owner),
        "mutation($s: ID!) { liveUnpin(sessionId: $s) { userErrors { code } } }",
        json!({ "s": s }),
    )
    .await;
    assert_eq!(next_event(&mut ws, "1").await["kind"], "UNPINNED");
    app.data(Some(&f.owner), END, json!({ "id": s })).await;
    let e = next_event(&mut ws, "1").await;
    assert_eq!(e["kind"], "ENDED");
    assert_eq!(e["session"]["status"], "ENDED");
    // …and the subscription completes.
    loop {
        let m = next_text(&mut ws).await.expect("open");
        if m["type"] == "complete" {
            break;
        }
    }
}

/// Two server processes on one database and Redis: a pin made on A reaches viewers on B
/// within a second, and 500 viewers on one replica all receive it. Needs Redis (the CI's
/// second pass); on SQLite without Redis the replicas share no bus and the test says so.
#[tokio::test]
async fn a_pin_on_one_replica_reaches_viewers_on_another() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: replicas share events through Redis (TEST_REDIS_URL)");
        return;
    }
    let a = TestApp::spawn().await;
    let b = a.second_replica().await;
    let f = a.listed_product("Nước mắm", 4, 120_000, "40").await;
    let s = session(&a, &f.owner, Some(f.producer.gid())).await;
    let o = offer(&a, &f.owner, &s, &f, 99_000, 10, None).await;
    a.data(Some(&f.owner), START, json!({ "id": s })).await;
    let mut viewers = Vec::new();
    for _ in 0..500 {
        viewers.push(watch(&b, &s).await);
    }
    // Every subscription is registered before the pin (the server acknowledges none, so
    // give the last ones a moment to reach the hub).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pinned_at = std::time::Instant::now();
    a.data(Some(&f.owner), PIN, json!({ "s": s, "o": o })).await;
    let mut slowest = Duration::ZERO;
    for ws in &mut viewers {
        let e = next_event(ws, "1").await;
        assert_eq!(e["kind"], "PINNED");
        assert_eq!(e["offer"]["id"], o);
        slowest = slowest.max(pinned_at.elapsed());
    }
    assert!(
        slowest < Duration::from_secs(5),
        "the last of 500 viewers on the other replica heard the pin after {slowest:?}"
    );
}

#[tokio::test]
async fn a_creators_live_sells_programme_products_at_the_producers_price_and_earns_its_host() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    app.stock(&f.owner, f.variant, 20).await;
    let mai = creator(&app, "mai@test.vn", "038095003333").await;
    app.data(
        Some(&f.owner),
        PROGRAM,
        json!({ "p": f.product.gid(), "r": 800 }),
    )
    .await;
    let s = session(&app, &mai, None).await;
    // The creator may not cut the price: that is the producer's to do.
    let d = app
        .data(
            Some(&mai),
            OFFER,
            json!({ "s": s, "i": { "variantId": f.variant.gid(), "livePrice": 100_000, "quantityCap": 10 } }),
        )
        .await;
    let e = &d["liveOfferAdd"]["userErrors"][0];
    assert_eq!(e["field"], json!(["input", "livePrice"]), "{d}");
    assert!(
        e["message"].as_str().unwrap().contains("nhà sản xuất"),
        "{e}"
    );
    let o = offer(&app, &mai, &s, &f, 120_000, 10, None).await;
    app.data(Some(&mai), START, json!({ "id": s })).await;
    let lan = app.buyer("lan@test.vn").await;
    let d = app
        .data(Some(&lan), CHECKOUT, live_line("from-mai", &f, 2, &o))
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    let order = d["checkout"]["order"].clone();
    let line = &app
        .data(Some(&lan), LINE_ATTRIBUTION, json!({ "id": order["id"] }))
        .await["order"]["lines"][0];
    assert_eq!(
        line["creator"]["id"],
        mai.id.gid(),
        "the host of a creator's live earns"
    );
    assert_eq!(line["liveSession"]["id"], s);
    let part = order["shipments"][0]["id"].clone();
    app.data(
        Some(&f.owner),
        SELLER_ORDER_SHIP,
        json!({ "id": part, "c": "GHN", "t": "1" }),
    )
    .await;
    app.data(Some(&f.owner), SELLER_ORDER_DELIVER, json!({ "id": part }))
        .await;
    let mine = app.data(Some(&mai), MY_COMMISSIONS, json!({})).await;
    assert_eq!(
        mine["myCommissions"]["nodes"][0]["amount"]["amount"], 19_200,
        "8 % of 240.000 ₫: {mine}"
    );
    // The host sees the live's figures; a stranger does not.
    let fig = app
        .data(Some(&mai), FIGURES, json!({ "id": s, "p": null }))
        .await;
    assert_eq!(fig["liveSession"]["figures"]["units"], 2);
    let fig = app
        .data(Some(&lan), FIGURES, json!({ "id": s, "p": null }))
        .await;
    assert_eq!(fig["liveSession"]["figures"], Value::Null);
}

/// A viewer who stops reading is never a memory problem: the hub keeps a bounded backlog, and
/// the viewer who falls behind it skips ahead to the newest events.
#[tokio::test]
async fn a_viewer_who_falls_behind_skips_ahead_instead_of_growing_a_queue() {
    use livestream::events::{LiveEventKind, Signal};
    use tokio::sync::broadcast::error::RecvError;
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mật ong", 4, 150_000, "38").await;
    let s = session(&app, &f.owner, Some(f.producer.gid())).await;
    let sid = api::ids::decode(api::ids::Kind::LiveSession, s.as_str().unwrap()).unwrap();
    let mut slow = app.live.subscribe();
    for n in 0..500 {
        let kind = if n % 2 == 0 {
            LiveEventKind::Pinned
        } else {
            LiveEventKind::Unpinned
        };
        app.live
            .deliver(&app.db, Signal::now(sid, kind, None))
            .await
            .unwrap();
    }
    // 500 sent, the backlog is 64: the viewer is told it missed the rest…
    match slow.recv().await {
        Err(RecvError::Lagged(missed)) => assert_eq!(missed, 500 - 64),
        other => panic!("expected to skip ahead, got {other:?}"),
    }
    // …and then reads only the newest 64.
    let mut read = 0;
    while let Ok(e) = slow.try_recv() {
        assert_eq!(e.session.id, sid);
        read += 1;
    }
    assert_eq!(read, 64);
}
