//! Accounts: `User`, `me`, `register`, `login`.

use accounts::service::{self, NewUser};
use accounts::token::TokenKeys;
use accounts::user;
use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject};
use kernel::Viewer;
use kernel::id::UserId;

use crate::context::{LoginThrottle, client_ip, db};
use crate::errors::{self, TopError, UserError};
use crate::ids::{self, Kind};

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

    /// The user a field points to, through the request's loader; `field` names it in the
    /// error if the row is gone.
    pub async fn load(ctx: &Context<'_>, id: i64, field: &str) -> crate::context::GqlResult<User> {
        crate::context::load(ctx, crate::loaders::UserKey(id))
            .await?
            .map(User::new)
            .ok_or_else(|| errors::missing(field))
    }
}

#[ComplexObject]
impl User {
    pub async fn id(&self) -> async_graphql::ID {
        ids::encode(Kind::User, self.model.id)
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
    /// The user's creator application and its status: for the user themself and ADMIN.
    async fn creator(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::livestream::Creator>> {
        crate::livestream::creator_of(ctx, self.model.id).await
    }
    async fn roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        Ok(service::roles(db(ctx), &self.model)
            .await
            .map_err(errors::top)?
            .into_iter()
            .map(|r| r.as_str().to_owned())
            .collect())
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
        let found = service::find_by_id(db(ctx), UserId(uid))
            .await
            .map_err(errors::top)?;
        Ok(found.map(User::new))
    }
}

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Creates a BUYER account and signs it in. Rate-limited per client address.
    async fn register(
        &self,
        ctx: &Context<'_>,
        input: RegisterInput,
    ) -> async_graphql::Result<AuthPayload> {
        let keys = ctx.data_unchecked::<TokenKeys>();
        if let Some(throttle) = ctx.data_opt::<std::sync::Arc<dyn LoginThrottle>>()
            && !throttle.allow_register(client_ip(ctx)).await
        {
            return Err(TopError::rate_limited().into());
        }
        let result = async {
            let new = NewUser::parse(
                &input.email,
                &input.password,
                &input.name,
                input.phone.as_deref(),
            )?;
            service::register(db(ctx), new, false).await
        }
        .await;
        match result {
            Ok(model) => Ok(AuthPayload::ok(keys, model)),
            Err(e) => Ok(AuthPayload::errors(errors::user_errors(e)?)),
        }
    }

    /// Signs in. Rate-limited per e-mail and per client address.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> async_graphql::Result<AuthPayload> {
        let keys = ctx.data_unchecked::<TokenKeys>();
        if let Some(throttle) = ctx.data_opt::<std::sync::Arc<dyn LoginThrottle>>() {
            let key = email.trim().to_lowercase();
            if !throttle.allow(&key, client_ip(ctx)).await {
                return Err(TopError::rate_limited().into());
            }
        }
        match service::authenticate(db(ctx), &email, &password).await {
            Ok(model) => Ok(AuthPayload::ok(keys, model)),
            Err(e) => Ok(AuthPayload::errors(errors::user_errors(e)?)),
        }
    }
}
