//! Our VNPay signatures and VietQR payloads against vectors computed outside Rust
//! (`scripts/payments/vectors.py`, Python's hmac, urllib and binascii), so the code is not
//! checked only against itself.

use chrono::{DateTime, Utc};
use payments::vietqr::{self, BankAccount};
use payments::vnpay::{IpnError, PayRequest, Vnpay};
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors.json")).unwrap()
}

fn s(v: &Value) -> String {
    v.as_str().unwrap().to_owned()
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn the_vnpay_payment_url_matches_pythons() {
    let v = &vectors()["vnpay_pay"];
    let vnpay = Vnpay {
        tmn_code: s(&v["tmn_code"]),
        hash_secret: s(&v["hash_secret"]),
        pay_url: s(&v["pay_url"]),
        return_url: s(&v["return_url"]),
    };
    let url = vnpay.pay_url(&PayRequest {
        txn_ref: v["txn_ref"].as_str().unwrap(),
        amount: v["amount"].as_i64().unwrap(),
        order_info: v["order_info"].as_str().unwrap(),
        client_ip: v["client_ip"].as_str().unwrap(),
        created: time(&v["created"]),
        expires: time(&v["expires"]),
    });
    assert_eq!(url, s(&v["url"]));
}

fn ipn_vnpay(secret: &str) -> Vnpay {
    Vnpay {
        tmn_code: "CHOOCOP1".into(),
        hash_secret: secret.into(),
        pay_url: String::new(),
        return_url: String::new(),
    }
}

fn ipn_params() -> Vec<(String, String)> {
    vectors()["vnpay_ipn"]["params"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), s(v)))
        .collect()
}

#[test]
fn an_ipn_signed_by_python_verifies_and_a_tampered_one_does_not() {
    let secret = s(&vectors()["vnpay_ipn"]["secret"]);
    let vnpay = ipn_vnpay(&secret);
    let ipn = vnpay.verify(&ipn_params()).unwrap();
    assert_eq!(ipn.txn_ref, "OC12ABCD");
    assert_eq!(ipn.amount, 125_000);
    assert!(ipn.paid);
    assert_eq!(ipn.transaction_no, "14226112");

    // Any signed field changed: the amount, or the result.
    for (field, value) in [("vnp_Amount", "1250000"), ("vnp_ResponseCode", "24")] {
        let mut p = ipn_params();
        p.iter_mut().find(|(k, _)| k == field).unwrap().1 = value.into();
        assert_eq!(vnpay.verify(&p), Err(IpnError::BadSignature), "{field}");
    }
    // No hash at all, or another merchant's secret.
    let unsigned: Vec<_> = ipn_params()
        .into_iter()
        .filter(|(k, _)| k != "vnp_SecureHash")
        .collect();
    assert_eq!(vnpay.verify(&unsigned), Err(IpnError::BadSignature));
    assert_eq!(
        ipn_vnpay("another-secret").verify(&ipn_params()),
        Err(IpnError::BadSignature)
    );
    // Parameters that are not VNPay's are not signed and change nothing.
    let mut extra = ipn_params();
    extra.push(("utm_source".into(), "x".into()));
    assert!(vnpay.verify(&extra).is_ok());
}

#[test]
fn the_vietqr_payload_matches_pythons() {
    let v = &vectors()["vietqr"];
    let account = BankAccount::parse(
        v["bin"].as_str().unwrap(),
        v["account"].as_str().unwrap(),
        "CONG TY CHO OCOP",
    )
    .unwrap();
    let payload = vietqr::payload(
        &account,
        v["amount"].as_i64().unwrap(),
        v["reference"].as_str().unwrap(),
    );
    assert_eq!(payload, s(&v["payload"]));
}

#[test]
fn a_stripe_webhook_signed_by_python_verifies_and_a_changed_byte_does_not() {
    use payments::stripe::{SignatureError, verify_signature};
    let v = &vectors()["stripe_webhook"];
    let body = s(&v["body"]);
    let header = s(&v["header"]);
    let t = v["t"].as_i64().unwrap();
    let secrets = vec!["whsec_rotated_out".to_owned(), s(&v["secret"])];
    assert_eq!(
        verify_signature(Some(&header), body.as_bytes(), &secrets, t + 60),
        Ok(())
    );
    let tampered = body.replace("125000", "125001");
    assert_eq!(
        verify_signature(Some(&header), tampered.as_bytes(), &secrets, t + 60),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(Some(&header), body.as_bytes(), &secrets, t + 301),
        Err(SignatureError::Stale)
    );
}
