//! DataLoaders: every field that crosses to another entity is batched, so a page of products,
//! orders or lots costs one statement per kind of thing, however many rows and however deep
//! the selection. One loader per request (per websocket connection for subscriptions).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use async_graphql::dataloader::DataLoader;
use catalog::entity::{MemberRole, category, certificate, image, lot, producer, product, variant};
use kernel::db::Db;
use kernel::time::today_vn;
use orders::entity::{allocation, order, order_line, payment, seller_order};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use traceability::entity::trace_event;

/// The batch functions, over the request's database handle.
pub struct Loader {
    db: Db,
}

pub type Loaders = DataLoader<Loader>;

pub fn new(db: Db) -> Loaders {
    DataLoader::new(Loader { db }, tokio::spawn)
}

/// Values read ahead with a page, by loader key: a listing page reads its products' producers,
/// certificates, variants and stock in a fixed handful of statements, and the resolvers below
/// take them from here (`context::load`) instead of waiting on the DataLoader's batching delay.
/// One per request; only queries fill it, so nothing in it is older than the request.
#[derive(Default)]
pub struct Prefetched(Mutex<HashMap<TypeId, Box<dyn Any + Send + Sync>>>);

impl Prefetched {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<TypeId, Box<dyn Any + Send + Sync>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn feed<K, V>(&self, items: impl IntoIterator<Item = (K, V)>)
    where
        K: Hash + Eq + Send + Sync + 'static,
        V: Send + Sync + 'static,
    {
        let mut m = self.map();
        let slot = m
            .entry(TypeId::of::<HashMap<K, V>>())
            .or_insert_with(|| Box::new(HashMap::<K, V>::new()));
        if let Some(map) = slot.downcast_mut::<HashMap<K, V>>() {
            map.extend(items);
        }
    }

    pub fn get<K, V>(&self, key: &K) -> Option<V>
    where
        K: Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        self.map()
            .get(&TypeId::of::<HashMap<K, V>>())?
            .downcast_ref::<HashMap<K, V>>()?
            .get(key)
            .cloned()
    }
}

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<kernel::Error>>;

fn by<K: Hash + Eq, V>(rows: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, V> {
    rows.into_iter().map(|r| (key(&r), r)).collect()
}

pub(crate) fn grouped<K: Hash + Eq + Copy, V>(
    keys: &[K],
    rows: Vec<V>,
    key: impl Fn(&V) -> K,
) -> HashMap<K, Vec<V>> {
    let mut out: HashMap<K, Vec<V>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for r in rows {
        out.entry(key(&r)).or_default().push(r);
    }
    out
}

fn db_err(e: sea_orm::DbErr) -> Arc<kernel::Error> {
    Arc::new(kernel::Error::Db(e))
}

macro_rules! key {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub struct $name(pub i64);
    )*};
}

key!(
    ProducerKey,
    CertificateKey,
    ProductKey,
    VariantKey,
    LotKey,
    UserKey,
    OrderKey,
    SellerOrderKey,
    OrderLineKey,
    LiveSessionKey,
    /// A product's variants, cheapest first.
    VariantsOf,
    /// A product's images, in order.
    ImagesOf,
    /// Units available of a variant (its sellable lots).
    AvailableOf,
    /// Whether a product is listed to the public today.
    ListedKey,
    /// A lot's events, in order.
    EventsOf,
    /// An order's seller orders (one per producer).
    SellerOrdersOf,
    /// A seller order's lines.
    LinesOf,
    /// An order line's lot allocations.
    AllocationsOf,
    /// An order's payment.
    PaymentOf,
);

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct CategoryKey(pub String);

/// The role of a user in a producer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MemberKey {
    pub user_id: i64,
    pub producer_id: i64,
}

fn ids<K: Copy>(keys: &[K], f: impl Fn(K) -> i64) -> Vec<i64> {
    keys.iter().map(|k| f(*k)).collect()
}

macro_rules! by_id {
    ($key:ident, $value:ty, $read:path) => {
        impl async_graphql::dataloader::Loader<$key> for Loader {
            type Value = $value;
            type Error = Arc<kernel::Error>;
            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $value> {
                let rows = $read(&self.db, &ids(keys, |k| k.0)).await?;
                Ok(by(rows, |r| $key(r.id)))
            }
        }
    };
}

by_id!(ProducerKey, producer::Model, catalog::reads::producers);
by_id!(
    CertificateKey,
    certificate::Model,
    catalog::reads::certificates
);
by_id!(ProductKey, product::Model, catalog::reads::products);
by_id!(VariantKey, variant::Model, catalog::reads::variants);
by_id!(LotKey, lot::Model, catalog::stock::by_ids);
by_id!(UserKey, accounts::user::Model, accounts::service::by_ids);
by_id!(OrderKey, order::Model, orders::reads::orders);
by_id!(OrderLineKey, order_line::Model, orders::reads::lines);
by_id!(
    LiveSessionKey,
    livestream::entity::live_session::Model,
    livestream::sessions::by_ids
);
by_id!(
    SellerOrderKey,
    seller_order::Model,
    orders::reads::seller_orders
);

macro_rules! many_of {
    ($key:ident, $value:ty, $read:path, $field:ident) => {
        impl async_graphql::dataloader::Loader<$key> for Loader {
            type Value = Vec<$value>;
            type Error = Arc<kernel::Error>;
            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Vec<$value>> {
                let rows = $read(&self.db, &ids(keys, |k| k.0)).await?;
                Ok(grouped(keys, rows, |r| $key(r.$field)))
            }
        }
    };
}

many_of!(
    VariantsOf,
    variant::Model,
    catalog::reads::variants_of,
    product_id
);
many_of!(
    ImagesOf,
    image::Model,
    catalog::reads::images_of,
    product_id
);
many_of!(
    SellerOrdersOf,
    seller_order::Model,
    orders::reads::seller_orders_of,
    order_id
);
many_of!(
    LinesOf,
    order_line::Model,
    orders::reads::lines_of,
    seller_order_id
);
many_of!(
    AllocationsOf,
    allocation::Model,
    orders::reads::allocations_of,
    order_line_id
);

impl async_graphql::dataloader::Loader<PaymentOf> for Loader {
    type Value = payment::Model;
    type Error = Arc<kernel::Error>;
    async fn load(&self, keys: &[PaymentOf]) -> LoadResult<PaymentOf, payment::Model> {
        let rows = orders::reads::payments_of(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(by(rows, |r| PaymentOf(r.order_id)))
    }
}

impl async_graphql::dataloader::Loader<CategoryKey> for Loader {
    type Value = category::Model;
    type Error = Arc<kernel::Error>;
    async fn load(&self, keys: &[CategoryKey]) -> LoadResult<CategoryKey, category::Model> {
        let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = catalog::reads::categories(&self.db, &codes).await?;
        Ok(by(rows, |r| CategoryKey(r.code.clone())))
    }
}

impl async_graphql::dataloader::Loader<AvailableOf> for Loader {
    type Value = i64;
    type Error = Arc<kernel::Error>;
    async fn load(&self, keys: &[AvailableOf]) -> LoadResult<AvailableOf, i64> {
        let found = catalog::stock::available(&self.db, &ids(keys, |k| k.0), today_vn()).await?;
        Ok(keys
            .iter()
            .map(|k| (*k, found.get(&k.0).copied().unwrap_or(0)))
            .collect())
    }
}

impl async_graphql::dataloader::Loader<ListedKey> for Loader {
    type Value = bool;
    type Error = Arc<kernel::Error>;
    async fn load(&self, keys: &[ListedKey]) -> LoadResult<ListedKey, bool> {
        let listed =
            catalog::reads::listed_among(&self.db, &ids(keys, |k| k.0), today_vn()).await?;
        Ok(keys.iter().map(|k| (*k, listed.contains(&k.0))).collect())
    }
}

impl async_graphql::dataloader::Loader<MemberKey> for Loader {
    type Value = MemberRole;
    type Error = Arc<kernel::Error>;
    async fn load(&self, keys: &[MemberKey]) -> LoadResult<MemberKey, MemberRole> {
        let users: Vec<i64> = keys.iter().map(|k| k.user_id).collect();
        let producers: Vec<i64> = keys.iter().map(|k| k.producer_id).collect();
        let rows = catalog::reads::memberships(&self.db, &users, &producers).await?;
        Ok(rows
            .into_iter()
            .map(|m| {
                (
                    MemberKey {
                        user_id: m.user_id,
                        producer_id: m.producer_id,
                    },
                    m.role,
                )
            })
            .collect())
    }
}

impl async_graphql::dataloader::Loader<EventsOf> for Loader {
    type Value = Vec<trace_event::Model>;
    type Error = Arc<kernel::Error>;
    async fn load(&self, keys: &[EventsOf]) -> LoadResult<EventsOf, Vec<trace_event::Model>> {
        let rows = trace_event::Entity::find()
            .filter(trace_event::Column::LotId.is_in(ids(keys, |k| k.0)))
            .order_by_asc(trace_event::Column::Seq)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(grouped(keys, rows, |r| EventsOf(r.lot_id)))
    }
}
