//! Prometheus metrics: GraphQL requests and latency histograms by operation name, HTTP requests
//! by route and status, and SQL statements. Each replica exports its own; Prometheus sums them.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use crate::db::StatementCounter;

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
/// Operation names are client-chosen: past this many, new names count as `other`.
const MAX_OPERATIONS: usize = 200;

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }
}

#[derive(Default)]
pub struct Metrics {
    graphql: Mutex<HashMap<String, (Histogram, u64)>>,
    /// route → status → count (looked up by `&str`, so counting allocates nothing).
    http: Mutex<HashMap<String, HashMap<u16, u64>>>,
}

fn label(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(64)
        .collect()
}

impl Metrics {
    /// Records a GraphQL operation: its name (or `anonymous`), duration and whether it failed.
    pub fn graphql(&self, operation: Option<&str>, secs: f64, failed: bool) {
        let mut name = operation
            .map(label)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "anonymous".into());
        let mut map = self.graphql.lock().unwrap_or_else(|p| p.into_inner());
        if !map.contains_key(&name) && map.len() >= MAX_OPERATIONS {
            name = "other".into();
        }
        let entry = map.entry(name).or_default();
        entry.0.observe(secs);
        if failed {
            entry.1 += 1;
        }
    }

    pub fn http(&self, route: &str, status: u16) {
        let mut map = self.http.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(by_status) = map.get_mut(route) {
            *by_status.entry(status).or_default() += 1;
        } else {
            map.entry(route.to_owned()).or_default().insert(status, 1);
        }
    }

    pub fn render(&self, db: &StatementCounter) -> String {
        let mut out = String::new();
        out.push_str("# HELP http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        let http = self.http.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut rows: Vec<((String, u16), u64)> = http
            .into_iter()
            .flat_map(|(route, by_status)| {
                by_status
                    .into_iter()
                    .map(move |(status, n)| ((route.clone(), status), n))
            })
            .collect();
        rows.sort();
        for ((route, status), n) in rows {
            let _ = writeln!(
                out,
                "http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let gql: Vec<(String, (Histogram, u64))> = {
            let map = self.graphql.lock().unwrap_or_else(|p| p.into_inner());
            let mut v: Vec<_> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        out.push_str("# HELP graphql_requests_total GraphQL operations by name.\n");
        out.push_str("# TYPE graphql_requests_total counter\n");
        for (op, (h, _)) in &gql {
            let _ = writeln!(
                out,
                "graphql_requests_total{{operation=\"{op}\"}} {}",
                h.count
            );
        }
        out.push_str("# HELP graphql_errors_total GraphQL operations that returned errors.\n");
        out.push_str("# TYPE graphql_errors_total counter\n");
        for (op, (_, failed)) in &gql {
            let _ = writeln!(out, "graphql_errors_total{{operation=\"{op}\"}} {failed}");
        }
        out.push_str("# HELP graphql_request_duration_seconds GraphQL operation latency.\n");
        out.push_str("# TYPE graphql_request_duration_seconds histogram\n");
        for (op, (h, _)) in &gql {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "graphql_request_duration_seconds_bucket{{operation=\"{op}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "graphql_request_duration_seconds_bucket{{operation=\"{op}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "graphql_request_duration_seconds_sum{{operation=\"{op}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "graphql_request_duration_seconds_count{{operation=\"{op}\"}} {}",
                h.count
            );
        }
        out.push_str("# HELP db_statements_total SQL statements executed.\n");
        out.push_str("# TYPE db_statements_total counter\n");
        let _ = writeln!(
            out,
            "db_statements_total {}",
            db.statements.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "db_statements_failed_total {}",
            db.failed.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "db_statement_seconds_total {}",
            db.micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        out
    }
}
