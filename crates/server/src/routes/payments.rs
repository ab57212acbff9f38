//! Where payment providers reach us: SePay's bank-transfer webhook, VNPay's IPN and the page
//! VNPay sends the buyer back to, and the VietQR code of an unpaid bank-transfer order. The
//! provider checks (keys, signatures) are in `payments`; what a report does to an order is
//! `orders::payments::settle`, once per provider transaction.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use orders::payments::{Outcome, Provider, Report, Settled};
use payments::sepay::{self, Transfer};
use payments::stripe::{self, EventKind, IntentOutcome};
use payments::vnpay::IpnError;
use serde::Deserialize;
use serde_json::json;

use crate::state::AppState;

/// `POST /webhooks/sepay`: one transaction on the shop's account. Answers `{"success": true}`
/// once the report is recorded (applied, a duplicate, or kept for review), so SePay stops
/// retrying; a fault answers 500 and SePay tries again later.
pub async fn sepay_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(key) = state.providers.sepay_api_key.as_deref() else {
        return (StatusCode::NOT_FOUND, "SePay is not configured").into_response();
    };
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !sepay::authorized(auth, key) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "success": false })),
        )
            .into_response();
    }
    let transfer = match Transfer::parse(&body) {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable SePay webhook");
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({ "success": false })),
            )
                .into_response();
        }
    };
    if !transfer.incoming() {
        return axum::Json(json!({ "success": true })).into_response();
    }
    let mut references = payments::vietqr::references_in(&transfer.content);
    if let Some(code) = transfer.code.as_deref() {
        references.extend(payments::vietqr::references_in(code));
    }
    let report = Report {
        provider: Provider::Sepay,
        external_id: transfer.id.to_string(),
        references,
        amount: transfer.transfer_amount,
        paid: true,
        in_vnd: true,
        detail: String::from_utf8_lossy(&body).into_owned(),
    };
    match orders::payments::settle(&state.db, report).await {
        Ok(settled) => {
            tracing::info!(
                sepay.id = transfer.id,
                outcome = settled.outcome.as_str(),
                "bank transfer"
            );
            announce(&state, settled);
            axum::Json(json!({ "success": true })).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "settling a SePay transfer failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(json!({ "success": false })),
            )
                .into_response()
        }
    }
}

/// Tells caches and subscribers, on every replica, about an order that was just paid (and,
/// when it came back from expiry, that its units left the shelf again).
fn announce(state: &AppState, settled: Settled) {
    let Some(order_id) = settled.order_id else {
        return;
    };
    match settled.outcome {
        Outcome::Applied => api::Changes::order_changed(state.fanout.as_ref(), order_id),
        Outcome::Revived => {
            api::Changes::catalog_changed(state.fanout.as_ref());
            api::Changes::order_changed(state.fanout.as_ref(), order_id);
        }
        _ => {}
    }
}

fn stripe_answer(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "received": status.is_success(), "message": message })),
    )
        .into_response()
}

/// `POST /webhooks/stripe`: Stripe's events, signed (`Stripe-Signature` on the raw body, any
/// configured secret, 5 minutes' tolerance). 400 for a bad or stale signature or an unreadable
/// event; 200 for an event applied, a duplicate (the event id is unique in `payment_events`)
/// or a type we ignore; 500 on a fault, so Stripe retries.
pub async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let secrets = &state.providers.stripe_webhook_secrets;
    if secrets.is_empty() {
        return (StatusCode::NOT_FOUND, "Stripe is not configured").into_response();
    }
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = stripe::verify_signature(signature, &body, secrets, now) {
        tracing::warn!(reason = ?e, "Stripe webhook refused");
        return stripe_answer(StatusCode::BAD_REQUEST, "invalid signature");
    }
    let event = match stripe::parse_event(&body) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable Stripe event");
            return stripe_answer(StatusCode::BAD_REQUEST, "unreadable event");
        }
    };
    let detail = String::from_utf8_lossy(&body).into_owned();
    let result = match event.kind {
        EventKind::Intent {
            outcome,
            intent_id,
            amount,
            currency,
        } => {
            let report = Report {
                provider: Provider::Stripe,
                external_id: event.id.clone(),
                references: vec![intent_id],
                amount,
                paid: outcome == IntentOutcome::Succeeded,
                in_vnd: currency == "vnd",
                detail,
            };
            orders::payments::settle(&state.db, report).await
        }
        EventKind::ChargeRefunded {
            intent_id,
            amount_refunded,
            ..
        } => {
            orders::payments::stripe_refunded(
                &state.db,
                &event.id,
                &intent_id,
                amount_refunded,
                detail,
            )
            .await
        }
        EventKind::Ignored(kind) => {
            tracing::debug!(stripe.event = %event.id, kind, "Stripe event ignored");
            return stripe_answer(StatusCode::OK, "ignored");
        }
    };
    match result {
        Ok(settled) => {
            tracing::info!(
                stripe.event = %event.id,
                outcome = settled.outcome.as_str(),
                "Stripe event"
            );
            announce(&state, settled);
            // Money the order no longer needs (late, or more than it came to) goes back now.
            if let (Some(order_id), Outcome::Applied | Outcome::Revived | Outcome::Late) =
                (settled.order_id, settled.outcome)
            {
                orders::refunds::run_pending_of_order(&state.db, &state.providers, order_id).await;
            }
            stripe_answer(StatusCode::OK, settled.outcome.as_str())
        }
        Err(e) => {
            tracing::error!(error = %e, "applying a Stripe event failed");
            stripe_answer(StatusCode::INTERNAL_SERVER_ERROR, "try again")
        }
    }
}

fn vnpay_answer(code: &str, message: &str) -> Response {
    axum::Json(json!({ "RspCode": code, "Message": message })).into_response()
}

/// `GET /payments/vnpay/ipn`: VNPay's server tells us the result; the only call that changes
/// a VNPay payment. Codes as VNPay defines them.
pub async fn vnpay_ipn(
    State(state): State<AppState>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let Some(vnpay) = state.providers.vnpay.as_ref() else {
        return vnpay_answer("99", "VNPay is not configured");
    };
    let ipn = match vnpay.verify(&params) {
        Ok(ipn) => ipn,
        Err(IpnError::BadSignature) => return vnpay_answer("97", "Invalid signature"),
        Err(IpnError::Malformed) => return vnpay_answer("99", "Invalid request"),
    };
    let report = Report {
        provider: Provider::Vnpay,
        external_id: format!("{}:{}", ipn.txn_ref, ipn.transaction_no),
        references: vec![ipn.txn_ref.clone()],
        amount: ipn.amount,
        paid: ipn.paid,
        in_vnd: true,
        detail: serde_json::to_string(&params).unwrap_or_default(),
    };
    match orders::payments::settle(&state.db, report).await {
        Ok(settled) => {
            tracing::info!(
                vnpay.txn_ref = %ipn.txn_ref,
                outcome = settled.outcome.as_str(),
                "VNPay IPN"
            );
            announce(&state, settled);
            match settled.outcome {
                Outcome::Applied | Outcome::Revived | Outcome::Failed | Outcome::Late => {
                    vnpay_answer("00", "Confirm Success")
                }
                Outcome::UnknownReference => vnpay_answer("01", "Order not found"),
                Outcome::Duplicate | Outcome::AlreadyPaid | Outcome::Stale => {
                    vnpay_answer("02", "Order already confirmed")
                }
                Outcome::AmountMismatch => vnpay_answer("04", "Invalid amount"),
                Outcome::RefundRecorded => vnpay_answer("00", "Confirm Success"),
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "settling a VNPay IPN failed");
            vnpay_answer("99", "Unknown error")
        }
    }
}

/// `GET /payments/vnpay/return`: where VNPay sends the buyer back. Shows the payment as our
/// records have it (the IPN decides); changes nothing.
pub async fn vnpay_return(
    State(state): State<AppState>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let ipn = state
        .providers
        .vnpay
        .as_ref()
        .and_then(|v| v.verify(&params).ok());
    let payment = match &ipn {
        Some(i) => orders::payments::by_reference(&state.db, &i.txn_ref)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let (title, text) = match (&ipn, payment.as_ref().map(|p| p.status)) {
        (None, _) | (_, None) => (
            "Không xác nhận được giao dịch",
            "Thông tin VNPay gửi về không hợp lệ. Nếu tài khoản của bạn đã bị trừ tiền, vui lòng liên hệ Chợ OCOP.",
        ),
        (_, Some(orders::entity::PaymentStatus::Succeeded)) => (
            "Thanh toán thành công",
            "Đơn hàng của bạn đã được thanh toán và đang được chuẩn bị.",
        ),
        (Some(i), _) if !i.paid => (
            "Thanh toán không thành công",
            "VNPay báo giao dịch chưa hoàn tất. Bạn có thể đặt lại hoặc chọn cách thanh toán khác.",
        ),
        _ => (
            "Đang chờ xác nhận",
            "Chợ OCOP đang chờ VNPay xác nhận giao dịch. Trạng thái đơn hàng sẽ được cập nhật trong giây lát.",
        ),
    };
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Chợ OCOP</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem\">\
         <h1>{title}</h1><p>{text}</p></body></html>"
    ))
    .into_response()
}

#[derive(Deserialize)]
pub struct QrParams {
    /// The payment's reference: without it the code is not shown, so an order number alone
    /// reveals nothing.
    #[serde(rename = "ref")]
    reference: Option<String>,
    size: Option<u32>,
}

pub async fn vietqr_png(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Query(p): Query<QrParams>,
) -> Response {
    vietqr_image(&state, &number, p, true).await
}

pub async fn vietqr_svg(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Query(p): Query<QrParams>,
) -> Response {
    vietqr_image(&state, &number, p, false).await
}

/// The VietQR code of an unpaid bank-transfer order, for the reference it was given.
async fn vietqr_image(state: &AppState, number: &str, p: QrParams, png: bool) -> Response {
    let missing = || (StatusCode::NOT_FOUND, "Không tìm thấy mã thanh toán.").into_response();
    let Some(account) = state.providers.bank_transfer() else {
        return missing();
    };
    let Some(reference) = p.reference else {
        return missing();
    };
    let payment = match orders::payments::by_reference(&state.db, &reference).await {
        Ok(Some(pay)) => pay,
        Ok(None) => return missing(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let number_matches =
        orders::lifecycle::get_order(&state.db, kernel::id::OrderId(payment.order_id))
            .await
            .is_ok_and(|o| o.number == number);
    if !number_matches
        || payment.method != orders::entity::PaymentMethod::BankTransfer
        || payment.status != orders::entity::PaymentStatus::Pending
    {
        return missing();
    }
    let payload = payments::vietqr::payload(account, payment.amount, &reference);
    crate::routes::pages::qr_response(&payload, p.size, png, "private, max-age=300")
}
