//! Payment providers, and only them: what a provider needs from us (a VNPay payment URL, a
//! VietQR payload for the buyer's banking app) and the checks on what it sends back (a VNPay
//! IPN's hash, a SePay webhook's key and body). Amounts are whole đồng except at a provider's
//! edge (VNPay counts đồng × 100). This crate knows no orders: `orders` owns the payment
//! records and their state machine, and reaches providers through [`Providers`].
//!
//! - [`vnpay`]: VNPay 2.1.0 payment URLs and IPN verification (HMAC-SHA512).
//! - [`vietqr`]: NAPAS VietQR (EMVCo merchant-presented) payloads, CRC-16/CCITT-FALSE, and the
//!   short payment reference a transfer must carry.
//! - [`sepay`]: SePay's bank-transfer webhook: its key and its body.
//! - [`stripe`]: card payments: PaymentIntents and refunds through async-stripe behind the
//!   [`stripe::CardGateway`] trait, and the `Stripe-Signature` check on webhooks.

pub mod sepay;
pub mod stripe;
pub mod vietqr;
pub mod vnpay;

/// The providers configured on this server; a method whose provider is missing is refused.
#[derive(Clone, Debug, Default)]
pub struct Providers {
    /// Cards, through Stripe (or another [`stripe::CardGateway`]).
    pub stripe: Option<std::sync::Arc<dyn stripe::CardGateway>>,
    /// The secrets `POST /webhooks/stripe` accepts (several during a rotation).
    pub stripe_webhook_secrets: Vec<String>,
    pub vnpay: Option<vnpay::Vnpay>,
    /// The account bank transfers go to; usable only with SePay watching it.
    pub bank: Option<vietqr::BankAccount>,
    pub sepay_api_key: Option<String>,
}

impl Providers {
    /// Bank transfer needs both the account to show and SePay to see the money arrive.
    /// Cards need both the API key (to create intents) and a webhook secret (to hear back).
    pub fn stripe(&self) -> Option<&dyn stripe::CardGateway> {
        self.stripe
            .as_deref()
            .filter(|_| !self.stripe_webhook_secrets.is_empty())
    }

    pub fn bank_transfer(&self) -> Option<&vietqr::BankAccount> {
        self.bank.as_ref().filter(|_| self.sepay_api_key.is_some())
    }
}

/// Constant-time equality of two byte strings, for secrets and signatures.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
