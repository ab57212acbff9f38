//! Keyset pagination: a cursor holds the sort it belongs to and the sort key of the last row,
//! never an offset, so page 1,000 costs what page 1 costs.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The largest page a client may ask for.
pub const MAX_PAGE: i32 = 100;
/// The page size when `first` is not given.
pub const DEFAULT_PAGE: i32 = 20;

/// A decoded keyset cursor: the sort's tag and the integer keys of the last row seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub tag: String,
    pub keys: Vec<i64>,
}

impl Cursor {
    pub fn new(tag: &str, keys: Vec<i64>) -> Cursor {
        Cursor {
            tag: tag.to_owned(),
            keys,
        }
    }

    pub fn encode(&self) -> String {
        let mut s = format!("v1|{}", self.tag);
        for k in &self.keys {
            s.push('|');
            s.push_str(&k.to_string());
        }
        URL_SAFE_NO_PAD.encode(s)
    }

    /// Decodes a cursor that must belong to the sort `tag` and carry `arity` keys.
    pub fn decode(s: &str, tag: &str, arity: usize) -> Option<Cursor> {
        if s.len() > 200 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(s.as_bytes()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.split('|');
        if parts.next()? != "v1" || parts.next()? != tag {
            return None;
        }
        let keys = parts
            .map(|p| p.parse::<i64>().ok())
            .collect::<Option<Vec<_>>>()?;
        (keys.len() == arity).then(|| Cursor::new(tag, keys))
    }
}

/// Decodes the `after` argument of an id-ordered page: the last id seen.
pub fn after_id(after: Option<&str>, tag: &str) -> Result<Option<i64>, crate::error::Error> {
    match after {
        None => Ok(None),
        Some(a) => Cursor::decode(a, tag, 1)
            .map(|c| Some(c.keys[0]))
            .ok_or_else(bad_cursor),
    }
}

/// The error for a cursor that is not one of ours, or not for this sort.
pub fn bad_cursor() -> crate::error::Error {
    crate::error::Error::bad_request(crate::problem::Problem::BadCursor)
}

/// Validates `first`: negative is an error, over [`MAX_PAGE`] is capped.
pub fn page_size(first: Option<i32>) -> Result<u64, crate::error::Error> {
    match first {
        None => Ok(DEFAULT_PAGE as u64),
        Some(n) if n < 0 => Err(crate::error::Error::bad_request(
            crate::problem::Problem::NegativeFirst,
        )),
        Some(n) => Ok(n.min(MAX_PAGE) as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn cursor_round_trips(tag in "[A-Z_]{1,12}", keys in proptest::collection::vec(any::<i64>(), 0..4)) {
            let c = Cursor::new(&tag, keys.clone());
            let back = Cursor::decode(&c.encode(), &tag, keys.len());
            prop_assert_eq!(back, Some(c));
        }

        #[test]
        fn garbage_never_decodes_to_another_sort(s in ".{0,60}") {
            // Whatever the client sends, a cursor for one sort is never taken for another.
            if let Some(c) = Cursor::decode(&s, "NEWEST", 1) {
                prop_assert_eq!(c.tag, "NEWEST");
            }
        }
    }

    #[test]
    fn rejects_malformed_cursors() {
        assert!(Cursor::decode("!!!", "NEWEST", 1).is_none());
        let other = Cursor::new("PRICE_ASC", vec![1, 2]).encode();
        assert!(Cursor::decode(&other, "NEWEST", 1).is_none());
        assert!(Cursor::decode(&other, "PRICE_ASC", 1).is_none());
    }

    #[test]
    fn caps_first() {
        assert_eq!(page_size(Some(1000)).unwrap(), 100);
        assert_eq!(page_size(None).unwrap(), 20);
        assert!(page_size(Some(-1)).is_err());
    }
}
