//! The HTTP surface: health, readiness, metrics, GraphiQL, the schema file, reference data.

use serde_json::json;

use crate::harness::TestApp;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.text().await.unwrap(), "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let _ = app
        .gql(
            None,
            "query ListCategories { ocopCategories { code } }",
            json!({}),
        )
        .await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("graphql_requests_total{operation=\"ListCategories\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains(
        "graphql_request_duration_seconds_bucket{operation=\"ListCategories\",le=\"+Inf\"} 1"
    ));
    assert!(metrics.contains("http_requests_total{route=\"/graphql\",status=\"200\"}"));
    assert!(metrics.contains("db_statements_total"));
}

#[tokio::test]
async fn graphiql_is_served_and_get_runs_queries_but_not_mutations() {
    let app = TestApp::spawn().await;
    let page = app.get("/graphql").await.text().await.unwrap();
    assert!(page.contains("graphiql"), "GraphiQL page");
    let v: serde_json::Value = app
        .get("/graphql?query=%7BocopCategories%7Bcode%7D%7D")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["data"]["ocopCategories"].as_array().unwrap().len(), 26);
    let resp = app
        .get("/graphql?query=mutation%7Blogin(email%3A%22a%40b.vn%22%2Cpassword%3A%22x%22)%7Btoken%7D%7D")
        .await;
    assert_eq!(resp.status(), 405);
}

#[tokio::test]
async fn schema_graphql_is_generated_from_the_code() {
    let on_disk = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql exists");
    assert!(
        on_disk == api::sdl(),
        "schema.graphql differs from the code's schema: run `cargo run -- export-schema`"
    );
    for name in [
        "interface Node",
        "type Producer implements Node",
        "type OcopCertificate implements Node",
        "type Product implements Node",
        "type Variant implements Node",
        "type User implements Node",
        "input ProductFilter",
        "enum ProductSort",
        "type ProducerPayload",
        "input VariantUpdateInput",
        "certificatesToReview(",
        "productPublish(",
        "scalar Date",
        "enum ErrorCode",
    ] {
        assert!(on_disk.contains(name), "schema lacks {name}");
    }
}

#[tokio::test]
async fn all_34_provinces_and_their_communes() {
    let app = TestApp::spawn().await;
    let d = app
        .data(None, "{ provinces { code name } }", json!({}))
        .await;
    let provinces = d["provinces"].as_array().unwrap();
    assert_eq!(provinces.len(), 34);
    assert!(provinces.contains(&json!({ "code": "40", "name": "Tỉnh Nghệ An" })));
    let d = app
        .data(
            None,
            "{ communes(provinceCode: \"91\") { code name province { code } } }",
            json!({}),
        )
        .await;
    let communes = d["communes"].as_array().unwrap();
    assert!(communes.contains(
        &json!({ "code": "31078", "name": "Đặc khu Phú Quốc", "province": { "code": "91" } })
    ));
    assert_eq!(app.count("communes").await, 3321);
    assert_eq!(
        app.data(
            None,
            "{ communes(provinceCode: \"00\") { code } }",
            json!({})
        )
        .await["communes"],
        json!([])
    );
}

#[tokio::test]
async fn every_foreign_key_has_an_index() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = TestApp::spawn().await;
    let backend = app.db.get_database_backend();
    // (table, column) pairs of single-column foreign keys, and the leading columns of indexes.
    type Columns = Vec<(String, String)>;
    let (fks, indexed): (Columns, Columns) = match backend {
        DbBackend::Postgres => {
            let fk = app.db.query_all_raw(Statement::from_string(backend,
                "SELECT tc.table_name AS t, kcu.column_name AS c FROM information_schema.table_constraints tc \
                 JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name \
                 WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'")).await.unwrap();
            let ix = app.db.query_all_raw(Statement::from_string(backend,
                "SELECT t.relname AS t, a.attname AS c FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid \
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] \
                 JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'")).await.unwrap();
            let pairs = |rows: Vec<sea_orm::QueryResult>| {
                rows.iter()
                    .map(|r| {
                        (
                            r.try_get::<String>("", "t").unwrap(),
                            r.try_get::<String>("", "c").unwrap(),
                        )
                    })
                    .collect()
            };
            (pairs(fk), pairs(ix))
        }
        _ => {
            let tables: Vec<String> = app.db.query_all_raw(Statement::from_string(backend,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).await.unwrap()
                .iter().map(|r| r.try_get::<String>("", "name").unwrap()).collect();
            let mut fks = Vec::new();
            let mut ix = Vec::new();
            for t in &tables {
                for r in app
                    .db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("SELECT \"from\" AS c FROM pragma_foreign_key_list('{t}')"),
                    ))
                    .await
                    .unwrap()
                {
                    fks.push((t.clone(), r.try_get::<String>("", "c").unwrap()));
                }
                for r in app
                    .db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("SELECT name FROM pragma_index_list('{t}')"),
                    ))
                    .await
                    .unwrap()
                {
                    let name: String = r.try_get("", "name").unwrap();
                    let first = app
                        .db
                        .query_one_raw(Statement::from_string(
                            backend,
                            format!("SELECT name FROM pragma_index_info('{name}') WHERE seqno = 0"),
                        ))
                        .await
                        .unwrap();
                    if let Some(first) = first {
                        ix.push((t.clone(), first.try_get::<String>("", "name").unwrap()));
                    }
                }
            }
            (fks, ix)
        }
    };
    assert!(fks.len() >= 10, "found the foreign keys: {fks:?}");
    for fk in &fks {
        assert!(
            indexed.contains(fk),
            "foreign key {}.{} has no index",
            fk.0,
            fk.1
        );
    }
}

#[tokio::test]
async fn production_never_seeds_the_demo_or_its_public_admin_password() {
    let suffix = crate::harness::random_suffix();
    let (url, _cleanup) = crate::harness::fresh_database(&suffix).await;
    let mut config = server::config::Config::for_tests(&url);
    config.production = true;
    config.jwt_secret = "3f9c1e7a52b84d06a1e9c3f7b2d5e8a14c6f0b9d".into();
    let app = server::Application::build_with(config, true)
        .await
        .expect("app builds");
    assert!(app.seeded_demo.is_none());
    use sea_orm::ConnectionTrait;
    let db = &app.state().db;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM users",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 0);
}

#[tokio::test]
async fn tables_changed_since_their_statistics_are_analysed() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = TestApp::spawn().await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        // SQLite plans without gathered statistics: nothing to do.
        assert!(
            server::db::analyze_stale(app.db.pool())
                .await
                .unwrap()
                .is_empty()
        );
        return;
    }
    // The migrations wrote 3,321 communes into a fresh database; their row counts reach the
    // statistics views within a second or so.
    let mut analysed = Vec::new();
    for _ in 0..50 {
        analysed = server::db::analyze_stale(app.db.pool()).await.unwrap();
        if analysed.iter().any(|t| t == "communes") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(analysed.iter().any(|t| t == "communes"), "{analysed:?}");
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT last_analyze IS NOT NULL AS done FROM pg_stat_user_tables \
             WHERE relname = 'communes' AND schemaname = current_schema()",
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(row.try_get::<bool>("", "done").unwrap());
    // Analysed, it is no longer stale.
    let again = server::db::analyze_stale(app.db.pool()).await.unwrap();
    assert!(!again.iter().any(|t| t == "communes"), "{again:?}");
}

/// The bundled SQLite is built with `.cargo/config.toml`'s `LIBSQLITE3_FLAGS`: a prepared
/// statement keeps its one plan whatever its bound values (without it, every `LIKE ?` search
/// was prepared again on each new pattern), and no allocation takes a global mutex to count
/// memory. A build made without that file (cargo run from another folder) fails here.
#[tokio::test]
async fn sqlite_keeps_one_plan_per_statement_and_counts_no_memory() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = TestApp::spawn().await;
    if app.db.get_database_backend() != DbBackend::Sqlite {
        return; // PostgreSQL's own settings are checked below.
    }
    let used = |option: &'static str| {
        let db = &app.db;
        async move {
            let row = db
                .query_one_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    format!("SELECT sqlite_compileoption_used('{option}') AS used"),
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "used").unwrap()
        }
    };
    assert_eq!(used("ENABLE_QPSG").await, 1, "SQLITE_ENABLE_QPSG");
    assert_eq!(
        used("DEFAULT_MEMSTATUS=0").await,
        1,
        "SQLITE_DEFAULT_MEMSTATUS=0"
    );
    // A control: an option the build does not have reads 0.
    assert_eq!(used("OMIT_LIKE_OPTIMIZATION").await, 0);
}

#[tokio::test]
async fn postgres_connections_keep_one_plan_per_statement_and_start_no_workers() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let app = TestApp::spawn().await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        return; // SQLite has no plan cache modes, workers or JIT.
    }
    // One pooled connection, held by a transaction: its session's settings and statements.
    let txn = app.db.begin().await.unwrap();
    let show = |name: &'static str| {
        let txn = &txn;
        async move {
            let row = txn
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("SELECT current_setting('{name}') AS v"),
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<String>("", "v").unwrap()
        }
    };
    assert_eq!(show("plan_cache_mode").await, "force_generic_plan");
    assert_eq!(show("max_parallel_workers_per_gather").await, "0");
    assert_eq!(show("jit").await, "off");
    // A listing read twice on the connection is planned once, for any values.
    let filter = catalog::listing::Filter {
        search: Some("nước mắm".into()),
        min_stars: Some(4),
        province_codes: Some(vec!["01".into(), "79".into()]),
        ..Default::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    for _ in 0..2 {
        catalog::listing::search(
            &txn,
            &filter,
            catalog::listing::Sort::Newest,
            20,
            None,
            today,
        )
        .await
        .unwrap();
    }
    let row = txn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT CAST(COALESCE(SUM(generic_plans), 0) AS BIGINT) AS generic, \
             CAST(COALESCE(SUM(custom_plans), 0) AS BIGINT) AS custom \
             FROM pg_prepared_statements WHERE statement LIKE '%p.listed_until >= %'",
        ))
        .await
        .unwrap()
        .unwrap();
    let generic: i64 = row.try_get("", "generic").unwrap();
    let custom: i64 = row.try_get("", "custom").unwrap();
    assert!(generic >= 2, "generic plans used: {generic}");
    assert_eq!(custom, 0);
    txn.rollback().await.unwrap();
}
