//! Public pages beside GraphQL: the trace page, its QR codes, the GS1 Digital Link resolver and
//! the EPCIS export. The HTML and the documents are built by the traceability crate.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use catalog::entity::{lot, variant};
use kernel::gs1::{digital_link, parse_path};
use kernel::trace_code::TraceCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use traceability::{epcis, page, qr, trace};

use crate::routes::client_ip;
use crate::state::AppState;

fn internal() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(page::not_found("", false)),
    )
        .into_response()
}

/// `GET /t/{code}`: the trace page.
pub async fn trace_page(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(input): Path<String>,
) -> Response {
    let Some(code) = TraceCode::parse(&input) else {
        return (StatusCode::NOT_FOUND, Html(page::not_found(&input, true))).into_response();
    };
    let ip = client_ip(&addr, &headers, state.config.trust_forwarded_for);
    let looked = match trace::lookup(&state.db, &state.scans, &state.traces, &code, &ip).await {
        // Not public yet (a DRAFT product's lot, an unreviewed or rejected certificate): the
        // page says what it says of an unknown code.
        Ok(Some(l)) if l.trace().public() => l,
        Ok(_) => {
            return (StatusCode::NOT_FOUND, Html(page::not_found(&input, false))).into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "trace look-up failed");
            return internal();
        }
    };
    // Rendered once per cached trace; each scan only writes its count in.
    let (before, after) = looked.cached.page.get_or_init(|| {
        let t = looked.trace();
        let product_url = format!(
            "{}/san-pham/{}",
            state.config.storefront_url, t.product.slug
        );
        page::render_parts(
            t,
            &state.units,
            t.image.as_deref(),
            &product_url,
            &code.grouped(),
        )
    });
    let mut html = String::with_capacity(before.len() + after.len() + 12);
    html.push_str(before);
    html.push_str(&looked.scan_count.to_string());
    html.push_str(after);
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

#[derive(serde::Deserialize)]
pub struct QrParams {
    size: Option<u32>,
}

/// What the QR of a lot encodes: its Digital Link when the variant has a GTIN, else the trace
/// page URL.
async fn qr_target(state: &AppState, input: &str) -> Result<String, Response> {
    let not_found = || (StatusCode::NOT_FOUND, Html(page::not_found(input, false))).into_response();
    let code = TraceCode::parse(input).ok_or_else(not_found)?;
    let l = catalog::stock::by_code(&state.db, code.as_str())
        .await
        .map_err(|_| internal())?
        .ok_or_else(not_found)?;
    let v = variant::Entity::find_by_id(l.variant_id)
        .one(&state.db)
        .await
        .map_err(|_| internal())?
        .ok_or_else(not_found)?;
    let base = &state.config.public_base_url;
    Ok(match v.gtin {
        Some(g) => digital_link(base, &g, &l.lot_number, l.expires_on),
        None => format!("{base}/t/{}", code.as_str()),
    })
}

pub async fn qr_svg(
    State(state): State<AppState>,
    Path(input): Path<String>,
    Query(p): Query<QrParams>,
) -> Response {
    qr_image(&state, &input, p.size, false).await
}

pub async fn qr_png(
    State(state): State<AppState>,
    Path(input): Path<String>,
    Query(p): Query<QrParams>,
) -> Response {
    qr_image(&state, &input, p.size, true).await
}

async fn qr_image(state: &AppState, input: &str, size: Option<u32>, png: bool) -> Response {
    let target = match qr_target(state, input).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    qr_response(&target, size, png, "public, max-age=86400")
}

/// A QR code of `data` as PNG or SVG, `size` clamped, with this `Cache-Control`.
pub fn qr_response(data: &str, size: Option<u32>, png: bool, cache: &'static str) -> Response {
    let size = qr::size(size);
    let (body, content_type) = if png {
        (qr::png(data, size), "image/png")
    } else {
        (qr::svg(data, size).map(String::into_bytes), "image/svg+xml")
    };
    match body {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, cache),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => internal(),
    }
}

/// `GET /01/{gtin}/10/{lot}[/…]`: resolves a GS1 Digital Link (GTIN-14 or GTIN-13, extra AIs
/// and query ignored) to the lot's trace page.
pub async fn digital_link_resolve(State(state): State<AppState>, uri: axum::http::Uri) -> Response {
    let path = uri.path();
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            Html(page::not_found(path.trim_start_matches('/'), false)),
        )
            .into_response()
    };
    let Some(target) = parse_path(path) else {
        return not_found();
    };
    let variants: Vec<i64> = match variant::Entity::find()
        .filter(variant::Column::Gtin.eq(target.gtin14.as_str()))
        .all(&state.db)
        .await
    {
        Ok(v) => v.into_iter().map(|v| v.id).collect(),
        Err(_) => return internal(),
    };
    let found = lot::Entity::find()
        .filter(lot::Column::VariantId.is_in(variants))
        .filter(lot::Column::LotNumber.eq(target.lot.as_str()))
        .one(&state.db)
        .await;
    match found {
        Ok(Some(l)) => {
            Redirect::temporary(&format!("/t/{}", l.trace_code.unwrap_or_default())).into_response()
        }
        Ok(None) => not_found(),
        Err(_) => internal(),
    }
}

#[derive(serde::Deserialize)]
pub struct EpcisParams {
    lot: Option<String>,
    gtin: Option<String>,
    #[serde(rename = "GE_eventTime")]
    ge_event_time: Option<String>,
    #[serde(rename = "LT_eventTime")]
    lt_event_time: Option<String>,
    #[serde(rename = "perPage")]
    per_page: Option<u64>,
    #[serde(rename = "nextPageToken")]
    next_page_token: Option<String>,
}

fn epcis_error(status: StatusCode, title: &str, detail: &str) -> Response {
    // EPCIS 2.0's REST binding answers errors as RFC 7807 problem details.
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        serde_json::json!({ "type": "epcisException:QueryParameterException", "title": title, "status": status.as_u16(), "detail": detail }).to_string(),
    )
        .into_response()
}

/// `GET /epcis/events?lot=…|gtin=…&GE_eventTime=…&LT_eventTime=…&perPage=…&nextPageToken=…`
pub async fn epcis_events(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    Query(p): Query<EpcisParams>,
) -> Response {
    let ge = chrono_param(p.ge_event_time.as_deref());
    let lt = chrono_param(p.lt_event_time.as_deref());
    let (Ok(ge), Ok(lt)) = (ge, lt) else {
        return epcis_error(
            StatusCode::BAD_REQUEST,
            "Tham số không hợp lệ",
            "GE_eventTime và LT_eventTime phải theo RFC 3339.",
        );
    };
    let q = epcis::EventQuery {
        lot: p.lot,
        gtin: p.gtin,
        ge_event_time: ge,
        lt_event_time: lt,
        per_page: p.per_page,
        next_page_token: p.next_page_token,
    };
    match epcis::query(&state.db, &state.config.public_base_url, &q).await {
        Ok(page) => {
            let mut resp = (
                [(header::CONTENT_TYPE, "application/ld+json")],
                page.document.to_string(),
            )
                .into_response();
            if let Some(token) = page.next_page_token {
                // The next page is this query with the new token.
                let mut query: Vec<String> = raw
                    .unwrap_or_default()
                    .split('&')
                    .filter(|kv| !kv.is_empty() && !kv.starts_with("nextPageToken="))
                    .map(str::to_owned)
                    .collect();
                query.push(format!("nextPageToken={token}"));
                let link = format!(
                    "<{}/epcis/events?{}>; rel=\"next\"",
                    state.config.public_base_url,
                    query.join("&")
                );
                if let (Ok(l), Ok(t)) = (link.parse(), token.parse()) {
                    resp.headers_mut().insert(header::LINK, l);
                    resp.headers_mut().insert("GS1-Next-Page-Token", t);
                }
            }
            resp
        }
        Err(e) if e.user_error().is_some() => epcis_error(
            StatusCode::BAD_REQUEST,
            "Tham số không hợp lệ",
            &e.user_error()
                .map(|u| api::messages::vi(&u.problem))
                .unwrap_or_default(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "EPCIS query failed");
            epcis_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Lỗi hệ thống",
                "Vui lòng thử lại sau.",
            )
        }
    }
}

fn chrono_param(
    s: Option<&str>,
) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, chrono::ParseError> {
    s.map(chrono::DateTime::parse_from_rfc3339).transpose()
}
