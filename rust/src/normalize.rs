//! The comparison form of a text: what two copies of one story have in common.
//!
//! Casefolded, diacritics and punctuation folded away, whitespace collapsed to single
//! spaces, and every character of scripts written without spaces (Chinese, Japanese,
//! Thai...) made a word of its own, so that word shingles still work on them. The steps, in
//! order: NFKD; nonspacing marks (`\p{Mn}`) dropped; full case folding; each character of
//! an unspaced script set apart by spaces; apostrophes deleted (so "don't" and "dont"
//! agree); every run of characters that are neither letters nor digits made one space.
//!
//! Text arrives as code points: a lone surrogate (no `char`) is neither a letter nor a
//! digit, so it is read as a space, which is what the last step makes of it.

use std::sync::LazyLock;

use caseless::Caseless;
use regex::Regex;
use unicode_normalization::UnicodeNormalization;

static MARKS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\p{Mn}+").expect("valid"));
static UNSPACED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}\p{sc=Tibetan}]",
    )
    .expect("valid")
});
static SEPARATORS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\p{L}\p{N}]+").expect("valid"));

/// Apostrophes join the pieces of a word rather than separate them.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘' | '`' | '´')
}

/// Non-ASCII punctuation common in English news, folded before asking whether a text is
/// ASCII (the apostrophes among them deleted, the rest made spaces).
const COMMON_PUNCT: &str = "’‘ʼ“”„‚«»‹›—–‐‑‒―•·°€£¥©®″′¡¿§¶†‡";

/// The ASCII byte table of the last three steps: upper case to lower, apostrophes
/// deleted (`None`), every other byte that is not a letter or digit to a space.
#[inline]
fn fold_ascii_byte(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b + 32),
        b'a'..=b'z' | b'0'..=b'9' => Some(b),
        b'\'' | b'`' => None,
        _ => Some(b' '),
    }
}

/// The words of space-separated text joined by single spaces.
fn collapse<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for word in words.filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The text of code points, lone surrogates read as spaces; and whether there were any.
pub fn text_of(codes: impl IntoIterator<Item = u32>) -> (String, bool) {
    let mut surrogates = false;
    let text = codes
        .into_iter()
        .map(|c| {
            char::from_u32(c).unwrap_or_else(|| {
                surrogates = true;
                ' '
            })
        })
        .collect();
    (text, surrogates)
}

/// What the ASCII table and the common punctuation make of one character: `Some(None)` to
/// delete it, `Some(Some(c))` to write `c` (a space for a separator); `None` when the
/// character needs the general path. With `exact_spaces`, characters whose NFKD is more
/// than one separator (`″` is `′′`) need the general path too, so that folded bytes keep
/// their runs of spaces exactly.
#[inline]
fn fold_simple_char(c: char, exact_spaces: bool) -> Option<Option<u8>> {
    if c.is_ascii() {
        return Some(fold_ascii_byte(c as u8));
    }
    match c {
        '’' | '‘' | 'ʼ' => Some(None),
        '″' | '‑' if exact_spaces => None,
        c if COMMON_PUNCT.contains(c) => Some(Some(b' ')),
        _ => None,
    }
}

/// NFKD, nonspacing marks dropped, full case folding.
fn decompose_and_fold(text: &str) -> String {
    let decomposed: String = text.nfkd().collect();
    MARKS
        .replace_all(&decomposed, "")
        .chars()
        .default_case_fold()
        .collect()
}

/// Return the comparison form of a text (read lone surrogates as spaces before: see
/// [`text_of`]).
pub fn normalize(text: &str) -> String {
    // Most news text is ASCII with curly quotes and dashes: one pass, no Unicode tables.
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        match fold_simple_char(c, false) {
            None => return normalize_unicode(text),
            Some(None) => {}
            Some(Some(b' ')) => space = true,
            Some(Some(b)) => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(char::from(b));
            }
        }
    }
    out
}

/// The general path of [`normalize`]: every step, with the Unicode tables.
fn normalize_unicode(text: &str) -> String {
    let folded = decompose_and_fold(text);
    let spaced = UNSPACED.replace_all(&folded, " ${0} ");
    let joined: String = spaced.chars().filter(|&c| !is_apostrophe(c)).collect();
    collapse(SEPARATORS.replace_all(&joined, " ").split(' '))
}

/// Return the comparison form before spaces are collapsed, if it is ASCII.
///
/// Its words, split on runs of spaces, are exactly those of [`normalize`]; `None` when the
/// text needs the general Unicode path. (A text that held lone surrogates has none.)
pub fn folded_bytes(text: &str) -> Option<Vec<u8>> {
    let simple: Option<Vec<u8>> = text
        .chars()
        .map(|c| fold_simple_char(c, true))
        .collect::<Option<Vec<Option<u8>>>>()
        .map(|bytes| bytes.into_iter().flatten().collect());
    if simple.is_some() {
        return simple;
    }
    let replaced: String = decompose_and_fold(text)
        .chars()
        .filter_map(|c| match c {
            '’' | '‘' | 'ʼ' => None,
            c if COMMON_PUNCT.contains(c) => Some(' '),
            c => Some(c),
        })
        .collect();
    replaced
        .is_ascii()
        .then(|| replaced.bytes().filter_map(fold_ascii_byte).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> String {
        normalize(text)
    }

    fn folded(text: &str) -> Option<String> {
        folded_bytes(text).map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn folds_case_accents_quotes_and_spacing() {
        assert_eq!(norm("  The “Café” — isn't   it?  "), "the cafe isnt it");
        assert_eq!(norm("Don't PANIC!"), "dont panic");
        assert_eq!(norm("Straße ﬁnance"), "strasse finance");
        assert_eq!(norm(""), "");
        assert_eq!(norm(" \t\n"), "");
    }

    #[test]
    fn unspaced_scripts_give_a_word_a_character() {
        assert_eq!(norm("新闻报道"), "新 闻 报 道");
        assert_eq!(norm("東京、大阪"), "東 京 大 阪");
    }

    #[test]
    fn a_lone_surrogate_is_a_space() {
        let (text, surrogates) = text_of([u32::from('a'), 0xD800, u32::from('b')]);
        assert!(surrogates);
        assert_eq!(normalize(&text), "a b");
    }

    #[test]
    fn the_fast_path_equals_the_general_one() {
        for text in [
            "It’s “here” — now",
            "a‑b ″c″ 10°",
            "‘quoted’ ʼx «y»",
            "x   y\t",
        ] {
            assert_eq!(normalize(text), normalize_unicode(text), "{text}");
        }
        assert_eq!(folded("a″b").as_deref(), Some("a  b"));
    }

    #[test]
    fn folded_bytes_keep_runs_of_spaces_and_refuse_non_ascii() {
        assert_eq!(folded("Don't PANIC!").as_deref(), Some("dont panic "));
        assert_eq!(
            folded("It’s “here” — now").as_deref(),
            Some("its  here    now")
        );
        assert_eq!(folded("東京"), None);
    }
}
