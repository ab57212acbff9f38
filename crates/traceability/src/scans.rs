//! Scan counting without a database write per scan: each look-up bumps an in-memory counter,
//! and a background task flushes the counters (and which clients scanned which code today,
//! hashed) every second in one transaction. A crash loses at most that second. Every replica
//! adds its own counts, so several replicas count correctly together.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::NaiveDate;
use kernel::sql::Sql;
use sea_orm::{ConnectionTrait, DbErr, TransactionSession, TransactionTrait};
use sha2::{Digest, Sha256};

#[derive(Default)]
pub struct ScanCounter {
    pending: Mutex<Pending>,
    /// A code scanned from more than this many client addresses in one day gets a warning.
    pub anomaly_threshold: i64,
}

#[derive(Default)]
struct Pending {
    counts: HashMap<i64, i64>,
    clients: HashSet<(i64, NaiveDate, [u8; 12])>,
    /// Every scan this replica counted since it started, per lot (never reset): lets a cached
    /// trace show a count that only goes up.
    totals: HashMap<i64, i64>,
}

/// Client addresses are stored hashed: enough to count distinct ones, not to identify people.
fn client_key(ip: &str) -> [u8; 12] {
    let mut h = Sha256::new();
    h.update(b"cho-ocop-scan:");
    h.update(ip.as_bytes());
    let digest = h.finalize();
    let mut key = [0u8; 12];
    key.copy_from_slice(&digest[..12]);
    key
}

fn hex(key: &[u8]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

impl ScanCounter {
    pub fn new(anomaly_threshold: i64) -> ScanCounter {
        ScanCounter {
            pending: Mutex::default(),
            anomaly_threshold,
        }
    }

    /// Counts one look-up of a lot's code from a client address.
    pub fn record(&self, lot_id: i64, client_ip: &str) {
        let day = kernel::time::today_vn();
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *p.counts.entry(lot_id).or_default() += 1;
        *p.totals.entry(lot_id).or_default() += 1;
        p.clients.insert((lot_id, day, client_key(client_ip)));
    }

    /// Scans of this lot counted by this replica since it started.
    pub fn local_total(&self, lot_id: i64) -> i64 {
        let p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.totals.get(&lot_id).copied().unwrap_or(0)
    }

    /// Scans of this lot counted here but not flushed yet.
    pub fn pending(&self, lot_id: i64) -> i64 {
        let p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.counts.get(&lot_id).copied().unwrap_or(0)
    }

    /// Writes the buffered counts; on failure they are put back for the next flush.
    pub async fn flush<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
    ) -> Result<usize, DbErr> {
        let taken = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            Pending {
                counts: std::mem::take(&mut p.counts),
                clients: std::mem::take(&mut p.clients),
                totals: HashMap::new(),
            }
        };
        if taken.counts.is_empty() && taken.clients.is_empty() {
            return Ok(0);
        }
        match write(db, &taken).await {
            Ok(()) => Ok(taken.counts.values().sum::<i64>() as usize),
            Err(e) => {
                let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                for (lot, n) in taken.counts {
                    *p.counts.entry(lot).or_default() += n;
                }
                p.clients.extend(taken.clients);
                Err(e)
            }
        }
    }
}

async fn write<C: ConnectionTrait + TransactionTrait>(db: &C, p: &Pending) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    // One statement per 500 lots, not one per lot: a busy second touches thousands of codes.
    let counts: Vec<(&i64, &i64)> = p.counts.iter().collect();
    for chunk in counts.chunks(500) {
        let mut q = Sql::new(backend);
        q.push("WITH v (id, n) AS (VALUES ");
        for (i, (lot, n)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(").bind(**lot).push(", ").bind(**n).push(")");
        }
        q.push(
            ") UPDATE lots SET scan_count = scan_count + (SELECT v.n FROM v WHERE v.id = lots.id) \
             WHERE id IN (SELECT v.id FROM v)",
        );
        txn.execute_raw(q.build()).await?;
    }
    let clients: Vec<_> = p.clients.iter().collect();
    for chunk in clients.chunks(200) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO lot_scan_clients (lot_id, day, client) VALUES ");
        for (i, (lot, day, client)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(*lot)
                .push(", ")
                .bind(*day)
                .push(", ")
                .bind(hex(client))
                .push(")");
        }
        q.push(" ON CONFLICT DO NOTHING");
        txn.execute_raw(q.build()).await?;
    }
    txn.commit().await
}

/// How many distinct clients looked this lot up today (flushed ones).
pub async fn clients_today(db: &impl ConnectionTrait, lot_id: i64) -> Result<i64, DbErr> {
    let mut q = Sql::new(db.get_database_backend());
    q.push("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM lot_scan_clients WHERE lot_id = ")
        .bind(lot_id)
        .push(" AND day = ")
        .bind(kernel::time::today_vn());
    Ok(match db.query_one_raw(q.build()).await? {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    })
}
