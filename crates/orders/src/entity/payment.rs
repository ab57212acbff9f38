use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub method: PaymentMethod,
    pub status: PaymentStatus,
    pub amount: i64,
    pub created_at: DateTimeUtc,
    /// What the provider reports the payment by: VNPay's `TxnRef`, a VietQR transfer's text,
    /// Stripe's PaymentIntent id.
    pub reference: Option<String>,
    /// VNPay's payment page for this payment.
    pub redirect_url: Option<String>,
    pub updated_at: DateTimeUtc,
    /// For STRIPE: the PaymentIntent's client secret, for Stripe Elements in the browser.
    pub client_secret: Option<String>,
    /// Whole đồng taken from the buyer: by a provider, or in cash as parts are delivered.
    pub captured: i64,
    /// Whole đồng given back (or owed back by hand), never more than `captured`.
    pub refunded: i64,
}

kernel::stored_enum! {
    pub enum PaymentMethod {
        Cod = "COD",
        Stripe = "STRIPE",
        Vnpay = "VNPAY",
        BankTransfer = "BANK_TRANSFER",
    }
}

kernel::stored_enum! {
    pub enum PaymentStatus {
        Pending = "PENDING",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
        Expired = "EXPIRED",
        Refunded = "REFUNDED",
        PartiallyRefunded = "PARTIALLY_REFUNDED",
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
