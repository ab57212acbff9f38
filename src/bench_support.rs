//! What the benchmark drivers in `src/bin/` share: a minimal HTTP/1.1 keep-alive client
//! (enough to drive our own server without a client library in the release binaries), a
//! quantile, and a one-number SQL read.

use kernel::db::Db;
use sea_orm::ConnectionTrait;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub async fn connect(port: u16) -> Result<Conn, BoxError> {
        Ok(Conn {
            stream: TcpStream::connect(("127.0.0.1", port)).await?,
            buf: Vec::new(),
        })
    }

    /// GETs `path` with one extra header; returns the status and the body.
    #[allow(dead_code)] // Not every driver GETs.
    pub async fn get(
        &mut self,
        port: u16,
        path: &str,
        header: (&str, &str),
    ) -> Result<(u16, String), BoxError> {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{}: {}\r\n\r\n",
            header.0, header.1
        );
        self.send(req).await
    }

    /// POSTs a JSON body to `path` with one extra header; returns the status and the body.
    pub async fn post(
        &mut self,
        port: u16,
        path: &str,
        header: (&str, &str),
        body: &str,
    ) -> Result<(u16, String), BoxError> {
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n{}: {}\r\nContent-Length: {}\r\n\r\n{body}",
            header.0,
            header.1,
            body.len()
        );
        self.send(req).await
    }

    async fn send(&mut self, req: String) -> Result<(u16, String), BoxError> {
        self.stream.write_all(req.as_bytes()).await?;
        self.buf.clear();
        let mut chunk = [0u8; 8192];
        loop {
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err("connection closed".into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_ascii_lowercase();
                let status: u16 = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .ok_or("no status")?;
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .ok_or("no content-length")?;
                while self.buf.len() < end + 4 + len {
                    let n = self.stream.read(&mut chunk).await?;
                    if n == 0 {
                        return Err("connection closed".into());
                    }
                    self.buf.extend_from_slice(&chunk[..n]);
                }
                let body = String::from_utf8_lossy(&self.buf[end + 4..end + 4 + len]).into_owned();
                return Ok((status, body));
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The `p` quantile of sorted values.
/// Waits for every worker and returns their latencies (ms) together, sorted for [`pct`].
pub async fn latencies(
    workers: Vec<tokio::task::JoinHandle<Result<Vec<f64>, BoxError>>>,
) -> Result<Vec<f64>, BoxError> {
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await??);
    }
    all.sort_by(|a, b| a.total_cmp(b));
    Ok(all)
}

pub fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The `n` column of the first row of `sql`.
pub async fn one(db: &Db, sql: &str) -> Result<i64, BoxError> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await?
        .ok_or("no row")?;
    Ok(row.try_get::<i64>("", "n")?)
}

/// What a benchmark driver starts from: the application built on `config` (bound to a free
/// port, no request limits, no response cache, no Redis) over the demo catalog, its
/// administrative units, the demo ADMIN as a viewer, and the first listed fish-sauce variant.
pub struct Bench {
    pub app: server::Application,
    pub db: Db,
    pub units: kernel::admin_units::AdminUnits,
    pub admin: kernel::Viewer,
    pub variant_id: i64,
}

pub async fn bench_app(mut config: server::Config) -> Result<Bench, BoxError> {
    config.bind_addr = "127.0.0.1:0".parse()?;
    config.rate_limit_per_minute = 0;
    config.response_cache_ms = 0;
    config.redis_url = None;
    let app = server::Application::build_with(config, false).await?;
    let db = app.state().db.clone();
    server::demo::seed_demo(db.pool()).await?;
    let units = catalog::units::load(&db).await?;
    let admin_email = kernel::domain::Email::parse(server::demo::ADMIN_EMAIL)?;
    let admin = accounts::service::find_by_email(&db, &admin_email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no admin")?;
    let variant_id = one(&db, "SELECT MIN(v.id) AS n FROM variants v JOIN products p ON p.id = v.product_id WHERE p.status = 'PUBLISHED' AND p.name LIKE 'Nước mắm%'").await?;
    Ok(Bench {
        app,
        db,
        units,
        admin: kernel::Viewer::user(admin.id, true),
        variant_id,
    })
}
