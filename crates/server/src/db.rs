//! Database connection: SQLite (embedded, the default) or PostgreSQL, with migrations.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use kernel::db::{Configure, Db};
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, Statement,
    TransactionTrait,
};

/// Counts SQL statements (exported on `/metrics`; tests use it to prove batching).
#[derive(Default, Debug)]
pub struct StatementCounter {
    pub statements: AtomicU64,
    pub failed: AtomicU64,
    pub micros: AtomicU64,
}

impl StatementCounter {
    pub fn count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}

/// Prepared statements kept per SQLite connection (sqlx keeps 100). A listing's statement is
/// a union of index walks, and each prepared copy holds its compiled program: at 100 the
/// embedded server's peak RSS under the catalog benchmark was about 200 MiB with 8
/// connections, at 24 about 155 MiB, with no change in throughput beyond the noise. With one
/// plan per statement (`.cargo/config.toml`), 4 connections and the catalog's uncached mix at
/// 100,000 products: 24 kept 70–75 MiB at 1,221–1,344 pages a second, 96 kept 87–89 MiB at
/// 1,024–1,237, and 400 (every listing text) 130–132 MiB at 1,493–1,503. `DATABASE_STATEMENTS`
/// trades the one for the other.
const SQLITE_STATEMENTS: usize = 24;
/// Prepared statements kept per PostgreSQL connection by default (`DATABASE_STATEMENTS`; sqlx
/// keeps 100). The catalog's listings come in a few hundred statement texts (sorts, province
/// and star walks, filters), and a statement evicted is prepared and planned again when it
/// next comes: with 100 most listing statements were. Each kept statement costs its
/// PostgreSQL backend memory, not this server's: after the catalog mix about 43 MiB per
/// backend, against 13.
const POSTGRES_STATEMENTS: usize = 512;
/// SQLite's own page cache per connection, in KiB when negative (its default is 2,000 KiB).
/// The operating system caches the file for every connection at once; 256 KiB each took
/// another 35 MiB off the peak (about 120 MiB), again with no change beyond the noise.
const SQLITE_PAGE_CACHE: &str = "-256";

/// Prepared statements kept per connection when `DATABASE_STATEMENTS` is not set.
pub fn default_statements(sqlite: bool) -> usize {
    if sqlite {
        SQLITE_STATEMENTS
    } else {
        POSTGRES_STATEMENTS
    }
}

/// Settings of the app's connections, whatever the server's configuration:
/// - `jit`: PostgreSQL compiles a plan whose estimated cost passes `jit_above_cost` to machine
///   code before running it. A listing walk's estimate is the whole index's (its LIMIT stops it
///   after a page), so a walk that ran in 32 ms spent 250 ms more compiling. Off.
/// - `max_parallel_workers_per_gather`: a page is a few short index walks. A plan that starts
///   workers for one spent 3.5 ms starting them to read 5 index pages; on a replica's
///   PostgreSQL, answering many pages at once, cores are better spent on other pages. Off.
/// - `plan_cache_mode`: by default a prepared statement is planned for its values on its first
///   five executions on a connection, and after that whenever the plan for any values looks
///   costlier than theirs. The catalog's few hundred listing texts over 16 connections were
///   planned anew on most pages, and planning was most of PostgreSQL's time per page. The
///   app's statements are written to be served by the same index whatever their values: a
///   listing walk's index is fixed by its conditions and ORDER BY, and the values that decide
///   how many rows a condition passes (the page size, star values, today) are written into
///   the text. So one plan is made per statement and connection and kept.
const POSTGRES_SETTINGS: [(&str, &str); 3] = [
    ("jit", "off"),
    ("max_parallel_workers_per_gather", "0"),
    ("plan_cache_mode", "force_generic_plan"),
];

/// Connects, creating the SQLite file and its folder when missing. Statements outside
/// transactions run on at most `max_connections` connections of the handle's own, which go back
/// without sqlx's ping (`kernel::db`); transactions on a pool of as many more, opened as they
/// are needed and closed after a minute idle. A replica so holds at most twice
/// `max_connections`, the second half only while it writes.
pub async fn connect(
    url: &str,
    max_connections: u32,
    statements: usize,
    counter: Arc<StatementCounter>,
) -> Result<Db, DbErr> {
    if let Some(path) = sqlite_path(url)
        && let Some(parent) = std::path::Path::new(&path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max_connections)
        .min_connections(1)
        .idle_timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        // sqlx pings a connection when it goes back to the pool, and by default again when it
        // is taken out: a round trip more per statement. Only a connection idle this long (one
        // a server or a firewall may have dropped) is pinged before use.
        .test_before_acquire_if_idle_for(kernel::db::IDLE_BEFORE_PING)
        .sqlx_logging(false)
        .map_sqlx_postgres_opts(move |o| postgres_options(o, statements))
        .map_sqlx_sqlite_opts(move |o| sqlite_options(o, statements));
    let mut pool = Database::connect(opts).await?;
    let count = {
        let counter = counter.clone();
        move |elapsed: Duration, failed: bool| {
            counter.statements.fetch_add(1, Ordering::Relaxed);
            counter
                .micros
                .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
            if failed {
                counter.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    };
    let pooled = count.clone();
    pool.set_metric_callback(move |info| pooled(info.elapsed, info.failed));
    // An in-memory SQLite database is one per connection: everything on the pool's.
    if pool.get_database_backend() == sea_orm::DbBackend::Sqlite && sqlite_path(url).is_none() {
        return Ok(Db::pooled(pool));
    }
    Db::direct(
        pool,
        url,
        max_connections as usize,
        Configure {
            postgres: Box::new(move |o| postgres_options(o, statements)),
            sqlite: Box::new(move |o| sqlite_options(o, statements)),
        },
        Arc::new(count),
    )
}

/// PostgreSQL connections' options, on every connection either pool opens.
fn postgres_options(o: PgConnectOptions, statements: usize) -> PgConnectOptions {
    o.statement_cache_capacity(statements)
        .options(POSTGRES_SETTINGS)
}

/// SQLite connections' options, on every connection either pool opens.
fn sqlite_options(o: SqliteConnectOptions, statements: usize) -> SqliteConnectOptions {
    o.create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .statement_cache_capacity(statements)
        .pragma("cache_size", SQLITE_PAGE_CACHE)
}

/// The file path of a SQLite URL, if it is one with a file.
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" || rest.contains("mode=memory") {
        None
    } else {
        Some(path.to_owned())
    }
}

/// Applies pending migrations; returns whether the database was new (had none applied).
///
/// On PostgreSQL an advisory lock, held by a transaction on one pooled connection while the
/// migrations run on another, makes replicas that start together migrate one at a time: the
/// second finds nothing left to do.
pub async fn migrate(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let lock = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(726210020261129)")
            .await?;
        Some(txn)
    } else {
        None
    };
    let applied = Migrator::get_applied_migrations(db).await?;
    let was_new = applied.is_empty();
    Migrator::up(db, None).await?;
    if let Some(txn) = lock {
        txn.commit().await?;
    }
    Ok(was_new)
}

/// On PostgreSQL, runs `ANALYZE` on the tables changed by more than 50 rows and a tenth of
/// their rows since their statistics were last gathered (autovacuum's own default rule), and
/// returns their names. The listing's plans need statistics: a catalog loaded into tables
/// never analysed read product pages by walking every lot (autovacuum is off on some
/// servers, this project's CI machine among them, and otherwise takes up to a minute). One
/// replica at a time (a transaction-level advisory lock; the others skip the round).
pub async fn analyze_stale(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(Vec::new());
    }
    let txn = db.begin().await?;
    let locked = txn
        .query_one_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock(726210020261130) AS locked",
        ))
        .await?
        .map(|r| r.try_get::<bool>("", "locked"))
        .transpose()?
        .unwrap_or(false);
    if !locked {
        // Another replica is analysing this round.
        txn.rollback().await?;
        return Ok(Vec::new());
    }
    let stale = txn
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT relname::text AS name FROM pg_stat_user_tables \
             WHERE schemaname = current_schema() AND n_mod_since_analyze > 50 + 0.1 * n_live_tup \
             ORDER BY relname",
        ))
        .await?
        .iter()
        .map(|r| r.try_get::<String>("", "name"))
        .collect::<Result<Vec<_>, _>>()?;
    for name in &stale {
        txn.execute_unprepared(&format!("ANALYZE \"{}\"", name.replace('"', "\"\"")))
            .await?;
    }
    txn.commit().await?;
    Ok(stale)
}

/// `SELECT 1`, for `/readyz`.
pub async fn ping(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT 1",
    ))
    .await
    .map(|_| ())
}
