//! `/graphql/ws` is held to the same guards as `POST /graphql`: each message counts against the
//! client's request budget (the same budget HTTP uses, keyed by the same client address), a
//! message over the body limit ends the connection, and subscriptions obey depth and
//! complexity.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::{TestApp, Ws};

/// A subscription to an order that does not exist, as message `id`.
fn subscribe(id: u32, query: &str) -> Message {
    Message::Text(
        json!({ "id": id.to_string(), "type": "subscribe", "payload": {
            "query": query, "variables": { "id": "T3JkZXI6OTk5OQ" } } })
        .to_string()
        .into(),
    )
}

const SMALL: &str = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }";

/// The first message about subscription `id` other than its `complete`, or `None` once the
/// server has closed the connection.
async fn answer(ws: &mut Ws, id: u32) -> Option<Value> {
    while let Some(m) = next_text(ws).await {
        let about = m["id"].as_str().and_then(|s| s.parse::<u32>().ok());
        if about == Some(id) && m["type"] != "complete" {
            return Some(m);
        }
    }
    None
}

/// The next text message, or `None` once the server has closed the connection.
pub(crate) async fn next_text(ws: &mut Ws) -> Option<Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("the server answers or closes within 5 s")
        {
            Some(Ok(Message::Text(t))) => return Some(serde_json::from_str(&t).unwrap()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
            Some(Ok(other)) => panic!("unexpected frame {other:?}"),
        }
    }
}

#[tokio::test]
async fn each_websocket_message_spends_the_clients_request_budget() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit_per_minute = 4;
        c.trust_forwarded_for = true;
    })
    .await;
    let from_a = [("x-forwarded-for", "10.1.0.1")];
    // connection_init is message 1; three subscribes make 4, the budget.
    let mut ws = app.ws(None, &from_a).await;
    for id in 1..=3 {
        ws.send(subscribe(id, SMALL)).await.unwrap();
        answer(&mut ws, id).await.expect("answered within budget");
    }
    // The fifth message is over: the server ends the connection instead of answering.
    ws.send(subscribe(4, SMALL)).await.unwrap();
    assert_eq!(answer(&mut ws, 4).await, None, "message 5 was answered");
    // The same budget as HTTP: this client's next query is refused there too.
    let v = app
        .client
        .post(format!("{}/graphql", app.addr))
        .header("x-forwarded-for", "10.1.0.1")
        .json(&json!({ "query": "{ ocopCategories { code } }" }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(v["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{v}");
    // Another client address has its own budget.
    let mut ws = app.ws(None, &[("x-forwarded-for", "10.1.0.2")]).await;
    ws.send(subscribe(1, SMALL)).await.unwrap();
    answer(&mut ws, 1).await.expect("answered");
}

#[tokio::test]
async fn a_websocket_message_over_the_body_limit_ends_the_connection() {
    let app = TestApp::spawn_with(|c| c.max_body_bytes = 4096).await;
    let mut ws = app.ws(None, &[]).await;
    // Under the limit: answered.
    ws.send(subscribe(1, SMALL)).await.unwrap();
    answer(&mut ws, 1).await.expect("answered");
    // Over it (a comment pads the document to 8 KB): the connection ends unanswered.
    let padded = format!("# {}\n{SMALL}", "x".repeat(8 * 1024));
    let _ = ws.send(subscribe(2, &padded)).await;
    assert_eq!(
        answer(&mut ws, 2).await,
        None,
        "an oversized message was executed"
    );
}

#[tokio::test]
async fn websocket_subscriptions_obey_depth_and_complexity() {
    let app = TestApp::spawn_with(|c| c.max_depth = 4).await;
    let mut ws = app.ws(None, &[]).await;
    let deep = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { lines { variant { product { producer { name } } } } } }";
    ws.send(subscribe(1, deep)).await.unwrap();
    let m = answer(&mut ws, 1).await.expect("answered");
    assert!(
        m.to_string().contains("QUERY_TOO_COMPLEX"),
        "a subscription deeper than the limit is refused like a query: {m}"
    );
    // Wide instead of deep: sixty aliases of the order's lines with their lots.
    let wide = format!(
        "subscription($id: ID!) {{ orderStatusChanged(orderId: $id) {{ {} }} }}",
        (0..60)
            .map(|i| format!("a{i}: lines {{ lots {{ quantity }} }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    ws.send(subscribe(2, &wide)).await.unwrap();
    let m = answer(&mut ws, 2).await.expect("answered");
    assert!(m.to_string().contains("QUERY_TOO_COMPLEX"), "{m}");
}

/// A buyer's order, its id, and the subscribe message for it.
async fn order_to_watch(
    app: &TestApp,
) -> (
    crate::builders::Fixture,
    crate::builders::Person,
    Value,
    Message,
) {
    use crate::builders::Gid;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let buyer = app.buyer("mua@test.vn").await;
    let d = app
        .data(
            Some(&buyer),
            crate::docs::CHECKOUT,
            crate::docs::checkout_vars(
                "w",
                json!([{ "variantId": f.variant.gid(), "quantity": 1 }]),
            ),
        )
        .await;
    let id = d["checkout"]["order"]["id"].clone();
    let sub = Message::Text(
        json!({ "id": "1", "type": "subscribe", "payload": {
            "query": "subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }",
            "variables": { "id": id } } })
        .to_string()
        .into(),
    );
    (f, buyer, id, sub)
}

#[tokio::test]
async fn a_subscription_ends_when_its_token_expires() {
    let app = TestApp::spawn_with(|c| c.token_ttl_secs = 2).await;
    let (_, buyer, _, sub) = order_to_watch(&app).await;
    let mut ws = app.ws(Some(&buyer), &[]).await;
    ws.send(sub).await.unwrap();
    let m = next_text(&mut ws)
        .await
        .expect("the subscription ends, the connection stays");
    assert_eq!(m["type"], "complete", "{m}");
    assert_eq!(m["id"], "1");
}

#[tokio::test]
async fn a_member_who_loses_access_stops_hearing_about_the_order() {
    let app = TestApp::spawn().await;
    let (f, buyer, id, sub) = order_to_watch(&app).await;
    let mut ws = app.ws(Some(&f.owner), &[]).await;
    ws.send(sub).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The owner leaves the producer (there is no mutation for it yet: straight in the table).
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("DELETE FROM producer_members")
        .await
        .unwrap();
    app.data(
        Some(&buyer),
        crate::docs::ORDER_CANCEL,
        json!({ "id": id, "r": "Đổi ý" }),
    )
    .await;
    let m = next_text(&mut ws).await.expect("an answer");
    assert_eq!(
        m["type"], "complete",
        "the order was sent to someone who lost access: {m}"
    );
}

#[tokio::test]
async fn a_subscriber_too_slow_to_keep_up_gets_the_current_state() {
    let app = TestApp::spawn().await;
    let (_, buyer, _, sub) = order_to_watch(&app).await;
    let mut ws = app.ws(Some(&buyer), &[]).await;
    ws.send(sub).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Far more changes to other orders than the hub holds, at once: this subscriber lags and
    // may have missed its own order's. It is sent the order as it is now.
    for other in 0..20_000 {
        app.hub.publish(1_000_000 + other);
    }
    let m = next_text(&mut ws).await.expect("an answer");
    assert_eq!(m["type"], "next", "{m}");
    assert_eq!(
        m["payload"]["data"]["orderStatusChanged"]["status"],
        "CONFIRMED"
    );
}
