//! VNPay 2.1.0: the payment URL the buyer is sent to, and the check of the IPN VNPay calls us
//! with. Both sign the `vnp_` parameters the same way: sorted by name, each `name=value`
//! form-URL-encoded (as PHP's `urlencode`: letters, digits and `-_.` kept, space as `+`, the
//! rest `%XX`), joined with `&`, HMAC-SHA512 with the hash secret, in hex.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;

/// VNPay's sandbox payment page, the default of `VNPAY_PAY_URL`.
pub const SANDBOX_PAY_URL: &str = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html";

/// A merchant's VNPay terminal.
#[derive(Clone, Debug)]
pub struct Vnpay {
    pub tmn_code: String,
    pub hash_secret: String,
    pub pay_url: String,
    pub return_url: String,
}

/// What one payment attempt asks VNPay for.
pub struct PayRequest<'a> {
    /// Unique per attempt (`vnp_TxnRef`).
    pub txn_ref: &'a str,
    /// Whole đồng.
    pub amount: i64,
    pub order_info: &'a str,
    pub client_ip: &'a str,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

/// An IPN whose signature held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipn {
    pub txn_ref: String,
    /// Whole đồng (VNPay's `vnp_Amount` / 100).
    pub amount: i64,
    /// Both `vnp_ResponseCode` and `vnp_TransactionStatus` are `00`.
    pub paid: bool,
    /// VNPay's own number for the transaction (`vnp_TransactionNo`).
    pub transaction_no: String,
    pub response_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpnError {
    /// No hash, or a hash that is not ours (`RspCode` 97).
    BadSignature,
    /// Signed, but a field we need is missing or not a number (`RspCode` 99).
    Malformed,
}

/// `yyyyMMddHHmmss` in Vietnam time (GMT+7), as VNPay wants dates.
pub fn vn_time(t: DateTime<Utc>) -> String {
    let vn = FixedOffset::east_opt(7 * 3600).expect("a valid offset");
    t.with_timezone(&vn).format("%Y%m%d%H%M%S").to_string()
}

/// PHP's `urlencode`, which VNPay's reference code signs with.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The signed query: sorted, encoded `name=value` pairs joined by `&`.
fn query(params: &BTreeMap<&str, String>) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Vnpay {
    fn sign(&self, data: &str) -> String {
        let mut mac = Hmac::<Sha512>::new_from_slice(self.hash_secret.as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(data.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The URL of VNPay's payment page for this attempt.
    pub fn pay_url(&self, r: &PayRequest<'_>) -> String {
        let mut p: BTreeMap<&str, String> = BTreeMap::new();
        p.insert("vnp_Version", "2.1.0".into());
        p.insert("vnp_Command", "pay".into());
        p.insert("vnp_TmnCode", self.tmn_code.clone());
        p.insert("vnp_Amount", (r.amount * 100).to_string());
        p.insert("vnp_CurrCode", "VND".into());
        p.insert("vnp_TxnRef", r.txn_ref.to_owned());
        p.insert("vnp_OrderInfo", r.order_info.to_owned());
        p.insert("vnp_OrderType", "other".into());
        p.insert("vnp_Locale", "vn".into());
        p.insert("vnp_ReturnUrl", self.return_url.clone());
        p.insert("vnp_IpAddr", r.client_ip.to_owned());
        p.insert("vnp_CreateDate", vn_time(r.created));
        p.insert("vnp_ExpireDate", vn_time(r.expires));
        let q = query(&p);
        let hash = self.sign(&q);
        format!("{}?{q}&vnp_SecureHash={hash}", self.pay_url)
    }

    /// Checks the parameters of an IPN (or a return) as they arrived, decoded: every `vnp_`
    /// parameter but the hash itself is signed.
    pub fn verify(&self, params: &[(String, String)]) -> Result<Ipn, IpnError> {
        let mut signed: BTreeMap<&str, String> = BTreeMap::new();
        let mut given = None;
        for (k, v) in params {
            match k.as_str() {
                "vnp_SecureHash" => given = Some(v.as_str()),
                "vnp_SecureHashType" => {}
                k if k.starts_with("vnp_") && !v.is_empty() => {
                    signed.insert(k, v.clone());
                }
                _ => {}
            }
        }
        let given = given.ok_or(IpnError::BadSignature)?;
        let ours = self.sign(&query(&signed));
        if !crate::same(ours.as_bytes(), given.to_ascii_lowercase().as_bytes()) {
            return Err(IpnError::BadSignature);
        }
        let get = |k: &str| signed.get(k).cloned().ok_or(IpnError::Malformed);
        let hundredths: i64 = get("vnp_Amount")?
            .parse()
            .map_err(|_| IpnError::Malformed)?;
        if hundredths < 0 || hundredths % 100 != 0 {
            return Err(IpnError::Malformed);
        }
        let response_code = get("vnp_ResponseCode")?;
        let status = signed
            .get("vnp_TransactionStatus")
            .cloned()
            .unwrap_or_default();
        Ok(Ipn {
            txn_ref: get("vnp_TxnRef")?,
            amount: hundredths / 100,
            paid: response_code == "00" && status == "00",
            transaction_no: signed.get("vnp_TransactionNo").cloned().unwrap_or_default(),
            response_code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_phps_urlencode() {
        assert_eq!(encode("Thanh toan don OC-1"), "Thanh+toan+don+OC-1");
        assert_eq!(encode("a/b:c?d=e&f"), "a%2Fb%3Ac%3Fd%3De%26f");
        assert_eq!(encode("Đơn"), "%C4%90%C6%A1n");
    }

    #[test]
    fn vn_time_is_gmt_plus_seven() {
        let t = DateTime::parse_from_rfc3339("2026-11-29T17:30:05Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(vn_time(t), "20261130003005");
    }
}
