//! `GET /producers/{id}/statement.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`: a producer's statement
//! for its members and ADMIN (bearer token), as CSV in UTF-8 with a byte-order mark, so Excel
//! shows the Vietnamese text as written. Days are judged in Asia/Ho_Chi_Minh.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use kernel::Error;
use serde::Deserialize;

use crate::auth::{self, AuthError};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Range {
    from: Option<String>,
    to: Option<String>,
}

fn refuse(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.to_owned(),
    )
        .into_response()
}

/// A CSV field: quoted when it holds a separator, a quote or a line break; a leading `=`, `+`,
/// `-` or `@` in text is defused so a spreadsheet never runs it as a formula.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub async fn statement_csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(range): Query<Range>,
    headers: HeaderMap,
) -> Response {
    let viewer = match auth::viewer(&headers, &state.keys, &state.db).await {
        Ok(v) => v,
        Err(AuthError::Unauthenticated) => {
            return refuse(StatusCode::UNAUTHORIZED, api::messages::BAD_TOKEN);
        }
        Err(AuthError::Internal) => {
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, api::messages::INTERNAL);
        }
    };
    // The GraphQL id (`Producer:…`, as the API gives it) or the plain number.
    let producer = api::ids::decode(api::ids::Kind::Producer, &id).or_else(|| id.parse().ok());
    let Some(producer) = producer else {
        return refuse(StatusCode::NOT_FOUND, "Không tìm thấy nhà sản xuất.");
    };
    let date = |s: &Option<String>| {
        s.as_deref()
            .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
    };
    let (Some(from), Some(to)) = (date(&range.from), date(&range.to)) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Cần tham số from và to dạng YYYY-MM-DD.",
        );
    };
    let statement = orders::ledger::producer_statement(
        &state.db,
        &viewer,
        kernel::id::ProducerId(producer),
        from,
        to,
    )
    .await;
    let statement = match statement {
        Ok(s) => s,
        Err(Error::Unauthenticated) => {
            return refuse(StatusCode::UNAUTHORIZED, api::messages::UNAUTHENTICATED);
        }
        Err(Error::Forbidden) => return refuse(StatusCode::FORBIDDEN, api::messages::FORBIDDEN),
        Err(Error::Invalid(e)) => {
            return refuse(StatusCode::BAD_REQUEST, &api::messages::vi(&e.problem));
        }
        Err(e) => {
            tracing::error!(error = %e, "statement failed");
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, api::messages::INTERNAL);
        }
    };
    let mut csv =
        String::from("\u{feff}Thời điểm,Đơn hàng,Nội dung,Số tiền (đồng),Số dư (đồng)\r\n");
    csv.push_str(&format!(",,Số dư đầu kỳ,,{}\r\n", statement.opening));
    for line in &statement.lines {
        let at = line
            .entry
            .created_at
            .with_timezone(&kernel::time::vn_offset())
            .format("%Y-%m-%d %H:%M:%S");
        csv.push_str(&format!(
            "{at},{},{},{},{}\r\n",
            field(&line.order_number),
            field(api::messages::ledger_kind(line.entry.kind)),
            line.entry.amount,
            line.balance
        ));
    }
    csv.push_str(&format!(",,Số dư cuối kỳ,,{}\r\n", statement.closing));
    let mut response = csv.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"sao-ke-{producer}-{from}-{to}.csv\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("OC-2026-000001"), "OC-2026-000001");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
