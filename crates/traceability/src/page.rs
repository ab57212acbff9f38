//! The public trace page: server-rendered HTML in Vietnamese, readable on a phone, no
//! JavaScript. Everything a producer typed is escaped.

use std::fmt::Write;

use kernel::admin_units::AdminUnits;
use kernel::money::format_vnd;

use crate::trace::Trace;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f6f7f4;color:#1d2a1d;line-height:1.5}\
main{max-width:40rem;margin:0 auto;padding:1rem}\
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}\
.card{background:#fff;border-radius:.6rem;padding:1rem;margin:.8rem 0;box-shadow:0 1px 3px #0002}\
.warn{background:#fdecea;color:#8a1c12;border:2px solid #d93025;border-radius:.6rem;padding:.8rem;margin:.6rem 0;font-weight:600}\
.ok{color:#1e6b2c}.stars{color:#d99a00;font-size:1.3rem;letter-spacing:.1rem}\
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;margin:0}dt{color:#5b6b5b}dd{margin:0}\
ol.timeline{list-style:none;padding:0;margin:0;border-left:3px solid #7aa56a}\
ol.timeline li{margin:0 0 .8rem .8rem}.time{color:#5b6b5b;font-size:.9rem}\
img{max-width:100%;border-radius:.6rem}.code{font-family:ui-monospace,monospace;font-size:1.1rem}\
a.buy{display:block;text-align:center;background:#2f7d32;color:#fff;padding:.9rem;border-radius:.6rem;text-decoration:none;font-weight:700;font-size:1.1rem}\
footer{color:#5b6b5b;font-size:.85rem;text-align:center;padding:1rem}";

fn head(title: &str) -> String {
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body><main>",
        esc(title)
    )
}

const FOOT: &str = "<footer>Chợ OCOP — truy xuất nguồn gốc theo chuẩn GS1 (TCVN 12850:2019)</footer></main></body></html>";

/// Vietnamese names of the CBV business steps shown on the timeline.
pub fn step_vi(step: &str) -> &str {
    match step {
        "commissioning" => "Thu hoạch / sản xuất",
        "packing" => "Đóng gói",
        "shipping" => "Xuất kho, vận chuyển",
        "receiving" => "Nhận hàng",
        "storing" => "Lưu kho",
        "inspecting" => "Kiểm tra chất lượng",
        "retail_selling" => "Bán lẻ",
        "holding" => "Tạm giữ",
        "transporting" => "Vận chuyển",
        "sampling" => "Lấy mẫu",
        other => other,
    }
}

fn place(
    units: &AdminUnits,
    province: Option<&str>,
    commune: Option<&str>,
    place: Option<&str>,
) -> String {
    let mut parts = Vec::new();
    if let Some(p) = place.filter(|p| !p.is_empty()) {
        parts.push(p.to_owned());
    }
    if let Some(c) = commune.and_then(|c| units.commune(c)) {
        parts.push(c.name.clone());
    }
    if let Some(p) = province.and_then(|p| units.province(p)) {
        parts.push(p.name.clone());
    }
    parts.join(", ")
}

/// Stands where the scan count goes while a page is rendered once for many scans.
const SCANS: &str = "\u{0}SCANS\u{0}";

/// The trace page of a lot with its scan count. `product_url` is where "Mua sản phẩm" leads.
pub fn render(
    t: &Trace,
    units: &AdminUnits,
    image: Option<&str>,
    product_url: &str,
    code: &str,
    scans: i64,
) -> String {
    let (a, b) = render_parts(t, units, image, product_url, code);
    format!("{a}{scans}{b}")
}

/// The page split around its scan count, to render once and serve many times.
pub fn render_parts(
    t: &Trace,
    units: &AdminUnits,
    image: Option<&str>,
    product_url: &str,
    code: &str,
) -> (String, String) {
    let html = render_with(t, units, image, product_url, code);
    match html.split_once(SCANS) {
        Some((a, b)) => (a.to_owned(), b.to_owned()),
        None => (html, String::new()),
    }
}

fn render_with(
    t: &Trace,
    units: &AdminUnits,
    image: Option<&str>,
    product_url: &str,
    code: &str,
) -> String {
    let mut h = head(&format!("Truy xuất nguồn gốc — {}", t.product.name));
    for w in &t.warnings {
        let _ = write!(h, "<div class=\"warn\" role=\"alert\">⚠ {}</div>", esc(w));
    }
    let _ = write!(h, "<div class=\"card\">");
    if let Some(img) = image {
        let _ = write!(
            h,
            "<img src=\"{}\" alt=\"{}\">",
            esc(img),
            esc(&t.product.name)
        );
    }
    let stars = "★".repeat(t.certificate.stars.clamp(0, 5) as usize);
    let _ = write!(
        h,
        "<h1>{}</h1><div>{}</div><div class=\"stars\" aria-label=\"{} sao OCOP\">{stars} <small>OCOP {} sao</small></div>\
<div>Giá: {}</div><p class=\"code\">Mã truy xuất: {}</p>",
        esc(&t.product.name),
        esc(&t.variant.name),
        t.certificate.stars,
        t.certificate.stars,
        esc(&format_vnd(t.variant.price)),
        esc(code)
    );
    if t.warnings.is_empty() {
        let _ = write!(
            h,
            "<p class=\"ok\">✔ Thông tin lô hàng hợp lệ, nhật ký truy xuất nguyên vẹn.</p>"
        );
    }
    h.push_str("</div>");

    let _ = write!(
        h,
        "<div class=\"card\"><h2>Chủ thể sản xuất</h2><dl><dt>Tên</dt><dd>{}</dd><dt>Địa chỉ</dt><dd>{}</dd></dl></div>",
        esc(&t.producer.name),
        esc(&format!(
            "{}, {}",
            t.producer.address,
            place(
                units,
                Some(&t.producer.province_code),
                t.producer.commune_code.as_deref(),
                None
            )
        ))
    );
    let _ = write!(
        h,
        "<div class=\"card\"><h2>Chứng nhận OCOP</h2><dl><dt>Sản phẩm</dt><dd>{}</dd><dt>Hạng</dt><dd>{} sao</dd>\
<dt>Quyết định</dt><dd>{}</dd><dt>Cơ quan cấp</dt><dd>{}</dd><dt>Ngày cấp</dt><dd>{}</dd><dt>Hiệu lực đến</dt><dd>{}</dd></dl></div>",
        esc(&t.certificate.product_name),
        t.certificate.stars,
        esc(&t.certificate.decision_number),
        esc(&t.certificate.issued_by),
        t.certificate.issued_on.format("%d/%m/%Y"),
        t.certificate.valid_until.format("%d/%m/%Y"),
    );
    let origin = place(
        units,
        t.lot.origin_province_code.as_deref(),
        t.lot.origin_commune_code.as_deref(),
        t.lot.origin_place.as_deref(),
    );
    let _ = write!(
        h,
        "<div class=\"card\"><h2>Lô hàng</h2><dl><dt>Số lô</dt><dd>{}</dd><dt>Nơi sản xuất</dt><dd>{}</dd>\
<dt>Ngày sản xuất</dt><dd>{}</dd><dt>Hạn sử dụng</dt><dd>{}</dd><dt>Số lượng</dt><dd>{}</dd><dt>Lượt tra cứu</dt><dd>{}</dd></dl></div>",
        esc(&t.lot.lot_number),
        esc(&origin),
        t.lot.produced_on.format("%d/%m/%Y"),
        t.lot
            .expires_on
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|| "Không ghi".into()),
        t.lot.quantity_produced,
        SCANS,
    );
    h.push_str("<div class=\"card\"><h2>Hành trình sản phẩm</h2><ol class=\"timeline\">");
    for e in &t.events {
        let when = chrono::DateTime::parse_from_rfc3339(&e.event_time)
            .map(|d| d.format("%H:%M %d/%m/%Y").to_string())
            .unwrap_or_else(|_| e.event_time.clone());
        let _ = write!(
            h,
            "<li><strong>{}</strong><div class=\"time\">{} — {}</div>{}</li>",
            esc(step_vi(&e.biz_step)),
            esc(&when),
            esc(&e.location),
            e.note
                .as_deref()
                .map(|n| format!("<div>{}</div>", esc(n)))
                .unwrap_or_default()
        );
    }
    h.push_str("</ol></div>");
    let _ = write!(
        h,
        "<a class=\"buy\" href=\"{}\">Mua sản phẩm</a>",
        esc(product_url)
    );
    h.push_str(FOOT);
    h
}

/// The page for a code that does not exist or was mistyped: helpful, not a stack trace.
pub fn not_found(input: &str, mistyped: bool) -> String {
    let mut h = head("Không tìm thấy mã truy xuất");
    let reason = if mistyped {
        "Mã này có vẻ bị gõ nhầm: mã truy xuất gồm 10 ký tự (chữ và số, không có 0, 1, I, L, O, U), ví dụ 7KQ4M-XH2RC. Hãy kiểm tra lại từng ký tự in dưới mã QR."
    } else {
        "Không có lô hàng nào mang mã này trên Chợ OCOP. Nếu mã được in trên bao bì, sản phẩm có thể không chính hãng: hãy báo cho người bán hoặc cơ quan OCOP địa phương."
    };
    let _ = write!(
        h,
        "<div class=\"card\"><h1>Không tìm thấy mã truy xuất</h1><p class=\"code\">{}</p><p>{reason}</p></div>",
        esc(input)
    );
    h.push_str(FOOT);
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::esc("<script>alert('x')</script> & \""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;"
        );
    }
}
