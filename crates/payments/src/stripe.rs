//! Stripe: PaymentIntents and refunds through async-stripe, the `Stripe-Signature` check on a
//! webhook's raw body, and the few fields of an event we act on.
//!
//! Responses and events are read field by field, never into Stripe's full typed objects: an
//! account pinned to an older API version (localstripe speaks 2017-08-15) sends older shapes,
//! and the fields we need (ids, amounts, currency, status) are the same in all of them.

use std::fmt;
use std::sync::Arc;

use ::stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use futures_util::future::BoxFuture;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use stripe_core::payment_intent::CreatePaymentIntent;
use stripe_core::refund::CreateRefund;

/// How old (or how far in the future) a signed webhook may be, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// A card processor, as orders needs it. [`Stripe`] is the real one; tests may plug another.
pub trait CardGateway: Send + Sync + fmt::Debug {
    /// Creates a payment the buyer completes in the browser. The key makes a retry return the
    /// same intent instead of a second one.
    fn create_intent<'a>(
        &'a self,
        req: &'a IntentRequest<'a>,
    ) -> BoxFuture<'a, Result<Intent, GatewayError>>;
    /// Gives money back; the key makes a retried refund happen once.
    fn refund<'a>(
        &'a self,
        req: &'a RefundRequest<'a>,
    ) -> BoxFuture<'a, Result<RefundDone, GatewayError>>;
}

pub struct IntentRequest<'a> {
    /// Whole đồng: VND is a zero-decimal currency at Stripe.
    pub amount: i64,
    pub order_number: &'a str,
    pub idempotency_key: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    pub client_secret: String,
}

pub struct RefundRequest<'a> {
    pub intent_id: &'a str,
    pub amount: i64,
    pub idempotency_key: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundDone {
    pub id: String,
    /// `false` while Stripe still processes it (`pending`); `charge.refunded` follows.
    pub succeeded: bool,
}

/// Stripe could not be reached or refused the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayError(pub String);

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "card gateway: {}", self.0)
    }
}

impl std::error::Error for GatewayError {}

/// Stripe's API, through async-stripe.
#[derive(Debug)]
pub struct Stripe {
    client: ::stripe::Client,
}

impl Stripe {
    /// `api_base` points the client elsewhere than api.stripe.com (tests: localstripe).
    pub fn new(secret_key: &str, api_base: Option<&str>) -> Result<Self, GatewayError> {
        let mut builder = ::stripe::ClientBuilder::new(secret_key);
        if let Some(base) = api_base {
            builder = builder.url(base.trim_end_matches('/'));
        }
        builder
            .build()
            .map(|client| Stripe { client })
            .map_err(|e| GatewayError(e.to_string()))
    }

    pub fn shared(self) -> Arc<dyn CardGateway> {
        Arc::new(self)
    }
}

impl Stripe {
    /// Sends `request` once under `idempotency_key`, reading only the fields `T` names from
    /// the answer (whatever the account's API version).
    async fn send<T: miniserde::Deserialize>(
        &self,
        request: impl StripeRequest,
        idempotency_key: &str,
    ) -> Result<T, GatewayError> {
        let key = IdempotencyKey::new(idempotency_key).map_err(|e| GatewayError(e.to_string()))?;
        request
            .build()
            .customize()
            .request_strategy(RequestStrategy::Idempotent(key))
            .send(&self.client)
            .await
            .map_err(|e| GatewayError(e.to_string()))
    }
}

/// The fields of a PaymentIntent we keep.
#[derive(miniserde::Deserialize)]
struct IntentFields {
    id: String,
    client_secret: Option<String>,
}

/// The fields of a Refund we keep.
#[derive(miniserde::Deserialize)]
struct RefundFields {
    id: String,
    status: Option<String>,
}

impl CardGateway for Stripe {
    fn create_intent<'a>(
        &'a self,
        req: &'a IntentRequest<'a>,
    ) -> BoxFuture<'a, Result<Intent, GatewayError>> {
        Box::pin(async move {
            // Only parameters both Stripe and localstripe accept: amount, currency, metadata.
            let create = CreatePaymentIntent::new(req.amount, stripe_types::Currency::VND)
                .metadata([("order_number".to_owned(), req.order_number.to_owned())]);
            let got: IntentFields = self.send(create, req.idempotency_key).await?;
            let client_secret = got
                .client_secret
                .ok_or_else(|| GatewayError("PaymentIntent without client_secret".into()))?;
            Ok(Intent {
                id: got.id,
                client_secret,
            })
        })
    }

    fn refund<'a>(
        &'a self,
        req: &'a RefundRequest<'a>,
    ) -> BoxFuture<'a, Result<RefundDone, GatewayError>> {
        Box::pin(async move {
            let create = CreateRefund::new()
                .payment_intent(req.intent_id)
                .amount(req.amount);
            let got: RefundFields = self.send(create, req.idempotency_key).await?;
            Ok(RefundDone {
                id: got.id,
                succeeded: got.status.as_deref() == Some("succeeded"),
            })
        })
    }
}

/// Why a webhook's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No header, or no `t` or no `v1` in it.
    Malformed,
    /// Signed more than [`TOLERANCE_SECS`] from now: perhaps a replay.
    Stale,
    /// No `v1` matches any configured secret.
    Mismatch,
}

/// Checks `Stripe-Signature` (`t=…,v1=…[,v1=…]`) on the raw body: some `v1` must be
/// HMAC-SHA256(secret, "{t}.{body}") for one of `secrets` (several during a rotation), and
/// `t` within [`TOLERANCE_SECS`] of `now` (unix seconds).
pub fn verify_signature(
    header: Option<&str>,
    body: &[u8],
    secrets: &[String],
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Malformed)?;
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) if t.is_none() => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => {
                if let Ok(sig) = hex::decode(v) {
                    v1.push(sig);
                }
            }
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if v1.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - t).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    for secret in secrets {
        let expected = sign(secret, t, body);
        if v1.iter().any(|sig| crate::same(sig, &expected)) {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

/// HMAC-SHA256(secret, "{t}.{body}"), as Stripe signs an event.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// The part of a Stripe event we act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `evt_…`: the same id twice is one event.
    pub id: String,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// `payment_intent.succeeded`, `.payment_failed` or `.canceled`.
    Intent {
        outcome: IntentOutcome,
        intent_id: String,
        /// In the currency's units: whole đồng for `vnd`.
        amount: i64,
        currency: String,
    },
    /// `charge.refunded`: how much of the charge is refunded in all, by whatever means.
    ChargeRefunded {
        intent_id: String,
        amount_refunded: i64,
        currency: String,
    },
    /// Any other type: acknowledged and ignored.
    Ignored(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentOutcome {
    Succeeded,
    Failed,
    Canceled,
}

/// Reads an event's id, type and the few fields of its object we use.
pub fn parse_event(body: &[u8]) -> Result<Event, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let id = s(&v, "id").ok_or("event without id")?;
    let kind = s(&v, "type").ok_or("event without type")?;
    let object = v
        .get("data")
        .and_then(|d| d.get("object"))
        .ok_or("event without data.object")?;
    let amount = |k: &str| object.get(k).and_then(Value::as_i64);
    let currency = s(object, "currency").unwrap_or_default().to_lowercase();
    let outcome = match kind.as_str() {
        "payment_intent.succeeded" => Some(IntentOutcome::Succeeded),
        "payment_intent.payment_failed" => Some(IntentOutcome::Failed),
        "payment_intent.canceled" => Some(IntentOutcome::Canceled),
        _ => None,
    };
    let kind = if let Some(outcome) = outcome {
        EventKind::Intent {
            outcome,
            intent_id: s(object, "id").ok_or("payment intent without id")?,
            amount: amount("amount").ok_or("payment intent without amount")?,
            currency,
        }
    } else if kind == "charge.refunded" {
        EventKind::ChargeRefunded {
            intent_id: s(object, "payment_intent").ok_or("charge without payment_intent")?,
            amount_refunded: amount("amount_refunded").ok_or("charge without amount_refunded")?,
            currency,
        }
    } else {
        EventKind::Ignored(kind)
    };
    Ok(Event { id, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";

    fn header(t: i64, body: &[u8], secret: &str) -> String {
        format!("t={t},v1={}", hex::encode(sign(secret, t, body)))
    }

    #[test]
    fn a_signature_by_any_configured_secret_within_five_minutes_passes() {
        let body = br#"{"id":"evt_1"}"#;
        let secrets = vec!["whsec_old".to_owned(), SECRET.to_owned()];
        let h = header(1_000, body, SECRET);
        assert_eq!(
            verify_signature(Some(&h), body, &secrets, 1_000 + 299),
            Ok(())
        );
        // Several v1 (Stripe sends one per active secret): one match is enough.
        let both = format!("{h},v1={}", hex::encode(sign("whsec_other", 1_000, body)));
        assert_eq!(verify_signature(Some(&both), body, &secrets, 1_000), Ok(()));
    }

    #[test]
    fn stale_tampered_and_malformed_signatures_fail() {
        let body = br#"{"id":"evt_1"}"#;
        let secrets = vec![SECRET.to_owned()];
        let h = header(1_000, body, SECRET);
        assert_eq!(
            verify_signature(Some(&h), body, &secrets, 1_000 + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify_signature(Some(&h), br#"{"id":"evt_2"}"#, &secrets, 1_000),
            Err(SignatureError::Mismatch)
        );
        let wrong = header(1_000, body, "whsec_wrong");
        assert_eq!(
            verify_signature(Some(&wrong), body, &secrets, 1_000),
            Err(SignatureError::Mismatch)
        );
        for bad in ["", "t=1000", "v1=00", "t=x,v1=00"] {
            assert_eq!(
                verify_signature(Some(bad), body, &secrets, 1_000),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            verify_signature(None, body, &secrets, 1_000),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn events_of_the_2017_shape_parse() {
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded","api_version":"2017-08-15",
            "data":{"object":{"id":"pi_1","object":"payment_intent","amount":125000,
            "currency":"vnd","charges":{"data":[]},"metadata":{"order_number":"OC-2026-000001"}}}}"#;
        assert_eq!(
            parse_event(body).unwrap(),
            Event {
                id: "evt_1".into(),
                kind: EventKind::Intent {
                    outcome: IntentOutcome::Succeeded,
                    intent_id: "pi_1".into(),
                    amount: 125_000,
                    currency: "vnd".into(),
                }
            }
        );
        let refunded = br#"{"id":"evt_2","type":"charge.refunded","data":{"object":{
            "id":"ch_1","payment_intent":"pi_1","amount":125000,"amount_refunded":25000,"currency":"VND"}}}"#;
        assert_eq!(
            parse_event(refunded).unwrap().kind,
            EventKind::ChargeRefunded {
                intent_id: "pi_1".into(),
                amount_refunded: 25_000,
                currency: "vnd".into()
            }
        );
        let other = br#"{"id":"evt_3","type":"customer.created","data":{"object":{}}}"#;
        assert_eq!(
            parse_event(other).unwrap().kind,
            EventKind::Ignored("customer.created".into())
        );
        assert!(parse_event(b"not json").is_err());
    }
}
