//! GraphQL for accounts: `User`, `me`, `register`, `login`.

use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject};
use kernel::id::{self, Kind};
use kernel::{TopError, UserError, Viewer};
use sea_orm::DatabaseConnection;

use crate::service::{self, NewUser};
use crate::token::TokenKeys;
use crate::user;

/// Throttles login attempts; the server implements it with Redis or in memory.
pub trait LoginThrottle: Send + Sync {
    /// Counts an attempt for this e-mail and client address; `false` when over the limit.
    fn allow(
        &self,
        email: &str,
        client_ip: &str,
    ) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + '_>>;
}

/// The client's address, put into the request by the server.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct User {
    #[graphql(skip)]
    pub model: user::Model,
    pub name: String,
}

impl User {
    pub fn new(model: user::Model) -> User {
        User {
            name: model.name.clone(),
            model,
        }
    }
}

#[ComplexObject]
impl User {
    pub async fn id(&self) -> async_graphql::ID {
        id::encode(Kind::User, self.model.id)
    }
    /// Visible to the user themself and to ADMIN only.
    async fn email(&self, ctx: &Context<'_>) -> String {
        let viewer = ctx.data_unchecked::<Viewer>();
        if viewer.user_id == Some(self.model.id) || viewer.is_admin {
            self.model.email.clone()
        } else {
            String::new()
        }
    }
    async fn roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        service::roles(db, &self.model)
            .await
            .map_err(|e| e.into_top())
    }
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    pub token: Option<String>,
    pub user: Option<User>,
    /// When the token expires, RFC 3339.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub user_errors: Vec<UserError>,
}

impl AuthPayload {
    fn errors(user_errors: Vec<UserError>) -> AuthPayload {
        AuthPayload {
            token: None,
            user: None,
            expires_at: None,
            user_errors,
        }
    }
    fn ok(keys: &TokenKeys, model: user::Model) -> AuthPayload {
        AuthPayload {
            token: Some(keys.issue(model.id)),
            expires_at: Some(chrono::Utc::now() + chrono::Duration::seconds(keys.ttl_secs())),
            user: Some(User::new(model)),
            user_errors: vec![],
        }
    }
}

#[derive(InputObject)]
pub struct RegisterInput {
    pub email: String,
    pub password: String,
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The signed-in user, or null when anonymous.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let viewer = ctx.data_unchecked::<Viewer>();
        let Some(uid) = viewer.user_id else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let found = service::find_by_id(db, uid)
            .await
            .map_err(|e| e.into_top())?;
        Ok(found.map(User::new))
    }
}

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Creates a BUYER account and signs it in.
    async fn register(
        &self,
        ctx: &Context<'_>,
        input: RegisterInput,
    ) -> async_graphql::Result<AuthPayload> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let keys = ctx.data_unchecked::<TokenKeys>();
        let result = async {
            let new = NewUser::parse(
                &input.email,
                &input.password,
                &input.name,
                input.phone.as_deref(),
            )?;
            service::register(db, new, false).await
        }
        .await;
        match result {
            Ok(model) => Ok(AuthPayload::ok(keys, model)),
            Err(e) => Ok(AuthPayload::errors(e.into_user_errors()?)),
        }
    }

    /// Signs in. Rate-limited per e-mail and per client address.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> async_graphql::Result<AuthPayload> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let keys = ctx.data_unchecked::<TokenKeys>();
        if let Some(throttle) = ctx.data_opt::<std::sync::Arc<dyn LoginThrottle>>() {
            let ip = ctx
                .data_opt::<ClientIp>()
                .map(|c| c.0.clone())
                .unwrap_or_default();
            let key = email.trim().to_lowercase();
            if !throttle.allow(&key, &ip).await {
                return Err(TopError::rate_limited().into());
            }
        }
        match service::authenticate(db, &email, &password).await {
            Ok(model) => Ok(AuthPayload::ok(keys, model)),
            Err(e) => Ok(AuthPayload::errors(e.into_user_errors()?)),
        }
    }
}
