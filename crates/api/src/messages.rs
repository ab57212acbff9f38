//! Every sentence the API says to a person when it refuses, in Vietnamese, in one place: the
//! reasons services give ([`Problem`]) and the top-level outcomes (sign-in, permission, limits,
//! faults). Services never choose words; they name the problem and its facts.

use kernel::money::{format_vnd, group_thousands};
use kernel::problem::{Label, Problem};

/// What a piece of text is, as the sentence names it.
fn label(l: Label) -> &'static str {
    match l {
        Label::PersonName => "Họ tên",
        Label::ProducerName => "Tên chủ thể",
        Label::ProductName => "Tên sản phẩm",
        Label::VariantName => "Tên phiên bản",
        Label::RecipientName => "Tên người nhận",
        Label::Address => "Địa chỉ",
        Label::Description => "Mô tả",
        Label::Place => "Nơi sản xuất",
        Label::Location => "Địa điểm",
        Label::Note => "Ghi chú",
        Label::Reason => "Lý do",
        Label::RecallReason => "Lý do thu hồi",
        Label::CancelReason => "Lý do hủy",
        Label::RefundReason => "Lý do hoàn tiền",
        Label::LegalName => "Họ và tên theo giấy tờ",
        Label::LiveTitle => "Tiêu đề phiên live",
        Label::DecisionNumber => "Số quyết định",
        Label::IssuingBody => "Cơ quan ban hành",
        Label::DocumentUrl => "Đường dẫn tài liệu",
        Label::Carrier => "Đơn vị vận chuyển",
        Label::TrackingNumber => "Mã vận đơn",
    }
}

/// `dd/mm/yyyy`, as Vietnamese readers write dates.
fn dmy(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The Vietnamese sentence for a problem.
pub fn vi(p: &Problem) -> String {
    use Problem as P;
    let s: &str = match p {
        P::Required(l) => return format!("{} không được để trống.", label(*l)),
        P::TooLong(l, max) => return format!("{} dài quá {max} ký tự.", label(*l)),
        P::BadCharacters(l) => return format!("{} chứa ký tự không hợp lệ.", label(*l)),
        P::GtinLength => "GTIN phải gồm 8, 12, 13 hoặc 14 chữ số.",
        P::GtinCheckDigit => "GTIN sai số kiểm tra (chữ số cuối).",
        P::StarsRange => "Số sao OCOP phải từ 1 đến 5.",
        P::ScoreRange => "Điểm đánh giá phải từ 0 đến 100.",
        P::ScoreOutOfBand { score, band, stars } => {
            return format!(
                "Điểm {score} thuộc hạng {band} sao, không khớp với {stars} sao đã khai."
            );
        }
        P::SkuLength => "Mã SKU phải có từ 1 đến 64 ký tự.",
        P::SkuCharacters => "Mã SKU chỉ gồm chữ cái không dấu, chữ số và . _ -",
        P::Email => "Địa chỉ email không hợp lệ.",
        P::Phone => "Số điện thoại không phải số Việt Nam hợp lệ (ví dụ 0912 345 678).",
        P::TaxCode => "Mã số thuế phải gồm 10 chữ số (có thể thêm -XXX) hoặc 12 chữ số.",
        P::PriceNotPositive => "Giá phải là số đồng dương.",
        P::PriceTooHigh => "Giá vượt quá giới hạn cho phép.",
        P::Url => "Đường dẫn phải là URL http(s) hợp lệ.",
        P::UnknownProvince(code) => return format!("Không có tỉnh/thành phố mã \"{code}\"."),
        P::UnknownCommune(code) => return format!("Không có xã/phường mã \"{code}\"."),
        P::CommuneNotInProvince { commune, province } => {
            return format!("{commune} không thuộc {province}.");
        }
        P::BadCursor => "Con trỏ phân trang (after) không hợp lệ.",
        P::NegativeFirst => "Tham số first phải là số không âm.",
        P::BadPageToken => "nextPageToken không hợp lệ.",
        P::LotOrGtinNeeded => "Cần tham số lot (mã truy xuất hoặc số lô) hoặc gtin.",
        P::LotNumberNeedsGtin => {
            "Tra theo số lô cần kèm gtin của sản phẩm; hoặc dùng mã truy xuất in trên bao bì."
        }
        P::TooManyFilterValues(max) => {
            return format!("Bộ lọc có quá nhiều giá trị (tối đa {max}).");
        }
        P::PasswordLength { min, max } => {
            return format!("Mật khẩu phải có từ {min} đến {max} ký tự.");
        }
        P::EmailTaken => "Email này đã được đăng ký.",
        P::WrongCredentials => "Email hoặc mật khẩu không đúng.",
        P::ProducerNotFound => "Không tìm thấy chủ thể OCOP.",
        P::CertificateNotFound => "Không tìm thấy giấy chứng nhận OCOP.",
        P::ProductNotFound => "Không tìm thấy sản phẩm.",
        P::VariantNotFound => "Không tìm thấy phiên bản sản phẩm.",
        P::LotNotFound => "Không tìm thấy lô hàng.",
        P::ObjectNotFound => "Không tìm thấy đối tượng với ID đã cho.",
        P::NoInvitation => "Bạn không có lời mời nào còn hiệu lực vào chủ thể này.",
        P::TooManyInvitations(max) => {
            return format!("Mỗi giờ chỉ gửi được {max} lời mời. Vui lòng thử lại sau.");
        }
        P::AlreadyMember => "Người này đã là thành viên của chủ thể.",
        P::BadRole => "Vai trò phải là OWNER hoặc STAFF.",
        P::UnknownCategory(code) => return format!("Không có nhóm sản phẩm OCOP mã \"{code}\"."),
        P::BadCategory => "Nhóm sản phẩm OCOP không hợp lệ.",
        P::IssuedInFuture => "Ngày quyết định không hợp lệ (không được ở tương lai).",
        P::OnlySubmittedReviewed => "Chỉ xét duyệt được giấy chứng nhận đang chờ duyệt.",
        P::OnlyVerifiedRevoked => "Chỉ thu hồi được giấy chứng nhận đã được xác minh.",
        P::CertificateNotOwn => "Giấy chứng nhận OCOP không tồn tại hoặc không thuộc chủ thể này.",
        P::CertificateInUse { product } => {
            return format!(
                "Giấy chứng nhận OCOP này đã dùng cho sản phẩm «{product}». Mỗi giấy chứng nhận chỉ dành cho một sản phẩm."
            );
        }
        P::CategoryNotCertificates { expected } => {
            return format!(
                "Nhóm sản phẩm phải là nhóm ghi trên giấy chứng nhận OCOP ({expected})."
            );
        }
        P::TooManyImages(max) => return format!("Tối đa {max} ảnh cho một sản phẩm."),
        P::ProductArchived => "Sản phẩm đã lưu trữ.",
        P::ProductNotOnSale => "Sản phẩm không ở trạng thái đang bán.",
        P::CompareAtNotAbovePrice => "Giá so sánh phải cao hơn giá bán.",
        P::WeightRange => "Khối lượng phải từ 1 g đến 1.000 kg.",
        P::SkuTaken => "Mã SKU này đã được dùng cho một sản phẩm khác của chủ thể.",
        P::GtinTaken => "Mã GTIN này đã được dùng cho một sản phẩm khác trên Chợ OCOP.",
        P::NotPublished => "Sản phẩm chưa được đăng bán.",
        P::ProducerNotVerified => "Chủ thể OCOP chưa được xác minh.",
        P::CertificateExpired(on) => {
            return format!("Giấy chứng nhận OCOP đã hết hạn ngày {}.", dmy(*on));
        }
        P::CertificateRevoked => "Giấy chứng nhận OCOP đã bị thu hồi.",
        P::CertificateNotVerified => "Giấy chứng nhận OCOP chưa được xác minh.",
        P::StarsTooLow(stars) => {
            return format!("Sản phẩm {stars} sao chưa đủ điều kiện bày bán (cần từ 3 sao).");
        }
        P::NoVariant => "Sản phẩm cần ít nhất một phiên bản có giá.",
        P::NoSellableLot => {
            "Sản phẩm chưa có lô hàng nào còn bán được (còn hàng, chưa hết hạn, không bị thu hồi)."
        }
        P::LotNumber => "Số lô gồm 1–20 ký tự: chữ cái không dấu, chữ số và - . / _",
        P::Gln => "GLN phải gồm 13 chữ số với số kiểm tra đúng.",
        P::ProducedInFuture => "Ngày sản xuất không hợp lệ (không được ở tương lai).",
        P::ExpiryBeforeProduction => "Hạn sử dụng phải sau ngày sản xuất.",
        P::FreshFoodNeedsExpiry => "Thực phẩm tươi sống (nhóm I.1) bắt buộc có hạn sử dụng.",
        P::QuantityRange(max) => {
            return format!("Số lượng phải từ 1 đến {}.", group_thousands(*max));
        }
        P::LotNumberTaken => "Số lô này đã có cho phiên bản sản phẩm này.",
        P::LotRecalled => "Lô hàng này đã bị thu hồi.",
        P::UnknownBizStep(step) => {
            return format!(
                "\"{step}\" không phải bước nghiệp vụ CBV 2.0 (ví dụ: commissioning, packing, shipping, receiving)."
            );
        }
        P::UnknownDisposition(d) => return format!("\"{d}\" không phải trạng thái CBV 2.0."),
        P::EventInFuture => "Thời điểm sự kiện không hợp lệ (không được ở tương lai).",
        P::DataNotObject => "Dữ liệu kèm theo phải là một đối tượng JSON.",
        P::DataTooLarge { max_kb } => {
            return format!("Dữ liệu kèm theo quá lớn (tối đa {max_kb} KB).");
        }
        P::EmptyCart => "Giỏ hàng đang trống.",
        P::TooManyLines(max) => return format!("Một đơn hàng có tối đa {max} dòng sản phẩm."),
        P::NotOnSale => "Sản phẩm này hiện không được bày bán.",
        P::IdempotencyKeyLength => "Khóa chống trùng lặp phải có từ 1 đến 100 ký tự.",
        P::IdempotencyKeyReused => "Khóa chống trùng lặp này đã được dùng cho một đơn hàng khác.",
        P::InsufficientStock { left } => {
            return format!(
                "Không đủ hàng: chỉ còn {} sản phẩm.",
                group_thousands(*left)
            );
        }
        P::OrderNotFound => "Không tìm thấy đơn hàng.",
        P::SellerOrderNotFound => "Không tìm thấy đơn hàng của nhà sản xuất.",
        P::CannotShip => "Chỉ giao cho vận chuyển được đơn đã xác nhận và chưa gửi.",
        P::CannotDeliver => "Chỉ xác nhận giao được đơn đang vận chuyển.",
        P::CannotConfirmReceipt => "Chỉ xác nhận đã nhận hàng khi mọi kiện đã được giao.",
        P::CannotCancel => "Không thể hủy: hàng đã được gửi đi hoặc đơn đã hủy.",
        P::TooManyUnpaid(max) => {
            return format!(
                "Bạn đang có {max} đơn hàng chờ thanh toán. Vui lòng thanh toán hoặc hủy bớt trước khi đặt đơn mới, hoặc chọn thanh toán khi nhận hàng."
            );
        }
        P::TooManyUnpaidUnits { max, held } => {
            return format!(
                "Mỗi sản phẩm chỉ được giữ tối đa {max} đơn vị trong các đơn chờ thanh toán (bạn đang giữ {held}). Vui lòng thanh toán các đơn đang chờ, giảm số lượng, hoặc chọn thanh toán khi nhận hàng."
            );
        }
        P::PaymentMethodUnavailable => {
            "Chợ OCOP chưa nhận cách thanh toán này. Vui lòng chọn cách thanh toán khác."
        }
        P::CardGatewayUnavailable => {
            "Chưa kết nối được cổng thanh toán thẻ. Đơn hàng đã được giữ; vui lòng đặt lại với cùng giỏ hàng sau ít phút."
        }
        P::RefundAmountNotPositive => "Số tiền hoàn phải lớn hơn 0.",
        P::NothingToRefund => "Đơn hàng này không còn khoản nào để hoàn tiền.",
        P::RefundTooLarge { available } => {
            return format!(
                "Số tiền hoàn vượt quá số đã thanh toán: chỉ còn có thể hoàn {}.",
                format_vnd(*available)
            );
        }
        P::RefundKeyReused => "Khóa chống trùng lặp này đã được dùng cho một lần hoàn tiền khác.",
        P::BadIdNumber => {
            "Số căn cước phải gồm 12 chữ số (hoặc 9 chữ số với chứng minh nhân dân cũ)."
        }
        P::IdNumberTaken => "Số giấy tờ này đã được dùng cho một tài khoản nhà sáng tạo khác.",
        P::BadChannel => "Kênh phải là một địa chỉ web bắt đầu bằng https:// (tối đa 300 ký tự).",
        P::ChannelCount(max) => {
            return format!(
                "Cần từ 1 đến {max} kênh bán hàng (TikTok, Facebook, YouTube, Shopee, Zalo…)."
            );
        }
        P::CreatorAlreadyVerified => "Bạn đã là nhà sáng tạo được xác minh.",
        P::CreatorNotFound => "Người dùng này chưa đăng ký làm nhà sáng tạo.",
        P::CreatorNotPending => "Hồ sơ này đã được xét duyệt.",
        P::CreatorNotVerified => {
            "Bạn cần được Chợ OCOP xác minh danh tính nhà sáng tạo trước khi bán hàng qua livestream hoặc liên kết."
        }
        P::LiveSessionNotFound => "Không tìm thấy phiên live.",
        P::LiveOfferNotFound => "Không tìm thấy sản phẩm này trong phiên live.",
        P::BadPlatform => "Nền tảng phải là TIKTOK, FACEBOOK, YOUTUBE, SHOPEE, ZALO hoặc OTHER.",
        P::BadSchedule => "Thời gian phát phải từ hiện tại đến trong vòng một năm tới.",
        P::CannotStartLive => "Chỉ bắt đầu được phiên live đang chờ phát.",
        P::CannotEndLive => "Chỉ kết thúc được phiên live đang phát.",
        P::LiveEnded => "Phiên live đã kết thúc.",
        P::NotLive => "Chỉ ghim được sản phẩm khi phiên đang phát.",
        P::NotInAffiliateProgram => {
            "Sản phẩm này chưa tham gia chương trình tiếp thị liên kết: nhà sáng tạo chưa thể bán trong phiên live."
        }
        P::LivePriceRange { regular } => {
            return format!(
                "Giá live phải lớn hơn 0 và không cao hơn giá thường ({}).",
                format_vnd(*regular)
            );
        }
        P::PerBuyerLimitRange => "Giới hạn mỗi người mua phải từ 1 đến số lượng mở bán.",
        P::AlreadyOffered => "Sản phẩm này đã có trong phiên live.",
        P::LineTermsDiffer => {
            "Một sản phẩm xuất hiện hai lần với ưu đãi live hoặc mã giới thiệu khác nhau: hãy gộp thành một dòng."
        }
        P::LiveOfferOtherVariant => "Ưu đãi live này dành cho một sản phẩm khác.",
        P::LivePriceNotNow => {
            "Giá live chỉ áp dụng khi phiên đang phát; phiên này chưa bắt đầu hoặc đã kết thúc."
        }
        P::LiveCapReached { left } => {
            return if *left > 0 {
                format!("Suất giá live chỉ còn {left} sản phẩm.")
            } else {
                "Suất giá live đã bán hết.".to_owned()
            };
        }
        P::PerBuyerLimitReached { max, bought } => {
            return format!(
                "Mỗi người mua được tối đa {max} sản phẩm với giá live; bạn đã mua {bought}."
            );
        }
        P::LivePriceChanged => "Giá live vừa thay đổi: hãy xem lại giá rồi đặt hàng.",
        P::AffiliateLinkNotFound => "Không tìm thấy mã giới thiệu.",
        P::AffiliateOtherProduct => "Mã giới thiệu này dành cho một sản phẩm khác.",
        P::AffiliateRateRange => {
            "Tỷ lệ hoa hồng phải từ 0 đến 5000 phần vạn (0 là tắt chương trình, tối đa 50%)."
        }
        P::LivePriceByProducer { regular } => {
            return format!(
                "Nhà sáng tạo chỉ bán theo giá thường ({}); giá live thấp hơn do nhà sản xuất đặt.",
                format_vnd(*regular)
            );
        }
        P::LivePriceUpOnAir { now } => {
            return format!(
                "Đang phát thì giá live chỉ được giảm (hiện là {}): người xem không phải trả cao hơn giá đã thấy.",
                format_vnd(*now)
            );
        }
        P::CapBelowSold { sold } => {
            return format!("Số lượng mở bán không thể thấp hơn số đã bán ({sold}).");
        }
        P::LiveSessionOtherProduct => {
            "Phiên live này không có sản phẩm đó: chỉ tạo liên kết cho sản phẩm trong phiên."
        }
        P::StatementRange => {
            "Khoảng thời gian sao kê không hợp lệ (từ ngày phải trước đến ngày, tối đa 366 ngày)."
        }
    };
    s.to_owned()
}

/// A producer's statement line, as the producer reads it.
pub fn ledger_kind(kind: orders::entity::ledger_entry::EntryKind) -> &'static str {
    use orders::entity::ledger_entry::EntryKind as K;
    match kind {
        K::Sale => "Tiền hàng và phí vận chuyển",
        K::PlatformFee => "Phí nền tảng",
        K::Refunded => "Hoàn tiền cho người mua",
        K::Captured => "Đã thu qua cổng thanh toán",
        K::CashCollected => "Đã thu tiền mặt khi giao",
        K::Commission => "Hoa hồng cho nhà sáng tạo",
    }
}

// Top-level outcomes.
pub const UNAUTHENTICATED: &str = "Bạn cần đăng nhập để thực hiện thao tác này.";
pub const BAD_TOKEN: &str = "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.";
pub const FORBIDDEN: &str = "Bạn không có quyền thực hiện thao tác này.";
pub const INTERNAL: &str = "Đã có lỗi hệ thống. Vui lòng thử lại sau.";
pub const RATE_LIMITED: &str = "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.";
pub const NOT_A_GRAPHQL_REQUEST: &str =
    "Yêu cầu GraphQL không hợp lệ: cần một đối tượng JSON có trường query.";
pub const VARIABLES_NOT_JSON: &str = "Tham số variables không phải JSON hợp lệ.";
pub const MUTATION_OVER_GET: &str = "Chỉ được gửi truy vấn (query) bằng GET; hãy dùng POST.";

pub const NESTED_TOO_DEEP: &str = "Truy vấn lồng quá sâu.";

pub fn too_deep(max_depth: usize) -> String {
    format!("Truy vấn lồng quá sâu (tối đa {max_depth} cấp).")
}

pub fn too_complex(max_complexity: usize) -> String {
    format!("Truy vấn quá phức tạp (tối đa {max_complexity} điểm).")
}

pub fn payload_too_large(limit_bytes: usize) -> String {
    format!("Yêu cầu quá lớn (tối đa {} KB).", limit_bytes / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_go_into_the_sentence() {
        assert_eq!(
            vi(&Problem::TooLong(Label::ProductName, 200)),
            "Tên sản phẩm dài quá 200 ký tự."
        );
        assert_eq!(
            vi(&Problem::CertificateExpired(
                chrono::NaiveDate::from_ymd_opt(2025, 1, 10).unwrap()
            )),
            "Giấy chứng nhận OCOP đã hết hạn ngày 10/01/2025."
        );
        assert_eq!(
            vi(&Problem::InsufficientStock { left: 3 }),
            "Không đủ hàng: chỉ còn 3 sản phẩm."
        );
        assert_eq!(
            vi(&Problem::QuantityRange(10_000_000)),
            "Số lượng phải từ 1 đến 10.000.000."
        );
    }
}
