//! Who may see an order, and which part: its buyer and ADMIN see all of it; a producer's
//! member sees only their producers' parts (shipments, lines, and the totals of those).

use kernel::id::OrderId;
use kernel::{Result, Viewer};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{order, seller_order};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Producers(Vec<i64>),
}

impl Scope {
    pub fn sees(&self, producer_id: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Producers(p) => p.contains(&producer_id),
        }
    }
}

/// The scope in which the viewer may see the order, if at all.
pub async fn scope_for(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    o: &order::Model,
) -> Result<Option<Scope>> {
    let Some(uid) = viewer.user_id else {
        return Ok(None);
    };
    if viewer.is_admin || o.buyer_id == uid {
        return Ok(Some(Scope::All));
    }
    let producers: Vec<i64> = seller_order::Entity::find()
        .select_only()
        .column(seller_order::Column::ProducerId)
        .filter(seller_order::Column::OrderId.eq(o.id))
        .into_tuple()
        .all(db)
        .await?;
    let mine = catalog::access::member_of(db, uid, &producers).await?;
    Ok((!mine.is_empty()).then_some(Scope::Producers(mine)))
}

/// The order and the viewer's scope in it; `None` when it does not exist or the viewer may
/// not see it.
pub async fn visible_order(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: OrderId,
) -> Result<Option<(order::Model, Scope)>> {
    let Some(o) = order::Entity::find_by_id(id.get()).one(db).await? else {
        return Ok(None);
    };
    Ok(scope_for(db, viewer, &o).await?.map(|s| (o, s)))
}
