//! Verification: is a candidate pair a copy, a near copy, a partial copy or a rewrite?
//!
//! [`verify`] takes one new document and all its candidates (one call a check) and makes one
//! decision per pair: the cheap conditions every kind needs first (shared shingles, two
//! sentences of each side that align, a verbatim passage), then the rules of
//! `dedup.match.compare` (issue 22): the passage similarity of the sentences, their in-order
//! alignment, template conflicts, copy kinds, distinctness, order overlap and the passages.
//!
//! A document's sentences come as their stems concatenated (`u32`, distinct within a
//! sentence; numbers carry [`NUMBER_BIT`]) with the count per sentence. The similarity
//! matrix is `f32` and the alignment table `f64`, and sums run in numpy's pairwise order,
//! as the numpy implementation these replace had them: tests/cases/verify.json holds the
//! results to 1e-6.

use std::collections::HashMap;

/// The bit a numeric stem carries (`dedup.document.NUMBER_BIT`).
pub const NUMBER_BIT: u32 = 1 << 31;

/// A row-major `n` x `m` matrix of `f32`.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<f32>,
}

impl Matrix {
    /// An all-zero matrix.
    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        Matrix {
            rows,
            cols,
            values: vec![0.0; rows * cols],
        }
    }

    /// The value at row `i`, column `j`.
    pub fn at(&self, i: usize, j: usize) -> f32 {
        self.values[i * self.cols + j]
    }
}

/// Each sentence's row of entries: the sentence number of every stem.
fn owners(sizes: &[usize]) -> Vec<usize> {
    sizes
        .iter()
        .enumerate()
        .flat_map(|(k, &n)| std::iter::repeat_n(k, n))
        .collect()
}

/// The count of shared stems of every sentence of `a` with every sentence of `b`: per
/// stem of `b`, every entry of `a` holding it (the work grows with the shared pairs).
fn overlap(stems_a: &[u32], sizes_a: &[usize], stems_b: &[u32], sizes_b: &[usize]) -> Matrix {
    let (n, m) = (sizes_a.len(), sizes_b.len());
    let mut out = Matrix::zeros(n, m);
    if stems_a.is_empty() || stems_b.is_empty() {
        return out;
    }
    let mut rows_of: HashMap<u32, Vec<usize>> = HashMap::new();
    for (&stem, row) in stems_a.iter().zip(owners(sizes_a)) {
        rows_of.entry(stem).or_default().push(row);
    }
    for (&stem, col) in stems_b.iter().zip(owners(sizes_b)) {
        if let Some(rows) = rows_of.get(&stem) {
            for &row in rows {
                out.values[row * m + col] += 1.0;
            }
        }
    }
    out
}

/// The stems of each sentence that are numbers, in the same layout.
fn numbers(stems: &[u32], sizes: &[usize]) -> (Vec<u32>, Vec<usize>) {
    let mut kept = Vec::new();
    let mut counts = Vec::with_capacity(sizes.len());
    let mut start = 0;
    for &size in sizes {
        let before = kept.len();
        kept.extend(
            stems[start..start + size]
                .iter()
                .filter(|&&s| s & NUMBER_BIT != 0),
        );
        counts.push(kept.len() - before);
        start += size;
    }
    (kept, counts)
}

/// The passage similarity of every sentence of `a` to every sentence of `b`.
///
/// The Dice similarity of their stems (twice the shared over the total), negated where each
/// sentence states a number the other lacks (two reports of one template tell different
/// facts in the same words).
pub fn similarity(
    stems_a: &[u32],
    sizes_a: &[usize],
    stems_b: &[u32],
    sizes_b: &[usize],
) -> Matrix {
    let mut out = overlap(stems_a, sizes_a, stems_b, sizes_b);
    let m = out.cols;
    for (i, &size_a) in sizes_a.iter().enumerate() {
        for (j, &size_b) in sizes_b.iter().enumerate() {
            let total = size_a as f32 + size_b as f32;
            let cell = &mut out.values[i * m + j];
            *cell = if total > 0.0 {
                2.0 * *cell / total
            } else {
                0.0
            };
        }
    }
    let (numbers_a, count_a) = numbers(stems_a, sizes_a);
    let (numbers_b, count_b) = numbers(stems_b, sizes_b);
    if numbers_a.is_empty() || numbers_b.is_empty() {
        return out;
    }
    let shared = overlap(&numbers_a, &count_a, &numbers_b, &count_b);
    for (i, &ca) in count_a.iter().enumerate() {
        for (j, &cb) in count_b.iter().enumerate() {
            let s = shared.at(i, j);
            if ca > 0 && cb > 0 && s < ca as f32 && s < cb as f32 {
                out.values[i * m + j] = -out.values[i * m + j];
            }
        }
    }
    out
}

/// The in-order pairs of sentences with the greatest total similarity, each sentence in one
/// pair at most, only pairs at least `threshold` similar.
///
/// Rows and columns with no such pair are dropped first (two long unrelated pages cost next
/// to nothing); then a dynamic programme over the rest, traced back preferring to skip a
/// row, then a column, then to take the pair.
pub fn align(similarity: &Matrix, threshold: f32) -> Vec<(usize, usize)> {
    let (n, m) = (similarity.rows, similarity.cols);
    let eligible = |i: usize, j: usize| similarity.at(i, j) >= threshold;
    let rows: Vec<usize> = (0..n).filter(|&i| (0..m).any(|j| eligible(i, j))).collect();
    if rows.is_empty() {
        return Vec::new();
    }
    let cols: Vec<usize> = (0..m).filter(|&j| (0..n).any(|i| eligible(i, j))).collect();
    let (n, m) = (rows.len(), cols.len());
    let width = m + 1;
    let mut table = vec![0.0f64; (n + 1) * width];
    for i in 1..=n {
        let mut running = f64::NEG_INFINITY;
        for j in 1..=width - 1 {
            let value = similarity.at(rows[i - 1], cols[j - 1]);
            let weight = if value >= threshold {
                f64::from(value)
            } else {
                f64::NEG_INFINITY
            };
            let prev = &table[(i - 1) * width..i * width];
            let best = prev[j].max(prev[j - 1] + weight);
            running = running.max(best);
            table[i * width + j] = running;
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        let here = table[i * width + j];
        if here == table[(i - 1) * width + j] {
            i -= 1;
        } else if here == table[i * width + j - 1] {
            j -= 1;
        } else {
            pairs.push((rows[i - 1], cols[j - 1]));
            i -= 1;
            j -= 1;
        }
    }
    pairs.reverse();
    pairs
}

/// The share of content stems two documents have in common in the same order (a weighted
/// longest common subsequence of their stem sequences), 0 when below `floor` for sure.
///
/// A stem weighs 1 over the number of sentences it occurs in, on the side where it is
/// commoner; the total is divided by the weight of the lighter document.
pub fn order_overlap(seq_a: &[u32], seq_b: &[u32], floor: f64) -> f64 {
    if seq_a.is_empty() || seq_b.is_empty() {
        return 0.0;
    }
    let mut counts: HashMap<u32, (f64, f64)> = HashMap::new();
    for &s in seq_a {
        counts.entry(s).or_default().0 += 1.0;
    }
    for &s in seq_b {
        counts.entry(s).or_default().1 += 1.0;
    }
    let weight = |s: &u32| {
        let (a, b) = counts[s];
        1.0 / a.max(b)
    };
    let total = sum(seq_a.iter().map(weight)).min(sum(seq_b.iter().map(weight)));
    let ia: Vec<u32> = seq_a
        .iter()
        .copied()
        .filter(|s| counts[s].1 > 0.0)
        .collect();
    let ib: Vec<u32> = seq_b
        .iter()
        .copied()
        .filter(|s| counts[s].0 > 0.0)
        .collect();
    if ia.is_empty() || total == 0.0 {
        return 0.0;
    }
    if sum(ia.iter().map(weight)).min(sum(ib.iter().map(weight))) < floor * total {
        return 0.0;
    }
    // row[j]: the best weight in common with the first j stems of b, over the stems of a seen
    // so far. It never decreases along j, so a match at j lifts one run row[j..e] to one
    // value, and bisection finds e: the work is per match, not per cell.
    let mut places: HashMap<u32, Vec<usize>> = HashMap::new();
    for (j, &s) in ib.iter().enumerate() {
        places.entry(s).or_default().push(j + 1);
    }
    let mut row = vec![0.0f64; ib.len() + 1];
    for s in &ia {
        let gain = weight(s);
        for &j in places[s].iter().rev() {
            let lifted = row[j - 1] + gain;
            if lifted > row[j] {
                let end = j + row[j..].partition_point(|&v| v < lifted);
                row[j..end].fill(lifted);
            }
        }
    }
    (row[ib.len()] / total).min(1.0)
}

// A copied passage shows in at least one sentence pair sharing half its stems, even where line
// wrapping cuts the copy into other sentences than the original (PAN 2013: every true pair
// with a shared verbatim passage has one at 0.52 or more).
const VERBATIM_SENTENCE: f32 = 0.5;
// A copy is partial when one side has more than this share of its words in sentences the
// other lacks, not counting unaligned sentences among its first and last FRAME (a header,
// a footer).
const PARTIAL_SHARE: f64 = 0.2;
const FRAME: usize = 4;
// A rewrite's aligned sentences are at least this much more alike than the rest of the two
// texts (distinctness): the same story reworded, not the same vocabulary. Seeds, Clough and
// the feed: 0.5 and more for rewrites; ~0.2 for texts drawn from a small common vocabulary.
const DISTINCT: f64 = 0.35;
// Sentences this similar are the same sentence, as a byline or a footer repeats.
const ECHO: f32 = 0.95;
// Sentences this similar are worded alike: when their facts disagree, they are one template.
const ALIKE: f32 = 0.4;

/// A document's sentences as arrays, one entry a sentence (stems concatenated).
#[derive(Clone, Copy, Debug)]
pub struct Units<'a> {
    pub stems: &'a [u32],
    pub sizes: &'a [usize],
    pub words: &'a [usize],
    pub lines: &'a [i64],
    pub end_lines: &'a [i64],
    pub keys: &'a [u64],
}

/// What verification reads of a document.
#[derive(Clone, Copy, Debug)]
pub struct Doc<'a> {
    /// Its word shingles, sorted and distinct.
    pub shingles: &'a [u32],
    /// The hash of its whole comparison text.
    pub exact_key: &'a [u8],
    /// Its words.
    pub words: usize,
    pub units: Units<'a>,
}

/// The verification thresholds of the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    pub passage: f32,
    pub near_duplicate: f64,
    pub partial: f64,
    pub rewrite: f64,
    pub min_passages: usize,
    /// The shingles two texts share when they share a verbatim run of `partial_words`.
    pub verbatim_shingles: usize,
}

/// The kinds of match, in `dedup.match.KINDS` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Exact = 0,
    NearDuplicate = 1,
    Partial = 2,
    Rewrite = 3,
}

/// Lines of `a` that correspond to lines of `b`, and how similar they are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Passage {
    pub a_lines: (i64, i64),
    pub b_lines: (i64, i64),
    pub similarity: f64,
}

/// A verified match of `a` (seen first) with `b`.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub kind: Kind,
    pub jaccard: f64,
    pub a_in_b: f64,
    pub b_in_a: f64,
    pub score: f64,
    pub passages: Vec<Passage>,
}

/// Sentence `k` of some units, as the rules read it.
#[derive(Clone, Copy, Debug)]
struct Sentence<'a> {
    stems: &'a [u32],
    words: usize,
    line: i64,
    end_line: i64,
}

fn sentences<'a>(units: &Units<'a>, keep: impl Fn(u64) -> bool) -> Vec<Sentence<'a>> {
    let mut out = Vec::with_capacity(units.sizes.len());
    let mut start = 0;
    for k in 0..units.sizes.len() {
        let end = start + units.sizes[k];
        if keep(units.keys[k]) {
            out.push(Sentence {
                stems: &units.stems[start..end],
                words: units.words[k],
                line: units.lines[k],
                end_line: units.end_lines[k],
            });
        }
        start = end;
    }
    out
}

fn similarity_of(a: &[Sentence], b: &[Sentence]) -> Matrix {
    let (stems_a, sizes_a) = flat(a);
    let (stems_b, sizes_b) = flat(b);
    similarity(&stems_a, &sizes_a, &stems_b, &sizes_b)
}

fn flat(units: &[Sentence]) -> (Vec<u32>, Vec<usize>) {
    (
        units.iter().flat_map(|u| u.stems.iter().copied()).collect(),
        units.iter().map(|u| u.stems.len()).collect(),
    )
}

/// The submatrix of `rows` and `cols`.
fn select(matrix: &Matrix, rows: &[usize], cols: &[usize]) -> Matrix {
    let mut values = Vec::with_capacity(rows.len() * cols.len());
    for &i in rows {
        values.extend(cols.iter().map(|&j| matrix.at(i, j)));
    }
    Matrix {
        rows: rows.len(),
        cols: cols.len(),
        values,
    }
}

/// Shared shingles of two sorted, distinct arrays.
fn intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                count += 1;
                i += 1;
                j += 1;
            }
        }
    }
    count
}

fn ratio(x: usize, y: usize) -> f64 {
    if y == 0 { 0.0 } else { x as f64 / y as f64 }
}

/// The verification of every candidate against `query`, each candidate as the document seen
/// first (`a`), the query as `b`; `stop` holds the sorted keys of boilerplate sentences.
pub fn verify(
    query: &Doc,
    candidates: &[Doc],
    stop: &[u64],
    t: &Thresholds,
) -> Vec<Option<Verdict>> {
    candidates
        .iter()
        .map(|c| compare(c, query, stop, t))
        .collect()
}

/// Measure a candidate pair and return the match, or `None` if it is not one (the rules of
/// `dedup.match.compare`); the cheap necessary conditions are tested first.
pub fn compare(a: &Doc, b: &Doc, stop: &[u64], t: &Thresholds) -> Option<Verdict> {
    let shared = intersection(a.shingles, b.shingles);
    let (size_a, size_b) = (a.shingles.len(), b.shingles.len());
    let jaccard = ratio(shared, size_a + size_b - shared);
    let (a_in_b, b_in_a) = (ratio(shared, size_a), ratio(shared, size_b));
    let exact = a.exact_key == b.exact_key && a.words > 0;
    let copy = jaccard >= t.near_duplicate || a_in_b.max(b_in_a) >= t.partial;
    let all_a = sentences(&a.units, |_| true);
    let all_b = sentences(&b.units, |_| true);
    let evidence = |key: u64| stop.binary_search(&key).is_err();
    let keep_a: Vec<usize> = (0..all_a.len())
        .filter(|&k| evidence(a.units.keys[k]))
        .collect();
    let keep_b: Vec<usize> = (0..all_b.len())
        .filter(|&k| evidence(b.units.keys[k]))
        .collect();
    let units_a: Vec<Sentence> = keep_a.iter().map(|&k| all_a[k]).collect();
    let units_b: Vec<Sentence> = keep_b.iter().map(|&k| all_b[k]).collect();
    let whole = similarity_of(&all_a, &all_b);
    // Without boilerplate the matrix of the evidence is the whole one: no copy of it.
    let selected;
    let sim = if stop.is_empty() {
        &whole
    } else {
        selected = select(&whole, &keep_a, &keep_b);
        &selected
    };
    if !exact && !copy && !could_match(sim, shared, t) {
        return None;
    }
    let whole_pairs = align(&whole, t.passage);
    if a.exact_key != b.exact_key && contradicts(&all_a, &all_b, &whole, &whole_pairs, t) {
        return None;
    }
    let pairs = align(sim, t.passage);
    let coverage = coverage_of(&units_a, &units_b, &pairs, sim);
    let mut kind = None;
    let mut score = None;
    if exact {
        kind = Some(Kind::Exact);
    } else if copy {
        kind = Some(copy_kind(&all_a, &all_b, &whole_pairs, jaccard, t));
    }
    if kind.is_none() {
        let evidence = without_frame_echoes(sim);
        let evidence_pairs = align(&evidence, t.passage);
        if evidence_pairs.len() >= t.min_passages
            && distinctness(&evidence, &evidence_pairs) >= DISTINCT
        {
            let covered = coverage_of(&units_a, &units_b, &evidence_pairs, &evidence);
            let floor = covered.max(t.rewrite);
            let rewrite = covered.max(order_overlap(&flat(&units_a).0, &flat(&units_b).0, floor));
            if rewrite >= t.rewrite {
                kind = Some(Kind::Rewrite);
                score = Some(rewrite);
            }
        }
        if kind.is_none()
            && shared >= t.verbatim_shingles
            && outside_frames(&evidence) >= VERBATIM_SENTENCE
        {
            kind = Some(Kind::Partial);
        }
    }
    let kind = kind?;
    let score = match (kind, score) {
        (Kind::Rewrite, Some(score)) => score,
        (Kind::Exact, _) => 1.0,
        _ => coverage,
    };
    Some(Verdict {
        kind,
        jaccard,
        a_in_b,
        b_in_a,
        score,
        passages: passages(&units_a, &units_b, &pairs, sim),
    })
}

/// Whether a pair that is no copy by its shingles could still match: two sentences of each
/// side align with some sentence of the other, or it shares a verbatim passage.
fn could_match(sim: &Matrix, shared: usize, t: &Thresholds) -> bool {
    let (n, m) = (sim.rows, sim.cols);
    let eligible = |i: usize, j: usize| sim.at(i, j) >= t.passage;
    let rows = (0..n).filter(|&i| (0..m).any(|j| eligible(i, j))).count();
    let cols = (0..m).filter(|&j| (0..n).any(|i| eligible(i, j))).count();
    if rows >= t.min_passages && cols >= t.min_passages {
        return true;
    }
    let best = sim.values.iter().copied().fold(0.0f32, f32::max);
    shared >= t.verbatim_shingles && best >= VERBATIM_SENTENCE
}

/// The share of the shorter side's words that aligned, weighted by similarity.
fn coverage_of(a: &[Sentence], b: &[Sentence], pairs: &[(usize, usize)], sim: &Matrix) -> f64 {
    let words_a: usize = a.iter().map(|u| u.words).sum();
    let words_b: usize = b.iter().map(|u| u.words).sum();
    if pairs.is_empty() || words_a == 0 || words_b == 0 {
        return 0.0;
    }
    let short_is_a = words_a <= words_b;
    let mut covered = 0.0f64;
    for &(i, j) in pairs {
        let words = if short_is_a { a[i].words } else { b[j].words };
        covered += f64::from(sim.at(i, j)) * words as f64;
    }
    (covered / (if short_is_a { words_a } else { words_b }) as f64).min(1.0)
}

/// The share of a side's words in sentences the other lacks, a header and footer aside.
fn unshared(units: &[Sentence], aligned: &[usize]) -> f64 {
    let total: usize = units.iter().map(|u| u.words).sum();
    if total == 0 {
        return 1.0;
    }
    let frame = if units.len() > 2 * FRAME { FRAME } else { 0 };
    let mut done = vec![false; units.len()];
    for &k in aligned {
        done[k] = true;
    }
    let lacking: usize = (frame..units.len().saturating_sub(frame))
        .filter(|&k| !done[k])
        .map(|k| units[k].words)
        .sum();
    lacking as f64 / total as f64
}

/// Whether the first or last `FRAME` rows (or columns) hold index `k` of `len`.
fn in_frame(k: usize, len: usize) -> bool {
    k < FRAME || k >= len.saturating_sub(FRAME)
}

/// `sim` with the verbatim pairs among both sides' first (or both sides' last) `FRAME`
/// sentences set to 0.
fn without_frame_echoes(sim: &Matrix) -> Matrix {
    let (n, m) = (sim.rows, sim.cols);
    let mut out = sim.clone();
    for i in 0..n {
        for j in 0..m {
            let head = i < FRAME && j < FRAME;
            let tail = i >= n.saturating_sub(FRAME) && j >= m.saturating_sub(FRAME);
            if (head || tail) && out.values[i * m + j] >= ECHO {
                out.values[i * m + j] = 0.0;
            }
        }
    }
    out
}

/// The best similarity of a pair that is not a header or footer of both sides.
fn outside_frames(sim: &Matrix) -> f32 {
    let (n, m) = (sim.rows, sim.cols);
    let mut best: Option<f32> = None;
    for i in 0..n {
        for j in 0..m {
            if !(in_frame(i, n) && in_frame(j, m)) {
                let v = sim.at(i, j);
                best = Some(best.map_or(v, |b| b.max(v)));
            }
        }
    }
    best.unwrap_or(0.0)
}

/// How much more alike the aligned sentences are than the sentences around them.
fn distinctness(sim: &Matrix, pairs: &[(usize, usize)]) -> f64 {
    if pairs.is_empty() {
        return 0.0;
    }
    let (n, m) = (sim.rows, sim.cols);
    let positive: Vec<f64> = sim.values.iter().map(|&v| f64::from(v.max(0.0))).collect();
    // As numpy sums them: each row pairwise, the columns row after row.
    let row_sums: Vec<f64> = (0..n)
        .map(|i| pairwise(&positive[i * m..(i + 1) * m]))
        .collect();
    let mut col_sums = vec![0.0f64; m];
    for i in 0..n {
        for j in 0..m {
            col_sums[j] += positive[i * m + j];
        }
    }
    let count = n + m - 2;
    let gains: Vec<f64> = pairs
        .iter()
        .map(|&(i, j)| {
            let here = positive[i * m + j];
            let others = row_sums[i] + col_sums[j] - 2.0 * here;
            here - if count > 0 {
                others / count as f64
            } else {
                0.0
            }
        })
        .collect();
    pairwise(&gains) / gains.len() as f64
}

fn has_number(stems: &[u32]) -> bool {
    stems.iter().any(|&s| s & NUMBER_BIT != 0)
}

/// Whether two documents tell different facts in the same words (a template's reports).
fn contradicts(
    a: &[Sentence],
    b: &[Sentence],
    sim: &Matrix,
    pairs: &[(usize, usize)],
    t: &Thresholds,
) -> bool {
    if sim.rows == 0 {
        return false;
    }
    let conflicts = (0..sim.rows)
        .filter(|&i| (0..sim.cols).any(|j| sim.at(i, j) <= -ALIKE))
        .count();
    if conflicts < 2 {
        return false;
    }
    let verbatim = without_frame_echoes(sim);
    if pairs
        .iter()
        .filter(|&&(i, j)| verbatim.at(i, j) >= ECHO)
        .count()
        >= t.min_passages
    {
        return false;
    }
    let agree = pairs
        .iter()
        .filter(|&&(i, j)| has_number(a[i].stems) && has_number(b[j].stems))
        .count();
    conflicts > agree
}

/// Tell a near duplicate from a partial copy by the sentences one side lacks.
fn copy_kind(
    a: &[Sentence],
    b: &[Sentence],
    pairs: &[(usize, usize)],
    jaccard: f64,
    t: &Thresholds,
) -> Kind {
    if a.is_empty() || b.is_empty() {
        return if jaccard >= t.near_duplicate {
            Kind::NearDuplicate
        } else {
            Kind::Partial
        };
    }
    let rows: Vec<usize> = pairs.iter().map(|p| p.0).collect();
    let cols: Vec<usize> = pairs.iter().map(|p| p.1).collect();
    if unshared(a, &rows).max(unshared(b, &cols)) <= PARTIAL_SHARE {
        Kind::NearDuplicate
    } else {
        Kind::Partial
    }
}

/// Group aligned pairs into passages: runs that stay in one paragraph of a side.
fn passages(
    a: &[Sentence],
    b: &[Sentence],
    pairs: &[(usize, usize)],
    sim: &Matrix,
) -> Vec<Passage> {
    let mut groups: Vec<Vec<(usize, usize)>> = Vec::new();
    for &(i, j) in pairs {
        if let Some(group) = groups.last_mut() {
            let (pi, pj) = group[group.len() - 1];
            let same_a = a[i].line <= a[pi].end_line;
            let same_b = b[j].line <= b[pj].end_line;
            if i == pi + 1 && j == pj + 1 && (same_a || same_b) {
                group.push((i, j));
                continue;
            }
        }
        groups.push(vec![(i, j)]);
    }
    groups
        .iter()
        .map(|group| {
            let weights: Vec<f64> = group
                .iter()
                .map(|&(i, j)| (a[i].words + b[j].words) as f64)
                .collect();
            let weighted: Vec<f64> = group
                .iter()
                .zip(&weights)
                .map(|(&(i, j), w)| w * f64::from(sim.at(i, j)))
                .collect();
            let (first, last) = (group[0], group[group.len() - 1]);
            Passage {
                a_lines: (a[first.0].line, a[last.0].end_line),
                b_lines: (b[first.1].line, b[last.1].end_line),
                similarity: pairwise(&weighted) / pairwise(&weights),
            }
        })
        .collect()
}

/// numpy's pairwise sum of float64 (blocks of 8 accumulators below 128 values, halves
/// above), so that totals equal numpy's to the bit.
fn sum(values: impl Iterator<Item = f64>) -> f64 {
    let values: Vec<f64> = values.collect();
    pairwise(&values)
}

fn pairwise(v: &[f64]) -> f64 {
    let n = v.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in v {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]];
        let mut i = 8;
        while i < n - (n % 8) {
            for k in 0..8 {
                r[k] += v[i + k];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += v[i];
            i += 1;
        }
        res
    } else {
        let half = (n / 2) - (n / 2) % 8;
        pairwise(&v[..half]) + pairwise(&v[half..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: usize, cols: usize, values: &[f32]) -> Matrix {
        Matrix {
            rows,
            cols,
            values: values.to_vec(),
        }
    }

    #[test]
    fn dice_of_shared_stems() {
        let sim = similarity(&[1, 2, 3, 4], &[2, 2], &[2, 3, 9], &[1, 2]);
        assert_eq!(sim.values, vec![2.0 / 3.0, 0.0, 0.0, 0.5]);
    }

    #[test]
    fn differing_numbers_negate_the_score() {
        let n = |x: u32| x | NUMBER_BIT;
        let sim = similarity(&[1, 2, n(7)], &[3], &[1, 2, n(8), 1, 2, n(7)], &[3, 3]);
        assert_eq!(sim.values, vec![-2.0 / 3.0, 1.0]);
    }

    #[test]
    fn empty_sides_give_zeros() {
        assert_eq!(similarity(&[], &[0, 0], &[1], &[1]).values, vec![0.0, 0.0]);
    }

    #[test]
    fn alignment_is_in_order() {
        assert_eq!(
            align(&matrix(2, 2, &[0.9, 0.1, 0.2, 0.8]), 0.5),
            vec![(0, 0), (1, 1)]
        );
        assert_eq!(
            align(&matrix(2, 2, &[0.1, 0.9, 0.9, 0.1]), 0.5),
            vec![(0, 1)]
        );
        assert_eq!(
            align(&matrix(2, 3, &[0.0, 0.0, 0.6, 0.7, 0.0, 0.0]), 0.5),
            vec![(1, 0)]
        );
        assert!(align(&matrix(0, 0, &[]), 0.5).is_empty());
    }

    #[test]
    fn order_overlap_counts_words_in_order() {
        assert_eq!(order_overlap(&[1, 2, 3], &[1, 2, 3, 4], 0.0), 1.0);
        assert_eq!(order_overlap(&[1, 2], &[2, 1], 0.0), 0.5);
        assert_eq!(order_overlap(&[1, 2, 3], &[1, 9, 8], 0.9), 0.0);
        assert_eq!(order_overlap(&[1], &[2], 0.0), 0.0);
    }

    #[test]
    fn pairwise_sum_matches_a_plain_sum_of_integers() {
        let values: Vec<f64> = (0..1000).map(f64::from).collect();
        assert_eq!(pairwise(&values), 499_500.0);
    }

    fn eye(n: usize) -> Matrix {
        let mut m = Matrix::zeros(n, n);
        for i in 0..n {
            m.values[i * n + i] = 1.0;
        }
        m
    }

    #[test]
    fn frame_echoes_are_dropped_at_both_ends_only() {
        let out = without_frame_echoes(&eye(10));
        let kept: Vec<usize> = (0..10).filter(|&i| out.at(i, i) > 0.0).collect();
        assert_eq!(kept, vec![4, 5]);
    }

    #[test]
    fn a_byline_against_a_footer_is_inside_the_frames() {
        let mut sim = Matrix::zeros(10, 10);
        sim.values[9] = 0.9; // row 0, column 9
        assert_eq!(outside_frames(&sim), 0.0);
        sim.values[5 * 10 + 9] = 0.6;
        assert_eq!(outside_frames(&sim), 0.6);
    }

    #[test]
    fn distinctness_tells_a_rewrite_from_a_shared_vocabulary() {
        let rewrite = matrix(2, 2, &[0.8, 0.1, 0.1, 0.7]);
        assert!((distinctness(&rewrite, &[(0, 0), (1, 1)]) - 0.65).abs() < 1e-6);
        let alike = matrix(2, 2, &[0.6, 0.6, 0.55, 0.6]);
        assert!((distinctness(&alike, &[(0, 0), (1, 1)]) - 0.025).abs() < 1e-6);
    }

    fn doc<'a>(shingles: &'a [u32], key: &'a [u8], units: Units<'a>) -> Doc<'a> {
        Doc {
            shingles,
            exact_key: key,
            words: units.words.iter().sum(),
            units,
        }
    }

    const T: Thresholds = Thresholds {
        passage: 0.55,
        near_duplicate: 0.7,
        partial: 0.5,
        rewrite: 0.24,
        min_passages: 2,
        verbatim_shingles: 8,
    };

    #[test]
    fn the_same_text_is_exact_and_unrelated_texts_are_no_match() {
        let units = Units {
            stems: &[1, 2, 3, 4, 5, 6],
            sizes: &[3, 3],
            words: &[5, 5],
            lines: &[1, 2],
            end_lines: &[2, 3],
            keys: &[10, 11],
        };
        let other = Units {
            stems: &[7, 8, 9, 12, 13, 14],
            keys: &[12, 13],
            ..units
        };
        let a = doc(&[1, 2, 3], b"k", units);
        let verdict = compare(&a, &a, &[], &T).expect("a match");
        assert_eq!(
            (verdict.kind, verdict.score, verdict.jaccard),
            (Kind::Exact, 1.0, 1.0)
        );
        assert_eq!(verdict.passages.len(), 1);
        assert_eq!(
            (verdict.passages[0].a_lines, verdict.passages[0].b_lines),
            ((1, 3), (1, 3))
        );
        let b = doc(&[4, 5, 6], b"l", other);
        assert_eq!(verify(&a, &[b, a], &[], &T)[0], None);
        // Boilerplate sentences are no evidence: a copy of nothing else stays exact (its
        // exact key says so), with no passage to show.
        let verdict = compare(&a, &a, &[10, 11], &T).expect("a match");
        assert_eq!((verdict.kind, verdict.passages.len()), (Kind::Exact, 0));
    }
}
