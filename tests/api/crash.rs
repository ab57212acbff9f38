//! Nothing is lost on a crash: the real binary is killed with SIGKILL in the middle of a
//! checkout rush, restarted, and the books must still balance.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{fresh_database, random_suffix};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn server(url: &str, port: u16, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cho-ocop"));
    c.args(args)
        .env("DATABASE_URL", url)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", "crash-test-secret-crash-test-secret!")
        .env("RATE_LIMIT_PER_MINUTE", "0")
        .env("RUST_LOG", "warn")
        .env_remove("REDIS_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

async fn wait_up(client: &reqwest::Client, port: u16) {
    for _ in 0..300 {
        if client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start");
}

async fn gql(
    client: &reqwest::Client,
    port: u16,
    token: Option<&str>,
    query: &str,
    vars: Value,
) -> reqwest::Result<Value> {
    let mut r = client
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .json(&json!({ "query": query, "variables": vars }));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await?.json().await
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn killing_the_server_mid_checkout_loses_nothing_and_leaves_no_half_order() {
    let (url, _cleanup) = fresh_database(&random_suffix()).await;
    let client = reqwest::Client::new();
    let status = server(&url, 0, &["seed-demo"]).status().unwrap();
    assert!(status.success());
    let port = free_port();
    let mut child = Killed(server(&url, port, &["serve"]).spawn().unwrap());
    wait_up(&client, port).await;

    let login = gql(&client, port, None, "mutation { login(email: \"khach@cho-ocop.vn\", password: \"muahang-ocop-2026\") { token } }", json!({})).await.unwrap();
    let token = login["data"]["login"]["token"].as_str().unwrap().to_owned();
    let listing = gql(
        &client,
        port,
        None,
        "{ products(first: 50) { nodes { variants { id available } } } }",
        json!({}),
    )
    .await
    .unwrap();
    let variants: Vec<String> = listing["data"]["products"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["variants"].as_array().unwrap().iter())
        .filter(|v| v["available"].as_i64().unwrap() > 5)
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .take(4)
        .collect();
    assert_eq!(variants.len(), 4);

    // A rush of checkouts, and SIGKILL in the middle of it.
    let mut tasks = Vec::new();
    for c in 0..16 {
        let (client, token, variants) = (client.clone(), token.clone(), variants.clone());
        tasks.push(tokio::spawn(async move {
            let mut confirmed = Vec::new();
            for n in 0..1000 {
                let vars = json!({ "i": { "idempotencyKey": format!("crash-{c}-{n}"),
                    "lines": [{ "variantId": variants[n % 4], "quantity": 1 }, { "variantId": variants[(n + c) % 4], "quantity": 1 }],
                    "shippingAddress": { "name": "A", "phone": "0912345678", "provinceCode": "40", "line": "x" }, "paymentMethod": "COD" } });
                match gql(&client, port, Some(&token), "mutation($i: CheckoutInput!) { checkout(input: $i) { order { id } userErrors { code } } }", vars).await {
                    Ok(v) => {
                        if let Some(id) = v["data"]["checkout"]["order"]["id"].as_str() {
                            confirmed.push(id.to_owned());
                        }
                    }
                    Err(_) => break, // the server is gone
                }
            }
            confirmed
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    child.0.kill().unwrap(); // SIGKILL on Unix: no graceful shutdown
    child.0.wait().unwrap();
    let mut confirmed = Vec::new();
    for t in tasks {
        confirmed.extend(t.await.unwrap());
    }
    assert!(
        !confirmed.is_empty(),
        "some checkouts went through before the kill"
    );

    // Restart on the same database.
    let mut child = Killed(server(&url, port, &["serve"]).spawn().unwrap());
    wait_up(&client, port).await;
    // Every order the clients were told about is there.
    for id in &confirmed {
        let v = gql(
            &client,
            port,
            Some(&token),
            "query($id: ID!) { order(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await
        .unwrap();
        assert_eq!(v["data"]["order"]["id"], json!(id));
    }
    let _ = &mut child;

    let db = sea_orm::Database::connect(&url).await.unwrap();
    use sea_orm::ConnectionTrait;
    let one = |sql: &str| {
        let (db, sql) = (&db, sql.to_owned());
        async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    sql,
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "n").unwrap()
        }
    };
    // For every lot, produced = available + allocated.
    assert_eq!(one("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM lots l WHERE l.quantity_produced <> l.quantity_available + \
        COALESCE((SELECT SUM(a.quantity) FROM lot_allocations a WHERE a.lot_id = l.id AND a.released = FALSE), 0)").await, 0);
    // No order line without its allocations, no order without lines or payment.
    assert_eq!(
        one(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM order_lines ol WHERE ol.quantity <> \
        COALESCE((SELECT SUM(a.quantity) FROM lot_allocations a WHERE a.order_line_id = ol.id), 0)"
        )
        .await,
        0
    );
    assert_eq!(one("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines ol WHERE ol.order_id = o.id) \
        OR NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id)").await, 0);
    assert_eq!(one("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM lot_allocations a WHERE NOT EXISTS (SELECT 1 FROM order_lines ol WHERE ol.id = a.order_line_id)").await, 0);
    assert!(
        one("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM orders").await >= confirmed.len() as i64
    );
    let _ = db.close().await;
}
