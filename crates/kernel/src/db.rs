//! The database handle the API and the server run statements on ([`Db`]).
//!
//! sea-orm runs each statement on a connection from sqlx's pool, and sqlx pings a connection
//! every time it goes back to the pool (`PoolConnection` drop: a `Sync` to PostgreSQL and a
//! wait for its answer; on SQLite a round trip to the connection's worker thread). That is a
//! second round trip per statement. A product-detail page (four statements) ran at 2,530–2,599
//! requests a second with the ping and 3,065–3,646 without it, the uncached catalog mix at
//! 1,415–1,486 against 1,639–1,775 (PostgreSQL, 100,000 products, one binary, alternated).
//!
//! So a statement outside a transaction runs on a connection of [`Db`]'s own, taken from and
//! put back on a stack without a round trip. What the ping guarded against is handled where it
//! arises: a statement whose future is dropped before it finished, or that failed other than by
//! the database refusing it, closes its connection instead of putting it back; a connection idle
//! for [`IDLE_BEFORE_PING`] is pinged before use (a server or firewall may have dropped it).
//! Transactions (`begin`, `transaction`) run on sea-orm's pool, as before.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sea_orm::sqlx::{self, AssertSqlSafe, ConnectOptions as _, Connection as _};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, IsolationLevel, QueryResult, RuntimeErr, Statement, TransactionError,
    TransactionOptions, TransactionTrait, Values,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::Semaphore;

/// A connection idle this long is pinged before its next statement.
pub const IDLE_BEFORE_PING: Duration = Duration::from_secs(10);

/// Told of every statement [`Db`] runs on its own connections: how long it took and whether
/// it failed (the server's statement counter; sea-orm's metric callback counts the rest).
pub type OnStatement = Arc<dyn Fn(Duration, bool) + Send + Sync>;

/// Statements on connections of its own (see the module), transactions on sea-orm's pool.
#[derive(Clone)]
pub struct Db {
    pool: DatabaseConnection,
    direct: Option<Arc<Direct>>,
}

impl Db {
    /// Every statement on sea-orm's pool (an in-memory SQLite database, where each connection
    /// would be a database of its own; and tests of the pool itself).
    pub fn pooled(pool: DatabaseConnection) -> Db {
        Db { pool, direct: None }
    }

    /// Statements outside transactions on at most `max` connections of its own to `url`,
    /// opened when first needed with the options `configure` sets.
    pub fn direct(
        pool: DatabaseConnection,
        url: &str,
        max: usize,
        configure: Configure,
        on_statement: OnStatement,
    ) -> Result<Db, DbErr> {
        let opts = match pool.get_database_backend() {
            DbBackend::Postgres => Opts::Pg((configure.postgres)(
                PgConnectOptions::from_str(url).map_err(conn_err)?,
            )),
            DbBackend::Sqlite => Opts::Sqlite((configure.sqlite)(
                SqliteConnectOptions::from_str(url).map_err(conn_err)?,
            )),
            _ => return Ok(Db::pooled(pool)),
        };
        Ok(Db {
            pool,
            direct: Some(Arc::new(Direct {
                opts,
                idle: Mutex::new(Vec::new()),
                turns: Semaphore::new(max.max(1)),
                on_statement,
                closed: AtomicU64::new(0),
            })),
        })
    }

    /// sea-orm's pool (migrations, jobs, and whatever needs the connection itself).
    pub fn pool(&self) -> &DatabaseConnection {
        &self.pool
    }

    /// Connections of its own open and idle now (tests).
    pub fn idle_connections(&self) -> usize {
        self.direct.as_ref().map_or(0, |d| d.idle().len())
    }

    /// Connections of its own closed so far because a statement on one did not end well (tests).
    pub fn closed_connections(&self) -> u64 {
        self.direct
            .as_ref()
            .map_or(0, |d| d.closed.load(Ordering::Relaxed))
    }
}

/// How [`Db::direct`] configures its connections: as sea-orm's pool configures its own.
pub struct Configure {
    pub postgres: Box<dyn Fn(PgConnectOptions) -> PgConnectOptions + Send + Sync>,
    pub sqlite: Box<dyn Fn(SqliteConnectOptions) -> SqliteConnectOptions + Send + Sync>,
}

enum Opts {
    Pg(PgConnectOptions),
    Sqlite(SqliteConnectOptions),
}

enum Raw {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

struct Direct {
    opts: Opts,
    /// Open connections not in use, the last put back on top, with when it was put back.
    idle: Mutex<Vec<(Raw, Instant)>>,
    /// One permit per statement running: at most `max` connections open, since one is
    /// opened only when none is idle.
    turns: Semaphore,
    on_statement: OnStatement,
    /// Connections closed instead of put back.
    closed: AtomicU64,
}

impl Direct {
    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<(Raw, Instant)>> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `stmt` on a connection: an idle one (pinged first when idle long), or a new one.
    async fn run(&self, stmt: Statement, ask: Ask) -> Result<Answer, DbErr> {
        let _turn = self
            .turns
            .acquire()
            .await
            .map_err(|_| DbErr::Custom("the connections are closed".into()))?;
        let found = self.idle().pop();
        let raw = match found {
            Some((mut raw, at)) if at.elapsed() >= IDLE_BEFORE_PING => match raw.ping().await {
                Ok(()) => raw,
                Err(_) => self.open().await.map_err(conn_err)?,
            },
            Some((raw, _)) => raw,
            None => self.open().await.map_err(conn_err)?,
        };
        // Put back only when the statement ran to its end: dropped halfway (the request went
        // away), the connection may be mid-answer, and closing it is the one safe thing.
        let mut lease = Lease {
            direct: self,
            raw: Some(raw),
            done: false,
        };
        let started = Instant::now();
        let raw = lease
            .raw
            .as_mut()
            .expect("a lease holds its connection until dropped");
        let out = raw.answer(stmt, ask).await;
        let failed = out.is_err();
        (self.on_statement)(started.elapsed(), failed);
        lease.done = match &out {
            Ok(_) => true,
            Err(e) => !broken(e),
        };
        out.map_err(|e| match ask {
            Ask::Exec => DbErr::Exec(RuntimeErr::SqlxError(Arc::new(e))),
            Ask::One | Ask::All => DbErr::Query(RuntimeErr::SqlxError(Arc::new(e))),
        })
    }

    async fn open(&self) -> Result<Raw, sqlx::Error> {
        Ok(match &self.opts {
            Opts::Pg(o) => Raw::Pg(o.connect().await?),
            Opts::Sqlite(o) => Raw::Sqlite(o.connect().await?),
        })
    }
}

fn conn_err(e: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e)))
}

/// Whether a statement's error leaves its connection unfit to keep. A refusal from the
/// database (a constraint, a syntax error) leaves it in step; I/O and protocol errors may not,
/// nor PostgreSQL's classes 08 (connection exception) and 57 (the server shutting down or an
/// operator ending the session, sent before the socket closes).
fn broken(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .is_some_and(|pg| pg.code().starts_with("08") || pg.code().starts_with("57")),
        sqlx::Error::RowNotFound => false,
        _ => true,
    }
}

/// A connection in use: back on the stack when its statement finished, closed otherwise.
struct Lease<'a> {
    direct: &'a Direct,
    raw: Option<Raw>,
    done: bool,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        match (self.done, self.raw.take()) {
            (true, Some(raw)) => self.direct.idle().push((raw, Instant::now())),
            (false, Some(_)) => {
                self.direct.closed.fetch_add(1, Ordering::Relaxed);
            }
            (_, None) => {}
        }
    }
}

impl Raw {
    async fn ping(&mut self) -> Result<(), sqlx::Error> {
        match self {
            Raw::Pg(c) => c.ping().await,
            Raw::Sqlite(c) => c.ping().await,
        }
    }
}

/// What a statement is run for.
#[derive(Clone, Copy)]
enum Ask {
    Exec,
    One,
    All,
}

enum Answer {
    Exec(ExecResult),
    One(Option<QueryResult>),
    All(Vec<QueryResult>),
}

/// Runs one statement on one kind of connection. A macro rather than a generic function: sqlx's
/// `Executor` bounds differ per database, and the two arms must stay the same statement-for-statement.
macro_rules! answer {
    ($conn:expr, $sql:expr, $args:expr, $ask:expr) => {{
        let query = sqlx::query_with(AssertSqlSafe($sql), $args);
        match $ask {
            Ask::Exec => Answer::Exec(query.execute($conn).await?.into()),
            Ask::One => Answer::One(query.fetch_optional($conn).await?.map(Into::into)),
            Ask::All => Answer::All(
                query
                    .fetch_all($conn)
                    .await?
                    .into_iter()
                    .map(Into::into)
                    .collect(),
            ),
        }
    }};
}

impl Raw {
    /// Takes the statement whole: its text and values move into the query, not copied.
    async fn answer(&mut self, stmt: Statement, ask: Ask) -> Result<Answer, sqlx::Error> {
        let Statement { sql, values, .. } = stmt;
        let args = SqlxValues(values.unwrap_or(Values(Vec::new())));
        Ok(match self {
            Raw::Pg(c) => answer!(c, sql, args, ask),
            Raw::Sqlite(c) => answer!(c, sql, args, ask),
        })
    }
}

/// A statement's answer of the kind it was asked for.
fn mismatch() -> DbErr {
    DbErr::Custom("a statement answered other than asked".into())
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        self.pool.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match &self.direct {
            Some(d) => match d.run(stmt, Ask::Exec).await? {
                Answer::Exec(r) => Ok(r),
                _ => Err(mismatch()),
            },
            None => self.pool.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        // Scripts of several statements (migrations, test set-up): rare, so on the pool.
        self.pool.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match &self.direct {
            Some(d) => match d.run(stmt, Ask::One).await? {
                Answer::One(r) => Ok(r),
                _ => Err(mismatch()),
            },
            None => self.pool.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.direct {
            Some(d) => match d.run(stmt, Ask::All).await? {
                Answer::All(r) => Ok(r),
                _ => Err(mismatch()),
            },
            None => self.pool.query_all_raw(stmt).await,
        }
    }
}

#[async_trait::async_trait]
impl TransactionTrait for Db {
    type Transaction = DatabaseTransaction;

    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        self.pool.begin().await
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<DatabaseTransaction, DbErr> {
        self.pool
            .begin_with_config(isolation_level, access_mode)
            .await
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, DbErr> {
        self.pool.begin_with_options(options).await
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            )
                -> std::pin::Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.pool.transaction(callback).await
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            )
                -> std::pin::Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.pool
            .transaction_with_config(callback, isolation_level, access_mode)
            .await
    }
}
