//! Live sessions: scheduled by a verified creator or a producer's member, run by their host
//! SCHEDULED → LIVE → ENDED only, with offers of listed variants at a live price no higher
//! than the regular one, and one pinned offer at a time.

use serde_json::{Value, json};

use crate::builders::Gid;
use crate::harness::TestApp;

const CREATE: &str = "mutation($i: LiveSessionInput!) { liveSessionCreate(input: $i) {
    liveSession { id status platform host { id } } userErrors { code field message } } }";
const START: &str = "mutation($id: ID!) { liveSessionStart(id: $id) { liveSession { status startedAt } userErrors { code field message } } }";
const END: &str = "mutation($id: ID!) { liveSessionEnd(id: $id) { liveSession { status pinned { id } } userErrors { code field message } } }";
const OFFER: &str = "mutation($s: ID!, $i: LiveOfferInput!) { liveOfferAdd(sessionId: $s, input: $i) {
    liveSession { offers { id livePrice { amount } quantityCap quantitySold perBuyerLimit variant { sku } } }
    userErrors { code field message } } }";
const PIN: &str = "mutation($s: ID!, $o: ID!) { livePin(sessionId: $s, offerId: $o) { liveSession { pinned { id livePrice { formatted } } } userErrors { code field message } } }";
const UNPIN: &str = "mutation($s: ID!) { liveUnpin(sessionId: $s) { liveSession { pinned { id } } userErrors { code } } }";

fn session(producer: Option<String>) -> Value {
    json!({ "i": { "title": "Nước mắm Nghệ An: giá live", "platform": "tiktok",
                   "streamUrl": "https://www.tiktok.com/@htx/live",
                   "scheduledAt": (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339(),
                   "producerId": producer } })
}

#[tokio::test]
async fn a_producer_goes_live_with_live_prices_and_one_pin_at_a_time() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let d = app
        .data(Some(&f.owner), CREATE, session(Some(f.producer.gid())))
        .await;
    assert_eq!(d["liveSessionCreate"]["userErrors"], json!([]), "{d}");
    let s = d["liveSessionCreate"]["liveSession"].clone();
    assert_eq!(s["status"], "SCHEDULED");
    assert_eq!(s["platform"], "TIKTOK");
    let id = s["id"].clone();

    // Live price: at most the regular price.
    let offer = |price: i64, cap: i64, limit: Option<i64>| json!({ "s": id, "i": { "variantId": f.variant.gid(), "livePrice": price, "quantityCap": cap, "perBuyerLimit": limit } });
    let d = app
        .data(Some(&f.owner), OFFER, offer(130_000, 50, Some(2)))
        .await;
    let e = &d["liveOfferAdd"]["userErrors"][0];
    assert_eq!(e["field"], json!(["input", "livePrice"]));
    assert!(e["message"].as_str().unwrap().contains("120.000 ₫"), "{e}");
    let d = app
        .data(Some(&f.owner), OFFER, offer(99_000, 50, Some(60)))
        .await;
    assert_eq!(
        d["liveOfferAdd"]["userErrors"][0]["field"],
        json!(["input", "perBuyerLimit"])
    );
    let d = app
        .data(Some(&f.owner), OFFER, offer(99_000, 50, Some(2)))
        .await;
    assert_eq!(d["liveOfferAdd"]["userErrors"], json!([]), "{d}");
    let o = d["liveOfferAdd"]["liveSession"]["offers"][0].clone();
    assert_eq!(o["livePrice"]["amount"], 99_000);
    assert_eq!(o["quantitySold"], 0);
    let d = app
        .data(Some(&f.owner), OFFER, offer(99_000, 50, Some(2)))
        .await;
    assert_eq!(d["liveOfferAdd"]["userErrors"][0]["code"], "DUPLICATE");

    // Pinning waits for the live; a stranger may not run it.
    let d = app
        .data(Some(&f.owner), PIN, json!({ "s": id, "o": o["id"] }))
        .await;
    assert_eq!(d["livePin"]["userErrors"][0]["code"], "INVALID_STATE");
    let stranger = app.buyer("la@test.vn").await;
    let r = app.gql(Some(&stranger), START, json!({ "id": id })).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
    let d = app.data(Some(&f.owner), START, json!({ "id": id })).await;
    assert_eq!(d["liveSessionStart"]["liveSession"]["status"], "LIVE");
    let d = app.data(Some(&f.owner), START, json!({ "id": id })).await;
    assert_eq!(
        d["liveSessionStart"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let d = app
        .data(Some(&f.owner), PIN, json!({ "s": id, "o": o["id"] }))
        .await;
    assert_eq!(
        d["livePin"]["liveSession"]["pinned"]["livePrice"]["formatted"],
        "99.000 ₫"
    );
    let d = app.data(Some(&f.owner), UNPIN, json!({ "s": id })).await;
    assert_eq!(d["liveUnpin"]["liveSession"]["pinned"], Value::Null);
    app.data(Some(&f.owner), PIN, json!({ "s": id, "o": o["id"] }))
        .await;

    // The public sees scheduled and live sessions with their bag and pin.
    let q = "{ liveSessions(first: 10) { nodes { title status pinned { id } offers { variant { sku } } } } }";
    let public = app.data(None, q, json!({})).await;
    assert_eq!(public["liveSessions"]["nodes"][0]["status"], "LIVE");
    assert_eq!(public["liveSessions"]["nodes"][0]["pinned"]["id"], o["id"]);

    // Ended: the pin comes down, nothing moves it again, and it leaves the public list.
    let d = app.data(Some(&f.owner), END, json!({ "id": id })).await;
    assert_eq!(
        d["liveSessionEnd"]["liveSession"],
        json!({ "status": "ENDED", "pinned": null })
    );
    let d = app.data(Some(&f.owner), START, json!({ "id": id })).await;
    assert_eq!(
        d["liveSessionStart"]["userErrors"][0]["code"],
        "INVALID_STATE"
    );
    let d = app
        .data(Some(&f.owner), OFFER, offer(90_000, 5, None))
        .await;
    assert_eq!(d["liveOfferAdd"]["userErrors"][0]["code"], "INVALID_STATE");
    let public = app.data(None, q, json!({})).await;
    assert_eq!(public["liveSessions"]["nodes"], json!([]));
    let anon = app
        .data(
            None,
            "query($id: ID!) { liveSession(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(anon["liveSession"], Value::Null);
}

#[tokio::test]
async fn only_verified_creators_and_members_schedule_and_creators_need_an_affiliate_program() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 120_000, "40").await;
    let hoa = app.buyer("hoa@test.vn").await;
    let d = app.data(Some(&hoa), CREATE, session(None)).await;
    assert_eq!(
        d["liveSessionCreate"]["userErrors"][0]["code"], "CREATOR_NOT_VERIFIED",
        "{d}"
    );
    // Not a member of the producer: refused.
    let r = app
        .gql(Some(&hoa), CREATE, session(Some(f.producer.gid())))
        .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "FORBIDDEN", "{r}");
    // Verified, the creator schedules; bad platform and URL are refused first.
    app.data(
        Some(&hoa),
        "mutation($i: CreatorApplicationInput!) { creatorApply(input: $i) { userErrors { code } } }",
        json!({ "i": { "legalName": "Nguyễn Thị Hoa", "idNumber": "038095001234", "phone": "0912345678",
                       "channels": ["https://www.tiktok.com/@hoa"] } }),
    )
    .await;
    let admin = app.admin().await;
    app.data(
        Some(&admin),
        "mutation($u: ID!) { creatorVerify(userId: $u, approve: true) { userErrors { code } } }",
        json!({ "u": hoa.id.gid() }),
    )
    .await;
    let mut bad = session(None);
    bad["i"]["platform"] = json!("MYSPACE");
    let d = app.data(Some(&hoa), CREATE, bad).await;
    assert_eq!(
        d["liveSessionCreate"]["userErrors"][0]["field"],
        json!(["input", "platform"])
    );
    let d = app.data(Some(&hoa), CREATE, session(None)).await;
    assert_eq!(d["liveSessionCreate"]["userErrors"], json!([]), "{d}");
    let id = d["liveSessionCreate"]["liveSession"]["id"].clone();
    // Without an affiliate program a creator cannot offer the product…
    let offer = json!({ "s": id, "i": { "variantId": f.variant.gid(), "livePrice": 120_000, "quantityCap": 10 } });
    let d = app.data(Some(&hoa), OFFER, offer.clone()).await;
    let e = &d["liveOfferAdd"]["userErrors"][0];
    assert_eq!(e["code"], "INVALID_STATE", "{d}");
    assert!(e["message"].as_str().unwrap().contains("tiếp thị liên kết"));
    // …but the producer's member may put it in the creator's session at a live price.
    let d = app
        .data(Some(&f.owner), OFFER, json!({ "s": id, "i": { "variantId": f.variant.gid(), "livePrice": 100_000, "quantityCap": 10 } }))
        .await;
    assert_eq!(d["liveOfferAdd"]["userErrors"], json!([]), "{d}");
}
