//! `bench-webhooks`: the payment-webhook benchmark of `scripts/bench/webhooks`. Runs the real
//! application in-process on the configured (PostgreSQL) database, makes 2,000 bank-transfer
//! orders through the checkout service, then delivers each order's SePay transfer three times
//! (duplicates interleaved, as SePay's retries arrive) over HTTP from 64 connections, and
//! measures the orders settled per second. The ceiling, in the same run: one conditional
//! `UPDATE` per payment straight through the same pool, at the same concurrency.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use orders::checkout::{AddressFields, CheckoutFields, LineFields};
use orders::payments::PaymentStart;
use sea_orm::ConnectionTrait;
use server::{BoxError, Config};

#[path = "../bench_support.rs"]
mod bench_support;
use bench_support::{Bench, Conn, bench_app, latencies, one, pct};

const ORDERS: usize = 2_000;
const DELIVERIES_EACH: usize = 3;
const CONNECTIONS: usize = 64;
const KEY: &str = "bench-sepay-key";

async fn run() -> Result<(), BoxError> {
    let mut config = Config::from_env()?;
    config.bank_bin = Some("970436".into());
    config.bank_account_number = Some("0011001932418".into());
    config.bank_account_name = Some("CONG TY CHO OCOP".into());
    config.sepay_api_key = Some(KEY.into());
    // One buyer places every order here; the cap on a buyer's unpaid orders is not measured.
    config.unpaid_orders_per_buyer = i64::MAX;
    config.unpaid_units_per_variant = i64::MAX;
    let Bench {
        app,
        db,
        units,
        admin: admin_v,
        variant_id,
    } = bench_app(config).await?;

    // Stock enough for every order, on one listed variant.
    let today = kernel::time::today_vn();
    traceability::lots::create(
        &db,
        &units,
        &admin_v,
        traceability::lots::LotFields {
            variant_id: kernel::id::VariantId(variant_id),
            lot_number: "WEBHOOK-1",
            produced_on: today,
            expires_on: Some(today + chrono::Duration::days(365)),
            quantity: ORDERS as i64,
            origin: None,
            gln: None,
        },
    )
    .await
    .map_err(|e| format!("{e:?}"))?;

    // The orders, through the checkout service (their making is not what is measured).
    let buyer = kernel::Viewer::user(admin_v.require_user()?, false);
    let start = PaymentStart {
        providers: &app.state().providers,
        client_ip: "127.0.0.1",
        hold: chrono::Duration::minutes(60),
        max_open_unpaid: i64::MAX,
        fee_bps: 0,
        max_unpaid_units: i64::MAX,
    };
    let mut transfers = Vec::with_capacity(ORDERS);
    for i in 0..ORDERS {
        let o = orders::checkout::checkout(
            &db,
            &units,
            &buyer,
            CheckoutFields {
                idempotency_key: &format!("webhook-{i}"),
                lines: vec![LineFields {
                    variant_id: Some(kernel::id::VariantId(variant_id)),
                    quantity: 1,
                    ..Default::default()
                }],
                address: AddressFields {
                    name: "Nguyễn Văn A",
                    phone: "0912345678",
                    province_code: "40",
                    commune_code: None,
                    line: "12 Lê Lợi",
                },
                method: orders::PaymentMethod::BankTransfer,
            },
            &start,
        )
        .await
        .map_err(|e| format!("{e:?}"))?;
        let p = orders::payments::of_order(&db, o.id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no payment")?;
        transfers.push((p.id, p.amount, p.reference.ok_or("no reference")?));
    }

    // Each transfer delivered three times; the copies spread through the run.
    let mut deliveries: Vec<String> = Vec::with_capacity(ORDERS * DELIVERIES_EACH);
    for round in 0..DELIVERIES_EACH {
        for (i, (_, amount, reference)) in transfers.iter().enumerate() {
            let id = 500_000 + i;
            deliveries.push(format!(
                "{{\"id\":{id},\"gateway\":\"Vietcombank\",\"transactionDate\":\"2026-11-29 14:02:37\",\"accountNumber\":\"0011001932418\",\"code\":null,\"content\":\"CK {reference} lan {round}\",\"transferType\":\"in\",\"transferAmount\":{amount},\"accumulated\":0,\"subAccount\":null,\"referenceCode\":\"FT{id}\"}}"
            ));
        }
    }
    let deliveries = Arc::new(deliveries);

    let port = app.port();
    let state_db = db.clone();
    tokio::spawn(app.run_with_shutdown(std::future::pending()));
    tokio::time::sleep(Duration::from_millis(200)).await;

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (deliveries, next) = (deliveries.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(port).await?;
            let auth = format!("Apikey {KEY}");
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = deliveries.get(i) else {
                    return Ok::<_, BoxError>(lat);
                };
                let t = Instant::now();
                let (status, resp) = conn
                    .post(port, "/webhooks/sepay", ("Authorization", &auth), body)
                    .await?;
                if status != 200 || !resp.contains("\"success\":true") {
                    return Err(format!("unexpected answer {status}: {resp}").into());
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }));
    }
    let lat = latencies(tasks).await?;
    let storm = started.elapsed().as_secs_f64();
    let paid = one(
        &state_db,
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM payments WHERE status = 'SUCCEEDED'",
    )
    .await?;
    let events = one(
        &state_db,
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM payment_events",
    )
    .await?;
    let confirmed = one(
        &state_db,
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM orders WHERE status = 'CONFIRMED'",
    )
    .await?;

    // The ceiling: one conditional UPDATE per payment, the same concurrency, the same pool.
    let ids: Arc<Vec<i64>> = Arc::new(transfers.iter().map(|t| t.0).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let db = Arc::new(state_db.clone());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (db, ids, next) = (db.clone(), ids.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let Some(id) = ids.get(next.fetch_add(1, Ordering::Relaxed)) else {
                    return Ok::<_, BoxError>(lat);
                };
                let t = Instant::now();
                let mut q = kernel::sql::Sql::new(db.get_database_backend());
                q.push("UPDATE payments SET updated_at = ")
                    .bind(chrono::Utc::now())
                    .push(" WHERE id = ")
                    .bind(*id)
                    .push(" AND status = ")
                    .bind("SUCCEEDED");
                db.execute_raw(q.build()).await?;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }));
    }
    let clat = latencies(tasks).await?;
    let ceiling = started.elapsed().as_secs_f64();

    let settled_rate = ORDERS as f64 / storm;
    let ceiling_rate = clat.len() as f64 / ceiling;
    println!(
        "SePay webhooks: {ORDERS} bank-transfer orders, each transfer delivered {DELIVERIES_EACH} times, {CONNECTIONS} connections"
    );
    println!(
        "{:<28} {:>8} {:>10} {:>8} {:>8}",
        "run", "count", "per_s", "p50_ms", "p99_ms"
    );
    println!(
        "{:<28} {:>8} {:>10.0} {:>8.2} {:>8.2}",
        "deliveries (HTTP)",
        lat.len(),
        lat.len() as f64 / storm,
        pct(&lat, 0.5),
        pct(&lat, 0.99)
    );
    println!(
        "{:<28} {:>8} {:>10.0} {:>8} {:>8}",
        "orders settled", ORDERS, settled_rate, "", ""
    );
    println!(
        "{:<28} {:>8} {:>10.0} {:>8.2} {:>8.2}",
        "ceiling (UPDATE only)",
        clat.len(),
        ceiling_rate,
        pct(&clat, 0.5),
        pct(&clat, 0.99)
    );
    println!(
        "ratio of orders settled to the ceiling: {:.2}   paid {paid}, confirmed {confirmed}, event rows {events}",
        settled_rate / ceiling_rate
    );
    if paid != ORDERS as i64 || confirmed != ORDERS as i64 || events != ORDERS as i64 {
        return Err(format!(
            "expected {ORDERS} paid, confirmed and recorded once; got {paid}, {confirmed}, {events}"
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
