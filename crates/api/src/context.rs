//! What resolvers reach through the context, written once: the database, the viewer, the
//! per-request loader, reference data, the hooks the server implements, and the helpers every
//! payload and connection uses.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Data, OutputType};
use kernel::Viewer;
use kernel::admin_units::AdminUnits;
use kernel::cursor::{Cursor, DEFAULT_PAGE, MAX_PAGE, after_id, page_size};
use kernel::db::Db;
use kernel::problem::Problem;

use crate::errors::{self, UserError};
use crate::loaders::{Loader, Loaders, Prefetched};

pub type GqlResult<T> = async_graphql::Result<T>;

/// Told after a change succeeded, so the server can drop caches (here and on other replicas)
/// and wake `orderStatusChanged` subscribers wherever they are connected.
pub trait Changes: Send + Sync {
    /// Something the public sees changed: a product, a certificate, a lot, stock.
    fn catalog_changed(&self);
    /// An order's status or contents may have changed.
    fn order_changed(&self, order_id: i64);
    /// Something viewers of a live session see happened (a pin, the end).
    fn live_event(&self, signal: livestream::events::Signal);
}

/// Throttles login attempts; the server implements it with Redis or in memory.
pub trait LoginThrottle: Send + Sync {
    /// Counts an attempt for this e-mail and client address; `false` when over the limit.
    fn allow(
        &self,
        email: &str,
        client_ip: &str,
    ) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + '_>>;

    /// Counts a registration from this client address; `false` when over the limit. Each
    /// aliased `register` field of a request counts.
    fn allow_register(
        &self,
        client_ip: &str,
    ) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + '_>>;
}

/// The client's address.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// The public origin (`PUBLIC_BASE_URL`), for trace URLs and GS1 Digital Links.
#[derive(Clone, Debug)]
pub struct PublicBaseUrl(pub String);

/// Everything one request (an HTTP request, or a websocket connection) carries: who is calling,
/// from where, and a fresh loader. Built in one place for both transports.
/// When the token a websocket connection signed in with expires (unix seconds): its
/// subscriptions end then.
pub struct SessionExpiry(pub Option<i64>);

pub fn request_data(db: &Db, viewer: Viewer, client_ip: String) -> Data {
    let mut data = Data::default();
    data.insert(viewer);
    data.insert(ClientIp(client_ip));
    data.insert(crate::loaders::new(db.clone()));
    data
}

pub fn db<'a>(ctx: &Context<'a>) -> &'a Db {
    ctx.data_unchecked::<Db>()
}

pub fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    ctx.data_unchecked::<Viewer>()
}

pub fn loader<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

pub fn units<'a>(ctx: &Context<'a>) -> &'a AdminUnits {
    ctx.data_unchecked::<Arc<AdminUnits>>()
}

/// How long an unpaid order holds its stock, how many a buyer may have, the platform's fee on
/// new orders in basis points, and how many units of one variant unpaid orders may hold
/// (shared data).
pub struct PaymentHold(pub chrono::Duration, pub i64, pub i64, pub i64);

pub fn base_url<'a>(ctx: &Context<'a>) -> &'a str {
    ctx.data_opt::<PublicBaseUrl>()
        .map(|b| b.0.as_str())
        .unwrap_or("")
}

pub fn client_ip<'a>(ctx: &Context<'a>) -> &'a str {
    ctx.data_opt::<ClientIp>()
        .map(|c| c.0.as_str())
        .unwrap_or("")
}

/// Tells the server the public catalog changed. Call only after the change committed.
pub fn catalog_changed(ctx: &Context<'_>) {
    if let Some(c) = ctx.data_opt::<Arc<dyn Changes>>() {
        c.catalog_changed();
    }
}

/// Tells the server an order changed. Call only after the change committed.
pub fn order_changed(ctx: &Context<'_>, order_id: i64) {
    if let Some(c) = ctx.data_opt::<Arc<dyn Changes>>() {
        c.order_changed(order_id);
    }
}

/// Tells viewers of a live session, on every replica. Call only after the change committed.
pub fn live_event(
    ctx: &Context<'_>,
    session_id: i64,
    kind: livestream::events::LiveEventKind,
    offer_id: Option<i64>,
) {
    if let Some(c) = ctx.data_opt::<Arc<dyn Changes>>() {
        c.live_event(livestream::events::Signal::now(session_id, kind, offer_id));
    }
}

/// Loads one value by key through the request's loader.
pub async fn load<K>(
    ctx: &Context<'_>,
    key: K,
) -> GqlResult<Option<<Loader as async_graphql::dataloader::Loader<K>>::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    Loader: async_graphql::dataloader::Loader<K, Error = Arc<kernel::Error>>,
{
    if let Some(v) = ctx.data_opt::<Prefetched>().and_then(|p| p.get(&key)) {
        return Ok(Some(v));
    }
    loader(ctx).load_one(key).await.map_err(errors::load_err)
}

/// Loads values by key: those read ahead at once, the rest through the request's loader.
pub async fn load_many<K>(
    ctx: &Context<'_>,
    keys: impl IntoIterator<Item = K>,
) -> GqlResult<HashMap<K, <Loader as async_graphql::dataloader::Loader<K>>::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    Loader: async_graphql::dataloader::Loader<K, Error = Arc<kernel::Error>>,
{
    let ahead = ctx.data_opt::<Prefetched>();
    let mut found = HashMap::new();
    let mut missing = Vec::new();
    for k in keys {
        match ahead.and_then(|p| p.get(&k)) {
            Some(v) => {
                found.insert(k, v);
            }
            None => missing.push(k),
        }
    }
    if !missing.is_empty() {
        found.extend(
            loader(ctx)
                .load_many(missing)
                .await
                .map_err(errors::load_err)?,
        );
    }
    Ok(found)
}

/// A service result split for a payload: the object, or the caller's mistakes.
pub fn outcome<T>(r: kernel::Result<T>) -> GqlResult<(Option<T>, Vec<UserError>)> {
    match r {
        Ok(v) => Ok((Some(v), vec![])),
        Err(e) => Ok((None, errors::user_errors(e)?)),
    }
}

/// Decodes an ID argument of a mutation; an ID of another type or garbage is `NOT_FOUND`.
pub fn decode_arg(kind: crate::ids::Kind, id: &str, field: &[&str]) -> kernel::Result<i64> {
    crate::ids::decode(kind, id)
        .ok_or_else(|| kernel::Error::not_found(field, Problem::ObjectNotFound))
}

/// The complexity of a page: each of its nodes costs what one node's selection costs.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let n = first.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    1 + n as usize * child_complexity
}

/// The complexity of a list without paging: priced as `max` items.
pub fn list_cost(max: usize, child_complexity: usize) -> usize {
    1 + max * child_complexity
}

/// A page of rows ordered by id, newest or oldest first: the caller's `first` and `after`
/// read once, the rows fetched with one more than the page to tell whether another follows.
pub struct IdPage {
    tag: &'static str,
    limit: u64,
    /// The last id the client saw.
    pub after: Option<i64>,
}

impl IdPage {
    pub fn new(first: Option<i32>, after: Option<&str>, tag: &'static str) -> GqlResult<IdPage> {
        Ok(IdPage {
            tag,
            limit: page_size(first).map_err(errors::top)?,
            after: after_id(after, tag).map_err(errors::top)?,
        })
    }

    /// How many rows to fetch: the page and one more.
    pub fn fetch(&self) -> u64 {
        self.limit + 1
    }

    /// The connection over the fetched rows.
    pub fn connection<R, T: OutputType>(
        &self,
        rows: Vec<R>,
        id: impl Fn(&R) -> i64,
        node: impl Fn(R) -> T,
    ) -> Connection<String, T> {
        let has_next = rows.len() as u64 > self.limit;
        let mut conn = Connection::new(self.after.is_some(), has_next);
        conn.edges.extend(
            rows.into_iter()
                .take(self.limit as usize)
                .map(|r| Edge::new(Cursor::new(self.tag, vec![id(&r)]).encode(), node(r))),
        );
        conn
    }
}
