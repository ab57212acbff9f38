//! `bench-live`: the live-selling benchmark of `scripts/bench/live`, on PostgreSQL (and Redis
//! for the second replica). Two parts, each measured beside its own reference in one run:
//!
//! 1. Fan-out: 1,000 anonymous websocket viewers subscribe to `liveSessionEvents`; the host
//!    pins an offer over HTTP, 30 times; each viewer's pin-to-delivery latency is recorded —
//!    first with the viewers on the replica that takes the pin, then (with Redis) with them on
//!    a second replica, so the Redis hop is what differs.
//! 2. Affiliate links: `GET /l/{code}` over 100 links from 64 keep-alive connections, each
//!    request from a distinct client address (so every click is counted, not deduplicated),
//!    for 10 s; then `GET /healthz`, the bare route, the same way: the ceiling.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use server::{Application, Config};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[path = "../bench_support.rs"]
#[allow(dead_code)] // This driver builds its own replicas (with Redis), not `bench_app`'s.
mod bench_support;
use bench_support::{BoxError, Conn, one, pct};

const VIEWERS: usize = 1_000;
const PINS: usize = 30;
const CONNECTIONS: usize = 64;
const LINKS: usize = 100;
const LOAD_FOR: Duration = Duration::from_secs(10);

/// Starts a replica on `config`; its port and the app's state.
async fn replica(config: Config) -> Result<(u16, server::state::AppState), BoxError> {
    let app = Application::build_with(config, false).await?;
    let (port, state) = (app.port(), app.state().clone());
    tokio::spawn(app.run_with_shutdown(std::future::pending()));
    Ok((port, state))
}

/// One viewer: subscribes, then reports the instant of each PINNED it receives.
async fn viewer(
    port: u16,
    session: String,
    arrivals: Arc<Vec<std::sync::Mutex<Vec<Instant>>>>,
    me: usize,
) -> Result<(), BoxError> {
    let mut req = format!("ws://127.0.0.1:{port}/graphql/ws").into_client_request()?;
    req.headers_mut()
        .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    ws.send(Message::Text(
        r#"{"type":"connection_init","payload":{}}"#.into(),
    ))
    .await?;
    ws.next().await.ok_or("no ack")??;
    let sub = serde_json::json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription($s: ID!) { liveSessionEvents(sessionId: $s) { kind offer { id livePrice { amount } quantitySold } } }",
        "variables": { "s": session } } });
    ws.send(Message::Text(sub.to_string().into())).await?;
    while let Some(m) = ws.next().await {
        let at = Instant::now();
        if let Message::Text(t) = m?
            && t.contains("\"PINNED\"")
        {
            arrivals[me].lock().expect("not poisoned").push(at);
        }
    }
    Ok(())
}

/// 1,000 viewers on `viewers_port`, 30 pins through `pin_port`: every viewer's latency (ms).
async fn fan_out(
    pin_port: u16,
    viewers_port: u16,
    viewers_state: &server::state::AppState,
    session: &str,
    offer: &str,
    token: &str,
) -> Result<Vec<f64>, BoxError> {
    // Nothing pinned while the viewers connect: a viewer's first PINNED is then the first pin
    // of this run, not the one already up (which a viewer connecting mid-session receives).
    let db = &viewers_state.db;
    let sid = api::ids::decode(api::ids::Kind::LiveSession, session).ok_or("session id")?;
    let host = one(
        db,
        &format!("SELECT host_user_id AS n FROM live_sessions WHERE id = {sid}"),
    )
    .await?;
    livestream::sessions::pin(db, &kernel::Viewer::user(host, true), sid, None)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let arrivals: Arc<Vec<std::sync::Mutex<Vec<Instant>>>> =
        Arc::new((0..VIEWERS).map(|_| Default::default()).collect());
    let before = viewers_state.fanout.live.viewers();
    let mut tasks = Vec::new();
    for me in 0..VIEWERS {
        tasks.push(tokio::spawn(viewer(
            viewers_port,
            session.to_owned(),
            arrivals.clone(),
            me,
        )));
        // Connect at a human pace, not as a SYN flood.
        if me % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while viewers_state.fanout.live.viewers() < before + VIEWERS {
        if Instant::now() > deadline {
            return Err("viewers did not all subscribe within 60 s".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut conn = Conn::connect(pin_port).await?;
    let body = serde_json::json!({
        "query": "mutation($s: ID!, $o: ID!) { livePin(sessionId: $s, offerId: $o) { userErrors { code } } }",
        "variables": { "s": session, "o": offer } })
    .to_string();
    let auth = format!("Bearer {token}");
    let mut latencies = Vec::with_capacity(VIEWERS * PINS);
    for round in 0..PINS {
        let sent = Instant::now();
        let (status, answer) = conn
            .post(pin_port, "/graphql", ("Authorization", &auth), &body)
            .await?;
        if status != 200 || !answer.contains("\"userErrors\":[]") {
            return Err(format!("pin refused: {status} {answer}").into());
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = arrivals
                .iter()
                .filter(|a| a.lock().expect("not poisoned").len() > round)
                .count();
            if got == VIEWERS {
                break;
            }
            if Instant::now() > deadline {
                return Err(
                    format!("round {round}: {got} of {VIEWERS} viewers heard the pin").into(),
                );
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        for a in arrivals.iter() {
            let at = a.lock().expect("not poisoned")[round];
            latencies.push(at.duration_since(sent).as_secs_f64() * 1000.0);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for t in tasks {
        t.abort();
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    Ok(latencies)
}

/// `paths` round-robin from 64 connections for [`LOAD_FOR`], each request from its own client
/// address: (requests per second, sorted latencies in ms).
async fn load(
    port: u16,
    paths: Arc<Vec<String>>,
    expect: u16,
) -> Result<(f64, Vec<f64>), BoxError> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONNECTIONS {
        let (paths, next) = (paths.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = Conn::connect(port).await?;
            let mut lat = Vec::new();
            while started.elapsed() < LOAD_FOR {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let ip = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
                let t = Instant::now();
                let (status, _) = conn
                    .get(port, &paths[n % paths.len()], ("X-Forwarded-For", &ip))
                    .await?;
                if status != expect {
                    return Err(format!("status {status}, expected {expect}").into());
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<Vec<f64>, BoxError>(lat)
        }));
    }
    let all = bench_support::latencies(workers).await?;
    Ok((all.len() as f64 / started.elapsed().as_secs_f64(), all))
}

async fn run() -> Result<(), BoxError> {
    let mut config = Config::from_env()?;
    config.bind_addr = "127.0.0.1:0".parse()?;
    config.rate_limit_per_minute = 0;
    config.page_rate_limit_per_minute = 0;
    config.response_cache_ms = 0;
    config.trust_forwarded_for = true;
    let with_redis = config.redis_url.is_some();
    let (port_a, a) = replica(config.clone()).await?;
    let db = a.db.clone();
    server::demo::seed_demo(db.pool()).await?;
    let admin_email = kernel::domain::Email::parse(server::demo::ADMIN_EMAIL)?;
    let admin = accounts::service::find_by_email(&db, &admin_email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no admin")?;
    let viewer = kernel::Viewer::user(admin.id, true);
    let token = a.keys.issue(admin.id);
    let variant = one(&db, "SELECT MIN(v.id) AS n FROM variants v JOIN products p ON p.id = v.product_id WHERE p.status = 'PUBLISHED' AND p.name LIKE 'Nước mắm%'").await?;
    let product = one(
        &db,
        &format!("SELECT product_id AS n FROM variants WHERE id = {variant}"),
    )
    .await?;
    let producer = one(
        &db,
        &format!("SELECT producer_id AS n FROM variants WHERE id = {variant}"),
    )
    .await?;
    let price = one(
        &db,
        &format!("SELECT price AS n FROM variants WHERE id = {variant}"),
    )
    .await?;

    // A producer's live with one offer, started.
    let err = |e: kernel::Error| format!("{e:?}");
    let s = livestream::sessions::create(
        &db,
        &viewer,
        livestream::sessions::NewSession {
            title: "Phiên live đo tải",
            platform: "TIKTOK",
            stream_url: None,
            scheduled_at: chrono::Utc::now(),
            producer_id: Some(kernel::id::ProducerId(producer)),
        },
    )
    .await
    .map_err(err)?;
    let s = livestream::sessions::add_offer(
        &db,
        &viewer,
        s.id,
        livestream::sessions::NewOffer {
            variant_id: kernel::id::VariantId(variant),
            live_price: price,
            quantity_cap: 100,
            per_buyer_limit: None,
        },
    )
    .await
    .map_err(err)?;
    livestream::sessions::start(&db, &viewer, s.id)
        .await
        .map_err(err)?;
    let offer_id = one(
        &db,
        &format!(
            "SELECT id AS n FROM live_offers WHERE session_id = {}",
            s.id
        ),
    )
    .await?;
    let session_gid = api::ids::encode(api::ids::Kind::LiveSession, s.id).to_string();
    let offer_gid = api::ids::encode(api::ids::Kind::LiveOffer, offer_id).to_string();

    println!("fan-out: {VIEWERS} websocket viewers, {PINS} pins each, pin-to-delivery");
    println!("| viewers on | deliveries | p50 ms | p99 ms | max ms |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let one_replica = fan_out(port_a, port_a, &a, &session_gid, &offer_gid, &token).await?;
    let row = |name: &str, l: &[f64]| {
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.1} |",
            l.len(),
            pct(l, 0.5),
            pct(l, 0.99),
            pct(l, 1.0)
        )
    };
    row("the replica that takes the pin", &one_replica);
    if with_redis {
        let (port_b, b) = replica(config.clone()).await?;
        let two = fan_out(port_a, port_b, &b, &session_gid, &offer_gid, &token).await?;
        row("a second replica (through Redis)", &two);
        println!(
            "ratio of p50 across replicas to p50 on one: {:.2}; p99: {:.2}",
            pct(&two, 0.5) / pct(&one_replica, 0.5),
            pct(&two, 0.99) / pct(&one_replica, 0.99)
        );
    } else {
        println!("(no REDIS_URL: the second replica is not measured)");
    }

    // A verified creator with 100 links to the product, in a 10 % program.
    let key = livestream::id_number::IdNumberKey::derive(config.jwt_secret.as_bytes());
    livestream::creators::apply(
        &db,
        &key,
        &viewer,
        livestream::creators::Application {
            legal_name: "Người Đo Tải",
            id_number: "038095009999",
            phone: "0912345678",
            channels: &["https://www.tiktok.com/@dotai".to_owned()],
        },
    )
    .await
    .map_err(err)?;
    livestream::creators::verify(&db, &viewer, kernel::id::UserId(admin.id), true, None)
        .await
        .map_err(err)?;
    livestream::affiliates::set_program(&db, &viewer, kernel::id::ProductId(product), 1_000)
        .await
        .map_err(err)?;
    let mut paths = Vec::new();
    for _ in 0..LINKS {
        let l =
            livestream::affiliates::create_link(&db, &viewer, kernel::id::ProductId(product), None)
                .await
                .map_err(err)?;
        paths.push(format!("/l/{}", l.code));
    }
    let (links_rate, links) = load(port_a, Arc::new(paths), 302).await?;
    let (bare_rate, bare) = load(port_a, Arc::new(vec!["/healthz".to_owned()]), 200).await?;
    let clicks = one(
        &db,
        "SELECT CAST(SUM(clicks) AS BIGINT) AS n FROM affiliate_links",
    )
    .await?;
    println!();
    println!(
        "affiliate links: {CONNECTIONS} connections, {}s each, every request a new client",
        LOAD_FOR.as_secs()
    );
    println!("| route | requests | req/s | p50 ms | p99 ms |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    println!(
        "| GET /healthz (ceiling) | {} | {bare_rate:.0} | {:.2} | {:.2} |",
        bare.len(),
        pct(&bare, 0.5),
        pct(&bare, 0.99)
    );
    println!(
        "| GET /l/{{code}} | {} | {links_rate:.0} | {:.2} | {:.2} |",
        links.len(),
        pct(&links, 0.5),
        pct(&links, 0.99)
    );
    println!(
        "ratio of redirects to the ceiling: {:.2}   clicks counted {clicks} of {}",
        links_rate / bare_rate,
        links.len()
    );
    if clicks != links.len() as i64 {
        return Err(format!(
            "{clicks} clicks counted for {} distinct visitors",
            links.len()
        )
        .into());
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
