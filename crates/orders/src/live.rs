//! What checkout asks of live selling. Live offers, affiliate links and programs belong to the
//! `livestream` crate, which sits above this one; orders defines the small [`LiveSales`] trait
//! and the server installs livestream's implementation at startup ([`install`]). Every call
//! runs inside the caller's transaction, so a line's cap and per-buyer count move with the
//! order or not at all.

use std::sync::{Arc, OnceLock};

use kernel::dyn_db::AnyDb;
use kernel::id::{ProducerId, ProductId, VariantId};
use kernel::problem::Problem;
use kernel::{Error, Result};

/// A checkout line that names a live offer or an affiliate code.
pub struct Ask<'a> {
    /// Where the line stood in the input, for errors.
    pub index: usize,
    pub buyer: i64,
    pub variant_id: VariantId,
    pub product_id: ProductId,
    pub producer_id: ProducerId,
    pub quantity: i64,
    pub live_offer_id: Option<i64>,
    pub affiliate_code: Option<&'a str>,
}

/// What the line gets: its price, and whom it is attributed to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Terms {
    /// The live price, when a live offer applies; otherwise the regular price stands.
    pub live_price: Option<i64>,
    pub live_offer_id: Option<i64>,
    pub live_session_id: Option<i64>,
    pub creator_user_id: Option<i64>,
    /// The affiliate rate in force now; `None` when nobody earns on the line.
    pub commission_bps: Option<i64>,
}

#[async_trait::async_trait]
pub trait LiveSales: Send + Sync {
    /// Prices and attributes a line, claiming its units of the offer's cap and of the buyer's
    /// limit (conditional updates). `Err` refuses the line with a clear code; the caller's
    /// transaction then rolls back whole.
    async fn claim(&self, db: &dyn AnyDb, ask: Ask<'_>) -> Result<Terms>;

    /// Takes a line's units of an offer again, for an order revived by late money: within the
    /// cap and the buyer's limit, whether or not the session is still live (the buyer was
    /// quoted while it was). `false` when they are gone.
    async fn reclaim(
        &self,
        db: &dyn AnyDb,
        offer_id: i64,
        buyer: i64,
        quantity: i64,
    ) -> Result<bool>;

    /// Gives a cancelled line's units back to the offer's cap and the buyer's limit.
    async fn give_back(
        &self,
        db: &dyn AnyDb,
        offer_id: i64,
        buyer: i64,
        quantity: i64,
    ) -> Result<()>;
}

static SALES: OnceLock<Arc<dyn LiveSales>> = OnceLock::new();

/// Installs live selling, once per process (the server does, before it serves). Later calls
/// are ignored: there is one implementation.
pub fn install(sales: Arc<dyn LiveSales>) {
    let _ = SALES.set(sales);
}

/// Live selling, or a refusal for a line that needs it when it is not installed.
pub(crate) fn sales(index: usize) -> Result<&'static dyn LiveSales> {
    SALES.get().map(|s| s.as_ref()).ok_or_else(|| {
        Error::not_found(
            &["input", "lines", &index.to_string(), "liveOfferId"],
            Problem::LiveOfferNotFound,
        )
    })
}

/// Live selling when installed (lines with offers exist only if it is).
pub(crate) fn installed() -> Option<&'static dyn LiveSales> {
    SALES.get().map(|s| s.as_ref())
}
