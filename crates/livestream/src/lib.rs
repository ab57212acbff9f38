//! Live selling: the people who sell OCOP products on livestreams and through affiliate links —
//! creators, verified by ADMIN before they sell, as the Law on E-commerce 122/2025/QH15
//! requires — their live sessions and offers, affiliate programs and links, live checkout, and
//! the events viewers receive. Commissions are money, so they are booked by `orders`
//! (`orders::commissions`), from the rate this crate gives each line at checkout.
//!
//! - [`entity`]: creators, live sessions and offers, affiliate programs and links.
//! - [`creators`]: applying (`creatorApply`), ADMIN's review (`creatorVerify`), and
//!   [`creators::require_verified`], which every live and affiliate mutation calls first.
//! - [`sessions`]: live sessions (SCHEDULED → LIVE → ENDED), their offers and the pin.
//! - [`sales`]: checkout's live prices, caps, per-buyer limits and attribution
//!   ([`orders::live::LiveSales`], installed by the server).
//! - [`affiliates`]: affiliate programs (versioned rates), links and deduplicated clicks.
//! - [`events`]: the live events viewers receive, per replica ([`events::LiveHub`]), and the
//!   once-a-second STOCK updates ([`events::StockWatch`]).
//! - [`id_number`]: the personal ID number a creator gives, kept only as a keyed hash (to find
//!   the same person applying twice) and its last four digits.

pub mod affiliates;
pub mod creators;
pub mod entity;
pub mod events;
pub mod id_number;
pub mod sales;
pub mod sessions;
