use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub buyer_id: i64,
    pub status: OrderStatus,
    pub subtotal: i64,
    pub shipping_total: i64,
    pub total: i64,
    pub ship_name: String,
    pub ship_phone: String,
    pub ship_province_code: String,
    pub ship_commune_code: Option<String>,
    pub ship_line: String,
    pub idempotency_key: String,
    /// sha-256 of the checkout input, to tell a retry from a reused key.
    pub request_hash: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

kernel::stored_enum! {
    /// The status of an order and of each producer's part of it (see `lifecycle`).
    pub enum OrderStatus {
        AwaitingPayment = "AWAITING_PAYMENT",
        Confirmed = "CONFIRMED",
        Packed = "PACKED",
        Shipped = "SHIPPED",
        Delivered = "DELIVERED",
        Completed = "COMPLETED",
        Cancelled = "CANCELLED",
        Refunded = "REFUNDED",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
