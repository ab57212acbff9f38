//! Configuration: read once from environment variables (and `.env` when present). Every
//! variable is documented here and in the README; secrets are never printed.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `DATABASE_URL` | `sqlite://./data/cho-ocop.db` | SQLite file (created with its folder) or `postgres://…` |
//! | `DATABASE_MAX_CONNECTIONS` | PostgreSQL four per core, 4 to 16; SQLite two per core, 2 to 8 | connections for single statements, and as many for transactions (`kernel::db`) |
//! | `DATABASE_STATEMENTS` | PostgreSQL 512, SQLite 24 | prepared statements kept per connection (on PostgreSQL each costs its backend memory; on SQLite this server's) |
//! | `REDIS_URL` | unset | Redis for rate limits shared by all replicas; in-process limits when unset |
//! | `REDIS_KEY_PREFIX` | `cho-ocop:` | prefix of every Redis key |
//! | `BIND_ADDR` | `127.0.0.1:8080` | where the server listens |
//! | `PUBLIC_BASE_URL` | `http://{BIND_ADDR}` | the public origin used in printed and generated links |
//! | `APP_ENV` | `development` | `production` makes `JWT_SECRET` required |
//! | `JWT_SECRET` | random per start (warning) | HS256 key for bearer tokens, at least 32 bytes |
//! | `TOKEN_TTL_SECS` | 86400 | token lifetime |
//! | `LOG_FORMAT` | `text` | `text` or `json` |
//! | `RUST_LOG` | `info` | log filter |
//! | `RATE_LIMIT_PER_MINUTE` | 600 | GraphQL requests per client address per minute (0: off) |
//! | `LOGIN_LIMIT_PER_EMAIL` | 10 | login attempts per e-mail per 15 minutes |
//! | `LOGIN_LIMIT_PER_IP` | 50 | login attempts per client address per 15 minutes |
//! | `REGISTER_LIMIT_PER_IP` | 20 | accounts registered per client address per hour |
//! | `PAGE_RATE_LIMIT_PER_MINUTE` | 1200 | trace pages, QR images, Digital Links and EPCIS per client address per minute (0: off) |
//! | `RESPONSE_CACHE_MS` | 1000 | lifetime of cached anonymous query responses (0: off) |
//! | `MAX_BODY_BYTES` | 1048576 | request body limit |
//! | `GRAPHQL_MAX_DEPTH` | 12 | query depth limit |
//! | `GRAPHQL_MAX_COMPLEXITY` | 5000 | query complexity limit |
//! | `TRUST_X_FORWARDED_FOR` | `false` | behind a load balancer: the client address is the last `X-Forwarded-For` hop |
//! | `STOREFRONT_URL` | `PUBLIC_BASE_URL` | where "Mua sản phẩm" on a trace page leads (`/san-pham/{slug}`), and where affiliate links redirect (`…?aff={code}`) |
//! | `SCAN_ANOMALY_CLIENTS` | 50 | a code scanned from more client addresses in a day gets a warning |
//! | `TRACE_CACHE_MS` | 30000 | how long a looked-up trace is kept in memory (0: off) |
//! | `PAYMENT_HOLD_MINUTES` | 15 | unpaid card/VNPay orders release their stock after this |
//! | `AUTO_COMPLETE_DAYS` | 7 | delivered orders complete by themselves after this |
//! | `RETURN_WINDOW_DAYS` | 7 | a commission becomes payable this long after its part completed |
//! | `UNPAID_ORDERS_PER_BUYER` | 3 | orders a buyer may have waiting for payment at once |
//! | `VNPAY_TMN_CODE`, `VNPAY_HASH_SECRET` | unset | the VNPay terminal; VNPay is offered when both are set |
//! | `VNPAY_PAY_URL` | VNPay's sandbox `vpcpay.html` | VNPay's payment page |
//! | `VNPAY_RETURN_URL` | `{PUBLIC_BASE_URL}/payments/vnpay/return` | where VNPay sends the buyer back |
//! | `BANK_BIN`, `BANK_ACCOUNT_NUMBER`, `BANK_ACCOUNT_NAME` | unset | the account VietQR transfers go to (6-digit NAPAS BIN) |
//! | `SEPAY_API_KEY` | unset | the key SePay's webhook sends; bank transfer is offered with it and the account |

use std::net::SocketAddr;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub database_max_connections: u32,
    /// Prepared statements kept per connection (PostgreSQL's or SQLite's).
    pub database_statements: usize,
    /// How many GraphQL queries this replica executes at once (`GRAPHQL_CONCURRENCY`, by
    /// default the pool's size); the rest wait their turn in arrival order. 0: no limit.
    pub graphql_concurrency: usize,
    pub redis_url: Option<String>,
    pub redis_key_prefix: String,
    pub bind_addr: SocketAddr,
    pub public_base_url: String,
    pub production: bool,
    pub jwt_secret: String,
    /// Whether the secret was generated at start (tokens die with the process).
    pub jwt_secret_generated: bool,
    pub token_ttl_secs: i64,
    pub log_format: LogFormat,
    pub rate_limit_per_minute: u32,
    /// Public pages (trace pages, QR images, Digital Links, EPCIS) per client address per
    /// minute: generous, because a shop's customers scan through one address.
    pub page_rate_limit_per_minute: u32,
    pub login_limit_per_email: u32,
    pub login_limit_per_ip: u32,
    /// Accounts registered per client address per hour.
    pub register_limit_per_ip: u32,
    pub response_cache_ms: u64,
    pub max_body_bytes: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
    /// Take the client address from the last `X-Forwarded-For` hop (behind a load balancer).
    pub trust_forwarded_for: bool,
    /// Where "Mua sản phẩm" on the trace page leads: `{storefront_url}/san-pham/{slug}`.
    pub storefront_url: String,
    /// A code scanned from more distinct client addresses than this in one day gets a warning.
    pub scan_anomaly_clients: i64,
    /// How long a looked-up trace is kept in memory (changes through this replica drop it).
    pub trace_cache_ms: u64,
    /// Unpaid card and VNPay orders release their stock after this many minutes.
    pub payment_hold_minutes: i64,
    /// Delivered orders the buyer did not confirm complete after this many days.
    pub auto_complete_days: i64,
    /// Days after a part completes before its creators' commissions are payable.
    pub return_window_days: i64,
    /// Orders a buyer may have waiting for payment at once (they hold stock).
    pub unpaid_orders_per_buyer: i64,
    /// Units of one variant a buyer's unpaid orders may hold together.
    pub unpaid_units_per_variant: i64,
    pub vnpay_tmn_code: Option<String>,
    pub vnpay_hash_secret: Option<String>,
    pub vnpay_pay_url: String,
    pub vnpay_return_url: String,
    pub bank_bin: Option<String>,
    pub bank_account_number: Option<String>,
    pub bank_account_name: Option<String>,
    pub sepay_api_key: Option<String>,
    pub stripe_secret_key: Option<String>,
    /// Every secret `POST /webhooks/stripe` accepts (comma-separated: during a rotation, the
    /// old and the new).
    pub stripe_webhook_secrets: Vec<String>,
    /// Stripe's API, or a local stand-in (localstripe) in tests.
    pub stripe_api_base: Option<String>,
    /// The platform's fee on each producer's completed part, in basis points (100 = 1%),
    /// for orders placed from now on.
    pub platform_fee_bps: i64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database", &redact_url(&self.database_url))
            .field("redis", &self.redis_url.as_deref().map(redact_url))
            .field("bind_addr", &self.bind_addr)
            .field("public_base_url", &self.public_base_url)
            .field("production", &self.production)
            .field("jwt_secret", &"<hidden>")
            .field("vnpay_tmn_code", &self.vnpay_tmn_code)
            .field(
                "vnpay_hash_secret",
                &self.vnpay_hash_secret.as_ref().map(|_| "<hidden>"),
            )
            .field("bank_bin", &self.bank_bin)
            .field(
                "sepay_api_key",
                &self.sepay_api_key.as_ref().map(|_| "<hidden>"),
            )
            .field(
                "stripe_secret_key",
                &self.stripe_secret_key.as_ref().map(|_| "<hidden>"),
            )
            .field("stripe_webhook_secrets", &self.stripe_webhook_secrets.len())
            .field("stripe_api_base", &self.stripe_api_base)
            .field("platform_fee_bps", &self.platform_fee_bps)
            .finish_non_exhaustive()
    }
}

/// Hides the password in a connection URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The embedded SQLite's default pool: two connections per core, 2 to 8. SQLite runs in this
/// process, so a connection beyond what the cores can run only holds memory (its statements
/// and page cache): on 2 cores the catalog benchmark at 100,000 products ran as fast with 4 as
/// with 8, and its peak RSS fell from 111 to 86–92 MiB.
fn sqlite_connections() -> u32 {
    (2 * cores()).clamp(2, 8) as u32
}

/// The PostgreSQL default pool: four connections per core of this replica, 4 to 16. A page's
/// SQL is short and CPU-bound, and each connection keeps its own prepared statements (about
/// 3 KiB each here, up to 512) and its own plans in its backend. On 2 cores, alternated on the
/// catalog's uncached mix at 10,000 products, 8 connections against 16 answered 1,731–2,134
/// pages a second against 1,562–1,901, with PostgreSQL's CPU per page 0.43–0.52 ms against
/// 0.53–0.64 (each statement reached its kept plan on fewer connections), and peak RSS
/// 76–82 MiB against 93–95. With PostgreSQL on its own host, size the pool to what that host
/// runs at once, divided among the replicas (`DATABASE_MAX_CONNECTIONS`).
fn postgres_connections() -> u32 {
    (4 * cores()).clamp(4, 16) as u32
}

/// The cores this process may run on.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub const DEFAULT_SQLITE_URL: &str = "sqlite://./data/cho-ocop.db";

/// The webhook secret tests register with localstripe.
pub const TEST_STRIPE_WEBHOOK_SECRET: &str = "whsec_cho_ocop_test";

/// localstripe's address, when the test suite has one.
pub fn test_stripe_url() -> Option<String> {
    var("TEST_STRIPE_URL")
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn num<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a number, got {v:?}")),
    }
}

impl Config {
    /// Reads the environment (after loading `.env` if present).
    pub fn from_env() -> Result<Config, String> {
        let config = Self::read_env()?;
        config.check_production_secrets()?;
        Ok(config)
    }

    fn read_env() -> Result<Config, String> {
        let _ = dotenvy::dotenv();
        let production = var("APP_ENV").is_some_and(|v| v.eq_ignore_ascii_case("production"));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_SQLITE_URL.to_owned());
        let sqlite = database_url.starts_with("sqlite:");
        let bind_addr: SocketAddr = var("BIND_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
            .map_err(|e| format!("BIND_ADDR: {e}"))?;
        let (jwt_secret, generated) = match var("JWT_SECRET") {
            Some(s) if s.len() >= 32 => (s, false),
            Some(_) => return Err("JWT_SECRET must be at least 32 bytes".into()),
            None if production => {
                return Err("JWT_SECRET is required when APP_ENV=production".into());
            }
            None => (random_secret(), true),
        };
        let log_format = match var("LOG_FORMAT").as_deref() {
            Some("json") => LogFormat::Json,
            None | Some("text") => LogFormat::Text,
            Some(other) => return Err(format!("LOG_FORMAT must be text or json, got {other:?}")),
        };
        let public_base = var("PUBLIC_BASE_URL")
            .unwrap_or_else(|| format!("http://{bind_addr}"))
            .trim_end_matches('/')
            .to_owned();
        let database_max_connections = num(
            "DATABASE_MAX_CONNECTIONS",
            if sqlite {
                sqlite_connections()
            } else {
                postgres_connections()
            },
        )?;
        Ok(Config {
            database_max_connections,
            database_statements: num("DATABASE_STATEMENTS", crate::db::default_statements(sqlite))?,
            graphql_concurrency: num("GRAPHQL_CONCURRENCY", database_max_connections as usize)?,
            database_url,
            redis_url: var("REDIS_URL"),
            redis_key_prefix: var("REDIS_KEY_PREFIX").unwrap_or_else(|| "cho-ocop:".to_owned()),
            public_base_url: public_base.clone(),
            bind_addr,
            production,
            jwt_secret,
            jwt_secret_generated: generated,
            token_ttl_secs: num("TOKEN_TTL_SECS", 86_400)?,
            log_format,
            rate_limit_per_minute: num("RATE_LIMIT_PER_MINUTE", 600)?,
            page_rate_limit_per_minute: num("PAGE_RATE_LIMIT_PER_MINUTE", 1200)?,
            login_limit_per_email: num("LOGIN_LIMIT_PER_EMAIL", 10)?,
            login_limit_per_ip: num("LOGIN_LIMIT_PER_IP", 50)?,
            register_limit_per_ip: num("REGISTER_LIMIT_PER_IP", 20)?,
            response_cache_ms: num("RESPONSE_CACHE_MS", 1000)?,
            max_body_bytes: num("MAX_BODY_BYTES", 1024 * 1024)?,
            max_depth: num("GRAPHQL_MAX_DEPTH", 12)?,
            max_complexity: num("GRAPHQL_MAX_COMPLEXITY", 5000)?,
            trust_forwarded_for: var("TRUST_X_FORWARDED_FOR")
                .is_some_and(|v| v == "true" || v == "1"),
            storefront_url: var("STOREFRONT_URL")
                .map(|s| s.trim_end_matches('/').to_owned())
                .unwrap_or_else(|| public_base.clone()),
            scan_anomaly_clients: num("SCAN_ANOMALY_CLIENTS", 50)?,
            trace_cache_ms: num("TRACE_CACHE_MS", 30_000)?,
            payment_hold_minutes: num("PAYMENT_HOLD_MINUTES", 15)?,
            auto_complete_days: num("AUTO_COMPLETE_DAYS", 7)?,
            return_window_days: num("RETURN_WINDOW_DAYS", 7)?,
            unpaid_orders_per_buyer: num("UNPAID_ORDERS_PER_BUYER", 3)?,
            unpaid_units_per_variant: num("UNPAID_UNITS_PER_VARIANT", 10)?,
            vnpay_tmn_code: var("VNPAY_TMN_CODE"),
            vnpay_hash_secret: var("VNPAY_HASH_SECRET"),
            vnpay_pay_url: var("VNPAY_PAY_URL")
                .unwrap_or_else(|| payments::vnpay::SANDBOX_PAY_URL.to_owned()),
            vnpay_return_url: var("VNPAY_RETURN_URL")
                .unwrap_or_else(|| format!("{public_base}/payments/vnpay/return")),
            bank_bin: var("BANK_BIN"),
            bank_account_number: var("BANK_ACCOUNT_NUMBER"),
            bank_account_name: var("BANK_ACCOUNT_NAME"),
            sepay_api_key: var("SEPAY_API_KEY"),
            stripe_secret_key: var("STRIPE_SECRET_KEY"),
            stripe_webhook_secrets: var("STRIPE_WEBHOOK_SECRETS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            stripe_api_base: var("STRIPE_API_BASE"),
            platform_fee_bps: match num("PLATFORM_FEE_BPS", 0)? {
                bps @ 0..=10_000 => bps,
                _ => return Err("PLATFORM_FEE_BPS must be between 0 and 10000".into()),
            },
        })
    }

    /// The payment providers this configuration sets up. Half a provider (a VNPay code without
    /// its secret, a bank BIN without the account) is an error, not a silent "off".
    pub fn providers(&self) -> Result<payments::Providers, String> {
        let vnpay = match (&self.vnpay_tmn_code, &self.vnpay_hash_secret) {
            (Some(code), Some(secret)) => Some(payments::vnpay::Vnpay {
                tmn_code: code.trim().to_owned(),
                hash_secret: secret.trim().to_owned(),
                pay_url: self.vnpay_pay_url.clone(),
                return_url: self.vnpay_return_url.clone(),
            }),
            (None, None) => None,
            _ => return Err("VNPAY_TMN_CODE and VNPAY_HASH_SECRET go together".into()),
        };
        let bank = match (
            &self.bank_bin,
            &self.bank_account_number,
            &self.bank_account_name,
        ) {
            (Some(bin), Some(number), Some(name)) => {
                Some(payments::vietqr::BankAccount::parse(bin, number, name)?)
            }
            (None, None, None) => None,
            _ => {
                return Err(
                    "BANK_BIN, BANK_ACCOUNT_NUMBER and BANK_ACCOUNT_NAME go together".into(),
                );
            }
        };
        let stripe = match &self.stripe_secret_key {
            Some(key) => Some(
                payments::stripe::Stripe::new(key.trim(), self.stripe_api_base.as_deref())
                    .map_err(|e| format!("STRIPE_SECRET_KEY / STRIPE_API_BASE: {e}"))?
                    .shared(),
            ),
            None => None,
        };
        // Events can be received without the key (cards are then not offered), but intents
        // must never be created with no way to hear that they were paid.
        if stripe.is_some() && self.stripe_webhook_secrets.is_empty() {
            return Err("STRIPE_SECRET_KEY needs STRIPE_WEBHOOK_SECRETS".into());
        }
        Ok(payments::Providers {
            stripe,
            stripe_webhook_secrets: self.stripe_webhook_secrets.clone(),
            vnpay,
            bank,
            sepay_api_key: self.sepay_api_key.clone(),
        })
    }

    /// A configuration for tests: the given database, port 0, a fixed secret.
    pub fn for_tests(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            database_max_connections: 8,
            database_statements: crate::db::default_statements(database_url.starts_with("sqlite:")),
            graphql_concurrency: 8,
            redis_url: None,
            redis_key_prefix: "cho-ocop-test:".to_owned(),
            bind_addr: "127.0.0.1:0".parse().expect("valid address"),
            public_base_url: "http://127.0.0.1".to_owned(),
            production: false,
            jwt_secret: "test-secret-test-secret-test-secret!".to_owned(),
            jwt_secret_generated: false,
            token_ttl_secs: 3600,
            log_format: LogFormat::Text,
            rate_limit_per_minute: 0,
            page_rate_limit_per_minute: 0,
            login_limit_per_email: 10,
            login_limit_per_ip: 50,
            register_limit_per_ip: 1000,
            response_cache_ms: 0,
            max_body_bytes: 1024 * 1024,
            max_depth: 12,
            max_complexity: 5000,
            trust_forwarded_for: false,
            storefront_url: "http://127.0.0.1".to_owned(),
            scan_anomaly_clients: 50,
            trace_cache_ms: 0,
            payment_hold_minutes: 15,
            auto_complete_days: 7,
            return_window_days: 7,
            unpaid_orders_per_buyer: 3,
            unpaid_units_per_variant: 10,
            vnpay_tmn_code: Some("CHOOCOP1".to_owned()),
            vnpay_hash_secret: Some("vnpay-test-secret".to_owned()),
            vnpay_pay_url: payments::vnpay::SANDBOX_PAY_URL.to_owned(),
            vnpay_return_url: "http://127.0.0.1/payments/vnpay/return".to_owned(),
            bank_bin: Some("970436".to_owned()),
            bank_account_number: Some("0011001932418".to_owned()),
            bank_account_name: Some("CONG TY CHO OCOP".to_owned()),
            sepay_api_key: Some("sepay-test-key".to_owned()),
            // Cards against localstripe when the suite is given one (`.ci/run` starts it).
            stripe_secret_key: test_stripe_url().map(|_| "sk_test_cho_ocop".to_owned()),
            stripe_webhook_secrets: test_stripe_url()
                .map(|_| vec![TEST_STRIPE_WEBHOOK_SECRET.to_owned()])
                .unwrap_or_default(),
            stripe_api_base: test_stripe_url(),
            platform_fee_bps: 0,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// Whether a secret looks like a placeholder copied from an example (`change-me…`) or has too
/// little variety to be one chosen at random.
pub fn looks_like_placeholder(secret: &str) -> bool {
    let lower = secret.to_lowercase();
    let known = [
        "change-me",
        "changeme",
        "change_me",
        "placeholder",
        "example",
        "your-secret",
        "your_secret",
        "secret-here",
        "replace-me",
        "xxxxxxxx",
    ];
    let distinct: std::collections::HashSet<char> = secret.chars().collect();
    known.iter().any(|k| lower.contains(k)) || distinct.len() < 8
}

impl Config {
    /// In production, every configured secret must be a real one: a placeholder left from the
    /// compose file or an example is refused at start, naming the variable.
    pub fn check_production_secrets(&self) -> Result<(), String> {
        if !self.production {
            return Ok(());
        }
        let secrets: [(&str, Option<&str>); 4] = [
            ("JWT_SECRET", Some(self.jwt_secret.as_str())),
            ("VNPAY_HASH_SECRET", self.vnpay_hash_secret.as_deref()),
            ("SEPAY_API_KEY", self.sepay_api_key.as_deref()),
            ("STRIPE_SECRET_KEY", self.stripe_secret_key.as_deref()),
        ];
        let webhook = self
            .stripe_webhook_secrets
            .iter()
            .map(|s| ("STRIPE_WEBHOOK_SECRETS", Some(s.as_str())));
        for (name, value) in secrets.into_iter().chain(webhook) {
            if value.is_some_and(looks_like_placeholder) {
                return Err(format!(
                    "{name} looks like a placeholder; set a real secret (for example: openssl rand -hex 32)"
                ));
            }
        }
        Ok(())
    }
}

fn random_secret() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn production_refuses_placeholder_secrets() {
        let mut c = super::Config::for_tests("sqlite::memory:");
        c.production = true;
        c.jwt_secret = "change-me-change-me-change-me-change-me".into();
        assert!(
            c.check_production_secrets()
                .unwrap_err()
                .contains("JWT_SECRET")
        );
        c.jwt_secret = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into();
        assert!(c.check_production_secrets().is_err());
        c.jwt_secret = "3f9c1e7a52b84d06a1e9c3f7b2d5e8a14c6f0b9d".into();
        c.vnpay_hash_secret = Some("CHANGEME".into());
        assert!(
            c.check_production_secrets()
                .unwrap_err()
                .contains("VNPAY_HASH_SECRET")
        );
        c.vnpay_hash_secret = Some("Q7mZ2kP9xW4rT8vN".into());
        c.sepay_api_key = Some("9Jd3LqX7pV2mW8sZ".into());
        assert_eq!(c.check_production_secrets(), Ok(()));
        // Outside production, the test secrets are fine.
        c.production = false;
        c.jwt_secret = "change-me-change-me-change-me-change-me".into();
        assert_eq!(c.check_production_secrets(), Ok(()));
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            super::redact_url("postgres://app:s3cret@db:5432/ocop"),
            "postgres://app:***@db:5432/ocop"
        );
        assert_eq!(
            super::redact_url("sqlite://./data/x.db"),
            "sqlite://./data/x.db"
        );
    }
}
