//! Checkout: multi-producer orders, first-expiring-first-out lot allocation, idempotency,
//! oversell-proof stock under concurrency, and who may see an order.

use serde_json::{Value, json};

use crate::harness::{Fixture, TestApp};

const CHECKOUT: &str = "mutation($i: CheckoutInput!) { checkout(input: $i) { order { id number status
    subtotal { amount } shippingTotal { amount } total { amount formatted }
    payment { method status amount { amount } }
    shipments { producer { name } status lines { quantity } }
    lines { quantity unitPrice { amount } total { amount } variant { sku } lots { quantity lot { lotNumber traceCode } } } }
    userErrors { code field message } } }";

fn address() -> Value {
    json!({ "name": "Nguyễn Văn A", "phone": "0912345678", "provinceCode": "40", "line": "12 Lê Lợi" })
}

fn input(key: &str, lines: Value) -> Value {
    json!({ "i": { "idempotencyKey": key, "lines": lines, "shippingAddress": address(), "paymentMethod": "COD" } })
}

/// Adds a lot with an explicit expiry; returns its lot number.
async fn lot(app: &TestApp, f: &Fixture, number: &str, expires: Option<&str>, qty: i64) {
    let mut i = json!({ "variantId": f.variant, "lotNumber": number, "producedOn": "2026-11-01", "quantity": qty });
    if let Some(e) = expires {
        i["expiresOn"] = json!(e);
    }
    let d = app
        .data(
            Some(&f.owner),
            "mutation($i: LotInput!) { lotCreate(input: $i) { userErrors { code message } } }",
            json!({ "i": i }),
        )
        .await;
    assert_eq!(d["lotCreate"]["userErrors"], json!([]), "{d}");
}

async fn stock_invariant(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT l.id, l.quantity_produced AS produced, l.quantity_available AS available, \
             CAST(COALESCE((SELECT SUM(a.quantity) FROM lot_allocations a WHERE a.lot_id = l.id AND a.released = FALSE), 0) AS BIGINT) AS allocated FROM lots l",
        ))
        .await
        .unwrap();
    for r in rows {
        let (p, a, al): (i64, i64, i64) = (
            r.try_get("", "produced").unwrap(),
            r.try_get("", "available").unwrap(),
            r.try_get("", "allocated").unwrap(),
        );
        assert_eq!(p, a + al, "produced = available + allocated");
        assert!(a >= 0);
    }
}

#[tokio::test]
async fn checkout_takes_stock_first_expiring_first_and_splits_by_producer() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await; // its first lot: 10 units, expiring in a year
    lot(&app, &f, "LATE", Some("2029-01-01"), 10).await;
    lot(&app, &f, "SOON", Some("2027-01-01"), 3).await;
    lot(&app, &f, "NOEXP", None, 50).await;
    let g = app.listed_product("Chè", 5, 600_000, "19").await;
    let buyer = app.buyer("mua@test.vn").await;
    let d = app
        .data(Some(&buyer), CHECKOUT, input("k1", json!([
            { "variantId": f.variant, "quantity": 10 }, { "variantId": g.variant, "quantity": 1 }, { "variantId": f.variant, "quantity": 5 }
        ])))
        .await;
    let o = &d["checkout"]["order"];
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    assert_eq!(o["status"], "CONFIRMED");
    assert!(o["number"].as_str().unwrap().starts_with("OC-2026-"));
    // 15 × 100.000 + 30.000 shipping (under 500.000? no: 1.500.000, free) and 600.000 (free).
    assert_eq!(o["subtotal"]["amount"], 2_100_000);
    assert_eq!(o["shippingTotal"]["amount"], 0);
    assert_eq!(o["total"]["formatted"], "2.100.000 ₫");
    assert_eq!(
        o["payment"],
        json!({ "method": "COD", "status": "PENDING", "amount": { "amount": 2_100_000 } })
    );
    assert_eq!(o["shipments"].as_array().unwrap().len(), 2);
    // The merged line of 15 came from SOON (3), then the one-year lot (10), then LATE (2).
    let line = o["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["quantity"] == 15)
        .unwrap();
    let taken: Vec<(String, i64)> = line["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["lot"]["lotNumber"].as_str().unwrap().to_owned(),
                a["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(taken[0], ("SOON".to_owned(), 3));
    assert_eq!(taken[1].1, 10);
    assert_eq!(taken[2], ("LATE".to_owned(), 2));
    stock_invariant(&app).await;
    // A small order pays for shipping.
    let d = app
        .data(
            Some(&buyer),
            CHECKOUT,
            input("k2", json!([{ "variantId": f.variant, "quantity": 1 }])),
        )
        .await;
    assert_eq!(d["checkout"]["order"]["shippingTotal"]["amount"], 30_000);
}

#[tokio::test]
async fn the_same_key_returns_the_same_order_even_ten_at_once() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Gạo", 5, 50_000, "92").await;
    let buyer = app.buyer("mua@test.vn").await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (client, addr, token, vars) = (
            app.client.clone(),
            app.addr.clone(),
            buyer.clone(),
            input("same", json!([{ "variantId": f.variant, "quantity": 2 }])),
        );
        tasks.push(tokio::spawn(async move {
            let v: Value = client
                .post(format!("{addr}/graphql"))
                .bearer_auth(token)
                .json(&json!({ "query": CHECKOUT, "variables": vars }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["data"]["checkout"]["order"]["id"]
                .as_str()
                .map(str::to_owned)
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().expect("every request gets the order"));
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one order for one key");
    assert_eq!(app.count("orders").await, 1);
    let d = app
        .data(
            None,
            "query($id: ID!) { product(id: $id) { variants { available } } }",
            json!({ "id": f.product }),
        )
        .await;
    assert_eq!(
        d["product"]["variants"][0]["available"], 8,
        "stock taken once"
    );
    let d = app
        .data(
            Some(&buyer),
            CHECKOUT,
            input("same", json!([{ "variantId": f.variant, "quantity": 3 }])),
        )
        .await;
    assert_eq!(
        d["checkout"]["userErrors"][0]["code"],
        "IDEMPOTENCY_KEY_REUSED"
    );
    // Keys are scoped to the buyer.
    let other = app.buyer("khac@test.vn").await;
    let d = app
        .data(
            Some(&other),
            CHECKOUT,
            input("same", json!([{ "variantId": f.variant, "quantity": 2 }])),
        )
        .await;
    assert_eq!(d["checkout"]["userErrors"], json!([]));
}

#[tokio::test]
async fn bad_checkouts_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Gạo", 5, 50_000, "92").await;
    let draft = app
        .product(&f.owner, &f.producer, &f.cert, "Gạo nháp", 40_000, "92")
        .await;
    let buyer = app.buyer("mua@test.vn").await;
    let line = |q: i64| json!([{ "variantId": f.variant, "quantity": q }]);
    let with_addr = |key: &str, addr: Value| json!({ "i": { "idempotencyKey": key, "lines": line(1), "shippingAddress": addr, "paymentMethod": "COD" } });
    let many: Vec<Value> = (0..100)
        .map(|_| json!({ "variantId": f.variant, "quantity": 1 }))
        .collect();
    let cases = vec![
        (
            input("a", line(11)),
            "INSUFFICIENT_STOCK",
            json!(["input", "lines", "0", "quantity"]),
        ),
        (
            input("b", line(0)),
            "INVALID",
            json!(["input", "lines", "0", "quantity"]),
        ),
        (
            input("c", line(-2)),
            "INVALID",
            json!(["input", "lines", "0", "quantity"]),
        ),
        (
            input(
                "d",
                json!([{ "variantId": "VmFyaWFudDo5OTk5", "quantity": 1 }]),
            ),
            "NOT_FOUND",
            json!(["input", "lines", "0", "variantId"]),
        ),
        (
            input("e", json!([{ "variantId": draft.1, "quantity": 1 }])),
            "INVALID_STATE",
            json!(["input", "lines", "0", "variantId"]),
        ),
        (
            input("f", json!(many)),
            "LIMIT_EXCEEDED",
            json!(["input", "lines"]),
        ),
        (
            with_addr(
                "g",
                json!({ "name": "A", "phone": "0912345678", "provinceCode": "01", "communeCode": "31078", "line": "x" }),
            ),
            "INVALID",
            json!(["input", "shippingAddress", "communeCode"]),
        ),
        (
            with_addr(
                "h",
                json!({ "name": "A", "phone": "+1 415 555 0100", "provinceCode": "01", "line": "x" }),
            ),
            "INVALID",
            json!(["input", "shippingAddress", "phone"]),
        ),
    ];
    for (vars, code, field) in cases {
        let d = app.data(Some(&buyer), CHECKOUT, vars.clone()).await;
        let e = &d["checkout"]["userErrors"][0];
        assert_eq!(e["code"], code, "{vars}");
        assert_eq!(e["field"], field, "{vars}");
        assert!(d["checkout"]["order"].is_null());
    }
    assert_eq!(app.count("orders").await, 0);
    assert_eq!(app.count("lot_allocations").await, 0);
    let d = app
        .data(
            None,
            "query($id: ID!) { product(id: $id) { variants { available } } }",
            json!({ "id": f.product }),
        )
        .await;
    assert_eq!(d["product"]["variants"][0]["available"], 10);
    let v = app.gql(None, CHECKOUT, input("z", line(1))).await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn an_order_is_seen_by_its_buyer_its_producers_for_their_part_and_admin_only() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let g = app.listed_product("Chè", 5, 200_000, "19").await;
    let buyer = app.buyer("mua@test.vn").await;
    let d = app.data(Some(&buyer), CHECKOUT, input("k", json!([{ "variantId": f.variant, "quantity": 1 }, { "variantId": g.variant, "quantity": 1 }]))).await;
    let id = d["checkout"]["order"]["id"].clone();
    let q = "query($id: ID!) { order(id: $id) { number shipments { producer { name } } lines { quantity } } }";
    assert_eq!(
        app.data(Some(&buyer), q, json!({ "id": id })).await["order"]["shipments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.data(Some(&f.admin), q, json!({ "id": id })).await["order"]["shipments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let part = app.data(Some(&f.owner), q, json!({ "id": id })).await;
    assert_eq!(
        part["order"]["shipments"],
        json!([{ "producer": { "name": "HTX Nước mắm" } }])
    );
    assert_eq!(part["order"]["lines"].as_array().unwrap().len(), 1);
    let stranger = app.buyer("la@test.vn").await;
    assert_eq!(
        app.data(Some(&stranger), q, json!({ "id": id })).await["order"],
        json!(null)
    );
    assert_eq!(
        app.gql(None, q, json!({ "id": id })).await["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    let mine = app
        .data(Some(&buyer), "{ myOrders { nodes { id } } }", json!({}))
        .await;
    assert_eq!(mine["myOrders"]["nodes"], json!([{ "id": id }]));
    assert_eq!(
        app.data(Some(&stranger), "{ myOrders { nodes { id } } }", json!({}))
            .await["myOrders"]["nodes"],
        json!([])
    );
}

#[tokio::test]
async fn a_thousand_checkouts_from_a_hundred_clients_never_oversell() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mật ong", 4, 100_000, "08").await; // 10 units
    lot(&app, &f, "A", Some("2027-06-01"), 40).await;
    lot(&app, &f, "B", None, 50).await;
    let buyers: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..10 {
            v.push(app.buyer(&format!("b{i}@test.vn")).await);
        }
        v
    };
    let mut tasks = Vec::new();
    for client in 0..100 {
        let (http, addr, token, variant) = (
            app.client.clone(),
            app.addr.clone(),
            buyers[client % 10].clone(),
            f.variant.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut sold = 0;
            let mut refused = 0;
            for n in 0..10 {
                let vars = json!({ "i": { "idempotencyKey": format!("c{client}-{n}"), "lines": [{ "variantId": variant, "quantity": 1 }],
                    "shippingAddress": { "name": "A", "phone": "0912345678", "provinceCode": "40", "line": "x" }, "paymentMethod": "COD" } });
                let v: Value = http.post(format!("{addr}/graphql")).bearer_auth(&token)
                    .json(&json!({ "query": "mutation($i: CheckoutInput!) { checkout(input: $i) { order { id } userErrors { code } } }", "variables": vars }))
                    .send().await.unwrap().json().await.unwrap();
                if v["data"]["checkout"]["order"]["id"].is_string() {
                    sold += 1;
                } else {
                    assert_eq!(v["data"]["checkout"]["userErrors"][0]["code"], "INSUFFICIENT_STOCK", "{v}");
                    refused += 1;
                }
            }
            (sold, refused)
        }));
    }
    let (mut sold, mut refused) = (0, 0);
    for t in tasks {
        let (s, r) = t.await.unwrap();
        sold += s;
        refused += r;
    }
    assert_eq!(sold, 100, "exactly the 100 units were sold");
    assert_eq!(refused, 900);
    assert_eq!(app.count("orders").await, 100);
    stock_invariant(&app).await;
}

const ORDER: &str = "query($id: ID!) { order(id: $id) { status payment { status } shipments { id status carrier trackingNumber producer { name } } } }";

async fn cod_order(app: &TestApp, buyer: &str, key: &str, f: &Fixture, g: &Fixture) -> Value {
    let d = app.data(Some(buyer), CHECKOUT, input(key, json!([{ "variantId": f.variant, "quantity": 2 }, { "variantId": g.variant, "quantity": 1 }]))).await;
    assert_eq!(d["checkout"]["userErrors"], json!([]), "{d}");
    d["checkout"]["order"]["id"].clone()
}

fn shipment_of(order: &Value, producer: &str) -> Value {
    order["order"]["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["producer"]["name"] == producer)
        .unwrap()["id"]
        .clone()
}

#[tokio::test]
async fn a_cod_order_ships_is_delivered_paid_and_completed() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let g = app.listed_product("Chè", 5, 200_000, "19").await;
    let buyer = app.buyer("mua@test.vn").await;
    let id = cod_order(&app, &buyer, "k", &f, &g).await;
    let o = app.data(Some(&buyer), ORDER, json!({ "id": id })).await;
    let (sf, sg) = (shipment_of(&o, "HTX Nước mắm"), shipment_of(&o, "HTX Chè"));
    let ship = "mutation($id: ID!) { sellerOrderShip(id: $id, carrier: \"GHTK\", trackingNumber: \"S123\") { sellerOrder { status carrier } userErrors { code } } }";
    let deliver = "mutation($id: ID!) { sellerOrderDeliver(id: $id) { sellerOrder { status } userErrors { code } } }";
    // Delivering before shipping, or shipping someone else's part, is refused.
    assert_eq!(
        app.data(Some(&f.owner), deliver, json!({ "id": sf })).await["sellerOrderDeliver"]["userErrors"]
            [0]["code"],
        "INVALID_STATE"
    );
    assert_eq!(
        app.gql(Some(&f.owner), ship, json!({ "id": sg })).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(Some(&buyer), ship, json!({ "id": sf })).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    let d = app.data(Some(&f.owner), ship, json!({ "id": sf })).await;
    assert_eq!(
        d["sellerOrderShip"]["sellerOrder"],
        json!({ "status": "SHIPPED", "carrier": "GHTK" })
    );
    assert_eq!(
        app.data(Some(&buyer), ORDER, json!({ "id": id })).await["order"]["status"],
        "CONFIRMED",
        "not all shipped yet"
    );
    app.data(Some(&g.owner), ship, json!({ "id": sg })).await;
    assert_eq!(
        app.data(Some(&buyer), ORDER, json!({ "id": id })).await["order"]["status"],
        "SHIPPED"
    );
    app.data(Some(&f.owner), deliver, json!({ "id": sf })).await;
    let o = app.data(Some(&buyer), ORDER, json!({ "id": id })).await;
    assert_eq!(
        o["order"]["payment"]["status"], "PENDING",
        "the other producer has not collected yet"
    );
    app.data(Some(&g.owner), deliver, json!({ "id": sg })).await;
    let o = app.data(Some(&buyer), ORDER, json!({ "id": id })).await;
    assert_eq!(o["order"]["status"], "DELIVERED");
    assert_eq!(o["order"]["payment"]["status"], "SUCCEEDED");
    let confirm = "mutation($id: ID!) { orderConfirmReceived(id: $id) { order { status } userErrors { code } } }";
    assert_eq!(
        app.gql(Some(&f.owner), confirm, json!({ "id": id })).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    assert_eq!(
        app.data(Some(&buyer), confirm, json!({ "id": id })).await["orderConfirmReceived"]["order"]
            ["status"],
        "COMPLETED"
    );
    assert_eq!(
        app.data(Some(&buyer), confirm, json!({ "id": id })).await["orderConfirmReceived"]["userErrors"]
            [0]["code"],
        "INVALID_STATE"
    );
    let cancel =
        "mutation($id: ID!) { orderCancel(id: $id, reason: \"Đổi ý\") { userErrors { code } } }";
    assert_eq!(
        app.data(Some(&buyer), cancel, json!({ "id": id })).await["orderCancel"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let mine = app
        .data(
            Some(&f.owner),
            "query($p: ID!) { sellerOrders(producerId: $p) { nodes { status } } }",
            json!({ "p": f.producer }),
        )
        .await;
    assert_eq!(
        mine["sellerOrders"]["nodes"],
        json!([{ "status": "COMPLETED" }])
    );
    assert_eq!(
        app.gql(
            Some(&buyer),
            "query($p: ID!) { sellerOrders(producerId: $p) { nodes { status } } }",
            json!({ "p": f.producer })
        )
        .await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn cancelling_returns_the_stock_to_the_very_lots_it_came_from() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await; // 10 units, expiring in a year
    lot(&app, &f, "SOON", Some("2027-01-01"), 3).await;
    let g = app.listed_product("Chè", 5, 200_000, "19").await;
    let buyer = app.buyer("mua@test.vn").await;
    let lots_q =
        "query($id: ID!) { product(id: $id) { lots { nodes { lotNumber quantityAvailable } } } }";
    let before = app.data(None, lots_q, json!({ "id": f.product })).await;
    let d = app.data(Some(&buyer), CHECKOUT, input("a", json!([{ "variantId": f.variant, "quantity": 5 }, { "variantId": g.variant, "quantity": 1 }]))).await;
    let id = d["checkout"]["order"]["id"].clone();
    assert_ne!(
        app.data(None, lots_q, json!({ "id": f.product })).await,
        before
    );
    // The producer cancels its part, with a reason: only that part's stock comes back.
    let d = app.data(Some(&f.owner), "mutation($id: ID!) { orderCancel(id: $id, reason: \"Hết hàng đóng gói\") { order { status } userErrors { code } } }", json!({ "id": id })).await;
    assert_eq!(
        d["orderCancel"]["order"]["status"], "CONFIRMED",
        "the other producer's part goes on"
    );
    assert_eq!(
        app.data(None, lots_q, json!({ "id": f.product })).await,
        before
    );
    stock_invariant(&app).await;
    let o = app.data(Some(&buyer), ORDER, json!({ "id": id })).await;
    let statuses: Vec<&str> = o["order"]["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"CANCELLED") && statuses.contains(&"CONFIRMED"));
    // The buyer cancels the rest; cancelling again is a wrong state.
    let cancel = "mutation($id: ID!) { orderCancel(id: $id, reason: \"Đổi ý\") { order { status payment { status } } userErrors { code } } }";
    let d = app.data(Some(&buyer), cancel, json!({ "id": id })).await;
    assert_eq!(d["orderCancel"]["order"]["status"], "CANCELLED");
    assert_eq!(d["orderCancel"]["order"]["payment"]["status"], "EXPIRED");
    assert_eq!(
        app.data(Some(&buyer), cancel, json!({ "id": id })).await["orderCancel"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let stranger = app.buyer("la@test.vn").await;
    assert_eq!(
        app.gql(Some(&stranger), cancel, json!({ "id": id })).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    stock_invariant(&app).await;
    assert_eq!(
        app.data(
            None,
            "query($id: ID!) { product(id: $id) { variants { available } } }",
            json!({ "id": g.product })
        )
        .await["product"]["variants"][0]["available"],
        10
    );
}

#[tokio::test]
async fn unpaid_orders_expire_and_release_their_stock_exactly_once_with_two_instances() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Mật ong", 4, 100_000, "08").await; // 10 units
    let buyer = app.buyer("mua@test.vn").await;
    for k in 0..3 {
        let vars = json!({ "i": { "idempotencyKey": format!("v{k}"), "lines": [{ "variantId": f.variant, "quantity": 2 }],
            "shippingAddress": address(), "paymentMethod": "VNPAY" } });
        let d = app.data(Some(&buyer), CHECKOUT, vars).await;
        assert_eq!(d["checkout"]["order"]["status"], "AWAITING_PAYMENT");
    }
    let avail = || async {
        app.data(
            None,
            "query($id: ID!) { product(id: $id) { variants { available } } }",
            json!({ "id": f.product }),
        )
        .await["product"]["variants"][0]["available"]
            .clone()
    };
    assert_eq!(avail().await, 4);
    // Nothing is due yet.
    assert!(
        orders::lifecycle::expire_unpaid(&app.db, chrono::Duration::minutes(15))
            .await
            .unwrap()
            .is_empty()
    );
    app.exec("UPDATE orders SET created_at = '2020-01-01T00:00:00Z'")
        .await;
    // Two instances run the job at the same moment.
    let (a, b) = tokio::join!(
        orders::lifecycle::expire_unpaid(&app.db, chrono::Duration::minutes(15)),
        orders::lifecycle::expire_unpaid(&app.db, chrono::Duration::minutes(15)),
    );
    let mut both = a.unwrap();
    both.extend(b.unwrap());
    both.sort();
    let reported = both.len();
    both.dedup();
    assert_eq!(
        (reported, both.len()),
        (3, 3),
        "each order expired once, by one instance"
    );
    assert_eq!(avail().await, 10, "stock released exactly once");
    stock_invariant(&app).await;
    let mine = app
        .data(
            Some(&buyer),
            "{ myOrders { nodes { status payment { status } } } }",
            json!({}),
        )
        .await;
    for o in mine["myOrders"]["nodes"].as_array().unwrap() {
        assert_eq!(o["status"], "CANCELLED");
        assert_eq!(o["payment"]["status"], "EXPIRED");
    }
}

#[tokio::test]
async fn subscribers_hear_when_their_order_ships_and_strangers_are_refused() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let d = app
        .data(
            Some(&buyer),
            CHECKOUT,
            input("s", json!([{ "variantId": f.variant, "quantity": 1 }])),
        )
        .await;
    let id = d["checkout"]["order"]["id"].clone();
    let shipment = d["checkout"]["order"]["shipments"][0].clone();
    assert!(shipment.is_object());

    let connect = |token: String| {
        let url = format!("{}/graphql/ws", app.addr.replace("http://", "ws://"));
        async move {
            let mut req = url.into_client_request().unwrap();
            req.headers_mut().insert(
                "Sec-WebSocket-Protocol",
                "graphql-transport-ws".parse().unwrap(),
            );
            let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
            ws.send(Message::Text(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }).to_string().into())).await.unwrap();
            let ack: Value =
                serde_json::from_str(ws.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
            assert_eq!(ack["type"], "connection_ack");
            ws
        }
    };
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription($id: ID!) { orderStatusChanged(orderId: $id) { number status } }", "variables": { "id": id } } });

    let stranger = app.buyer("la@test.vn").await;
    let mut ws = connect(stranger).await;
    ws.send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    let msg: Value =
        serde_json::from_str(ws.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!(
        msg["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{msg}"
    );

    let mut ws = connect(buyer.clone()).await;
    ws.send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // The producer ships: the buyer hears about it.
    let so = app
        .data(
            Some(&buyer),
            "query($id: ID!) { order(id: $id) { shipments { id } } }",
            json!({ "id": id }),
        )
        .await;
    let sid = so["order"]["shipments"][0]["id"].clone();
    let d = app
        .data(Some(&f.owner), "mutation($id: ID!) { sellerOrderShip(id: $id, carrier: \"VNPost\", trackingNumber: \"EE1\") { userErrors { code } } }", json!({ "id": sid }))
        .await;
    assert_eq!(d["sellerOrderShip"]["userErrors"], json!([]));
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .expect("a message")
        .unwrap()
        .unwrap();
    let msg: Value = serde_json::from_str(next.to_text().unwrap()).unwrap();
    assert_eq!(msg["type"], "next", "{msg}");
    assert_eq!(
        msg["payload"]["data"]["orderStatusChanged"]["status"],
        "SHIPPED"
    );
}

#[tokio::test]
async fn delivered_orders_complete_by_themselves_after_the_window() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let d = app
        .data(
            Some(&buyer),
            CHECKOUT,
            input("ac", json!([{ "variantId": f.variant, "quantity": 1 }])),
        )
        .await;
    let id = d["checkout"]["order"]["id"].clone();
    let o = app
        .data(
            Some(&buyer),
            "query($id: ID!) { order(id: $id) { shipments { id } } }",
            json!({ "id": id }),
        )
        .await;
    let sid = o["order"]["shipments"][0]["id"].clone();
    app.data(Some(&f.owner), "mutation($id: ID!) { sellerOrderShip(id: $id, carrier: \"GHN\", trackingNumber: \"X\") { userErrors { code } } }", json!({ "id": sid })).await;
    app.data(
        Some(&f.owner),
        "mutation($id: ID!) { sellerOrderDeliver(id: $id) { userErrors { code } } }",
        json!({ "id": sid }),
    )
    .await;
    // Not yet: delivered just now.
    assert!(
        orders::lifecycle::auto_complete(&app.db, chrono::Duration::days(7))
            .await
            .unwrap()
            .is_empty()
    );
    app.exec("UPDATE seller_orders SET delivered_at = '2020-01-01T00:00:00Z'")
        .await;
    let done = orders::lifecycle::auto_complete(&app.db, chrono::Duration::days(7))
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    let o = app
        .data(
            Some(&buyer),
            "query($id: ID!) { order(id: $id) { status payment { status } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(o["order"]["status"], "COMPLETED");
    assert_eq!(o["order"]["payment"]["status"], "SUCCEEDED");
    assert!(
        orders::lifecycle::auto_complete(&app.db, chrono::Duration::days(7))
            .await
            .unwrap()
            .is_empty(),
        "once"
    );
}
