//! Dates are judged in Asia/Ho_Chi_Minh: UTC+7 all year (Vietnam has kept no daylight saving
//! time since 1975), so a fixed offset is exact.

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, Utc};

pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// Today's date in Vietnam.
pub fn today_vn() -> NaiveDate {
    date_vn(Utc::now())
}

/// The calendar date of an instant in Vietnam.
pub fn date_vn(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&vn_offset()).date_naive()
}

/// `date` plus `months` calendar months; the 31st clamps to the month's last day.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether `year` is plausible for a certificate or a lot.
pub fn plausible_year(date: NaiveDate) -> bool {
    (2000..=2100).contains(&date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn vietnam_is_seven_hours_ahead() {
        let late_utc = Utc.with_ymd_and_hms(2026, 1, 31, 17, 30, 0).unwrap();
        assert_eq!(
            date_vn(late_utc),
            NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()
        );
    }

    #[test]
    fn thirty_six_months() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(
            add_months(d, 36),
            NaiveDate::from_ymd_opt(2027, 2, 28).unwrap()
        );
    }
}
