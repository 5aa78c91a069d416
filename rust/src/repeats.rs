//! Internal repeats: paragraphs that come back later in the same article.
//!
//! Exact repeats (equal comparison texts) come from a map of the texts. Near repeats are
//! proposed by an LSH over MinHash signatures of the paragraphs' character shingles and
//! decided by [`word_similarity`]; a cheap bound on that similarity first rules out the
//! pairs that could never reach the threshold, so most articles sign no paragraph at all,
//! and the result is the one an LSH over every paragraph gives.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::paragraphs::is_py_space;
use crate::{minhash, shingle};

/// The settings repeats take from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    pub min_paragraph_words: usize,
    pub min_near_repeat_words: usize,
    pub threshold: f64,
    pub char_ngram: usize,
    pub bands: usize,
    pub rows: usize,
    /// Past this many candidate texts, the LSH over every text decides alone: bounding
    /// every pair costs more than signing them all.
    pub max_bound_texts: usize,
}

/// Paragraph `index` repeats the earlier paragraph `first`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Found {
    pub index: usize,
    pub first: usize,
    pub similarity: f64,
    pub exact: bool,
}

/// The words of a text as Python's `str.split()` gives them.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| is_py_space(u32::from(c)))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The longest matching block of `a[alo..ahi]` and `b[blo..bhi]` as difflib finds it: the
/// earliest in `a`, then in `b`, of the longest. `b2j` lists each word's positions in `b`.
fn longest_match(
    a: &[u32],
    b: &[u32],
    b2j: &HashMap<u32, Vec<usize>>,
    (alo, ahi, blo, bhi): (usize, usize, usize, usize),
    runs: &mut [Vec<usize>; 2],
) -> (usize, usize, usize) {
    let (mut best_i, mut best_j, mut best) = (alo, blo, 0);
    let mut touched: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (i, word) in a.iter().enumerate().take(ahi).skip(alo) {
        let (now, before) = (i % 2, 1 - i % 2);
        for &j in b2j.get(word).map_or(&[][..], Vec::as_slice) {
            if j < blo {
                continue;
            }
            if j >= bhi {
                break;
            }
            let k = if j > 0 { runs[before][j - 1] } else { 0 } + 1;
            runs[now][j] = k;
            touched[now].push(j);
            if k > best {
                (best_i, best_j, best) = (i + 1 - k, j + 1 - k, k);
            }
        }
        for j in touched[before].drain(..) {
            runs[before][j] = 0;
        }
    }
    for side in 0..2 {
        for j in touched[side].drain(..) {
            runs[side][j] = 0;
        }
    }
    while best_i > alo && best_j > blo && a[best_i - 1] == b[best_j - 1] {
        (best_i, best_j, best) = (best_i - 1, best_j - 1, best + 1);
    }
    while best_i + best < ahi && best_j + best < bhi && a[best_i + best] == b[best_j + best] {
        best += 1;
    }
    (best_i, best_j, best)
}

/// Number each distinct word, in order of first appearance.
fn intern<'t>(ids: &mut HashMap<&'t str, u32>, words: &[&'t str]) -> Vec<u32> {
    words
        .iter()
        .map(|&w| {
            let next = ids.len() as u32;
            *ids.entry(w).or_insert(next)
        })
        .collect()
}

/// Return the share of the longer text's words that the other has, in the same order: the
/// words of difflib's matching blocks (`SequenceMatcher(None, a, b, autojunk=False)`) over
/// the longer length; 0.0 if either has no words.
pub fn word_similarity(a: &str, b: &str) -> f64 {
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let a = intern(&mut ids, &wa);
    let b = intern(&mut ids, &wb);
    let mut b2j: HashMap<u32, Vec<usize>> = HashMap::new();
    for (j, &w) in b.iter().enumerate() {
        b2j.entry(w).or_default().push(j);
    }
    let mut runs = [vec![0; b.len()], vec![0; b.len()]];
    let mut queue = vec![(0, a.len(), 0, b.len())];
    let mut matched = 0;
    while let Some((alo, ahi, blo, bhi)) = queue.pop() {
        let (i, j, k) = longest_match(&a, &b, &b2j, (alo, ahi, blo, bhi), &mut runs);
        if k > 0 {
            matched += k;
            if alo < i && blo < j {
                queue.push((alo, i, blo, j));
            }
            if i + k < ahi && j + k < bhi {
                queue.push((i + k, ahi, j + k, bhi));
            }
        }
    }
    matched as f64 / wa.len().max(wb.len()) as f64
}

/// For each text, the earlier texts it could be `threshold` similar to; `None` when there
/// are too many texts to bound every pair.
///
/// [`word_similarity`] is at most the shorter length over the longer, and at most the
/// distinct words two texts share plus the repeated words of either, over the longer.
fn possible_pairs(
    norms: &[&str],
    threshold: f64,
    max_texts: usize,
) -> Option<BTreeMap<usize, Vec<usize>>> {
    if norms.len() > max_texts {
        return None;
    }
    let split: Vec<Vec<&str>> = norms.iter().map(|n| words(n)).collect();
    let distinct: Vec<HashSet<&str>> = split.iter().map(|w| w.iter().copied().collect()).collect();
    let lengths: Vec<usize> = split.iter().map(Vec::len).collect();
    let repeated: Vec<usize> = lengths
        .iter()
        .zip(&distinct)
        .map(|(n, d)| n - d.len())
        .collect();
    let mut pairs: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 1..norms.len() {
        for j in 0..i {
            let (longer, shorter) = (lengths[i].max(lengths[j]), lengths[i].min(lengths[j]));
            if longer == 0 {
                if threshold <= 0.0 {
                    pairs.entry(i).or_default().push(j);
                }
                continue;
            }
            if (shorter as f64) / (longer as f64) < threshold {
                continue;
            }
            let shared =
                distinct[i].intersection(&distinct[j]).count() + repeated[i].min(repeated[j]);
            if (shared.min(shorter) as f64) / (longer as f64) >= threshold {
                pairs.entry(i).or_default().push(j);
            }
        }
    }
    Some(pairs)
}

/// The LSH band keys of each text's character shingles.
fn band_keys_of(norms: &[&str], params: &Params, a: &[u32], b: &[u32]) -> Vec<Vec<u64>> {
    let mut flat = Vec::new();
    let mut counts = Vec::with_capacity(norms.len());
    for norm in norms {
        let shingles = shingle::char_shingles(norm.chars().map(u32::from), params.char_ngram);
        counts.push(shingles.len());
        flat.extend(shingles);
    }
    let signatures = minhash::signatures(&flat, &counts, a, b);
    let keys = minhash::band_keys(&signatures, a.len(), params.bands, params.rows);
    keys.chunks(params.bands.max(1))
        .map(<[u64]>::to_vec)
        .collect()
}

/// `{i: (earlier, similarity)}` for the distinct texts that near-repeat an earlier one: the
/// most similar at least the threshold among those sharing an LSH bucket, the earliest of
/// equals. Also returns how many texts were signed.
fn near_repeats(
    norms: &[&str],
    params: &Params,
    a: &[u32],
    b: &[u32],
) -> (BTreeMap<usize, (usize, f64)>, usize) {
    let possible = possible_pairs(norms, params.threshold, params.max_bound_texts);
    let mut signed_count = norms.len();
    let candidates: BTreeMap<usize, Vec<usize>> = match possible {
        None => {
            let keys = band_keys_of(norms, params, a, b);
            let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
            let mut candidates = BTreeMap::new();
            for (pos, own) in keys.iter().enumerate() {
                let found: BTreeSet<usize> = own
                    .iter()
                    .filter_map(|k| buckets.get(k))
                    .flatten()
                    .copied()
                    .collect();
                candidates.insert(pos, found.into_iter().collect());
                for &key in own {
                    buckets.entry(key).or_default().push(pos);
                }
            }
            candidates
        }
        Some(pairs) if pairs.is_empty() => return (BTreeMap::new(), 0),
        Some(pairs) => {
            let signed: BTreeSet<usize> = pairs
                .iter()
                .flat_map(|(&i, row)| std::iter::once(i).chain(row.iter().copied()))
                .collect();
            let signed: Vec<usize> = signed.into_iter().collect();
            signed_count = signed.len();
            let texts: Vec<&str> = signed.iter().map(|&i| norms[i]).collect();
            let keys: HashMap<usize, HashSet<u64>> = signed
                .iter()
                .zip(band_keys_of(&texts, params, a, b))
                .map(|(&i, k)| (i, k.into_iter().collect()))
                .collect();
            pairs
                .into_iter()
                .map(|(i, row)| {
                    let shared = row
                        .into_iter()
                        .filter(|j| !keys[&i].is_disjoint(&keys[j]))
                        .collect();
                    (i, shared)
                })
                .collect()
        }
    };
    let mut found = BTreeMap::new();
    for (i, row) in candidates {
        let mut best: Option<(f64, usize)> = None;
        for earlier in row {
            let sim = word_similarity(norms[earlier], norms[i]);
            if sim >= params.threshold && best.is_none_or(|(top, _)| sim > top) {
                best = Some((sim, earlier));
            }
        }
        if let Some((sim, earlier)) = best {
            found.insert(i, (earlier, sim));
        }
    }
    (found, signed_count)
}

/// Return the paragraphs that repeat an earlier one, in order, given each paragraph's
/// comparison text.
///
/// Paragraphs shorter than `min_paragraph_words` words are never repeats; near (not exact)
/// repeats need `min_near_repeat_words` on both sides. `a` and `b` are the permutations of
/// the paragraph MinHash (see [`minhash::signatures`]). Also returns how many paragraphs
/// were signed for the LSH (most articles sign none).
pub fn find_repeats(norms: &[&str], params: &Params, a: &[u32], b: &[u32]) -> (Vec<Found>, usize) {
    let near_words = params.min_paragraph_words.max(params.min_near_repeat_words);
    let mut originals: BTreeMap<usize, (usize, f64)> = BTreeMap::new();
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    let mut near = Vec::new();
    for (i, &norm) in norms.iter().enumerate() {
        if norm.is_empty() {
            continue;
        }
        let words = norm.bytes().filter(|&c| c == b' ').count() + 1;
        if words < params.min_paragraph_words {
            continue;
        }
        let first = *first_of.entry(norm).or_insert(i);
        if first != i {
            // Equal texts score 1.0, above any near copy: the earliest equal text wins.
            originals.insert(i, (first, 1.0));
        } else if words >= near_words {
            // A later copy of this text would lose every tie to it: only the first of
            // equal texts is a near-repeat candidate.
            near.push(i);
        }
    }
    let mut signed = 0;
    if near.len() >= 2 {
        let texts: Vec<&str> = near.iter().map(|&i| norms[i]).collect();
        let (found, count) = near_repeats(&texts, params, a, b);
        signed = count;
        for (pos, (earlier, sim)) in found {
            originals.insert(near[pos], (near[earlier], sim));
        }
    }
    let found = originals
        .into_iter()
        .map(|(index, (first, similarity))| Found {
            index,
            first,
            similarity,
            exact: norms[index] == norms[first],
        })
        .collect();
    (found, signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_counts_words_matched_in_order_over_the_longer() {
        assert_eq!(word_similarity("a b c d", "a b x d"), 0.75);
        assert_eq!(word_similarity("a b c", "c b a"), 1.0 / 3.0);
        assert_eq!(word_similarity("", "a"), 0.0);
        // What difflib gives: one block "a b" (the earliest longest), nothing around it.
        assert_eq!(word_similarity("a a b", "a b a b"), 0.5);
    }

    #[test]
    fn exact_and_near_repeats_name_their_first_paragraph() {
        let params = Params {
            min_paragraph_words: 3,
            min_near_repeat_words: 4,
            threshold: 0.5,
            char_ngram: 5,
            bands: 16,
            rows: 2,
            max_bound_texts: 60,
        };
        let a: Vec<u32> = (0..32u32).map(|i| minhash::fmix32(i) | 1).collect();
        let b: Vec<u32> = (0..32u32).map(|i| minhash::fmix32(i + 99)).collect();
        let para = "the council approved the new budget after a long debate";
        let edited = "the council approved the new budget after a debate";
        let norms = [
            para,
            "something else entirely here",
            para,
            "too short",
            edited,
        ];
        let (found, signed) = find_repeats(&norms, &params, &a, &b);
        assert_eq!(signed, 2, "the edited pair alone");
        assert_eq!(
            found[0],
            Found {
                index: 2,
                first: 0,
                similarity: 1.0,
                exact: true
            }
        );
        assert_eq!(
            (found[1].index, found[1].first, found[1].exact),
            (4, 0, false)
        );
        assert_eq!(found[1].similarity, 0.9);
        assert_eq!(found.len(), 2);
    }
}
