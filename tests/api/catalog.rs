//! Producers, members, nodes and money formatting through the API.

use serde_json::json;

use crate::builders::Gid;
use crate::docs;
use crate::harness::TestApp;

#[tokio::test]
async fn producers_are_public_once_verified_and_owners_add_staff() {
    let app = TestApp::spawn().await;
    let owner = app.buyer("owner@test.vn").await;
    let admin = app.admin().await;
    let id = app.producer(&owner, "Hợp tác xã Chè Tân Cương", "19").await;
    let q = "query($id: ID!) { producer(id: $id) { name slug kind verified province { name } } }";
    assert_eq!(
        app.data(None, q, json!({ "id": id })).await["producer"],
        json!(null)
    );
    let mine = app.data(Some(&owner), q, json!({ "id": id })).await;
    assert_eq!(mine["producer"]["slug"], "hop-tac-xa-che-tan-cuong");
    assert_eq!(mine["producer"]["verified"], false);
    app.verify_producer(&admin, &id).await;
    let public = app.data(None, q, json!({ "id": id })).await;
    assert_eq!(public["producer"]["province"]["name"], "Tỉnh Thái Nguyên");
    let by_slug = app
        .data(
            None,
            "{ producer(slug: \"hop-tac-xa-che-tan-cuong\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(by_slug["producer"]["id"], json!(id));
    // A second producer of the same name gets its own slug.
    let second = app.producer(&owner, "Hợp tác xã Chè Tân Cương", "19").await;
    let d = app.data(Some(&owner), q, json!({ "id": second })).await;
    assert_eq!(d["producer"]["slug"], "hop-tac-xa-che-tan-cuong-2");
    let list = app
        .data(
            None,
            "{ producers(search: \"che tan cuong\") { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(list["producers"]["nodes"], json!([{ "id": id }]));

    let staff_person = app.buyer("staff@test.vn").await;
    let add = docs::MEMBER_ADD;
    let d = app
        .data(
            Some(&owner),
            add,
            json!({ "p": id, "e": "Staff@Test.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(d["producerMemberAdd"]["userErrors"], json!([]));
    // Invited is not enrolled: nothing changes until the person accepts.
    let me = app
        .data(Some(&staff_person), "{ me { roles } }", json!({}))
        .await;
    assert_eq!(me["me"]["roles"], json!(["BUYER"]));
    // Someone else cannot accept it.
    let stranger = app.buyer("la@test.vn").await;
    let d = app
        .data(Some(&stranger), docs::INVITATION_ACCEPT, json!({ "p": id }))
        .await;
    assert_eq!(
        d["producerInvitationAccept"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    let d = app
        .data(
            Some(&staff_person),
            docs::INVITATION_ACCEPT,
            json!({ "p": id }),
        )
        .await;
    assert_eq!(
        d["producerInvitationAccept"]["userErrors"],
        json!([]),
        "{d}"
    );
    let d = app
        .data(
            Some(&owner),
            add,
            json!({ "p": id, "e": "staff@test.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(d["producerMemberAdd"]["userErrors"][0]["code"], "DUPLICATE");
    // An address with no account is invited all the same: the answer tells nobody who is
    // registered. The person may register later and accept.
    let d = app
        .data(
            Some(&owner),
            add,
            json!({ "p": id, "e": "nobody@test.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(d["producerMemberAdd"]["userErrors"], json!([]));
    let later = app.buyer("nobody@test.vn").await;
    let d = app
        .data(Some(&later), docs::INVITATION_ACCEPT, json!({ "p": id }))
        .await;
    assert_eq!(d["producerInvitationAccept"]["userErrors"], json!([]));
    let d = app
        .data(
            Some(&owner),
            add,
            json!({ "p": id, "e": "staff@test.vn", "r": "BOSS" }),
        )
        .await;
    assert_eq!(
        d["producerMemberAdd"]["userErrors"][0]["field"],
        json!(["role"])
    );
    let staff = app.login("staff@test.vn", "mat-khau-du-dai").await;
    let me = app.data(Some(&staff), "{ me { roles } }", json!({})).await;
    assert_eq!(me["me"]["roles"], json!(["BUYER", "PRODUCER_MEMBER"]));
}

#[tokio::test]
async fn node_resolves_every_type_and_money_is_vietnamese() {
    let app = TestApp::spawn().await;
    let f = app
        .listed_product("Nước mắm Phú Quốc", 5, 125_000, "91")
        .await;
    let q = "query($id: ID!) { node(id: $id) { id __typename ... on Variant { price { amount currencyCode formatted } } } }";
    for id in [
        f.product.gid(),
        f.producer.gid(),
        f.cert.gid(),
        f.variant.gid(),
    ] {
        let d = app.data(None, q, json!({ "id": id })).await;
        assert_eq!(d["node"]["id"], json!(id));
    }
    let d = app.data(None, q, json!({ "id": f.variant.gid() })).await;
    assert_eq!(
        d["node"]["price"],
        json!({ "amount": 125000, "currencyCode": "VND", "formatted": "125.000 ₫" })
    );
    assert_eq!(
        app.data(None, q, json!({ "id": "garbage" })).await["node"],
        json!(null)
    );
    // A user is visible to themself only.
    let me = app.data(Some(&f.owner), "{ me { id } }", json!({})).await["me"]["id"].clone();
    assert_eq!(me, json!(f.owner.id.gid()));
    assert_eq!(
        app.data(None, q, json!({ "id": me })).await["node"],
        json!(null)
    );
    assert_eq!(
        app.data(Some(&f.owner), q, json!({ "id": me })).await["node"]["__typename"],
        "User"
    );
    let d = app
        .data(None, "query($id: ID!) { product(id: $id) { priceRange { min { formatted } max { formatted } } origin { province { name } } category { code } ocopStars } }", json!({ "id": f.product.gid() }))
        .await;
    assert_eq!(d["product"]["priceRange"]["min"]["formatted"], "125.000 ₫");
    assert_eq!(d["product"]["origin"]["province"]["name"], "Tỉnh An Giang");
    assert_eq!(d["product"]["category"]["code"], "I.4.a");
    assert_eq!(d["product"]["ocopStars"], 5);
}

#[tokio::test]
async fn updating_a_product_and_its_variant_keeps_price_sorting_true() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Cà phê", 4, 100_000, "66").await;
    let d = app
        .data(Some(&f.owner), "mutation($v: ID!) { variantUpdate(id: $v, input: { sku: \"CF-1\", name: \"Gói 1 kg\", price: 270000, gtin: \"8934588012112\" }) { variant { sku gtin price { amount } } userErrors { code } } }", json!({ "v": f.variant.gid() }))
        .await;
    assert_eq!(d["variantUpdate"]["variant"]["gtin"], "8934588012112");
    let d = app.data(None, "{ products(filter: { priceMin: 200000 }) { nodes { name priceRange { min { amount } } } } }", json!({})).await;
    assert_eq!(
        d["products"]["nodes"][0]["priceRange"]["min"]["amount"],
        270000
    );
    let d = app
        .data(Some(&f.owner), docs::PRODUCT_UPDATE, json!({ "id": f.product.gid(), "i": { "name": "Cà phê Robusta", "images": ["https://cdn.example.vn/a.jpg"] } }))
        .await;
    assert_eq!(
        d["productUpdate"]["product"]["images"][0]["alt"],
        "Cà phê Robusta"
    );
    let d = app
        .data(
            None,
            "{ products(filter: { search: \"robusta\" }) { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["products"]["nodes"][0]["name"], "Cà phê Robusta");
}

/// Twenty producers and twenty products of one name created at once: each gets its own slug,
/// none fails with "database is locked" (SQLite) or a duplicate slug (both databases).
#[tokio::test]
async fn twenty_concurrent_creates_of_one_name_all_succeed_with_distinct_slugs() {
    let app = TestApp::spawn().await;
    let owner = app.buyer("owner@test.vn").await;
    let producers = futures_util::future::join_all((0..20).map(|_| {
        app.gql(
            Some(&owner),
            docs::PRODUCER_CREATE,
            json!({ "i": { "name": "Hợp tác xã Chè", "kind": "COOPERATIVE", "provinceCode": "19", "address": "Tân Cương" } }),
        )
    }))
    .await;
    let mut slugs: Vec<String> = producers
        .iter()
        .map(|d| {
            assert_eq!(d["data"]["producerCreate"]["userErrors"], json!([]), "{d}");
            d["data"]["producerCreate"]["producer"]["slug"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 20);

    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    let seller = f.seller("40");
    let mut certs = Vec::new();
    // Each product its own certificate (the seller's first one backs the listed product).
    for _ in 0..20 {
        certs.push(seller.free_certificate(&app, "Nước mắm cá cơm").await);
    }
    let products = futures_util::future::join_all(certs.iter().map(|cert| {
        app.gql(
            Some(&f.owner),
            docs::PRODUCT_CREATE,
            json!({ "i": { "producerId": f.producer.gid(), "certificateId": cert.gid(), "name": "Nước mắm cá cơm",
                           "description": "x", "origin": { "provinceCode": "40" } } }),
        )
    }))
    .await;
    for d in &products {
        assert_eq!(d["data"]["productCreate"]["userErrors"], json!([]), "{d}");
    }
    assert_eq!(
        app.scalar("SELECT CAST(COUNT(DISTINCT slug) AS BIGINT) AS n FROM products WHERE name = 'Nước mắm cá cơm'")
            .await,
        20
    );
}

/// Invitations go to strangers' inboxes: at most 20 per inviter per hour, counted in the
/// database so every replica agrees.
#[tokio::test]
async fn an_owner_sends_at_most_twenty_invitations_an_hour() {
    let app = TestApp::spawn().await;
    let f = app.listed_product("Nước mắm", 4, 100_000, "40").await;
    for i in 0..20 {
        let d = app
            .data(
                Some(&f.owner),
                docs::MEMBER_ADD,
                json!({ "p": f.producer.gid(), "e": format!("moi{i}@test.vn"), "r": "STAFF" }),
            )
            .await;
        assert_eq!(d["producerMemberAdd"]["userErrors"], json!([]), "{i}: {d}");
    }
    let d = app
        .data(
            Some(&f.owner),
            docs::MEMBER_ADD,
            json!({ "p": f.producer.gid(), "e": "moi20@test.vn", "r": "STAFF" }),
        )
        .await;
    let e = &d["producerMemberAdd"]["userErrors"][0];
    assert_eq!(e["code"], "LIMIT_EXCEEDED");
    assert!(e["message"].as_str().unwrap().contains("20 lời mời"));
    assert_eq!(app.count("producer_invitations").await, 20);
}
