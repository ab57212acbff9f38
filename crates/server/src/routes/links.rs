//! `GET /l/{code}`: a creator's affiliate link. Counts the click (once per client per hour)
//! and sends the visitor to the product on the storefront with the code, which the storefront
//! keeps for 7 days and sends back with the checkout line (last click wins).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::routes::client_ip;
use crate::state::AppState;

/// Who is clicking, as a short hash of the client address and browser: enough to count a
/// visitor once an hour, nothing that names them.
fn visitor(ip: &str, headers: &HeaderMap) -> String {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let digest = Sha256::digest(format!("{ip}\n{agent}").as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn affiliate_link(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let code = code.trim();
    let known = code.len() <= 32 && code.bytes().all(|b| b.is_ascii_alphanumeric());
    let slug = if known {
        let ip = client_ip(&addr, &headers, state.config.trust_forwarded_for);
        match livestream::affiliates::click(&state.db, code, &visitor(&ip, &headers)).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "affiliate click failed");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html(page("Đã có lỗi hệ thống. Vui lòng thử lại sau.")),
                )
                    .into_response();
            }
        }
    } else {
        None
    };
    match slug {
        Some(slug) => (
            StatusCode::FOUND,
            [
                (
                    header::LOCATION,
                    format!("{}/san-pham/{slug}?aff={code}", state.config.storefront_url),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Html(page(
                "Không tìm thấy liên kết này. Có thể bạn đã gõ sai mã, hoặc liên kết đã bị gỡ.",
            )),
        )
            .into_response(),
    }
}

fn page(message: &str) -> String {
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Không tìm thấy liên kết — Chợ OCOP</title></head>\
         <body><main><h1>Không tìm thấy liên kết</h1><p>{message}</p>\
         <p><a href=\"/\">Về Chợ OCOP</a></p></main></body></html>"
    )
}
