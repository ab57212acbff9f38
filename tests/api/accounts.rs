use serde_json::json;

use crate::docs::{LOGIN, ME, REGISTER};
use crate::harness::TestApp;

#[tokio::test]
async fn register_login_and_me_round_trip() {
    let app = TestApp::spawn().await;
    let d = app
        .data(None, REGISTER, json!({ "i": { "email": "an@example.vn", "password": "mat-khau-du-dai", "name": "An" } }))
        .await;
    assert_eq!(d["register"]["userErrors"], json!([]));
    let token = d["register"]["token"].as_str().unwrap();
    let me = app.data(Some(token), ME, json!({})).await;
    assert_eq!(me["me"]["email"], "an@example.vn");
    assert_eq!(me["me"]["roles"], json!(["BUYER"]));
    let again = app.login("AN@example.vn", "mat-khau-du-dai").await;
    assert_eq!(
        app.data(Some(&again), ME, json!({})).await["me"]["email"],
        "an@example.vn"
    );
    // Anonymous callers are simply nobody.
    assert_eq!(app.data(None, ME, json!({})).await["me"], json!(null));
}

#[tokio::test]
async fn duplicate_email_and_weak_password_are_user_errors() {
    let app = TestApp::spawn().await;
    app.buyer("dup@example.vn").await;
    let q = REGISTER;
    let d = app
        .data(None, q, json!({ "i": { "email": "dup@example.vn", "password": "mat-khau-du-dai", "name": "B" } }))
        .await;
    assert_eq!(d["register"]["userErrors"][0]["code"], "DUPLICATE");
    assert_eq!(d["register"]["token"], json!(null));
    let d = app
        .data(
            None,
            q,
            json!({ "i": { "email": "x@example.vn", "password": "ngan", "name": "B" } }),
        )
        .await;
    assert_eq!(d["register"]["userErrors"][0]["code"], "INVALID");
    assert_eq!(
        d["register"]["userErrors"][0]["field"],
        json!(["input", "password"])
    );
    let d = app
        .data(None, q, json!({ "i": { "email": "x@example.vn", "password": "mat-khau-du-dai", "name": "B", "phone": "+1 415 555 0100" } }))
        .await;
    assert_eq!(
        d["register"]["userErrors"][0]["field"],
        json!(["input", "phone"])
    );
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = TestApp::spawn().await;
    app.buyer("b@example.vn").await;
    let q = LOGIN;
    let wrong_pw = app
        .data(None, q, json!({ "e": "b@example.vn", "p": "sai-mat-khau" }))
        .await;
    let no_user = app
        .data(
            None,
            q,
            json!({ "e": "nobody@example.vn", "p": "sai-mat-khau" }),
        )
        .await;
    assert_eq!(wrong_pw["login"]["token"], json!(null));
    assert_eq!(
        wrong_pw["login"]["userErrors"],
        no_user["login"]["userErrors"]
    );
}

#[tokio::test]
async fn forged_and_expired_tokens_are_unauthenticated() {
    let app = TestApp::spawn().await;
    let token = app.buyer("c@example.vn").await;
    let forged = accounts::token::TokenKeys::new(b"another-secret-another-secret-123", 3600)
        .unwrap()
        .issue(1);
    let secret = server::Config::for_tests("sqlite::memory:").jwt_secret;
    let expired = accounts::token::TokenKeys::new(secret.as_bytes(), -60)
        .unwrap()
        .issue(1);
    let mut tampered = token.token.clone();
    tampered.pop();
    for bad in [forged, expired, tampered, "garbage".to_owned()] {
        let v = app.gql(Some(&bad), ME, json!({})).await;
        assert_eq!(
            v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{v}"
        );
        assert_eq!(v["data"], json!(null));
    }
}

#[tokio::test]
async fn login_is_rate_limited_per_email() {
    let app = TestApp::spawn_with(|c| c.login_limit_per_email = 3).await;
    app.buyer("d@example.vn").await;
    let q = LOGIN;
    for _ in 0..3 {
        let v = app
            .gql(None, q, json!({ "e": "d@example.vn", "p": "sai-mat-khau" }))
            .await;
        assert!(v["errors"].is_null(), "{v}");
    }
    let v = app
        .gql(
            None,
            q,
            json!({ "e": "d@example.vn", "p": "mat-khau-du-dai" }),
        )
        .await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    // Another e-mail from the same address is still allowed.
    let v = app
        .gql(
            None,
            q,
            json!({ "e": "other@example.vn", "p": "x-x-x-x-x" }),
        )
        .await;
    assert!(v["errors"].is_null(), "{v}");
}

#[tokio::test]
async fn requests_are_rate_limited_per_client() {
    let app = TestApp::spawn_with(|c| c.rate_limit_per_minute = 5).await;
    let mut limited = 0;
    for _ in 0..8 {
        let v = app
            .gql(None, "{ ocopCategories { code } }", json!({}))
            .await;
        if v["errors"][0]["extensions"]["code"] == "RATE_LIMITED" {
            limited += 1;
        }
    }
    assert_eq!(limited, 3);
}

#[tokio::test]
async fn registrations_are_rate_limited_per_client_even_when_aliased() {
    let app = TestApp::spawn_with(|c| c.register_limit_per_ip = 3).await;
    // One request, five aliased registrations: three accounts, then the limit.
    let q = format!(
        "mutation {{ {} }}",
        (0..5)
            .map(|i| format!("r{i}: register(input: {{ email: \"a{i}@test.vn\", password: \"mat-khau-du-dai\", name: \"A\" }}) {{ token }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let v = app.gql(None, &q, json!({})).await;
    let codes: Vec<&str> = v["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|e| e["extensions"]["code"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(codes, vec!["RATE_LIMITED", "RATE_LIMITED"], "{v}");
    assert_eq!(app.count("users").await, 3);
    let d = app
        .gql(
            None,
            REGISTER,
            json!({ "i": { "email": "b@test.vn", "password": "mat-khau-du-dai", "name": "B" } }),
        )
        .await;
    assert_eq!(d["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert_eq!(app.count("users").await, 3);
}

#[tokio::test]
async fn a_refused_address_does_not_spend_the_victims_login_budget() {
    let app = TestApp::spawn_with(|c| {
        c.login_limit_per_email = 3;
        c.login_limit_per_ip = 2;
        c.trust_forwarded_for = true;
    })
    .await;
    app.buyer("victim@example.vn").await;
    let attempt = |ip: &'static str| {
        let (client, addr) = (app.client.clone(), app.addr.clone());
        async move {
            client
                .post(format!("{addr}/graphql"))
                .header("x-forwarded-for", ip)
                .json(&json!({ "query": LOGIN, "variables": { "e": "victim@example.vn", "p": "sai-mat-khau" } }))
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()["errors"][0]["extensions"]["code"]
                .clone()
        }
    };
    // The attacker's address is refused after two tries, however many more it makes.
    for _ in 0..2 {
        assert_eq!(attempt("10.3.0.1").await, json!(null));
    }
    for _ in 0..10 {
        assert_eq!(attempt("10.3.0.1").await, "RATE_LIMITED");
    }
    // Only those two counted against the e-mail: the owner, elsewhere, still has one try.
    assert_eq!(attempt("10.3.0.2").await, json!(null));
    assert_eq!(attempt("10.3.0.2").await, "RATE_LIMITED");
}

#[tokio::test]
async fn each_aliased_login_counts_against_the_limits() {
    let app = TestApp::spawn_with(|c| c.login_limit_per_email = 3).await;
    app.buyer("e@example.vn").await;
    let q = format!(
        "mutation {{ {} }}",
        (0..6)
            .map(|i| format!(
                "l{i}: login(email: \"e@example.vn\", password: \"sai-mat-khau-{i}\") {{ token }}"
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let v = app.gql(None, &q, json!({})).await;
    let limited = v["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter(|e| e["extensions"]["code"] == "RATE_LIMITED")
                .count()
        })
        .unwrap_or(0);
    assert_eq!(
        limited, 3,
        "six guesses in one request are six attempts: {v}"
    );
    // The right password, in a later request, is refused too: the budget is spent.
    let v = app
        .gql(
            None,
            LOGIN,
            json!({ "e": "e@example.vn", "p": "mat-khau-du-dai" }),
        )
        .await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "RATE_LIMITED");
}
