//! Creators: a user applies with legal name, ID number, phone and channels; ADMIN verifies
//! their identity before they sell (Law on E-commerce 122/2025/QH15). The ID number is never
//! stored: a keyed hash and its last four digits, shown to ADMIN alone.

use serde_json::{Value, json};

use crate::builders::Gid;
use crate::harness::TestApp;

const APPLY: &str = "mutation($i: CreatorApplicationInput!) { creatorApply(input: $i) {
    creator { status channels idNumberLast4 legalName } userErrors { code field message } } }";
const VERIFY: &str = "mutation($u: ID!, $a: Boolean!, $n: String) { creatorVerify(userId: $u, approve: $a, note: $n) {
    creator { status reviewNote } userErrors { code field message } } }";

fn application(id_number: &str, channels: Value) -> Value {
    json!({ "i": { "legalName": "Nguyễn Thị Hoa", "idNumber": id_number, "phone": "0912345678",
                   "channels": channels } })
}

#[tokio::test]
async fn a_creator_applies_and_admin_verifies_the_identity() {
    let app = TestApp::spawn().await;
    let hoa = app.buyer("hoa@test.vn").await;
    let admin = app.admin().await;
    let tiktok = json!(["https://www.tiktok.com/@hoa.ocop"]);

    for (input, field) in [
        (
            application("03809500123", tiktok.clone()),
            json!(["input", "idNumber"]),
        ),
        (
            application("038095001234", json!([])),
            json!(["input", "channels"]),
        ),
        (
            application("038095001234", json!(["tiktok.com/@hoa"])),
            json!(["input", "channels", "0"]),
        ),
    ] {
        let d = app.data(Some(&hoa), APPLY, input).await;
        let e = &d["creatorApply"]["userErrors"][0];
        assert_eq!(e["code"], "INVALID", "{d}");
        assert_eq!(e["field"], field);
    }
    assert_eq!(app.count("creators").await, 0);

    let d = app
        .data(
            Some(&hoa),
            APPLY,
            application("038 095 001 234", tiktok.clone()),
        )
        .await;
    assert_eq!(d["creatorApply"]["userErrors"], json!([]), "{d}");
    // The applicant sees their application, never the ID number, not even its last digits.
    assert_eq!(
        d["creatorApply"]["creator"],
        json!({ "status": "PENDING", "channels": ["https://www.tiktok.com/@hoa.ocop"],
                "idNumberLast4": null, "legalName": "Nguyễn Thị Hoa" })
    );
    // The number is nowhere in the database.
    let stored = app
        .scalar("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM creators WHERE id_number_hash LIKE '%038095001234%' OR legal_name LIKE '%038095%' OR phone LIKE '%038095%'")
        .await;
    assert_eq!(stored, 0);
    assert_eq!(
        app.scalar("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM creators WHERE id_number_last4 = '1234' AND LENGTH(id_number_hash) = 64").await,
        1
    );
    // Unverified, the creator may not sell yet.
    let refused = livestream::creators::require_verified(&app.db, &hoa.viewer).await;
    assert!(
        matches!(refused, Err(kernel::Error::Refused(ref e)) if e.code == kernel::ErrorCode::CreatorNotVerified)
    );

    // The same person from another account: refused.
    let other = app.buyer("hoa2@test.vn").await;
    let d = app
        .data(
            Some(&other),
            APPLY,
            application("038095001234", tiktok.clone()),
        )
        .await;
    assert_eq!(
        d["creatorApply"]["userErrors"][0]["code"], "DUPLICATE",
        "{d}"
    );

    // Only ADMIN reviews, and sees the last four digits.
    let r = app
        .gql(Some(&hoa), VERIFY, json!({ "u": hoa.id.gid(), "a": true }))
        .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let q = app
        .data(
            Some(&admin),
            "{ creatorsToReview(first: 10) { nodes { status idNumberLast4 user { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        q["creatorsToReview"]["nodes"],
        json!([{ "status": "PENDING", "idNumberLast4": "1234", "user": { "id": hoa.id.gid() } }])
    );
    let d = app
        .data(
            Some(&admin),
            VERIFY,
            json!({ "u": hoa.id.gid(), "a": true, "n": "Đã đối chiếu căn cước" }),
        )
        .await;
    assert_eq!(d["creatorVerify"]["creator"]["status"], "VERIFIED", "{d}");
    let again = app
        .data(
            Some(&admin),
            VERIFY,
            json!({ "u": hoa.id.gid(), "a": false }),
        )
        .await;
    assert_eq!(
        again["creatorVerify"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    assert!(
        livestream::creators::require_verified(&app.db, &hoa.viewer)
            .await
            .is_ok()
    );
    let me = app
        .data(
            Some(&hoa),
            "{ me { roles creator { status reviewNote } } }",
            json!({}),
        )
        .await;
    assert_eq!(me["me"]["roles"], json!(["BUYER", "CREATOR"]));
    assert_eq!(
        me["me"]["creator"],
        json!({ "status": "VERIFIED", "reviewNote": "Đã đối chiếu căn cước" })
    );
    // A verified creator does not apply again; others do not see the record.
    let d = app
        .data(Some(&hoa), APPLY, application("038095001234", tiktok))
        .await;
    assert_eq!(d["creatorApply"]["userErrors"][0]["code"], "INVALID_STATE");
    let seen = app
        .data(
            Some(&other),
            "query($id: ID!) { node(id: $id) { ... on User { creator { status } } } }",
            json!({ "id": hoa.id.gid() }),
        )
        .await;
    assert_eq!(seen["node"]["creator"], Value::Null, "{seen}");
}

#[tokio::test]
async fn a_rejected_creator_may_correct_and_apply_again() {
    let app = TestApp::spawn().await;
    let hoa = app.buyer("hoa@test.vn").await;
    let admin = app.admin().await;
    app.data(
        Some(&hoa),
        APPLY,
        application("038095001234", json!(["https://zalo.me/hoa"])),
    )
    .await;
    let d = app
        .data(
            Some(&admin),
            VERIFY,
            json!({ "u": hoa.id.gid(), "a": false, "n": "Ảnh căn cước mờ" }),
        )
        .await;
    assert_eq!(d["creatorVerify"]["creator"]["status"], "REJECTED");
    let d = app
        .data(
            Some(&hoa),
            APPLY,
            application(
                "038095001234",
                json!(["https://zalo.me/hoa", "https://youtube.com/@hoa"]),
            ),
        )
        .await;
    assert_eq!(d["creatorApply"]["creator"]["status"], "PENDING", "{d}");
    assert_eq!(
        d["creatorApply"]["creator"]["channels"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
