//! VietQR (NAPAS 247 transfer by QR): the EMVCo merchant-presented payload every Vietnamese
//! banking app scans. Fields are `ID LL value` (two-digit id, two-digit length): `00` payload
//! format "01"; `01` point of initiation "12" (dynamic: one amount, one order); `38` merchant
//! account (`00` GUID `A000000727`, `01` beneficiary: `00` bank BIN, `01` account number; `02`
//! service `QRIBFTTA`, to an account); `53` currency 704 (VND); `54` amount; `58` "VN"; `62`
//! additional data with `08` purpose (our reference); last `63` CRC-16/CCITT-FALSE of all
//! before it, `6304` included, as four upper-case hex digits.

use rand::Rng;

/// The account transfers go to. Parsed from configuration once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccount {
    bin: String,
    number: String,
    name: String,
}

impl BankAccount {
    /// `bin`: the bank's 6-digit NAPAS BIN; `number`: 1–19 letters or digits; `name`: the
    /// account holder as the bank spells it (upper case, no diacritics).
    pub fn parse(bin: &str, number: &str, name: &str) -> Result<BankAccount, String> {
        let bin = bin.trim();
        if bin.len() != 6 || !bin.bytes().all(|b| b.is_ascii_digit()) {
            return Err("BANK_BIN must be the bank's 6-digit BIN".into());
        }
        let number = number.trim();
        if number.is_empty()
            || number.len() > 19
            || !number.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err("BANK_ACCOUNT_NUMBER must be 1 to 19 letters or digits".into());
        }
        let name = name.trim();
        if name.is_empty() || name.len() > 70 || !name.is_ascii() {
            return Err("BANK_ACCOUNT_NAME must be 1 to 70 ASCII characters".into());
        }
        Ok(BankAccount {
            bin: bin.to_owned(),
            number: number.to_owned(),
            name: name.to_uppercase(),
        })
    }
    pub fn bin(&self) -> &str {
        &self.bin
    }
    pub fn number(&self) -> &str {
        &self.number
    }
    pub fn name(&self) -> &str {
        &self.name
    }
}

fn field(out: &mut String, id: &str, value: &str) {
    debug_assert!(value.is_ascii() && value.len() < 100);
    out.push_str(id);
    out.push_str(&format!("{:02}", value.len()));
    out.push_str(value);
}

/// The payload of a dynamic QR for `amount` đồng to `account`, carrying `reference`.
pub fn payload(account: &BankAccount, amount: i64, reference: &str) -> String {
    let mut beneficiary = String::new();
    field(&mut beneficiary, "00", &account.bin);
    field(&mut beneficiary, "01", &account.number);
    let mut merchant = String::new();
    field(&mut merchant, "00", "A000000727");
    field(&mut merchant, "01", &beneficiary);
    field(&mut merchant, "02", "QRIBFTTA");
    let mut additional = String::new();
    field(&mut additional, "08", reference);
    let mut out = String::new();
    field(&mut out, "00", "01");
    field(&mut out, "01", "12");
    field(&mut out, "38", &merchant);
    field(&mut out, "53", "704");
    field(&mut out, "54", &amount.to_string());
    field(&mut out, "58", "VN");
    field(&mut out, "62", &additional);
    out.push_str("6304");
    let crc = crc16_ccitt_false(out.as_bytes());
    out.push_str(&format!("{crc:04X}"));
    out
}

/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor.
pub fn crc16_ccitt_false(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for b in data {
        crc ^= u16::from(*b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Letters no one confuses when reading them aloud (no I, L, O).
const LETTERS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ";

/// A payment reference for the order with this id: `OC`, the id's digits, then four random
/// letters. Upper-case letters and digits only, so banks that drop punctuation or change case
/// keep it findable; the letters end the id unambiguously and keep other people's transfer
/// texts from matching by chance.
pub fn reference(order_id: i64, rng: &mut impl Rng) -> String {
    let tail: String = (0..4)
        .map(|_| char::from(LETTERS[rng.random_range(0..LETTERS.len())]))
        .collect();
    format!("OC{order_id}{tail}")
}

/// Upper-case letters and digits only: what survives any bank's rewriting of a transfer text.
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Every reference a transfer's text may carry, however the bank mangled case, spaces and
/// punctuation: `OC`, digits, then four letters.
pub fn references_in(content: &str) -> Vec<String> {
    let s = squeeze(content);
    let b = s.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if &b[i..i + 2] == b"OC" {
            let digits = b[i + 2..].iter().take_while(|c| c.is_ascii_digit()).count();
            let start = i + 2 + digits;
            let tail = &b[start..(start + 4).min(b.len())];
            if digits > 0 && tail.len() == 4 && tail.iter().all(u8::is_ascii_uppercase) {
                found.push(s[i..start + 4].to_owned());
            }
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_standard_check_value() {
        // The catalogue check value of CRC-16/CCITT-FALSE over "123456789".
        assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
    }

    #[test]
    fn references_survive_banks_rewriting_the_text() {
        let mut rng = rand::rng();
        let r = reference(123, &mut rng);
        assert!(r.starts_with("OC123") && r.len() == 9);
        let mangled = format!("ck tien hang {}cam on", r.to_lowercase());
        assert_eq!(references_in(&mangled), vec![r.clone()]);
        let spaced = format!("NGUYEN VAN A CHUYEN KHOAN {}-{}", &r[..5], &r[5..]);
        assert_eq!(references_in(&spaced), vec![r.clone()]);
        assert!(references_in("chuyen tien OC12 3").is_empty());
        // Order 12's reference never hides inside order 123's.
        assert_eq!(references_in("OC123ABCD"), vec!["OC123ABCD".to_owned()]);
    }

    #[test]
    fn bank_accounts_are_checked() {
        assert!(BankAccount::parse("970436", "0123456789", "CONG TY OCOP").is_ok());
        assert!(BankAccount::parse("97043", "0123456789", "X").is_err());
        assert!(BankAccount::parse("970436", "01-23", "X").is_err());
        assert!(BankAccount::parse("970436", "0123", "CÔNG TY").is_err());
    }
}
