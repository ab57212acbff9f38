//! Vietnamese text folding: search ignores case and diacritics ("nuoc mam" finds "Nước mắm"),
//! and `đ` folds to `d` (it is a letter of its own, not a letter with a mark, so Unicode
//! decomposition alone leaves it alone).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases, strips diacritics, folds `đ`/`Đ` to `d`, turns anything that is not a letter or
/// digit into a space and collapses runs of spaces.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for ch in s.nfd() {
        if is_combining_mark(ch) {
            continue;
        }
        let ch = match ch {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if ch.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(ch.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// The words of a search query, folded, at most `max` of them.
pub fn search_terms(query: &str, max: usize) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for t in fold(query).split(' ') {
        if !t.is_empty() && !terms.iter().any(|x| x == t) {
            terms.push(t.to_owned());
        }
        if terms.len() == max {
            break;
        }
    }
    terms
}

/// A URL slug: folded words joined by `-`, at most 80 characters.
pub fn slugify(s: &str) -> String {
    let mut slug = fold(s).replace(' ', "-");
    if slug.chars().count() > 80 {
        // Counted in characters, cut on a character boundary: a name in CJK or any other
        // script of multi-byte letters must not panic here.
        let end = slug.char_indices().nth(80).map_or(slug.len(), |(i, _)| i);
        slug.truncate(end);
        while slug.ends_with('-') {
            slug.pop();
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Nước mắm Phú Quốc"), "nuoc mam phu quoc");
        assert_eq!(fold("ĐẶC SẢN Đà Lạt"), "dac san da lat");
        assert_eq!(fold("  Chè   Thái-Nguyên!! "), "che thai nguyen");
        assert_eq!(fold("Mật ong bạc hà Hà Giang"), "mat ong bac ha ha giang");
        // Decomposed input (NFD) folds the same as precomposed (NFC).
        assert_eq!(fold("Nu\u{031b}\u{0301}o\u{031b}c"), fold("Nước"));
        assert_eq!(slugify("Nước mắm Phú Quốc 40°N"), "nuoc-mam-phu-quoc-40-n");
        // Forty CJK characters (three bytes each) used to panic on a byte cut.
        assert_eq!(slugify(&"茶".repeat(40)).chars().count(), 40);
        assert_eq!(slugify(&"茶".repeat(100)).chars().count(), 80);
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn folded_text_has_no_vietnamese_marks(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ ]{0,40}") {
            let f = fold(&s);
            prop_assert!(f.chars().all(|c| c.is_ascii_lowercase() || c == ' '), "{}", f);
        }

        #[test]
        fn slugs_of_any_text_are_at_most_80_characters_without_panicking(s in "\\PC{0,200}") {
            let slug = slugify(&s);
            prop_assert!(slug.chars().count() <= 80);
            prop_assert!(!slug.ends_with('-') && !slug.starts_with('-'));
        }

        #[test]
        fn case_and_marks_do_not_matter(s in "[a-zđ ]{0,30}") {
            // Upper-casing and folding agree with folding alone.
            prop_assert_eq!(fold(&s.to_uppercase()), fold(&s));
        }
    }
}
