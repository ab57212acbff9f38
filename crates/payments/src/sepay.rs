//! SePay watches the shop's bank account and posts every transaction as JSON, with
//! `Authorization: Apikey <key>`; it retries until it gets `{"success": true}`, and its `id`
//! is the key that makes a retry harmless.

use serde::Deserialize;

/// One transaction on the account, as SePay posts it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    pub id: i64,
    pub gateway: String,
    /// `yyyy-MM-dd HH:mm:ss`, the bank's time (Vietnam).
    pub transaction_date: String,
    pub account_number: String,
    /// The payment code SePay recognised in the text, when configured to.
    #[serde(default)]
    pub code: Option<String>,
    pub content: String,
    /// `in` for money received, `out` for money sent.
    pub transfer_type: String,
    /// Whole đồng.
    pub transfer_amount: i64,
    #[serde(default)]
    pub accumulated: Option<i64>,
    #[serde(default)]
    pub sub_account: Option<String>,
    #[serde(default)]
    pub reference_code: Option<String>,
}

impl Transfer {
    pub fn parse(body: &[u8]) -> Result<Transfer, String> {
        serde_json::from_slice(body).map_err(|e| e.to_string())
    }

    pub fn incoming(&self) -> bool {
        self.transfer_type.eq_ignore_ascii_case("in")
    }
}

/// Whether the `Authorization` header carries our key (`Apikey <key>`), in constant time.
pub fn authorized(header: Option<&str>, api_key: &str) -> bool {
    let Some(h) = header.map(str::trim) else {
        return false;
    };
    let given = match h.split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("apikey") => key.trim(),
        _ => return false,
    };
    !api_key.is_empty() && crate::same(given.as_bytes(), api_key.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sepay_body_parses() {
        let body = br#"{"id":92704,"gateway":"Vietcombank","transactionDate":"2026-11-29 14:02:37",
            "accountNumber":"0123499999","code":null,"content":"chuyen tien OC12ABCD",
            "transferType":"in","transferAmount":125000,"accumulated":19077000,
            "subAccount":null,"referenceCode":"MBVCB.3278907687","description":""}"#;
        let t = Transfer::parse(body).unwrap();
        assert_eq!(t.id, 92704);
        assert_eq!(t.transfer_amount, 125_000);
        assert!(t.incoming());
    }

    #[test]
    fn only_our_key_is_authorized() {
        assert!(authorized(Some("Apikey s3cret"), "s3cret"));
        assert!(authorized(Some("apikey s3cret"), "s3cret"));
        assert!(!authorized(Some("Apikey wrong"), "s3cret"));
        assert!(!authorized(Some("Bearer s3cret"), "s3cret"));
        assert!(!authorized(None, "s3cret"));
    }
}
