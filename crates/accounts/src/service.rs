//! Account services: plain async functions over any connection (inside a transaction or not).

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use kernel::ErrorCode;
use kernel::domain::{Email, PhoneVn, text};
use kernel::error::is_unique_violation;
pub use kernel::error::{Error, Result};
use kernel::id::UserId;
use kernel::problem::{Label, Problem};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, Statement,
};

use crate::user;

pub const MIN_PASSWORD: usize = 8;
pub const MAX_PASSWORD: usize = 128;

/// A registration request, parsed.
pub struct NewUser {
    pub email: Email,
    pub password: String,
    pub name: String,
    pub phone: Option<PhoneVn>,
}

impl NewUser {
    pub fn parse(email: &str, password: &str, name: &str, phone: Option<&str>) -> Result<NewUser> {
        let email = Email::parse(email).map_err(|m| Error::invalid(&["input", "email"], m))?;
        let n = password.chars().count();
        if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
            return Err(Error::invalid(
                &["input", "password"],
                Problem::PasswordLength {
                    min: MIN_PASSWORD,
                    max: MAX_PASSWORD,
                },
            ));
        }
        let name = text(name, 100, Label::PersonName)
            .map_err(|m| Error::invalid(&["input", "name"], m))?;
        let phone = match phone.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(PhoneVn::parse(p).map_err(|m| Error::invalid(&["input", "phone"], m))?),
        };
        Ok(NewUser {
            email,
            password: password.to_owned(),
            name,
            phone,
        })
    }
}

/// At most this many argon2 computations at once in this process: each takes tens of
/// milliseconds and 19 MiB, so a flood of registrations or logins queues here instead of
/// taking every core and the memory with it.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Hashes a password with argon2id off the async threads (it takes tens of milliseconds).
pub async fn hash_password(password: String) -> String {
    let _permit = HASHING
        .acquire()
        .await
        .expect("the semaphore is never closed");
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .expect("argon2 hashing with default params cannot fail")
            .to_string()
    })
    .await
    .expect("hashing task panicked")
}

async fn verify_password(password: String, hash: String) -> bool {
    let _permit = HASHING
        .acquire()
        .await
        .expect("the semaphore is never closed");
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Creates a user. A taken e-mail is `DUPLICATE`.
pub async fn register(
    db: &impl ConnectionTrait,
    new: NewUser,
    is_admin: bool,
) -> Result<user::Model> {
    let hash = hash_password(new.password).await;
    let model = user::ActiveModel {
        email: Set(new.email.as_str().to_owned()),
        password_hash: Set(hash),
        name: Set(new.name),
        phone: Set(new.phone.map(|p| p.as_str().to_owned())),
        is_admin: Set(is_admin),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    model.insert(db).await.map_err(|e| {
        if is_unique_violation(&e, "users_email_key", "users.email") {
            Error::code(
                ErrorCode::Duplicate,
                &["input", "email"],
                Problem::EmailTaken,
            )
        } else {
            Error::Db(e)
        }
    })
}

/// The user with this e-mail and password. Wrong e-mail and wrong password look the same to the
/// caller, and take the same time.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> Result<user::Model> {
    let wrong = || Error::invalid(&["password"], Problem::WrongCredentials);
    let found = match Email::parse(email) {
        Ok(e) => find_by_email(db, &e).await?,
        Err(_) => None,
    };
    // A fixed hash keeps the timing of an unknown e-mail close to that of a wrong password.
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0ScKWGSpSnxnVm9yB5D3EXDKVGtsNJ7Ey4v5Ba4YJwQ";
    let hash = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY.to_owned());
    let ok = verify_password(password.to_owned(), hash).await;
    match found {
        Some(u) if ok => Ok(u),
        _ => Err(wrong()),
    }
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?)
}

pub async fn find_by_id(db: &impl ConnectionTrait, id: UserId) -> Result<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id.get()).one(db).await?)
}

/// Users by id, for batched loading.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// A role a user holds on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Buyer,
    ProducerMember,
    /// A creator ADMIN verified: may sell on livestreams and through affiliate links.
    Creator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "BUYER",
            Role::ProducerMember => "PRODUCER_MEMBER",
            Role::Creator => "CREATOR",
            Role::Admin => "ADMIN",
        }
    }
}

/// Makes an existing user ADMIN, or creates one. Used by `create-admin`.
pub async fn ensure_admin(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> Result<user::Model> {
    let new = NewUser::parse(email, password, "Quản trị viên", None)?;
    if let Some(existing) = find_by_email(db, &new.email).await? {
        let hash = hash_password(new.password).await;
        let mut active: user::ActiveModel = existing.into();
        active.is_admin = Set(true);
        active.password_hash = Set(hash);
        return Ok(active.update(db).await?);
    }
    register(db, new, true).await
}

/// The roles a user holds: everyone is BUYER; PRODUCER_MEMBER when they belong to a producer
/// (the catalog's `producer_members` table, read here without depending on the catalog);
/// CREATOR once ADMIN verified their creator application (livestream's `creators`);
/// ADMIN for the platform and OCOP offices.
pub async fn roles(db: &impl ConnectionTrait, user: &user::Model) -> Result<Vec<Role>> {
    let mut roles = vec![Role::Buyer];
    let backend = db.get_database_backend();
    let member = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => {
                    "SELECT 1 AS one FROM producer_members WHERE user_id = $1 LIMIT 1"
                }
                _ => "SELECT 1 AS one FROM producer_members WHERE user_id = ? LIMIT 1",
            },
            [user.id.into()],
        ))
        .await?;
    if member.is_some() {
        roles.push(Role::ProducerMember);
    }
    // The livestream crate's `creators` table, read the same way.
    let creator = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => {
                    "SELECT 1 AS one FROM creators WHERE user_id = $1 AND status = 'VERIFIED'"
                }
                _ => "SELECT 1 AS one FROM creators WHERE user_id = ? AND status = 'VERIFIED'",
            },
            [user.id.into()],
        ))
        .await?;
    if creator.is_some() {
        roles.push(Role::Creator);
    }
    if user.is_admin {
        roles.push(Role::Admin);
    }
    Ok(roles)
}
