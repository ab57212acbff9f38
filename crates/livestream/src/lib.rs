//! Live selling: the people who sell OCOP products on livestreams and through affiliate links.
//! This part holds creators — who they are, verified by ADMIN before they sell, as the Law on
//! E-commerce 122/2025/QH15 requires; live sessions, offers, affiliate links and commissions
//! build on it.
//!
//! - [`entity`]: the `creators` table.
//! - [`creators`]: applying (`creatorApply`), ADMIN's review (`creatorVerify`), and
//!   [`creators::require_verified`], which every live and affiliate mutation calls first.
//! - [`sessions`]: live sessions (SCHEDULED → LIVE → ENDED), their offers and the pin.
//! - [`id_number`]: the personal ID number a creator gives, kept only as a keyed hash (to find
//!   the same person applying twice) and its last four digits.

pub mod creators;
pub mod entity;
pub mod id_number;
pub mod sessions;
