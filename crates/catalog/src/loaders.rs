//! DataLoaders: every field that crosses to another entity is batched, so a page of 20
//! products with producer, certificate, category, variants, availability and images costs one
//! query per kind, however deep the selection.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use kernel::time::today_vn;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{
    category, certificate, image, lot, member, producer, product, trace_event, variant,
};

/// One loader per request, created by the server with the request's database handle.
pub struct CatalogLoader {
    db: DatabaseConnection,
}

pub type CatalogDataLoader = DataLoader<CatalogLoader>;

impl CatalogLoader {
    pub fn data_loader(db: DatabaseConnection) -> CatalogDataLoader {
        DataLoader::new(CatalogLoader { db }, tokio::spawn)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProducerKey(pub i64);
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertificateKey(pub i64);
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CategoryKey(pub String);
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VariantsOf(pub i64);
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImagesOf(pub i64);
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AvailableOf(pub i64);
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProductKey(pub i64);
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VariantKey(pub i64);
/// A lot's events, in order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventsOf(pub i64);
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LotKey(pub i64);
/// Whether a product is listed to the public today.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListedKey(pub i64);
/// The role of a user in a producer: `MemberKey { user_id, producer_id }`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemberKey {
    pub user_id: i64,
    pub producer_id: i64,
}

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

impl Loader<ProducerKey> for CatalogLoader {
    type Value = producer::Model;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[ProducerKey]) -> LoadResult<ProducerKey, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = producer::Entity::find()
            .filter(producer::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (ProducerKey(r.id), r)).collect())
    }
}

impl Loader<CertificateKey> for CatalogLoader {
    type Value = certificate::Model;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[CertificateKey]) -> LoadResult<CertificateKey, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = certificate::Entity::find()
            .filter(certificate::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (CertificateKey(r.id), r))
            .collect())
    }
}

impl Loader<CategoryKey> for CatalogLoader {
    type Value = category::Model;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[CategoryKey]) -> LoadResult<CategoryKey, Self::Value> {
        let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = category::Entity::find()
            .filter(category::Column::Code.is_in(codes))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (CategoryKey(r.code.clone()), r))
            .collect())
    }
}

impl Loader<VariantsOf> for CatalogLoader {
    type Value = Vec<variant::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[VariantsOf]) -> LoadResult<VariantsOf, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = variant::Entity::find()
            .filter(variant::Column::ProductId.is_in(ids))
            .order_by_asc(variant::Column::Price)
            .order_by_asc(variant::Column::Id)
            .all(&self.db)
            .await?;
        let mut out: HashMap<VariantsOf, Vec<variant::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            out.entry(VariantsOf(r.product_id)).or_default().push(r);
        }
        Ok(out)
    }
}

impl Loader<ImagesOf> for CatalogLoader {
    type Value = Vec<image::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[ImagesOf]) -> LoadResult<ImagesOf, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = image::Entity::find()
            .filter(image::Column::ProductId.is_in(ids))
            .order_by_asc(image::Column::Position)
            .all(&self.db)
            .await?;
        let mut out: HashMap<ImagesOf, Vec<image::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            out.entry(ImagesOf(r.product_id)).or_default().push(r);
        }
        Ok(out)
    }
}

impl Loader<AvailableOf> for CatalogLoader {
    type Value = i64;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[AvailableOf]) -> LoadResult<AvailableOf, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let found = crate::variants::available(&self.db, &ids, today_vn())
            .await
            .map_err(|e| match e {
                kernel::Error::Db(d) => Arc::new(d),
                other => Arc::new(DbErr::Custom(other.to_string())),
            })?;
        Ok(keys
            .iter()
            .map(|k| (*k, found.get(&k.0).copied().unwrap_or(0)))
            .collect())
    }
}

impl Loader<ProductKey> for CatalogLoader {
    type Value = product::Model;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[ProductKey]) -> LoadResult<ProductKey, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = product::Entity::find()
            .filter(product::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (ProductKey(r.id), r)).collect())
    }
}

impl Loader<ListedKey> for CatalogLoader {
    type Value = bool;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[ListedKey]) -> LoadResult<ListedKey, Self::Value> {
        use sea_orm::ConnectionTrait;
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut q = kernel::sql::Sql::new(self.db.get_database_backend());
        q.push(
            "SELECT p.id FROM products p JOIN ocop_certificates c ON c.id = p.certificate_id \
             JOIN producers pr ON pr.id = p.producer_id WHERE p.id IN ",
        )
        .bind_list(&ids)
        .push(" AND");
        crate::listing::push_listed(&mut q, today_vn());
        let rows = self.db.query_all_raw(q.build()).await?;
        let mut out: HashMap<ListedKey, bool> = keys.iter().map(|k| (*k, false)).collect();
        for r in rows {
            out.insert(ListedKey(r.try_get::<i64>("", "id")?), true);
        }
        Ok(out)
    }
}

impl Loader<MemberKey> for CatalogLoader {
    type Value = String;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[MemberKey]) -> LoadResult<MemberKey, Self::Value> {
        let users: Vec<i64> = keys.iter().map(|k| k.user_id).collect();
        let producers: Vec<i64> = keys.iter().map(|k| k.producer_id).collect();
        let rows = member::Entity::find()
            .filter(member::Column::UserId.is_in(users))
            .filter(member::Column::ProducerId.is_in(producers))
            .all(&self.db)
            .await?;
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

impl Loader<VariantKey> for CatalogLoader {
    type Value = variant::Model;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[VariantKey]) -> LoadResult<VariantKey, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = variant::Entity::find()
            .filter(variant::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (VariantKey(r.id), r)).collect())
    }
}

impl Loader<LotKey> for CatalogLoader {
    type Value = lot::Model;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[LotKey]) -> LoadResult<LotKey, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = lot::Entity::find()
            .filter(lot::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (LotKey(r.id), r)).collect())
    }
}

impl Loader<EventsOf> for CatalogLoader {
    type Value = Vec<trace_event::Model>;
    type Error = Arc<DbErr>;
    async fn load(&self, keys: &[EventsOf]) -> LoadResult<EventsOf, Self::Value> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = trace_event::Entity::find()
            .filter(trace_event::Column::LotId.is_in(ids))
            .order_by_asc(trace_event::Column::Seq)
            .all(&self.db)
            .await?;
        let mut out: HashMap<EventsOf, Vec<trace_event::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            out.entry(EventsOf(r.lot_id)).or_default().push(r);
        }
        Ok(out)
    }
}
