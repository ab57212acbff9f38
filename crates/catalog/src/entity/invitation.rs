use sea_orm::entity::prelude::*;

/// An OWNER's invitation to join a producer, for an e-mail address: the person accepts it
/// (`producerInvitationAccept`) while signed in with that address, within a week.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "producer_invitations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub producer_id: i64,
    /// Lower-cased, as accounts store it.
    pub email: String,
    pub role: super::member::MemberRole,
    pub invited_by: i64,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
