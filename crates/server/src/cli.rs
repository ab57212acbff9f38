//! The command line: `serve` (default), `migrate`, `seed-demo`, `export-schema [PATH]`,
//! `create-admin --email E --password P`, `check-copies`.

use std::sync::Arc;

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat, redact_url};
use crate::db::{self, StatementCounter};
use crate::{Application, BoxError, demo as seed};

const USAGE: &str = "\
Chợ OCOP server

USAGE:
    cho-ocop [COMMAND]

COMMANDS:
    serve                                  start the server (default)
    migrate                                apply database migrations and exit
    seed-demo                              apply migrations and seed the demo catalog
    export-schema [PATH]                   write the GraphQL SDL (default: schema.graphql)
    create-admin --email E --password P    create an ADMIN account (or promote an existing one)
    check-copies                           check that every product's listing and stock copies
                                           (listed_until, stock_until) agree with their sources
    bench-ceiling --body FILE [--bind ADDR] [--get]
                                           serve FILE's bytes on POST /graphql (or, with --get,
                                           on GET of any path): the HTTP stack's ceiling for
                                           scripts/bench (not for production)
    help                                   print this help

Configuration comes from environment variables (and .env); see README.md.";

fn init_tracing(format: &LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix(&format!("{name}=")).map(str::to_owned))
        })
}

/// Runs the command line; returns the process exit code.
pub async fn run(args: Vec<String>) -> i32 {
    let command = args.first().map(String::as_str).unwrap_or("serve");
    if matches!(command, "help" | "--help" | "-h") {
        println!("{USAGE}");
        return 0;
    }
    if command == "bench-ceiling" {
        return bench_ceiling(&args[1..]).await;
    }
    if command == "export-schema" {
        let path = args
            .get(1)
            .cloned()
            .unwrap_or_else(|| "schema.graphql".to_owned());
        return match std::fs::write(&path, api::sdl()) {
            Ok(()) => {
                println!("wrote {path}");
                0
            }
            Err(e) => {
                eprintln!("cannot write {path}: {e}");
                1
            }
        };
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return 2;
        }
    };
    init_tracing(&config.log_format);
    let result = match command {
        "serve" => serve(config).await,
        "migrate" => migrate(&config).await.map(|_| ()),
        "seed-demo" => seed_demo(&config).await,
        "create-admin" => create_admin(&config, &args[1..]).await,
        "check-copies" => check_copies(&config).await,
        other => {
            eprintln!("unknown command {other:?}\n\n{USAGE}");
            return 2;
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!(error = %e, "failed");
            eprintln!("error: {e}");
            1
        }
    }
}

async fn migrate(config: &Config) -> Result<sea_orm::DatabaseConnection, BoxError> {
    let db = db::connect(
        &config.database_url,
        2,
        config.database_statements,
        Arc::new(StatementCounter::default()),
    )
    .await?;
    db::migrate(db.pool()).await?;
    println!("migrations applied to {}", redact_url(&config.database_url));
    Ok(db.pool().clone())
}

async fn seed_demo(config: &Config) -> Result<(), BoxError> {
    if config.production {
        return Err(
            "seed-demo refuses APP_ENV=production: the demo admin's password is public".into(),
        );
    }
    let db = migrate(config).await?;
    let summary = seed::seed_demo(&db).await?;
    println!("demo catalog: {} products seeded", summary.products);
    print_accounts();
    Ok(())
}

/// Exits non-zero naming the products whose copies disagree with their sources (after data
/// was written behind the services, or by a bulk load such as the benchmark's seed).
async fn check_copies(config: &Config) -> Result<(), BoxError> {
    let db = migrate(config).await?;
    let listing = catalog::listing::stale_listing_copies(&db).await?;
    let stock = catalog::stock::stale_stock_copies(&db).await?;
    let bounds = catalog::listing::stale_price_bounds(&db).await?;
    if listing.is_empty() && stock.is_empty() && bounds.is_empty() {
        println!("listing and stock copies and search price bounds agree with their sources");
        return Ok(());
    }
    let head = |ids: &[i64]| {
        let shown: Vec<String> = ids.iter().take(10).map(i64::to_string).collect();
        format!("{} ({})", ids.len(), shown.join(", "))
    };
    Err(format!(
        "stale copies: listed_until {}, stock_until {}, search price bounds {} ({})",
        head(&listing),
        head(&stock),
        bounds.len(),
        bounds
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    )
    .into())
}

async fn create_admin(config: &Config, args: &[String]) -> Result<(), BoxError> {
    let (Some(email), Some(password)) = (flag(args, "--email"), flag(args, "--password")) else {
        return Err("usage: cho-ocop create-admin --email E --password P".into());
    };
    let db = migrate(config).await?;
    let user = accounts::service::ensure_admin(&db, &email, &password)
        .await
        .map_err(|e| e.to_string())?;
    println!("admin account ready: {}", user.email);
    Ok(())
}

fn print_accounts() {
    println!("  admin : {} / {}", seed::ADMIN_EMAIL, seed::ADMIN_PASSWORD);
    println!(
        "  seller: {} / {}",
        seed::SELLER_EMAIL,
        seed::SELLER_PASSWORD
    );
    println!("  buyer : {} / {}", seed::BUYER_EMAIL, seed::BUYER_PASSWORD);
}

async fn serve(config: Config) -> Result<(), BoxError> {
    if config.jwt_secret_generated {
        tracing::warn!(
            "JWT_SECRET is not set: using a random secret for this run only. Tokens will not \
             survive a restart and replicas will not accept each other's tokens. Set JWT_SECRET."
        );
    }
    tracing::info!(config = ?config, "starting");
    let base = config.public_base_url.clone();
    let app = Application::build(config).await?;
    let addr = app.local_addr();
    println!();
    println!("Chợ OCOP is listening on http://{addr}");
    println!("  GraphiQL : {base}/graphql");
    println!("  health   : {base}/healthz  ready: {base}/readyz  metrics: {base}/metrics");
    if let Some(summary) = &app.seeded_demo {
        println!(
            "New database: seeded the demo catalog ({} products).",
            summary.products
        );
        print_accounts();
    }
    if let Some(code) = demo_trace_code(&app.state().db).await {
        println!("  demo trace page: {base}/t/{code}   (QR code: {base}/t/{code}/qr.svg)");
    }
    println!();
    app.run_until_stopped().await?;
    Ok(())
}

/// A bare axum route that answers `POST /graphql` with fixed bytes: what this machine's HTTP
/// stack can do at best, measured beside the real listing by `scripts/bench/*`.
async fn bench_ceiling(args: &[String]) -> i32 {
    let Some(path) = flag(args, "--body") else {
        eprintln!("usage: cho-ocop bench-ceiling --body FILE [--bind ADDR]");
        return 2;
    };
    let bind = flag(args, "--bind").unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    let body = match std::fs::read(&path) {
        Ok(b) => bytes::Bytes::from(b),
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return 1;
        }
    };
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(move || {
            let body = body.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body,
                )
            }
        }),
    );
    let listener = match tokio::net::TcpListener::bind(&bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot bind {bind}: {e}");
            return 1;
        }
    };
    println!("ceiling route on http://{bind}/graphql");
    match axum::serve(listener, app).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// The trace code of a listed lot, if there is one, for the banner.
async fn demo_trace_code(db: &kernel::db::Db) -> Option<String> {
    use sea_orm::ConnectionTrait;
    let mut q = kernel::sql::Sql::new(db.get_database_backend());
    q.push(
        "SELECT l.trace_code FROM lots l JOIN variants v ON v.id = l.variant_id \
         JOIN products p ON p.id = v.product_id JOIN ocop_certificates c ON c.id = p.certificate_id \
         JOIN producers pr ON pr.id = p.producer_id WHERE l.trace_code IS NOT NULL AND",
    );
    catalog::listing::push_listed(&mut q, kernel::time::today_vn());
    q.push(" ORDER BY l.id LIMIT 1");
    let row = db.query_one_raw(q.build()).await.ok()??;
    row.try_get::<String>("", "trace_code").ok()
}
