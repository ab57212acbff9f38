//! Money in whole đồng. VND has no minor unit; amounts are `i64`, never floats.

/// An amount of money in whole đồng (VND has no minor unit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub i64);

impl Money {
    pub fn vnd(amount: i64) -> Money {
        Money(amount)
    }
    pub fn amount(self) -> i64 {
        self.0
    }
    /// Vietnamese style, e.g. `125.000 ₫`.
    pub fn formatted(self) -> String {
        format_vnd(self.0)
    }
}

/// Formats whole đồng the Vietnamese way: dots between thousands, then a space and `₫`.
pub fn format_vnd(amount: i64) -> String {
    let mut out = group_thousands(amount);
    out.push_str(" ₫");
    out
}

/// A whole number the Vietnamese way, thousands grouped with dots: `10.000.000`.
pub fn group_thousands(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 5);
    if amount < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::format_vnd;

    #[test]
    fn formats_like_vietnamese_shops() {
        assert_eq!(format_vnd(125_000), "125.000 ₫");
        assert_eq!(format_vnd(0), "0 ₫");
        assert_eq!(format_vnd(999), "999 ₫");
        assert_eq!(format_vnd(1_000), "1.000 ₫");
        assert_eq!(format_vnd(12_345_678), "12.345.678 ₫");
        assert_eq!(format_vnd(-5_000), "-5.000 ₫");
    }
}
