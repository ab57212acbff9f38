//! The database handle's own connections (`kernel::db::Db`): statements outside transactions
//! go back to its stack without sqlx's ping, so it must itself close what it cannot trust.

use std::sync::atomic::Ordering;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

use crate::harness::TestApp;

fn stmt(app: &TestApp, sql: &str) -> Statement {
    Statement::from_string(app.db.get_database_backend(), sql)
}

/// A statement that runs for seconds on either backend.
fn slow(app: &TestApp) -> Statement {
    stmt(
        app,
        match app.db.get_database_backend() {
            DbBackend::Postgres => "SELECT pg_sleep(5) IS NULL AS n",
            _ => {
                "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 30000000) \
                 SELECT MAX(n) AS n FROM c"
            }
        },
    )
}

#[tokio::test]
async fn a_statement_given_up_halfway_closes_its_connection_and_the_next_one_runs() {
    let app = TestApp::spawn().await;
    // Settle: the app's own start-up statements leave their connections idle.
    app.db
        .query_one_raw(stmt(&app, "SELECT 1 AS n"))
        .await
        .unwrap();
    assert!(
        app.db.idle_connections() >= 1,
        "a finished statement's connection is kept"
    );
    let closed = app.db.closed_connections();
    // The request goes away mid-statement: its future is dropped.
    let gone =
        tokio::time::timeout(Duration::from_millis(200), app.db.query_one_raw(slow(&app))).await;
    assert!(gone.is_err(), "the slow statement was still running");
    assert_eq!(
        app.db.closed_connections(),
        closed + 1,
        "a connection mid-answer is closed, not put back"
    );
    // The next statements run, on a connection in step with its server.
    for n in 0..3 {
        let row = app
            .db
            .query_one_raw(stmt(&app, &format!("SELECT {n} AS n")))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.try_get::<i32>("", "n")
                .unwrap_or_else(|_| { row.try_get::<i64>("", "n").unwrap() as i32 }),
            n
        );
    }
}

#[tokio::test]
async fn a_refused_statement_keeps_its_connection_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.db
        .execute_unprepared("CREATE TABLE handle_t (id BIGINT PRIMARY KEY)")
        .await
        .unwrap();
    app.db
        .execute_raw(stmt(&app, "INSERT INTO handle_t (id) VALUES (1)"))
        .await
        .unwrap();
    let closed = app.db.closed_connections();
    let before = app.statements.failed.load(Ordering::Relaxed);
    let dup = app
        .db
        .execute_raw(stmt(&app, "INSERT INTO handle_t (id) VALUES (1)"))
        .await
        .expect_err("a duplicate key is refused");
    assert!(
        matches!(
            dup.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ),
        "the refusal reads as sea-orm's own: {dup:?}"
    );
    assert_eq!(
        app.db.closed_connections(),
        closed,
        "a refusal keeps the connection"
    );
    assert_eq!(
        app.statements.failed.load(Ordering::Relaxed),
        before + 1,
        "the refused statement is counted, as failed"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) AS n FROM handle_t").await, 1);
}

#[tokio::test]
async fn statements_at_once_never_open_more_connections_than_the_limit() {
    let app = TestApp::spawn_with(|c| c.database_max_connections = 3).await;
    let runs = (0..40).map(|i| {
        let db = app.db.clone();
        let s = stmt(&app, &format!("SELECT {i} AS n"));
        async move { db.query_all_raw(s).await.map(|r| r.len()) }
    });
    let answers = futures_util::future::join_all(runs).await;
    assert!(answers.iter().all(|a| matches!(a, Ok(1))), "{answers:?}");
    assert!(
        app.db.idle_connections() <= 3,
        "{}",
        app.db.idle_connections()
    );
}

#[tokio::test]
async fn a_connection_its_server_dropped_is_replaced() {
    let app = TestApp::spawn().await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        return; // SQLite runs in this process: nothing drops its connections.
    }
    app.db
        .query_one_raw(stmt(&app, "SELECT 1 AS n"))
        .await
        .unwrap();
    let idle = app.db.idle_connections();
    let closed = app.db.closed_connections();
    // Every idle connection of the handle, closed by the server (as a restart or a failover
    // would), from a transaction on the other pool.
    let txn = app.db.begin().await.unwrap();
    txn.execute_unprepared(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'",
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A statement may meet a dead connection once and fail; it is closed, never kept.
    let mut failed = 0;
    for _ in 0..idle + 5 {
        if app
            .db
            .query_one_raw(stmt(&app, "SELECT 1 AS n"))
            .await
            .is_err()
        {
            failed += 1;
        }
    }
    assert!(
        failed <= idle,
        "each dead connection fails once at most: {failed} of {idle}"
    );
    // (The app's own background statements may meet a dead connection first.)
    let closed = app.db.closed_connections() - closed;
    assert!(
        failed as u64 <= closed && closed <= idle as u64,
        "each connection a statement failed on is closed once: {failed} failed, {closed} closed, {idle} were idle"
    );
    assert_eq!(
        app.scalar("SELECT CAST(2 AS BIGINT) AS n").await,
        2,
        "statements run again on a new connection"
    );
}
