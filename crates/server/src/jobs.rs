//! Background jobs. Every replica runs them, and each is safe with several replicas running.

use std::time::Duration;

use api::Changes;

use crate::state::AppState;

/// Writes buffered scan counts every second (each replica adds its own, so the sum is exact).
pub async fn flush_scans(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = state.scans.flush(&state.db).await {
            tracing::warn!(error = %e, "scan flush failed; kept for the next one");
        }
    }
}

/// Every 30 seconds: unpaid orders past the hold release their stock; delivered orders past
/// the confirmation window complete; card refunds not yet confirmed by Stripe are retried (see `orders::lifecycle::expire_unpaid` for why two
/// replicas never release the same stock twice).
pub async fn orders(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let hold = chrono::Duration::minutes(state.config.payment_hold_minutes);
        match orders::lifecycle::expire_unpaid(&state.db, hold).await {
            Ok(ids) if ids.is_empty() => {}
            Ok(ids) => {
                tracing::info!(
                    orders.expired = ids.len(),
                    "released the stock of unpaid orders"
                );
                state.fanout.catalog_changed();
                for id in ids {
                    state.fanout.order_changed(id);
                }
            }
            Err(e) => tracing::error!(error = %e, "expiring unpaid orders failed"),
        }
        let after = chrono::Duration::days(state.config.auto_complete_days);
        match orders::lifecycle::auto_complete(&state.db, after).await {
            Ok(ids) => {
                for id in ids {
                    state.fanout.order_changed(id);
                }
            }
            Err(e) => tracing::error!(error = %e, "completing delivered orders failed"),
        }
        // Card refunds Stripe has not confirmed (it was down, or a replica stopped between
        // recording a refund and sending it): sent again with the same idempotency key.
        if let Err(e) = orders::refunds::retry_pending(&state.db, &state.providers).await {
            tracing::error!(error = %e, "retrying card refunds failed");
        }
    }
}
