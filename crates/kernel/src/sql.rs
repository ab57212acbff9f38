//! A tiny builder for hand-written SQL that runs on SQLite and PostgreSQL alike: it writes the
//! backend's placeholder (`?` or `$n`) for each bound value.

use sea_orm::{DbBackend, Statement, Value};

pub struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DbBackend) -> Sql {
        Sql {
            backend,
            text: String::with_capacity(512),
            values: Vec::new(),
        }
    }

    /// The backend the statement is written for.
    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    /// Appends SQL text.
    pub fn push(&mut self, s: &str) -> &mut Sql {
        self.text.push_str(s);
        self
    }

    /// Appends a placeholder bound to `v`.
    pub fn bind(&mut self, v: impl Into<Value>) -> &mut Sql {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.values.len().to_string());
            }
            _ => self.text.push('?'),
        }
        self
    }

    /// Appends a number written into the text, not bound. For values the app makes itself
    /// from a small set (a star value), whose value decides how many rows a condition passes:
    /// PostgreSQL plans a bound value as unknown (a range on it as passing one row in 200),
    /// and a plan kept for any values must then see the same selectivity a plan for the value
    /// sees, or it picks another index.
    pub fn push_int(&mut self, n: i64) -> &mut Sql {
        self.text.push_str(&n.to_string());
        self
    }

    /// Appends a date written into the text (`'2026-12-01'`), not bound: for today's date, the
    /// same for every statement of a day (see [`Sql::push_int`]). Dates are stored as this text
    /// on SQLite and compared as dates on PostgreSQL.
    pub fn push_date(&mut self, d: chrono::NaiveDate) -> &mut Sql {
        self.text.push('\'');
        self.text.push_str(&d.format("%Y-%m-%d").to_string());
        self.text.push('\'');
        self
    }

    /// Appends `(?, ?, …)` for a non-empty list.
    pub fn bind_list<V: Into<Value> + Clone>(&mut self, vs: &[V]) -> &mut Sql {
        self.text.push('(');
        for (i, v) in vs.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v.clone());
        }
        self.text.push(')');
        self
    }

    pub fn build(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Makes the current transaction a writer from its first statement. SQLite starts a
/// transaction as a reader and fails at once ("database is locked") when a reader tries to
/// become a writer while another writer is active; a transaction that will write after
/// reading calls this first, so it waits its turn instead (busy timeout). A no-op elsewhere.
pub async fn write_lock(
    txn: &impl sea_orm::ConnectionTrait,
    table: &str,
) -> Result<(), sea_orm::DbErr> {
    if txn.get_database_backend() == DbBackend::Sqlite {
        // `rowid`, not `id`: every table has one, whatever its primary key is called.
        txn.execute_unprepared(&format!(
            "UPDATE {table} SET rowid = rowid WHERE rowid = -1"
        ))
        .await?;
    }
    Ok(())
}

/// Serialises, on PostgreSQL, the transactions that take the same `key` until they end
/// (`pg_advisory_xact_lock`): for choices read then written where no row exists yet to lock,
/// such as a free slug. A no-op on SQLite, which already serialises writers.
pub async fn advisory_lock(
    txn: &impl sea_orm::ConnectionTrait,
    key: &str,
) -> Result<(), sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        let mut q = Sql::new(backend);
        q.push("SELECT pg_advisory_xact_lock(hashtextextended(")
            .bind(key.to_owned())
            .push(", 0))");
        txn.execute_raw(q.build()).await?;
    }
    Ok(())
}

/// Locks one row for the rest of the transaction on PostgreSQL (`SELECT … FOR UPDATE`), so
/// transactions that must see each other's work on it queue here. A no-op on SQLite, which
/// already serialises writers.
pub async fn lock_row(
    txn: &impl sea_orm::ConnectionTrait,
    table: &str,
    id: i64,
) -> Result<(), sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        let mut q = Sql::new(backend);
        q.push("SELECT id FROM ")
            .push(table)
            .push(" WHERE id = ")
            .bind(id)
            .push(" FOR UPDATE");
        txn.query_one_raw(q.build()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_backend() {
        let mut q = Sql::new(DbBackend::Postgres);
        q.push("SELECT 1 WHERE a = ")
            .bind(1i64)
            .push(" AND b IN ")
            .bind_list(&[2i64, 3]);
        assert_eq!(q.build().sql, "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
        let mut q = Sql::new(DbBackend::Sqlite);
        q.push("a = ").bind(1i64);
        assert_eq!(q.build().sql, "a = ?");
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }

    #[test]
    fn literals_are_written_into_the_text() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let mut q = Sql::new(DbBackend::Postgres);
        q.push("d >= ")
            .push_date(day)
            .push(" AND s >= ")
            .push_int(4);
        q.push(" AND x = ").bind(1i64);
        let st = q.build();
        assert_eq!(st.sql, "d >= '2026-03-09' AND s >= 4 AND x = $1");
        assert_eq!(st.values.map(|v| v.0.len()), Some(1));
    }
}
