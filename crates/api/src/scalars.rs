//! Scalars and small value objects named as API.md names them.

use async_graphql::{
    Enum, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value,
};
use chrono::NaiveDate;

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("Ngày phải có dạng YYYY-MM-DD.")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CurrencyCode {
    #[graphql(name = "VND")]
    Vnd,
}

/// An amount of money in whole đồng.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct Money {
    /// Whole đồng.
    pub amount: i64,
    pub currency_code: CurrencyCode,
    /// Vietnamese style, e.g. `125.000 ₫`.
    pub formatted: String,
}

impl Money {
    pub fn vnd(amount: i64) -> Money {
        Money {
            amount,
            currency_code: CurrencyCode::Vnd,
            formatted: kernel::money::format_vnd(amount),
        }
    }
}
