//! Bearer tokens: HS256 JWTs carrying the user id, with an expiry.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
}

/// Keys built once from the configured secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_secs: i64,
}

impl TokenKeys {
    /// Fails on an empty secret.
    pub fn new(secret: &[u8], ttl_secs: i64) -> Result<TokenKeys, String> {
        let bad = |e: jsonwebtoken::errors::Error| format!("JWT secret: {e}");
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret).map_err(bad)?,
            decoding: DecodingKey::from_secret(secret).map_err(bad)?,
            ttl_secs,
        })
    }

    pub fn issue(&self, user_id: i64) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now + self.ttl_secs,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// The user id of a valid, unexpired token; `None` for anything forged, expired or garbled.
    pub fn verify(&self, token: &str) -> Option<i64> {
        self.verify_until(token).map(|(user, _)| user)
    }

    /// The user id of a valid, unexpired token and when it expires (unix seconds): a
    /// long-lived connection ends its subscriptions then.
    pub fn verify_until(&self, token: &str) -> Option<(i64, i64)> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?;
        Some((data.claims.sub.parse().ok()?, data.claims.exp))
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_expired_and_forged_tokens() {
        let keys = TokenKeys::new(b"secret-one", 3600).unwrap();
        let t = keys.issue(7);
        assert_eq!(keys.verify(&t), Some(7));
        let other = TokenKeys::new(b"secret-two", 3600).unwrap();
        assert_eq!(other.verify(&t), None);
        let expired = TokenKeys::new(b"secret-one", -10).unwrap();
        assert_eq!(keys.verify(&expired.issue(7)), None);
        assert_eq!(keys.verify("garbage"), None);
    }
}
