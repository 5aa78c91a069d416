//! Shingles: word and character n-grams of a comparison text, hashed.
//!
//! Every hash here is stored in index files, so each is fixed bit for bit:
//! - a word's hash is the polynomial `sum c_j * P**j` over its code points (modulo 2**64);
//! - an n-gram of hashes `t_0 .. t_(w-1)` is `(...(t_0 * Q + t_1) * Q + ...) + w` (salted with
//!   its width `w`, so a short text's one shingle and an n-gram of a longer one agree only when
//!   they are the same words), mixed by MurmurHash3's `fmix64`, top 32 bits kept;
//! - a passage anchor is the same polynomial without the salt, mixed, all 64 bits kept.

use std::collections::VecDeque;

/// Multiplier of the word polynomial (odd, so invertible modulo 2**64).
pub const P: u64 = 0x9E37_79B9_7F4A_7C15;
/// Multiplier of the n-gram polynomial.
pub const Q: u64 = 0xC2B2_AE3D_27D4_EB4F;
const SPACE: u32 = 32;

/// MurmurHash3's 64-bit finalizer: every input bit moves about half the output bits.
#[inline]
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// Mix a 64-bit hash and keep its top 32 bits (a shingle hash).
#[inline]
pub fn finalize(h: u64) -> u32 {
    (fmix64(h) >> 32) as u32
}

/// Hash one word given its code points; only the first `limit` count.
#[inline]
fn word_hash(codes: impl Iterator<Item = u32>, limit: usize) -> u64 {
    let mut hash = 0u64;
    let mut power = 1u64;
    for c in codes.take(limit) {
        hash = hash.wrapping_add(u64::from(c).wrapping_mul(power));
        power = power.wrapping_mul(P);
    }
    hash
}

/// Append one hash per word of a text, words split by single spaces.
///
/// Two spaces in a row hold an empty word (hash 0) between them, as do a leading or a
/// trailing space; an empty text has no words. With `prefix`, only the first `prefix`
/// characters of each word count: a cheap stemmer under which "refugee" and "refugees" agree.
pub fn token_hashes(
    codes: impl IntoIterator<Item = u32>,
    prefix: Option<usize>,
    out: &mut Vec<u64>,
) {
    let limit = prefix.unwrap_or(usize::MAX);
    let mut codes = codes.into_iter().peekable();
    if codes.peek().is_none() {
        return;
    }
    let (mut hash, mut power, mut taken) = (0u64, 1u64, 0usize);
    for c in codes {
        if c == SPACE {
            out.push(hash);
            (hash, power, taken) = (0, 1, 0);
        } else if taken < limit {
            hash = hash.wrapping_add(u64::from(c).wrapping_mul(power));
            power = power.wrapping_mul(P);
            taken += 1;
        }
    }
    out.push(hash);
}

/// Append one hash per word of ASCII bytes whose words are split by runs of spaces.
///
/// A word's hash depends only on its characters, so these equal [`token_hashes`] of the
/// same words joined by single spaces.
pub fn token_hashes_of_bytes(folded: &[u8], out: &mut Vec<u64>) {
    out.extend(
        folded
            .split(|&b| b == b' ')
            .filter(|word| !word.is_empty())
            .map(|word| word_hash(word.iter().map(|&b| u32::from(b)), usize::MAX)),
    );
}

/// The n-gram polynomial of `tokens`, before the salt and the mix.
#[inline]
fn polynomial(tokens: &[u64]) -> u64 {
    tokens
        .iter()
        .fold(0u64, |gram, &t| gram.wrapping_mul(Q).wrapping_add(t))
}

/// Append the shingle hashes of a token sequence's n-grams in window order.
///
/// A sequence shorter than `n` (but not empty) gives one shingle of all its tokens, so that
/// short texts still have something to compare; an empty one gives none. Returns how many
/// were appended.
pub fn gram_hashes(tokens: &[u64], n: usize, out: &mut Vec<u32>) -> usize {
    if tokens.is_empty() {
        return 0;
    }
    let width = n.clamp(1, tokens.len());
    let before = out.len();
    out.extend(
        tokens
            .windows(width)
            .map(|window| finalize(polynomial(window).wrapping_add(width as u64))),
    );
    out.len() - before
}

/// The sorted, distinct shingle hashes of a token sequence's n-grams (see [`gram_hashes`]).
pub fn ngram_hashes(tokens: &[u64], n: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(tokens.len());
    gram_hashes(tokens, n, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// The passage anchors of a token sequence: the smallest 64-bit word n-gram hash of every
/// `window` consecutive n-grams, distinct and sorted (winnowing, Schleimer, Wilkerson and
/// Aiken 2003).
///
/// Two texts sharing a run of `window + n - 1` words share a whole window of n-grams, hence
/// its smallest hash. A sequence shorter than one window gives its smallest n-gram; shorter
/// than `n`, none. `n` and `window` are at least 1 (0 counts as 1).
pub fn anchors(tokens: &[u64], n: usize, window: usize) -> Vec<u64> {
    let n = n.max(1);
    let window = window.max(1);
    if tokens.len() < n {
        return Vec::new();
    }
    let grams: Vec<u64> = tokens.windows(n).map(|w| fmix64(polynomial(w))).collect();
    let mut out = sliding_minima(&grams, window);
    out.sort_unstable();
    out.dedup();
    out
}

/// The minimum of every run of `window` consecutive values (one value if fewer), in O(n) by
/// a deque of the positions that may still become a minimum.
fn sliding_minima(values: &[u64], window: usize) -> Vec<u64> {
    if values.len() <= window {
        return values.iter().min().into_iter().copied().collect();
    }
    let mut out = Vec::with_capacity(values.len() - window + 1);
    let mut candidates: VecDeque<usize> = VecDeque::with_capacity(window);
    for (i, &value) in values.iter().enumerate() {
        while candidates.back().is_some_and(|&j| values[j] >= value) {
            candidates.pop_back();
        }
        candidates.push_back(i);
        if candidates.front().is_some_and(|&j| j + window <= i) {
            candidates.pop_front();
        }
        if i + 1 >= window {
            out.push(values[candidates[0]]);
        }
    }
    out
}

/// The sorted, distinct hashes of a text's character n-grams (spaces included).
pub fn char_shingles(codes: impl IntoIterator<Item = u32>, n: usize) -> Vec<u32> {
    let tokens: Vec<u64> = codes.into_iter().map(u64::from).collect();
    ngram_hashes(&tokens, n)
}

/// The sorted, distinct hashes of a text's word n-grams (words split by single spaces).
pub fn word_shingles(codes: impl IntoIterator<Item = u32>, n: usize) -> Vec<u32> {
    let mut tokens = Vec::new();
    token_hashes(codes, None, &mut tokens);
    ngram_hashes(&tokens, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str, prefix: Option<usize>) -> Vec<u64> {
        let mut out = Vec::new();
        token_hashes(text.chars().map(u32::from), prefix, &mut out);
        out
    }

    #[test]
    fn finalize_matches_the_documented_values() {
        assert_eq!(finalize(0), 0);
        assert_eq!(finalize(1), 3_025_583_356);
    }

    #[test]
    fn words_split_on_single_spaces_and_empty_text_has_none() {
        assert!(tokens("", None).is_empty());
        assert_eq!(tokens(" ", None), vec![0, 0]);
        assert_eq!(tokens("a  b", None).len(), 3);
        assert_eq!(tokens("a", None), vec![97]);
        assert_eq!(
            tokens("ab", None),
            vec![97u64.wrapping_add(98u64.wrapping_mul(P))]
        );
    }

    #[test]
    fn prefix_stems_agree_on_inflections() {
        assert_eq!(
            tokens("refugees concerns", Some(5)),
            tokens("refugee concern", Some(5))
        );
        assert_ne!(tokens("refugees", None), tokens("refugee", None));
        assert_eq!(tokens("abc", Some(0)), vec![0]);
    }

    #[test]
    fn bytes_with_runs_of_spaces_hash_as_single_spaced_words() {
        let mut out = Vec::new();
        token_hashes_of_bytes(b"  the  refugees came ", &mut out);
        assert_eq!(out, tokens("the refugees came", None));
        out.clear();
        token_hashes_of_bytes(b"   ", &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn grams_count_windows_and_short_sequences_give_one() {
        let seq: Vec<u64> = (0..4).collect();
        assert_eq!(ngram_hashes(&seq, 2).len(), 3);
        assert_eq!(ngram_hashes(&seq[..1], 3).len(), 1);
        assert!(ngram_hashes(&[], 3).is_empty());
        let mut out = Vec::new();
        assert_eq!(gram_hashes(&seq[..2], 5, &mut out), 1);
        assert_eq!(out, vec![finalize(polynomial(&seq[..2]) + 2)]);
    }

    #[test]
    fn repeated_phrase_gives_distinct_sorted_shingles() {
        let text = "a b c d e a b c d e";
        let shingles = word_shingles(text.chars().map(u32::from), 5);
        assert_eq!(shingles.len(), 5);
        assert!(shingles.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn sliding_minima_equal_a_naive_scan() {
        let values: Vec<u64> = (0..50u64).map(|i| fmix64(i) % 97).collect();
        for window in 1..12 {
            let naive: Vec<u64> = values
                .windows(window)
                .map(|w| *w.iter().min().unwrap())
                .collect();
            assert_eq!(sliding_minima(&values, window), naive, "window {window}");
        }
        assert_eq!(
            sliding_minima(&values[..3], 5),
            vec![*values[..3].iter().min().unwrap()]
        );
    }

    #[test]
    fn anchors_of_an_inner_run_are_among_the_whole_texts() {
        let text = tokens(
            "one two three four five six seven eight nine ten eleven",
            None,
        );
        let inner = tokens("three four five six seven eight nine", None);
        let all = anchors(&text, 5, 3);
        assert!(anchors(&inner, 5, 3).iter().all(|a| all.contains(a)));
        assert!(anchors(&text[..4], 5, 3).is_empty());
        assert_eq!(anchors(&text[..5], 5, 3).len(), 1);
    }

    #[test]
    fn char_shingles_count_characters() {
        assert_eq!(char_shingles("abcdef".chars().map(u32::from), 5).len(), 2);
        assert!(char_shingles(std::iter::empty(), 5).is_empty());
    }
}
