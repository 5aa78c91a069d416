//! What comparison needs of one analyzed document, from its sentences' comparison forms.
//!
//! After paragraphs that repeat earlier ones are dropped, a document is its sentences'
//! comparison texts joined by spaces. From that: word hashes and stems, the word n-gram
//! shingles (for MinHash), the passage anchors, a 16-byte exact key of the whole text, and
//! the units: per sentence long enough, its distinct stem hashes without function words and
//! an 8-byte exact key. The keys are blake2b digests of the UTF-8 text with that digest size
//! (what Python's `hashlib.blake2b(data, digest_size=n)` gives), stored in index files.

use blake2::digest::consts::{U8, U16};
use blake2::{Blake2b, Digest};

use crate::shingle;

/// The settings analysis takes from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// Characters of a word its stem keeps.
    pub stem_chars: usize,
    /// Words a sentence needs to be a unit.
    pub min_sentence_words: usize,
    /// Words per shingle and per anchor n-gram.
    pub word_ngram: usize,
    /// N-grams per anchor window.
    pub anchor_window: usize,
}

/// A document's units laid end to end: unit `k` is sentence `sentence[k]` of the input, of
/// `words[k]` words, with `sizes[k]` stems in `stems` and exact key `keys[k]`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Units {
    pub sentence: Vec<usize>,
    pub words: Vec<usize>,
    pub sizes: Vec<usize>,
    pub stems: Vec<u32>,
    pub keys: Vec<u64>,
}

/// Everything comparison needs of one document.
#[derive(Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub words: usize,
    pub shingles: Vec<u32>,
    pub anchors: Vec<u64>,
    pub exact_key: [u8; 16],
    pub units: Units,
}

/// The 8-byte exact key of a sentence's comparison text, read little-endian.
pub fn sentence_key(norm: &str) -> u64 {
    u64::from_le_bytes(Blake2b::<U8>::digest(norm.as_bytes()).into())
}

/// The sorted, distinct shingle hashes of the stems that are not function words.
fn content_stems(stems: &[u64], stopwords: &[u64]) -> Vec<u32> {
    let mut values: Vec<u32> = stems
        .iter()
        .filter(|stem| stopwords.binary_search(stem).is_err())
        .map(|&stem| shingle::finalize(stem))
        .collect();
    values.sort_unstable();
    values.dedup();
    values
}

/// The stem hashes of a text's words (see [`shingle::token_hashes`]).
fn stem_hashes(text: &str, stem_chars: usize) -> Vec<u64> {
    let mut stems = Vec::new();
    shingle::token_hashes(text.chars().map(u32::from), Some(stem_chars), &mut stems);
    stems
}

/// The unit of a short text taken whole: its word count, content stems and exact key, with
/// no minimum length (how two sentences are compared on their own).
///
/// `stopwords` are the sorted stem hashes of the function words.
pub fn passage_unit(norm: &str, stopwords: &[u64], stem_chars: usize) -> (usize, Vec<u32>, u64) {
    let stems = stem_hashes(norm, stem_chars);
    (
        stems.len(),
        content_stems(&stems, stopwords),
        sentence_key(norm),
    )
}

/// Cut the document's stem hashes back into sentences, dropping function words.
///
/// `stems` are the stems of the non-empty `norms` joined by single spaces; a sentence of
/// fewer than `min_sentence_words` words, or with nothing but function words, makes no unit.
fn units(norms: &[&str], stems: &[u64], stopwords: &[u64], min_sentence_words: usize) -> Units {
    let mut out = Units::default();
    let mut position = 0;
    for (k, norm) in norms.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
        let count = norm.bytes().filter(|&b| b == b' ').count() + 1;
        let own = &stems[position.min(stems.len())..(position + count).min(stems.len())];
        position += count;
        if count < min_sentence_words {
            continue;
        }
        let values = content_stems(own, stopwords);
        if values.is_empty() {
            continue;
        }
        out.sentence.push(k);
        out.words.push(count);
        out.sizes.push(values.len());
        out.stems.extend(values);
        out.keys.push(sentence_key(norm));
    }
    out
}

/// Return the fingerprint of a document given its sentences' comparison texts (empty ones
/// allowed: they count for nothing), in order.
///
/// `stopwords` are the sorted stem hashes of the function words.
pub fn fingerprint(norms: &[&str], stopwords: &[u64], params: &Params) -> Fingerprint {
    let joined = norms
        .iter()
        .filter(|n| !n.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let mut tokens = Vec::new();
    shingle::token_hashes(joined.chars().map(u32::from), None, &mut tokens);
    let stems = stem_hashes(&joined, params.stem_chars);
    let n = params.word_ngram.max(1);
    Fingerprint {
        words: tokens.len(),
        shingles: shingle::ngram_hashes(&tokens, n),
        anchors: shingle::anchors(&tokens, n, params.anchor_window),
        exact_key: Blake2b::<U16>::digest(joined.as_bytes()).into(),
        units: units(norms, &stems, stopwords, params.min_sentence_words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: Params = Params {
        stem_chars: 5,
        min_sentence_words: 3,
        word_ngram: 5,
        anchor_window: 11,
    };

    #[test]
    fn keys_are_blake2b_with_their_digest_size() {
        // hashlib.blake2b(b"", digest_size=8).hexdigest() and of b"abc" with digest_size=16.
        assert_eq!(
            sentence_key("").to_le_bytes(),
            [228, 166, 160, 87, 116, 121, 178, 180]
        );
        let fp = fingerprint(&["abc"], &[], &PARAMS);
        assert_eq!(fp.exact_key[..4], [207, 74, 183, 145]);
    }

    #[test]
    fn short_sentences_and_function_words_make_no_unit() {
        let stop = {
            let mut s = stem_hashes("the of", 5);
            s.sort_unstable();
            s
        };
        let norms = [
            "the mayor opened the bridge",
            "",
            "too short",
            "the of the of",
        ];
        let fp = fingerprint(&norms, &stop, &PARAMS);
        assert_eq!(fp.words, 11);
        assert_eq!(fp.units.sentence, vec![0]);
        assert_eq!(fp.units.words, vec![5]);
        assert_eq!(fp.units.sizes, vec![3]);
        assert_eq!(
            fp.units.keys,
            vec![sentence_key("the mayor opened the bridge")]
        );
        let (words, stems, key) = passage_unit("the mayor opened the bridge", &stop, 5);
        assert_eq!(
            (words, &stems[..], key),
            (5, &fp.units.stems[..], fp.units.keys[0])
        );
    }

    #[test]
    fn an_empty_document_has_no_words_shingles_or_units() {
        let fp = fingerprint(&["", ""], &[], &PARAMS);
        assert_eq!((fp.words, fp.shingles.len(), fp.anchors.len()), (0, 0, 0));
        assert_eq!(fp.units, Units::default());
    }
}
