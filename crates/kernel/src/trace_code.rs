//! Trace codes: the short public code printed under the QR on a jar, e.g. `7KQ4M-XH2RC`.
//!
//! Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L, no U): nine random
//! ones (30⁹ ≈ 2·10¹³, so codes cannot be guessed or enumerated) and a Luhn mod 30 check
//! character, which catches every single mistyped character and every swap of two neighbours
//! but `2`↔`Z` (Luhn's one blind pair), so a typo is rejected before any database lookup. Input is forgiving: case, spaces and
//! dashes are ignored.

/// 8 digits and 22 letters: `0 1 I L O U` are left out.
pub const ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
const N: u32 = ALPHABET.len() as u32;
pub const RANDOM_LEN: usize = 9;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TraceCode(String);

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)
}

/// The Luhn mod N check character for `body` (values in the alphabet).
fn check_value(body: &[u32]) -> u32 {
    let mut factor = 2;
    let mut sum = 0;
    for v in body.iter().rev() {
        let mut addend = factor * v;
        factor = if factor == 2 { 1 } else { 2 };
        addend = addend / N + addend % N;
        sum += addend;
    }
    (N - sum % N) % N
}

impl TraceCode {
    /// A fresh random code.
    pub fn generate(rng: &mut impl rand::Rng) -> TraceCode {
        let body: Vec<u32> = (0..RANDOM_LEN).map(|_| rng.random_range(0..N)).collect();
        let check = check_value(&body);
        let s: String = body
            .iter()
            .chain(std::iter::once(&check))
            .map(|v| ALPHABET[*v as usize] as char)
            .collect();
        TraceCode(s)
    }

    /// Parses what a person typed or a scanner read; `None` for anything that is not a valid
    /// code (wrong length, a character outside the alphabet, a wrong check character).
    pub fn parse(input: &str) -> Option<TraceCode> {
        let cleaned: Vec<u8> = input
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'-' | b'\t'))
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if cleaned.len() != RANDOM_LEN + 1 {
            return None;
        }
        let values: Option<Vec<u32>> = cleaned.iter().map(|b| value(*b)).collect();
        let values = values?;
        if check_value(&values[..RANDOM_LEN]) != values[RANDOM_LEN] {
            return None;
        }
        Some(TraceCode(String::from_utf8(cleaned).ok()?))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped for print: `7KQ4M-XH2RC`.
    pub fn grouped(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }
}

impl std::fmt::Display for TraceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_codes_parse_and_print_grouped() {
        let mut rng = rand::rng();
        for _ in 0..1000 {
            let c = TraceCode::generate(&mut rng);
            assert_eq!(c.as_str().len(), 10);
            assert_eq!(TraceCode::parse(c.as_str()), Some(c.clone()));
            assert_eq!(
                TraceCode::parse(&c.grouped().to_lowercase()),
                Some(c.clone())
            );
            assert!(!c.as_str().contains(['0', '1', 'I', 'L', 'O', 'U']));
        }
    }

    proptest! {
        #[test]
        fn any_single_typo_is_caught(body in proptest::collection::vec(0u32..30, 9), pos in 0usize..10, delta in 1u32..30) {
            let check = check_value(&body);
            let mut vals = body.clone();
            vals.push(check);
            let good: String = vals.iter().map(|v| ALPHABET[*v as usize] as char).collect();
            prop_assert!(TraceCode::parse(&good).is_some());
            vals[pos] = (vals[pos] + delta) % 30;
            let bad: String = vals.iter().map(|v| ALPHABET[*v as usize] as char).collect();
            prop_assert!(TraceCode::parse(&bad).is_none());
        }

        #[test]
        fn any_swap_of_neighbours_is_caught(body in proptest::collection::vec(0u32..30, 9), pos in 0usize..9) {
            let mut vals = body.clone();
            vals.push(check_value(&body));
            prop_assume!(vals[pos] != vals[pos + 1]);
            // Luhn's one blind pair: the first and last symbols of the alphabet.
            prop_assume!(!(vals[pos] + vals[pos + 1] == 29 && vals[pos].min(vals[pos + 1]) == 0));
            vals.swap(pos, pos + 1);
            let bad: String = vals.iter().map(|v| ALPHABET[*v as usize] as char).collect();
            prop_assert!(TraceCode::parse(&bad).is_none());
        }
    }
}
