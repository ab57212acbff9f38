//! A connection or transaction behind `dyn`. sea-orm's `ConnectionTrait` has generic methods,
//! so it cannot be a trait object; a hook trait that a lower crate defines and a higher crate
//! implements (orders asking livestream for a live price, inside the checkout's transaction)
//! takes `&dyn AnyDb` instead, and the implementation wraps it back in [`Dyn`] to run its own
//! queries in the caller's transaction.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, Statement};

#[async_trait::async_trait]
pub trait AnyDb: Sync {
    fn backend(&self) -> DbBackend;
    async fn run(&self, stmt: Statement) -> Result<ExecResult, DbErr>;
    async fn run_script(&self, sql: &str) -> Result<ExecResult, DbErr>;
    async fn one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr>;
    async fn all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr>;
}

#[async_trait::async_trait]
impl<T: ConnectionTrait> AnyDb for T {
    fn backend(&self) -> DbBackend {
        self.get_database_backend()
    }
    async fn run(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.execute_raw(stmt).await
    }
    async fn run_script(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.execute_unprepared(sql).await
    }
    async fn one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.query_one_raw(stmt).await
    }
    async fn all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.query_all_raw(stmt).await
    }
}

/// A `&dyn AnyDb` that is a `ConnectionTrait` again: entities and services run on it, inside
/// whatever transaction the caller holds.
pub struct Dyn<'a>(pub &'a dyn AnyDb);

#[async_trait::async_trait]
impl ConnectionTrait for Dyn<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.0.backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.0.run(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.0.run_script(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.0.one(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.0.all(stmt).await
    }
}
