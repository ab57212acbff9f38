//! `bench-seed-lots --count N`: adds N lots for the trace benchmark (`scripts/bench/trace`), each
//! through the same service as `lotCreate`, spread over the demo catalog's listed variants;
//! prints their trace codes.

use std::sync::Arc;

use server::db::{self, StatementCounter};
use server::{BoxError, Config};

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = run(&args).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// Adds lots for the trace benchmark, each through the same service as `lotCreate` (trace
/// code, commissioning event), spread over the listed demo variants.
async fn run(args: &[String]) -> Result<(), BoxError> {
    use sea_orm::ConnectionTrait;
    let count: usize = flag(args, "--count")
        .unwrap_or_else(|| "10000".into())
        .parse()?;
    let config = Config::from_env()?;
    let db = db::connect(
        &config.database_url,
        4,
        config.database_statements,
        Arc::new(StatementCounter::default()),
    )
    .await?;
    let units = catalog::units::load(&db).await?;
    let admin_email = kernel::domain::Email::parse(server::demo::ADMIN_EMAIL)?;
    let admin = accounts::service::find_by_email(&db, &admin_email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("run seed-demo first")?;
    let viewer = kernel::Viewer::user(admin.id, true);
    let mut q = kernel::sql::Sql::new(db.get_database_backend());
    q.push(
        "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id \
         JOIN ocop_certificates c ON c.id = p.certificate_id JOIN producers pr ON pr.id = p.producer_id WHERE",
    );
    catalog::listing::push_listed(&mut q, kernel::time::today_vn());
    let variants: Vec<i64> = db
        .query_all_raw(q.build())
        .await?
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "id").ok())
        .collect();
    if variants.is_empty() {
        return Err("no listed variants".into());
    }
    let today = kernel::time::today_vn();
    for i in 0..count {
        let lot = traceability::lots::create(
            &db,
            &units,
            &viewer,
            traceability::lots::LotFields {
                variant_id: kernel::id::VariantId(variants[i % variants.len()]),
                lot_number: &format!("B{i:07}"),
                produced_on: today - chrono::Duration::days(5),
                expires_on: Some(today + chrono::Duration::days(300)),
                quantity: 100,
                origin: None,
                gln: None,
            },
        )
        .await
        .map_err(|e| format!("{e:?}"))?;
        println!("{}", lot.trace_code.unwrap_or_default());
    }
    Ok(())
}
