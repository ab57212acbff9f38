//! `bench-checkout`: the flash-sale benchmark of `scripts/bench/checkout`. Runs the
//! real application in-process on the configured (PostgreSQL) database, lets 200 buyers check
//! out one unit each, over and over, until 2,000 units are sold out, then measures the raw
//! ceiling: the same number of conditional stock UPDATEs through the same connection pool.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

use server::{BoxError, Config};

#[path = "../bench_support.rs"]
mod bench_support;
use bench_support::{Bench, Conn, bench_app, latencies, one, pct};

const UNITS: i64 = 2_000;
const BUYERS: usize = 200;
/// Any valid argon2 hash: the benchmark's buyers never log in, their tokens are minted.
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0ScKWGSpSnxnVm9yB5D3EXDKVGtsNJ7Ey4v5Ba4YJwQ";

async fn run() -> Result<(), BoxError> {
    let config = Config::from_env()?;
    let Bench {
        app,
        db,
        units,
        admin: admin_v,
        variant_id,
    } = bench_app(config).await?;

    // The flash-sale variant: its demo lots recalled, one lot of 2,000 units.
    let old: Vec<i64> = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id FROM lots WHERE variant_id = {variant_id}"),
        ))
        .await?
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "id").ok())
        .collect();
    for l in old {
        traceability::lots::recall(
            &db,
            &admin_v,
            kernel::id::LotId(l),
            "Nhường chỗ cho lô bán chớp nhoáng",
        )
        .await
        .map_err(|e| format!("{e:?}"))?;
    }
    let today = kernel::time::today_vn();
    let lot = traceability::lots::create(
        &db,
        &units,
        &admin_v,
        traceability::lots::LotFields {
            variant_id: kernel::id::VariantId(variant_id),
            lot_number: "FLASH-1",
            produced_on: today,
            expires_on: Some(today + chrono::Duration::days(365)),
            quantity: UNITS,
            origin: None,
            gln: None,
        },
    )
    .await
    .map_err(|e| format!("{e:?}"))?;

    // 200 buyers with minted tokens.
    let keys = accounts::token::TokenKeys::new(app.state().config.jwt_secret.as_bytes(), 3600)?;
    let mut tokens = Vec::with_capacity(BUYERS);
    for i in 0..BUYERS {
        let mut q = kernel::sql::Sql::new(db.get_database_backend());
        q.push("INSERT INTO users (email, password_hash, name, is_admin, created_at) VALUES (")
            .bind(format!("flash{i}@bench.vn"))
            .push(", ")
            .bind(HASH)
            .push(", ")
            .bind(format!("Khách {i}"))
            .push(", ")
            .bind(false)
            .push(", ")
            .bind(chrono::Utc::now())
            .push(")");
        db.execute_raw(q.build()).await?;
        let id = one(
            &db,
            &format!("SELECT id AS n FROM users WHERE email = 'flash{i}@bench.vn'"),
        )
        .await?;
        tokens.push(keys.issue(id));
    }

    let port = app.port();
    let state_db = db.clone();
    tokio::spawn(app.run_with_shutdown(std::future::pending()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let variant_gid = api::ids::encode(api::ids::Kind::Variant, variant_id).0;

    // The sale.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (b, token) in tokens.into_iter().enumerate() {
        let vid = variant_gid.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(port).await?;
            let auth = format!("Bearer {token}");
            let mut ok = Vec::new();
            let mut refused = 0;
            for n in 0.. {
                let body = format!(
                    "{{\"query\":\"mutation($i: CheckoutInput!) {{ checkout(input: $i) {{ order {{ id }} userErrors {{ code }} }} }}\",\"variables\":{{\"i\":{{\"idempotencyKey\":\"f{b}-{n}\",\"lines\":[{{\"variantId\":\"{vid}\",\"quantity\":1}}],\"shippingAddress\":{{\"name\":\"A\",\"phone\":\"0912345678\",\"provinceCode\":\"40\",\"line\":\"x\"}},\"paymentMethod\":\"COD\"}}}}}}"
                );
                let t = Instant::now();
                let (_, resp) = conn.post(port, "/graphql", ("Authorization", &auth), &body).await?;
                if resp.contains("\"order\":{\"id\"") {
                    ok.push(t.elapsed().as_secs_f64() * 1000.0);
                } else if resp.contains("INSUFFICIENT_STOCK") {
                    refused += 1;
                    break;
                } else {
                    return Err(format!("unexpected answer: {resp}").into());
                }
            }
            Ok::<_, BoxError>((ok, refused))
        }));
    }
    let mut lat = Vec::new();
    let mut refused = 0;
    for t in tasks {
        let (ok, r) = t.await??;
        lat.extend(ok);
        refused += r;
    }
    let sale = started.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    let sold = lat.len() as i64;
    let allocated = one(&state_db, &format!("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS n FROM lot_allocations WHERE lot_id = {}", lot.id)).await?;
    let left = one(
        &state_db,
        &format!(
            "SELECT quantity_available AS n FROM lots WHERE id = {}",
            lot.id
        ),
    )
    .await?;
    let oversell = (allocated - UNITS).max(0) + (-left).max(0);

    // The ceiling: the same number of conditional decrements straight through the pool.
    let scratch = traceability::lots::create(
        &state_db,
        &units,
        &admin_v,
        traceability::lots::LotFields {
            variant_id: kernel::id::VariantId(variant_id),
            lot_number: "CEILING-1",
            produced_on: today,
            expires_on: None,
            quantity: sold.max(1),
            origin: None,
            gln: None,
        },
    )
    .await
    .map_err(|e| format!("{e:?}"))?;
    let started = Instant::now();
    let db = Arc::new(state_db.clone());
    let mut tasks = Vec::new();
    for _ in 0..BUYERS {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let t = Instant::now();
                let mut q = kernel::sql::Sql::new(db.get_database_backend());
                q.push("UPDATE lots SET quantity_available = quantity_available - 1 WHERE id = ")
                    .bind(scratch.id)
                    .push(" AND quantity_available >= 1");
                if db.execute_raw(q.build()).await?.rows_affected() == 0 {
                    return Ok::<_, BoxError>(lat);
                }
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }));
    }
    let clat = latencies(tasks).await?;
    let ceiling = started.elapsed().as_secs_f64();

    let rate = sold as f64 / sale;
    let crate_ = clat.len() as f64 / ceiling;
    println!("flash sale: {UNITS} units, {BUYERS} concurrent buyers, one unit per checkout");
    println!(
        "{:<22} {:>8} {:>10} {:>8} {:>8}",
        "run", "count", "per_s", "p50_ms", "p99_ms"
    );
    println!(
        "{:<22} {:>8} {:>10.0} {:>8.2} {:>8.2}",
        "checkout (HTTP)",
        sold,
        rate,
        pct(&lat, 0.5),
        pct(&lat, 0.99)
    );
    println!(
        "{:<22} {:>8} {:>10.0} {:>8.2} {:>8.2}",
        "ceiling (UPDATE only)",
        clat.len(),
        crate_,
        pct(&clat, 0.5),
        pct(&clat, 0.99)
    );
    println!(
        "ratio to ceiling: {:.2}   refused after sell-out: {refused}   oversell: {oversell}",
        rate / crate_
    );
    println!("target: >= 0.25 of the ceiling and zero oversell");
    if oversell != 0 || sold != UNITS {
        return Err(format!("sold {sold} of {UNITS}, oversell {oversell}").into());
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
