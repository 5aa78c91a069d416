//! What comparison needs of one analyzed document, from its sentences' comparison forms.
//!
//! After paragraphs that repeat earlier ones are dropped, a document is its sentences'
//! comparison texts joined by spaces. From that: word hashes and stems, the word n-gram
//! shingles (for MinHash), the passage anchors, a 16-byte exact key of the whole text, and
//! the units: per sentence long enough, its distinct stem hashes without function words (the
//! top bit set on numbers) and an 8-byte key of its shape (its comparison text with every
//! number and name replaced by `#`). The keys are blake2b digests of the UTF-8 text with that
//! digest size (what Python's `hashlib.blake2b(data, digest_size=n)` gives), stored in index
//! files.

use std::collections::HashSet;

use blake2::digest::consts::{U8, U16};
use blake2::{Blake2b, Digest};

use crate::paragraphs::{self, Span};
use crate::{normalize, repeats, shingle};

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

/// The top bit of a unit's stem says the word is a number: two sentences of one template
/// differ in their numbers, and comparison reads them apart. The other 31 bits hash the stem.
pub const NUMBER_BIT: u32 = 1 << 31;

/// What a word of a sentence's comparison text is: no fact, a name or a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    None,
    Name,
    Number,
}

/// Characters that may open a word before its first letter (quotes, brackets, dashes).
const OPENERS: &[char] = &[
    '"', '\'', '\u{201c}', '\u{2018}', '(', '[', '\u{ab}', '\u{bf}', '\u{a1}', '-', '\u{2014}',
    '\u{2013}',
];

/// Whitespace as Python's `str.split()` sees it: Unicode's, and the four C0 separators.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The comparison words of the names in a sentence: words written capitalized, not its
/// first. A sentence in title case (most words capitalized: a headline) names nothing by
/// its capitals.
pub fn names(sentence: &str) -> HashSet<String> {
    let words: Vec<&str> = sentence
        .split(is_python_space)
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_start_matches(OPENERS))
        .collect();
    let capitalized: Vec<&str> = words
        .iter()
        .skip(1)
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .copied()
        .collect();
    if capitalized.is_empty() || 2 * (capitalized.len() + 1) > words.len() + 1 {
        return HashSet::new();
    }
    normalize::normalize(&capitalized.join(" "))
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// The facts of a sentence's comparison words (given its original text too, for the names),
/// and the key of its shape: the comparison text with every fact replaced by `#`. Reports
/// from one template share their shapes, so the index counts shapes: a shape that many
/// documents carry is a template or a footer, no evidence of a match.
pub fn facts(text: &str, norm: &str) -> (Vec<Fact>, u64) {
    let named = names(text);
    let words: Vec<&str> = norm.split(' ').collect();
    let facts: Vec<Fact> = words
        .iter()
        .map(|word| {
            if word.chars().any(char::is_numeric) {
                Fact::Number
            } else if named.contains(*word) {
                Fact::Name
            } else {
                Fact::None
            }
        })
        .collect();
    let shape = words
        .iter()
        .zip(&facts)
        .map(|(word, fact)| if *fact == Fact::None { word } else { "#" })
        .collect::<Vec<_>>()
        .join(" ");
    (facts, sentence_key(&shape))
}

/// The sorted, distinct shingle hashes of the stems that are not function words, with
/// [`NUMBER_BIT`] set on the numbers (`facts` holds one entry a stem).
fn content_stems(stems: &[u64], facts: &[Fact], stopwords: &[u64]) -> Vec<u32> {
    let mut values: Vec<u32> = stems
        .iter()
        .zip(facts)
        .filter(|(stem, _)| stopwords.binary_search(stem).is_err())
        .map(|(&stem, fact)| {
            let hash = shingle::finalize(stem) & !NUMBER_BIT;
            if *fact == Fact::Number {
                hash | NUMBER_BIT
            } else {
                hash
            }
        })
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

/// The unit of a short text taken whole: its word count, content stems and shape key, with
/// no minimum length (how two sentences are compared on their own). `norm` is the
/// comparison form of `text`.
///
/// `stopwords` are the sorted stem hashes of the function words.
pub fn passage_unit(
    norm: &str,
    text: &str,
    stopwords: &[u64],
    stem_chars: usize,
) -> (usize, Vec<u32>, u64) {
    let stems = stem_hashes(norm, stem_chars);
    let (facts, key) = facts(text, norm);
    (stems.len(), content_stems(&stems, &facts, stopwords), key)
}

/// Cut the document's stem hashes back into sentences, dropping function words.
///
/// `stems` are the stems of the non-empty `norms` joined by single spaces; `texts` are the
/// sentences' original texts; a sentence of fewer than `min_sentence_words` words, or with
/// nothing but function words, makes no unit.
fn units(
    norms: &[&str],
    texts: &[&str],
    stems: &[u64],
    stopwords: &[u64],
    min_sentence_words: usize,
) -> Units {
    let mut out = Units::default();
    let mut position = 0;
    for (k, norm) in norms.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
        let count = norm.bytes().filter(|&b| b == b' ').count() + 1;
        let own = &stems[position.min(stems.len())..(position + count).min(stems.len())];
        position += count;
        if count < min_sentence_words {
            continue;
        }
        let (facts, key) = facts(texts.get(k).copied().unwrap_or(""), norm);
        let values = content_stems(own, &facts, stopwords);
        if values.is_empty() {
            continue;
        }
        out.sentence.push(k);
        out.words.push(count);
        out.sizes.push(values.len());
        out.stems.extend(values);
        out.keys.push(key);
    }
    out
}

/// Return the fingerprint of a document given its sentences' comparison texts (empty ones
/// allowed: they count for nothing) and their original texts (for the names), in order.
///
/// `stopwords` are the sorted stem hashes of the function words.
pub fn fingerprint(
    norms: &[&str],
    texts: &[&str],
    stopwords: &[u64],
    params: &Params,
) -> Fingerprint {
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
        units: units(norms, texts, &stems, stopwords, params.min_sentence_words),
    }
}

/// The settings of a whole analysis.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub fingerprint: Params,
    pub repeats: repeats::Params,
    /// Paragraphs checked for repeats; later ones are compared all the same.
    pub max_paragraphs: usize,
    /// Similarity at which a near repeat is dropped from comparison (exact ones always are).
    pub remove_threshold: f64,
}

/// What analysis finds in a repaired text: its paragraphs, the repeats among them, the
/// lines dropped from comparison, and the fingerprint of the rest, each unit with its lines.
#[derive(Debug)]
pub struct Analysis {
    pub paragraphs: Vec<Span>,
    /// Indexes into `paragraphs`.
    pub repeats: Vec<repeats::Found>,
    /// Sorted, distinct 1-based lines.
    pub removed_lines: Vec<usize>,
    pub fingerprint: Fingerprint,
    /// `(line, end_line)` of each unit.
    pub unit_lines: Vec<(usize, usize)>,
}

/// Return the analysis of a repaired text given as code points.
///
/// `a` and `b` are the permutations of the paragraph MinHash of the repeat search.
pub fn analyze(
    codes: &[u32],
    stopwords: &[u64],
    settings: &Settings,
    a: &[u32],
    b: &[u32],
) -> Analysis {
    let paragraphs = paragraphs::split_paragraphs(codes);
    let rows = paragraphs::sentences(codes, &paragraphs);
    let texts: Vec<Vec<String>> = rows
        .iter()
        .map(|para| {
            para.iter()
                .map(|s| normalize::text_of(codes[s.start..s.end].iter().copied()).0)
                .collect()
        })
        .collect();
    let norms: Vec<Vec<String>> = texts
        .iter()
        .map(|para| para.iter().map(|t| normalize::normalize(t)).collect())
        .collect();
    // A paragraph's comparison text is its sentences' joined: they are cut at whitespace or
    // stops, which normalization makes single spaces.
    let para_norms: Vec<String> = norms
        .iter()
        .take(settings.max_paragraphs)
        .map(|para| {
            para.iter()
                .filter(|n| !n.is_empty())
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let para_refs: Vec<&str> = para_norms.iter().map(String::as_str).collect();
    let (found, _) = repeats::find_repeats(&para_refs, &settings.repeats, a, b);
    let mut removed: Vec<usize> = found
        .iter()
        .filter(|f| f.exact || f.similarity >= settings.remove_threshold)
        .flat_map(|f| {
            let para = paragraphs[f.index];
            para.line..=para.line.max(para.end_line)
        })
        .collect();
    removed.sort_unstable();
    removed.dedup();
    let mut kept_norms: Vec<&str> = Vec::new();
    let mut kept_texts: Vec<&str> = Vec::new();
    let mut kept_lines: Vec<(usize, usize)> = Vec::new();
    for (((para, para_rows), para_norms), para_texts) in
        paragraphs.iter().zip(&rows).zip(&norms).zip(&texts)
    {
        if removed.binary_search(&para.line).is_err() {
            kept_norms.extend(para_norms.iter().map(String::as_str));
            kept_texts.extend(para_texts.iter().map(String::as_str));
            kept_lines.extend(para_rows.iter().map(|s| (s.line, s.end_line)));
        }
    }
    let fingerprint = fingerprint(&kept_norms, &kept_texts, stopwords, &settings.fingerprint);
    let unit_lines = fingerprint
        .units
        .sentence
        .iter()
        .map(|&k| kept_lines[k])
        .collect();
    Analysis {
        paragraphs,
        repeats: found,
        removed_lines: removed,
        fingerprint,
        unit_lines,
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
        let fp = fingerprint(&["abc"], &["abc"], &[], &PARAMS);
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
        let fp = fingerprint(&norms, &norms, &stop, &PARAMS);
        assert_eq!(fp.words, 11);
        assert_eq!(fp.units.sentence, vec![0]);
        assert_eq!(fp.units.words, vec![5]);
        assert_eq!(fp.units.sizes, vec![3]);
        assert_eq!(
            fp.units.keys,
            vec![sentence_key("the mayor opened the bridge")]
        );
        let (words, stems, key) = passage_unit(
            "the mayor opened the bridge",
            "The mayor opened the bridge.",
            &stop,
            5,
        );
        assert_eq!(
            (words, &stems[..], key),
            (5, &fp.units.stems[..], fp.units.keys[0])
        );
    }

    #[test]
    fn a_repeated_paragraph_leaves_no_unit_and_no_shingle() {
        let settings = Settings {
            fingerprint: PARAMS,
            repeats: repeats::Params {
                min_paragraph_words: 3,
                min_near_repeat_words: 20,
                threshold: 0.5,
                char_ngram: 5,
                bands: 2,
                rows: 2,
                max_bound_texts: 60,
            },
            max_paragraphs: 1000,
            remove_threshold: 0.93,
        };
        let (a, b) = ([3u32, 5, 7, 9], [1u32, 2, 3, 4]);
        let codes = |t: &str| t.chars().map(u32::from).collect::<Vec<u32>>();
        let once = analyze(
            &codes("The mayor opened the bridge.\nOther words here."),
            &[],
            &settings,
            &a,
            &b,
        );
        let twice = analyze(
            &codes("The mayor opened the bridge.\nOther words here.\nThe mayor opened the bridge."),
            &[],
            &settings,
            &a,
            &b,
        );
        assert_eq!(twice.removed_lines, vec![3]);
        assert_eq!(twice.fingerprint, once.fingerprint);
        assert_eq!(twice.unit_lines, vec![(1, 1), (2, 2)]);
        assert_eq!((twice.repeats[0].index, twice.repeats[0].first), (2, 0));
    }

    #[test]
    fn numbers_carry_the_top_bit_and_names_leave_the_shape() {
        let text = "Shares of Omnifield rose 9.5% on Monday.";
        let norm = normalize::normalize(text);
        assert_eq!(norm, "shares of omnifield rose 9 5 on monday");
        let (facts, key) = facts(text, &norm);
        use Fact::{Name, None as No, Number};
        assert_eq!(facts, vec![No, No, Name, No, Number, Number, No, Name]);
        assert_eq!(key, sentence_key("shares of # rose # # on #"));
        let (_, stems, _) = passage_unit(&norm, text, &[], 5);
        assert_eq!(stems.iter().filter(|&&s| s & NUMBER_BIT != 0).count(), 2);
        // A headline in title case names nothing by its capitals.
        assert!(names("Omnifield Shares Rise After Results").is_empty());
        assert_eq!(
            names("\u{201c}Yes,\u{201d} said Anne-Marie O'Neil of the city council."),
            ["anne", "marie", "oneil"].map(String::from).into()
        );
    }

    #[test]
    fn an_empty_document_has_no_words_shingles_or_units() {
        let fp = fingerprint(&["", ""], &["", ""], &[], &PARAMS);
        assert_eq!((fp.words, fp.shingles.len(), fp.anchors.len()), (0, 0, 0));
        assert_eq!(fp.units, Units::default());
    }
}
