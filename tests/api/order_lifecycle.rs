//! After checkout: shipping, delivery, payment on delivery, completion, cancellation (stock
//! back to its very lots), unpaid orders expiring, and the order subscription.

use serde_json::{Value, json};

use crate::builders::{Fixture, Gid};
use crate::docs::{self, CHECKOUT, ORDER, checkout_vars};
use crate::harness::TestApp;
use crate::orders::{lot, stock_invariant};

async fn cod_order(app: &TestApp, buyer: &str, key: &str, f: &Fixture, g: &Fixture) -> Value {
    let d = app.data(Some(buyer), CHECKOUT, checkout_vars(key, json!([{ "variantId": f.variant.gid(), "quantity": 2 }, { "variantId": g.variant.gid(), "quantity": 1 }]))).await;
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
    let ship = docs::SELLER_ORDER_SHIP;
    let deliver = docs::SELLER_ORDER_DELIVER;
    // Delivering before shipping, or shipping someone else's part, is refused.
    assert_eq!(
        app.data(Some(&f.owner), deliver, json!({ "id": sf })).await["sellerOrderDeliver"]["userErrors"]
            [0]["code"],
        "INVALID_STATE"
    );
    assert_eq!(
        app.gql(
            Some(&f.owner),
            ship,
            json!({ "id": sg, "c": "GHTK", "t": "S123" })
        )
        .await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(
            Some(&buyer),
            ship,
            json!({ "id": sf, "c": "GHTK", "t": "S123" })
        )
        .await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    let d = app
        .data(
            Some(&f.owner),
            ship,
            json!({ "id": sf, "c": "GHTK", "t": "S123" }),
        )
        .await;
    assert_eq!(
        d["sellerOrderShip"]["sellerOrder"],
        json!({ "status": "SHIPPED", "carrier": "GHTK" })
    );
    assert_eq!(
        app.data(Some(&buyer), ORDER, json!({ "id": id })).await["order"]["status"],
        "CONFIRMED",
        "not all shipped yet"
    );
    app.data(
        Some(&g.owner),
        ship,
        json!({ "id": sg, "c": "GHTK", "t": "S123" }),
    )
    .await;
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
    let confirm = docs::ORDER_CONFIRM_RECEIVED;
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
    let cancel = docs::ORDER_CANCEL;
    assert_eq!(
        app.data(Some(&buyer), cancel, json!({ "id": id, "r": "Đổi ý" }))
            .await["orderCancel"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let mine = app
        .data(
            Some(&f.owner),
            "query($p: ID!) { sellerOrders(producerId: $p) { nodes { status } } }",
            json!({ "p": f.producer.gid() }),
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
            json!({ "p": f.producer.gid() })
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
    let lots_q = docs::STOCK;
    let before = app
        .data(None, lots_q, json!({ "id": f.product.gid() }))
        .await;
    let d = app.data(Some(&buyer), CHECKOUT, checkout_vars("a", json!([{ "variantId": f.variant.gid(), "quantity": 5 }, { "variantId": g.variant.gid(), "quantity": 1 }]))).await;
    let id = d["checkout"]["order"]["id"].clone();
    assert_ne!(
        app.data(None, lots_q, json!({ "id": f.product.gid() }))
            .await,
        before
    );
    // The producer cancels its part, with a reason: only that part's stock comes back.
    let d = app
        .data(
            Some(&f.owner),
            docs::ORDER_CANCEL,
            json!({ "id": id, "r": "Hết hàng đóng gói" }),
        )
        .await;
    assert_eq!(
        d["orderCancel"]["order"]["status"], "CONFIRMED",
        "the other producer's part goes on"
    );
    assert_eq!(
        app.data(None, lots_q, json!({ "id": f.product.gid() }))
            .await,
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
    let cancel = docs::ORDER_CANCEL;
    let d = app
        .data(Some(&buyer), cancel, json!({ "id": id, "r": "Đổi ý" }))
        .await;
    assert_eq!(d["orderCancel"]["order"]["status"], "CANCELLED");
    assert_eq!(d["orderCancel"]["order"]["payment"]["status"], "EXPIRED");
    assert_eq!(
        app.data(Some(&buyer), cancel, json!({ "id": id, "r": "Đổi ý" }))
            .await["orderCancel"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let stranger = app.buyer("la@test.vn").await;
    assert_eq!(
        app.gql(Some(&stranger), cancel, json!({ "id": id, "r": "Đổi ý" }))
            .await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    stock_invariant(&app).await;
    assert_eq!(
        app.data(None, docs::STOCK, json!({ "id": g.product.gid() }))
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
        let vars = json!({ "i": { "idempotencyKey": format!("v{k}"), "lines": [{ "variantId": f.variant.gid(), "quantity": 2 }],
            "shippingAddress": docs::address(), "paymentMethod": "VNPAY" } });
        let d = app.data(Some(&buyer), CHECKOUT, vars).await;
        assert_eq!(d["checkout"]["order"]["status"], "AWAITING_PAYMENT");
    }
    let avail = || async {
        app.data(None, docs::STOCK, json!({ "id": f.product.gid() }))
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
    use tokio_tungstenite::tungstenite::Message;
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let d = app
        .data(
            Some(&buyer),
            CHECKOUT,
            checkout_vars(
                "s",
                json!([{ "variantId": f.variant.gid(), "quantity": 1 }]),
            ),
        )
        .await;
    let id = d["checkout"]["order"]["id"].clone();
    let shipment = d["checkout"]["order"]["shipments"][0].clone();
    assert!(shipment.is_object());

    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription($id: ID!) { orderStatusChanged(orderId: $id) { number status } }", "variables": { "id": id } } });

    let stranger = app.buyer("la@test.vn").await;
    let mut ws = app.ws(Some(&stranger), &[]).await;
    ws.send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    let msg: Value =
        serde_json::from_str(ws.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!(
        msg["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{msg}"
    );

    let mut ws = app.ws(Some(&buyer), &[]).await;
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
        .data(
            Some(&f.owner),
            docs::SELLER_ORDER_SHIP,
            json!({ "id": sid, "c": "VNPost", "t": "EE1" }),
        )
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
            checkout_vars(
                "ac",
                json!([{ "variantId": f.variant.gid(), "quantity": 1 }]),
            ),
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
    app.data(
        Some(&f.owner),
        docs::SELLER_ORDER_SHIP,
        json!({ "id": sid, "c": "GHN", "t": "X" }),
    )
    .await;
    app.data(
        Some(&f.owner),
        docs::SELLER_ORDER_DELIVER,
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

#[tokio::test]
async fn a_partial_cancellation_leaves_the_total_and_the_amount_due_of_what_remains() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let g = app.listed_product("Chè", 5, 200_000, "19").await;
    let buyer = app.buyer("mua@test.vn").await;
    // 2 × 100.000 + 30.000 shipping, and 1 × 200.000 + 30.000 shipping.
    let id = cod_order(&app, &buyer, "p", &f, &g).await;
    let q = "query($id: ID!) { order(id: $id) { subtotal { amount } shippingTotal { amount } total { amount } payment { amount { amount } status } } }";
    let totals = |d: &Value| {
        let o = &d["order"];
        (
            o["subtotal"]["amount"].as_i64().unwrap(),
            o["shippingTotal"]["amount"].as_i64().unwrap(),
            o["total"]["amount"].as_i64().unwrap(),
            o["payment"]["amount"]["amount"].as_i64().unwrap(),
        )
    };
    let before = app.data(Some(&buyer), q, json!({ "id": id })).await;
    assert_eq!(totals(&before), (400_000, 60_000, 460_000, 460_000));
    // The fish-sauce producer cancels its part: what remains is the tea and its shipping.
    let d = app
        .data(
            Some(&f.owner),
            docs::ORDER_CANCEL,
            json!({ "id": id, "r": "Hết hàng" }),
        )
        .await;
    assert_eq!(d["orderCancel"]["userErrors"], json!([]));
    let after = app.data(Some(&buyer), q, json!({ "id": id })).await;
    assert_eq!(totals(&after), (200_000, 30_000, 230_000, 230_000));
    // The tea is delivered and paid in cash: the amount collected is what remained.
    let so = app.data(Some(&buyer), ORDER, json!({ "id": id })).await;
    let tea = shipment_of(&so, "HTX Chè");
    app.data(
        Some(&g.owner),
        docs::SELLER_ORDER_SHIP,
        json!({ "id": tea, "c": "GHN", "t": "T1" }),
    )
    .await;
    app.data(
        Some(&g.owner),
        docs::SELLER_ORDER_DELIVER,
        json!({ "id": tea }),
    )
    .await;
    let paid = app.data(Some(&buyer), q, json!({ "id": id })).await;
    assert_eq!(paid["order"]["payment"]["status"], "SUCCEEDED");
    assert_eq!(totals(&paid).3, 230_000);
}

#[tokio::test]
async fn two_producers_delivering_at_the_same_moment_leave_the_order_delivered_and_paid() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let g = app.listed_product("Chè", 5, 200_000, "19").await;
    app.stock(&f.owner, f.variant, 100).await;
    app.stock(&g.owner, g.variant, 100).await;
    let buyer = app.buyer("mua@test.vn").await;
    for trial in 0..12 {
        let id = cod_order(&app, &buyer, &format!("t{trial}"), &f, &g).await;
        let o = app.data(Some(&buyer), ORDER, json!({ "id": id })).await;
        let parts = [
            (&f.owner, shipment_of(&o, "HTX Nước mắm")),
            (&g.owner, shipment_of(&o, "HTX Chè")),
        ];
        for (owner, part) in &parts {
            app.data(
                Some(owner),
                docs::SELLER_ORDER_SHIP,
                json!({ "id": part, "c": "GHN", "t": "T" }),
            )
            .await;
        }
        let (a, b) = tokio::join!(
            app.data(
                Some(parts[0].0),
                docs::SELLER_ORDER_DELIVER,
                json!({ "id": parts[0].1 })
            ),
            app.data(
                Some(parts[1].0),
                docs::SELLER_ORDER_DELIVER,
                json!({ "id": parts[1].1 })
            ),
        );
        assert_eq!(a["sellerOrderDeliver"]["userErrors"], json!([]));
        assert_eq!(b["sellerOrderDeliver"]["userErrors"], json!([]));
        let after = app.data(Some(&buyer), ORDER, json!({ "id": id })).await;
        assert_eq!(
            after["order"]["status"], "DELIVERED",
            "trial {trial}: {after}"
        );
        assert_eq!(
            after["order"]["payment"]["status"], "SUCCEEDED",
            "trial {trial}"
        );
    }
}
