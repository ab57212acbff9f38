use sea_orm_migration::prelude::*;

use crate::sql::exec_script;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `producerMemberAdd` invites; the person accepts. It used to enrol any registered user at
/// once, without their consent, and told the caller whether an e-mail was registered.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        exec_script(
            manager,
            r#"
CREATE TABLE producer_invitations (
    id {pk},
    producer_id BIGINT NOT NULL REFERENCES producers (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    invited_by BIGINT NOT NULL REFERENCES users (id),
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    accepted_at {ts}
);
CREATE INDEX producer_invitations_producer_email_idx ON producer_invitations (producer_id, email);
CREATE INDEX producer_invitations_invited_by_idx ON producer_invitations (invited_by, created_at);
"#,
        )
        .await
    }
}
