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
/// the confirmation window complete; card refunds not yet confirmed by Stripe are retried;
/// commissions past the return window become payable; old affiliate clicks are forgotten (see
/// `orders::lifecycle::expire_unpaid` for why two replicas never release the same stock twice).
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
        // Commissions whose part completed a return window ago become payable (one
        // conditional update; any replica may run it).
        let window = chrono::Duration::days(state.config.return_window_days);
        if let Err(e) = orders::commissions::release_payable(&state.db, window).await {
            tracing::error!(error = %e, "releasing payable commissions failed");
        }
        if let Err(e) = livestream::affiliates::prune_clicks(&state.db).await {
            tracing::error!(error = %e, "pruning affiliate clicks failed");
        }
    }
}

/// Every minute, from a minute after start: statistics for the tables that changed by a tenth
/// since they were last analysed (`db::analyze_stale`; PostgreSQL only).
pub async fn statistics(state: AppState) {
    let every = Duration::from_secs(60);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match crate::db::analyze_stale(state.db.pool()).await {
            Ok(tables) if tables.is_empty() => {}
            Ok(tables) => tracing::info!(?tables, "analysed tables that had changed"),
            Err(e) => tracing::warn!(error = %e, "analysing changed tables failed"),
        }
    }
}

/// Every second: the remaining cap of live offers that sold or were given back, to their
/// sessions' viewers — at most one STOCK per offer per second, across replicas.
pub async fn live_stock(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let changes = match state.stock.changes(&state.db).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "reading live stock failed");
                continue;
            }
        };
        for c in changes {
            // Another replica sent this offer's STOCK within the second: ours waits a tick.
            if state
                .fanout
                .may_send_stock(&state.config.redis_key_prefix, c.offer_id)
                .await
            {
                state.fanout.live_event(livestream::events::Signal::now(
                    c.session_id,
                    livestream::events::LiveEventKind::Stock,
                    Some(c.offer_id),
                ));
                state.stock.told(&c);
            }
        }
    }
}
