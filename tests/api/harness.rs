use std::sync::Arc;

use rand::Rng;
use serde_json::{Value, json};
use server::{Application, Config};

use crate::docs;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A running application on a random port with its own database. Fixtures are made by
/// [`crate::builders`]; the HTTP helpers here are for tests about those very mutations.
pub struct TestApp {
    pub addr: String,
    pub client: reqwest::Client,
    pub db: kernel::db::Db,
    pub statements: Arc<server::db::StatementCounter>,
    /// The app's administrative units and token keys, for fixtures made through the services.
    pub units: Arc<kernel::admin_units::AdminUnits>,
    pub keys: accounts::token::TokenKeys,
    /// This replica's fan-out of changed orders (what `orderStatusChanged` listens to).
    pub hub: Arc<orders::events::OrderHub>,
    /// This replica's live viewers (what `liveSessionEvents` listens to).
    pub live: Arc<livestream::events::LiveHub>,
    /// The configuration it runs with: a second replica starts from it.
    pub config: Config,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _cleanup: Cleanup,
}

pub enum Cleanup {
    /// A second replica: the first one's guard drops the database.
    Nothing,
    SqliteFile(std::path::PathBuf),
    Postgres {
        admin_url: String,
        name: String,
    },
}

pub fn random_suffix() -> String {
    let n: u64 = rand::rng().random();
    format!("{n:016x}")
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the app after `tweak` has adjusted the test configuration.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let suffix = random_suffix();
        let (url, cleanup) = fresh_database(&suffix).await;
        let mut config = Config::for_tests(&url);
        if let Some(redis) = std::env::var("TEST_REDIS_URL")
            .ok()
            .filter(|s| !s.is_empty())
        {
            config.redis_url = Some(redis);
            config.redis_key_prefix = format!("cho-ocop-test-{suffix}:");
        }
        tweak(&mut config);
        Self::start(config, cleanup).await
    }

    /// Another replica of this app: the same database and Redis (and Redis key prefix), a
    /// process of its own as far as the app can tell. Without Redis the two share only the
    /// database.
    pub async fn second_replica(&self) -> TestApp {
        Self::start(self.config.clone(), Cleanup::Nothing).await
    }

    async fn start(config: Config, cleanup: Cleanup) -> TestApp {
        let kept = config.clone();
        let app = Application::build_with(config, false)
            .await
            .expect("app builds");
        let addr = format!("http://{}", app.local_addr());
        let db = app.state().db.clone();
        let statements = app.state().statements.clone();
        let units = app.state().units.clone();
        let keys = app.state().keys.clone();
        let hub = app.state().fanout.hub.clone();
        let live = app.state().fanout.live.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_with_shutdown(async move {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            client: reqwest::Client::new(),
            db,
            statements,
            units,
            keys,
            hub,
            live,
            config: kept,
            shutdown: Some(tx),
            _cleanup: cleanup,
        }
    }

    /// Runs a GraphQL operation; returns the whole JSON response.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.addr))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request sent");
        resp.json().await.expect("JSON response")
    }

    /// Like [`TestApp::gql`] but panics on top-level errors and returns `data`.
    pub async fn data(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let v = self.gql(token, query, variables).await;
        assert!(
            v.get("errors").is_none_or(|e| e.is_null()),
            "unexpected errors: {v:#}"
        );
        v["data"].clone()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.addr))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let d = self
            .data(None, docs::LOGIN, json!({ "e": email, "p": password }))
            .await;
        d["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {d}"))
            .to_owned()
    }

    /// A producer created by `owner_token` (unverified); returns its ID.
    pub async fn producer(&self, owner_token: &str, name: &str, province: &str) -> String {
        let d = self
            .data(
                Some(owner_token),
                docs::PRODUCER_CREATE,
                json!({ "i": {
                    "name": name, "kind": "COOPERATIVE", "provinceCode": province,
                    "address": "Thôn 1", "taxCode": "0101234567"
                } }),
            )
            .await;
        d["producerCreate"]["producer"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("producerCreate failed: {d}"))
            .to_owned()
    }

    /// Submits a certificate for the producer; returns its ID.
    pub async fn certificate(
        &self,
        token: &str,
        producer_id: &str,
        stars: i32,
        issued_on: &str,
    ) -> String {
        let score = match stars {
            5 => 92,
            4 => 75,
            3 => 55,
            2 => 35,
            _ => 10,
        };
        let d = self
            .data(
                Some(token),
                docs::CERTIFICATE_SUBMIT,
                json!({ "i": {
                    "producerId": producer_id, "productName": "Nước mắm", "categoryCode": "I.4.a",
                    "stars": stars, "score": score, "decisionNumber": "436/QĐ-UBND",
                    "issuedBy": "UBND tỉnh Nghệ An", "issuedOn": issued_on
                } }),
            )
            .await;
        d["ocopCertificateSubmit"]["certificate"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("certificate submit failed: {d}"))
            .to_owned()
    }

    pub async fn verify_producer(&self, admin: &str, id: &str) {
        let d = self
            .data(Some(admin), docs::PRODUCER_VERIFY, json!({ "id": id }))
            .await;
        assert_eq!(d["producerVerify"]["userErrors"], json!([]));
    }

    pub async fn approve_certificate(&self, admin: &str, id: &str) {
        let d = self
            .data(
                Some(admin),
                docs::CERTIFICATE_REVIEW,
                json!({ "id": id, "approve": true }),
            )
            .await;
        assert_eq!(d["ocopCertificateReview"]["userErrors"], json!([]));
    }

    /// Creates a DRAFT product with one variant; returns (product ID, variant ID).
    pub async fn product(
        &self,
        token: &str,
        producer_id: &str,
        cert_id: &str,
        name: &str,
        price: i64,
        province: &str,
    ) -> (String, String) {
        let d = self
            .data(
                Some(token),
                docs::PRODUCT_CREATE,
                json!({ "i": {
                    "producerId": producer_id, "certificateId": cert_id, "name": name,
                    "description": "Sản phẩm OCOP", "origin": { "provinceCode": province }
                } }),
            )
            .await;
        let pid = d["productCreate"]["product"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("productCreate failed: {d}"))
            .to_owned();
        let sku = format!("SKU-{}", random_suffix());
        let d = self
            .data(
                Some(token),
                docs::VARIANT_CREATE,
                json!({ "p": pid, "i": { "sku": sku, "name": "Chai 500 ml", "price": price } }),
            )
            .await;
        let vid = d["variantCreate"]["variant"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("variantCreate failed: {d}"))
            .to_owned();
        (pid, vid)
    }

    pub async fn publish(&self, token: &str, product_id: &str) -> Value {
        self.data(
            Some(token),
            docs::PRODUCT_PUBLISH,
            json!({ "id": product_id }),
        )
        .await["productPublish"]
            .clone()
    }

    /// Puts stock on a variant through `lotCreate`; returns the lot (id, trace code).
    pub async fn add_stock(&self, token: &str, variant_id: &str, qty: i64) -> (String, String) {
        let d = self
            .data(
                Some(token),
                docs::LOT_CREATE,
                json!({ "i": {
                    "variantId": variant_id, "lotNumber": format!("L{}", &random_suffix()[..10]),
                    "producedOn": (kernel::time::today_vn() - chrono::Duration::days(3)).to_string(),
                    "expiresOn": (kernel::time::today_vn() + chrono::Duration::days(365)).to_string(),
                    "quantity": qty
                } }),
            )
            .await;
        let lot = &d["lotCreate"]["lot"];
        assert!(lot.is_object(), "lotCreate failed: {d}");
        (
            lot["id"].as_str().unwrap().to_owned(),
            lot["traceCode"].as_str().unwrap().to_owned(),
        )
    }

    /// Opens `/graphql/ws` (graphql-transport-ws) with `headers`, sends `connection_init`
    /// carrying `token`, and returns the socket once the server acknowledges.
    pub async fn ws(&self, token: Option<&str>, headers: &[(&str, &str)]) -> Ws {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};
        let url = format!("{}/graphql/ws", self.addr.replace("http://", "ws://"));
        let mut req = url.into_client_request().unwrap();
        req.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        for (k, v) in headers {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes()).expect("a header");
            req.headers_mut()
                .insert(name, v.parse().expect("a header value"));
        }
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        let payload = match token {
            Some(t) => json!({ "Authorization": format!("Bearer {t}") }),
            None => json!({}),
        };
        ws.send(Message::Text(
            json!({ "type": "connection_init", "payload": payload })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
        let ack: Value =
            serde_json::from_str(ws.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
        assert_eq!(ack["type"], "connection_ack");
        ws
    }

    /// Runs raw SQL against the app's database (for tests that change data behind the API).
    pub async fn exec(&self, sql: &str) {
        use sea_orm::ConnectionTrait;
        self.db.execute_unprepared(sql).await.expect("sql ran");
    }

    /// Runs raw SQL that changes lots behind the stock module, then repairs the products'
    /// stock copies as an operator would after such an edit.
    pub async fn exec_on_lots(&self, sql: &str) {
        self.exec(sql).await;
        catalog::stock::settle_all(&self.db)
            .await
            .expect("stock copies repaired");
    }

    /// Every product's listing copy (`listed_until`) agrees with the listing rule judged from
    /// its status, certificate and producer, its stock copy (`stock_until`) with its lots, and
    /// every listed product lies inside the price bounds of the search words it holds.
    pub async fn assert_listing_copies_fresh(&self) {
        let stale = catalog::listing::stale_listing_copies(&self.db)
            .await
            .expect("listing copies read");
        assert_eq!(
            stale,
            Vec::<i64>::new(),
            "products with a stale listed_until"
        );
        let stale = catalog::stock::stale_stock_copies(&self.db)
            .await
            .expect("stock copies read");
        assert_eq!(
            stale,
            Vec::<i64>::new(),
            "products with a stale stock_until"
        );
        let stale = catalog::listing::stale_price_bounds(&self.db)
            .await
            .expect("search price bounds read");
        assert_eq!(
            stale,
            Vec::<String>::new(),
            "search words whose price bounds a listed product lies outside"
        );
    }

    /// One BIGINT the query names `n`.
    pub async fn scalar(&self, sql: &str) -> i64 {
        use sea_orm::ConnectionTrait;
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .expect("query ran")
            .expect("a row");
        row.try_get("", "n").expect("n")
    }

    pub async fn count(&self, table: &str) -> i64 {
        use sea_orm::ConnectionTrait;
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"),
            ))
            .await
            .expect("count ran")
            .expect("a row");
        row.try_get("", "n").expect("n")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::Nothing => {}
            Cleanup::SqliteFile(path) => {
                for ext in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(ext);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let admin_url = admin_url.clone();
                let name = name.clone();
                // Drop the database from a thread of its own: Drop cannot await.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(rt) = rt {
                        rt.block_on(async {
                            use sea_orm::ConnectionTrait;
                            if let Ok(db) = sea_orm::Database::connect(&admin_url).await {
                                let _ = db
                                    .execute_unprepared(&format!(
                                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                    ))
                                    .await;
                                let _ = db.close().await;
                            }
                        });
                    }
                })
                .join();
            }
        }
    }
}

/// A new, empty database for one test: a SQLite file, or a PostgreSQL database when
/// `TEST_DATABASE_URL` is set. Dropped with the returned guard.
pub async fn fresh_database(suffix: &str) -> (String, Cleanup) {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(admin_url) => {
            let name = format!("cho_ocop_t_{suffix}");
            create_pg_database(&admin_url, &name).await;
            (
                replace_db_name(&admin_url, &name),
                Cleanup::Postgres { admin_url, name },
            )
        }
        None => {
            let path = std::env::temp_dir().join(format!("cho-ocop-test-{suffix}.db"));
            (
                format!("sqlite://{}", path.display()),
                Cleanup::SqliteFile(path),
            )
        }
    }
}

async fn create_pg_database(admin_url: &str, name: &str) {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(admin_url)
        .await
        .expect("TEST_DATABASE_URL reachable");
    db.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("test database created");
    let _ = db.close().await;
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let mut out = match base[scheme_end..].find('/') {
        Some(slash) => format!("{}/{name}", &base[..scheme_end + slash]),
        None => format!("{base}/{name}"),
    };
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}
