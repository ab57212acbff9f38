//! A creator's personal ID number (căn cước: 12 digits; the old chứng minh nhân dân: 9) is
//! personal data under Decree 13/2023: it is checked, then kept only as a keyed hash and its
//! last four digits. The key is the server's own (`IdNumberKey`), so the hash cannot be
//! reversed by trying every number without it.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The key ID numbers are hashed with.
#[derive(Clone)]
pub struct IdNumberKey(Vec<u8>);

impl IdNumberKey {
    /// Derived from the server's secret with a purpose of its own, so it is never the token key.
    pub fn derive(server_secret: &[u8]) -> IdNumberKey {
        let mut mac = Hmac::<Sha256>::new_from_slice(server_secret).expect("HMAC takes any key");
        mac.update(b"cho-ocop: creator id numbers v1");
        IdNumberKey(mac.finalize().into_bytes().to_vec())
    }
}

impl std::fmt::Debug for IdNumberKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdNumberKey(<hidden>)")
    }
}

/// A checked ID number: 9 or 12 digits (spaces and dots ignored).
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(s: &str) -> Option<IdNumber> {
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
        (matches!(digits.len(), 9 | 12) && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(IdNumber(digits))
    }

    pub fn hash(&self, key: &IdNumberKey) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes any key");
        mac.update(self.0.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn last4(&self) -> String {
        self.0[self.0.len() - 4..].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked_and_kept_only_as_hash_and_last_four() {
        let key = IdNumberKey::derive(b"secret");
        let n = IdNumber::parse("038 095 001 234").expect("a 12-digit căn cước");
        assert_eq!(n.last4(), "1234");
        assert_eq!(
            n.hash(&key),
            IdNumber::parse("038095001234").unwrap().hash(&key)
        );
        assert_ne!(n.hash(&key), n.hash(&IdNumberKey::derive(b"other")));
        assert_eq!(n.hash(&key).len(), 64);
        assert!(IdNumber::parse("123456789").is_some());
        for bad in ["", "12345678", "1234567890", "03809500123a", "٠٣٨٠٩٥٠٠١٢٣٤"] {
            assert!(IdNumber::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(format!("{key:?}"), "IdNumberKey(<hidden>)");
    }
}
