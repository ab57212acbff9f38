//! Every string input of the public API, fed arbitrary Unicode — CJK and emoji at and past the
//! longest allowed, combining marks, right-to-left overrides, zero-width and control
//! characters, NUL, quotes and SQL or LIKE metacharacters — through the real handlers: a
//! refusal with a code, or success; never a panic, never `INTERNAL`, never a 5xx.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::builders::Gid;
use crate::docs;
use crate::harness::TestApp;

const PIECES: &[&str] = &[
    "茶",
    "🇻🇳",
    "👩‍🌾",
    "e\u{301}",
    "\u{0}",
    "\u{7}",
    "\u{202E}",
    "\u{200B}",
    "\u{FEFF}",
    "\u{10FFFF}",
    "ư",
    "Đ",
    "'",
    "\"",
    "\\",
    "%",
    "_",
    "--",
    ";",
    "<script>",
    "\n",
    "\t",
    " ",
    "a",
    "9",
    "-",
];

/// A string of `len` random pieces.
fn any_text(rng: &mut StdRng, len: usize) -> String {
    (0..len)
        .map(|_| PIECES[rng.random_range(0..PIECES.len())])
        .collect()
}

/// Lengths around the limits the API states (100, 200, 500, 2000 characters).
fn lengths(rng: &mut StdRng) -> Vec<usize> {
    let mut v = vec![0, 1, 40, 99, 100, 101, 200, 201, 500, 501, 2001];
    v.push(rng.random_range(2..300));
    v
}

fn assert_no_fault(what: &str, sample: &str, v: &Value) {
    let text = v.to_string();
    assert!(
        !text.contains("\"INTERNAL\""),
        "{what} with {sample:?} answered INTERNAL: {text}"
    );
    assert!(
        v.get("data").is_some() || v.get("errors").is_some(),
        "{what} with {sample:?}: not a GraphQL answer: {text}"
    );
}

async fn post(app: &TestApp, token: Option<&str>, query: &str, vars: Value) -> Value {
    let resp = app
        .client
        .post(format!("{}/graphql", app.addr))
        .json(&json!({ "query": query, "variables": vars }))
        .bearer_auth(token.unwrap_or(""))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    assert!(status < 500, "status {status}: {v}");
    v
}

#[tokio::test]
async fn arbitrary_unicode_in_any_string_input_never_faults() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let (lot, code) = app.stock(&f.owner, f.variant, 5).await;
    let buyer = app.buyer("mua@test.vn").await;
    let admin = app.admin().await;
    let mut rng = StdRng::seed_from_u64(0x0C0F);
    let today = kernel::time::today_vn().to_string();
    let now = chrono::Utc::now().to_rfc3339();
    // Before the random ones: the longest allowed names in a script of three-byte letters
    // (forty CJK characters once panicked cutting a slug inside a character), flags, NUL.
    let mut samples: Vec<String> = vec![
        "茶".repeat(40),
        "茶".repeat(100),
        "茶".repeat(200),
        "🇻🇳".repeat(100),
        "Nước\u{0}mắm".to_owned(),
    ];
    for _ in 0..3 {
        for len in lengths(&mut rng) {
            samples.push(any_text(&mut rng, len));
        }
    }
    for (round, s) in samples.into_iter().enumerate() {
        {
            let len = s.chars().count();
            let n = format!("{round}-{len}");
            let cases: Vec<(&str, Option<&str>, &str, Value)> = vec![
                (
                    "register",
                    None,
                    docs::REGISTER,
                    json!({ "i": { "email": format!("{s}@x.vn"), "password": s, "name": s, "phone": s } }),
                ),
                ("login", None, docs::LOGIN, json!({ "e": s, "p": s })),
                (
                    "producerCreate",
                    Some(&buyer.token),
                    docs::PRODUCER_CREATE,
                    json!({ "i": { "name": s, "kind": "HOUSEHOLD_BUSINESS", "taxCode": s, "provinceCode": "40",
                                "address": s, "phone": s, "description": s } }),
                ),
                (
                    "producerCreate code",
                    Some(&buyer.token),
                    docs::PRODUCER_CREATE,
                    json!({ "i": { "name": "HTX", "kind": "COOPERATIVE", "provinceCode": s, "communeCode": s, "address": "x" } }),
                ),
                (
                    "ocopCertificateSubmit",
                    Some(&f.owner.token),
                    docs::CERTIFICATE_SUBMIT,
                    json!({ "i": { "producerId": f.producer.gid(), "productName": s, "categoryCode": s, "stars": 4,
                                "decisionNumber": s, "issuedBy": s, "issuedOn": today, "documentUrl": s } }),
                ),
                (
                    "productCreate",
                    Some(&f.owner.token),
                    docs::PRODUCT_CREATE,
                    json!({ "i": { "producerId": f.producer.gid(), "certificateId": f.cert.gid(), "name": s,
                                "description": s, "origin": { "provinceCode": "40", "place": s } } }),
                ),
                (
                    "variantCreate",
                    Some(&f.owner.token),
                    docs::VARIANT_CREATE,
                    json!({ "p": f.product.gid(), "i": { "sku": s, "name": s, "price": 1000, "gtin": s } }),
                ),
                (
                    "lotCreate",
                    Some(&f.owner.token),
                    docs::LOT_CREATE,
                    json!({ "i": { "variantId": f.variant.gid(), "lotNumber": s, "producedOn": today, "quantity": 1,
                                "origin": { "provinceCode": "40", "place": s }, "gln": s } }),
                ),
                (
                    "traceEventRecord",
                    Some(&f.owner.token),
                    docs::TRACE_EVENT_RECORD,
                    json!({ "i": { "lotId": lot.gid(), "bizStep": s, "eventTime": now, "location": s, "note": s,
                                "disposition": s, "data": { s.clone(): s } } }),
                ),
                (
                    "checkout",
                    Some(&buyer.token),
                    docs::CHECKOUT,
                    json!({ "i": { "idempotencyKey": format!("{n}{s}"), "lines": [{ "variantId": s, "quantity": 1 }],
                                "shippingAddress": { "name": s, "phone": s, "provinceCode": s, "communeCode": s, "line": s },
                                "paymentMethod": "COD" } }),
                ),
                (
                    "orderCancel",
                    Some(&buyer.token),
                    docs::ORDER_CANCEL,
                    json!({ "id": s, "r": s }),
                ),
                (
                    "lotRecall",
                    Some(&admin.token),
                    docs::LOT_RECALL,
                    json!({ "id": s, "r": s }),
                ),
                (
                    "products",
                    None,
                    "query($s: String!) { products(filter: { search: $s, provinceCodes: [$s] }, first: 5) { nodes { name } } }",
                    json!({ "s": s }),
                ),
                ("trace", None, docs::TRACE, json!({ "c": s })),
                (
                    "trace (real code)",
                    None,
                    docs::TRACE,
                    json!({ "c": format!("{code}{s}") }),
                ),
                (
                    "producerMemberAdd",
                    Some(&f.owner.token),
                    docs::MEMBER_ADD,
                    json!({ "p": f.producer.gid(), "e": s, "r": s }),
                ),
            ];
            for (what, token, query, vars) in cases {
                let v = post(&app, token, query, vars).await;
                assert_no_fault(what, &s, &v);
            }
            // The public pages take any text in their paths and queries too.
            for path in [
                format!("/t/{}", urlencode(&s)),
                format!("/t/{code}/qr.png?size={}", urlencode(&s)),
                format!("/01/{}/10/{}", urlencode(&s), urlencode(&s)),
                format!(
                    "/epcis/events?lot={}&GE_eventTime={}",
                    urlencode(&s),
                    urlencode(&s)
                ),
            ] {
                let status = app
                    .client
                    .get(format!("{}{path}", app.addr))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16();
                assert!(status < 500, "{path}: {status}");
            }
        }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
