//! Why a service refuses, as data. A service names the problem and its facts (the limit, the
//! code that was typed, how many are left); the words a person reads are chosen in one place,
//! `api::messages`, which renders every variant in Vietnamese. Adding a variant is a compile
//! error there until it has its sentence.

use chrono::NaiveDate;

/// What a piece of free text is, for the problems that all text shares (empty, too long).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    PersonName,
    ProducerName,
    ProductName,
    VariantName,
    RecipientName,
    Address,
    Description,
    Place,
    Location,
    Note,
    Reason,
    RecallReason,
    CancelReason,
    RefundReason,
    LegalName,
    LiveTitle,
    DecisionNumber,
    IssuingBody,
    DocumentUrl,
    Carrier,
    TrackingNumber,
}

/// A refusal's reason. The stable `code` travels beside it in [`crate::UserError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    // Text and value types.
    Required(Label),
    TooLong(Label, usize),
    BadCharacters(Label),
    GtinLength,
    GtinCheckDigit,
    StarsRange,
    ScoreRange,
    ScoreOutOfBand {
        score: i32,
        band: i32,
        stars: i32,
    },
    SkuLength,
    SkuCharacters,
    Email,
    Phone,
    TaxCode,
    PriceNotPositive,
    PriceTooHigh,
    Url,
    UnknownProvince(String),
    UnknownCommune(String),
    CommuneNotInProvince {
        commune: String,
        province: String,
    },
    // Arguments outside input objects (top-level INVALID).
    BadCursor,
    NegativeFirst,
    BadPageToken,
    LotOrGtinNeeded,
    /// A bare lot number would let anyone enumerate lots: it needs its GTIN.
    LotNumberNeedsGtin,
    TooManyFilterValues(usize),
    // Accounts.
    PasswordLength {
        min: usize,
        max: usize,
    },
    EmailTaken,
    WrongCredentials,
    // Catalog.
    ProducerNotFound,
    CertificateNotFound,
    ProductNotFound,
    VariantNotFound,
    LotNotFound,
    ObjectNotFound,
    /// No open invitation to this producer for the caller's e-mail.
    NoInvitation,
    AlreadyMember,
    TooManyInvitations(i64),
    BadRole,
    UnknownCategory(String),
    BadCategory,
    IssuedInFuture,
    OnlySubmittedReviewed,
    OnlyVerifiedRevoked,
    CertificateNotOwn,
    /// One OCOP certificate backs one product.
    CertificateInUse {
        product: String,
    },
    /// A product's category is its certificate's.
    CategoryNotCertificates {
        expected: String,
    },
    TooManyImages(usize),
    ProductArchived,
    ProductNotOnSale,
    CompareAtNotAbovePrice,
    WeightRange,
    SkuTaken,
    GtinTaken,
    // The listing rule.
    NotPublished,
    ProducerNotVerified,
    CertificateExpired(NaiveDate),
    CertificateRevoked,
    CertificateNotVerified,
    StarsTooLow(i32),
    NoVariant,
    NoSellableLot,
    // Traceability.
    LotNumber,
    Gln,
    ProducedInFuture,
    ExpiryBeforeProduction,
    FreshFoodNeedsExpiry,
    QuantityRange(i64),
    LotNumberTaken,
    LotRecalled,
    UnknownBizStep(String),
    UnknownDisposition(String),
    EventInFuture,
    DataNotObject,
    DataTooLarge {
        max_kb: usize,
    },
    // Orders.
    EmptyCart,
    TooManyLines(usize),
    NotOnSale,
    IdempotencyKeyLength,
    IdempotencyKeyReused,
    InsufficientStock {
        left: i64,
    },
    OrderNotFound,
    SellerOrderNotFound,
    CannotShip,
    CannotDeliver,
    CannotConfirmReceipt,
    CannotCancel,
    PaymentMethodUnavailable,
    TooManyUnpaid(i64),
    /// Unpaid orders would hold more than `max` units of one variant (`held` already).
    TooManyUnpaidUnits {
        max: i64,
        held: i64,
    },
    /// Stripe could not be reached to start a card payment; the order waits, and a retry
    /// of the same checkout starts it.
    CardGatewayUnavailable,
    // Refunds and statements.
    RefundAmountNotPositive,
    NothingToRefund,
    RefundTooLarge {
        available: i64,
    },
    RefundKeyReused,
    StatementRange,
    // Live selling.
    BadIdNumber,
    IdNumberTaken,
    BadChannel,
    ChannelCount(usize),
    CreatorAlreadyVerified,
    CreatorNotFound,
    CreatorNotPending,
    CreatorNotVerified,
    LiveSessionNotFound,
    LiveOfferNotFound,
    BadPlatform,
    BadSchedule,
    CannotStartLive,
    CannotEndLive,
    LiveEnded,
    NotLive,
    NotInAffiliateProgram,
    LivePriceRange {
        regular: i64,
    },
    PerBuyerLimitRange,
    AlreadyOffered,
    LineTermsDiffer,
    LiveOfferOtherVariant,
    LivePriceNotNow,
    LiveCapReached {
        left: i64,
    },
    PerBuyerLimitReached {
        max: i64,
        bought: i64,
    },
    LivePriceChanged,
    AffiliateLinkNotFound,
    AffiliateOtherProduct,
    AffiliateRateRange,
    LiveSessionOtherProduct,
    LivePriceByProducer {
        regular: i64,
    },
    CapBelowSold {
        sold: i64,
    },
    LivePriceUpOnAir {
        now: i64,
    },
}

/// For logs and tools, not for people: the variant and its facts.
impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for Problem {}
