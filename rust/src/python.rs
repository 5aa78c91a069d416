//! The binding layer: `#[pyfunction]`s over the plain-Rust stages, nothing else.
//!
//! Each call takes a batch where the caller has one (many texts, many sets), reads numpy
//! arrays, `bytes` and `str` without copying where it can, and releases the GIL around the
//! work. Text is read as code points: a `str` holding lone surrogates has no UTF-8 form, so
//! it is read through `encode("utf-32-le", "surrogatepass")` instead.

use std::borrow::Cow;

use numpy::ndarray::Array2;
use numpy::{
    Element, IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2,
    PyReadonlyArrayDyn, PyReadwriteArray1, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::paragraphs::{self, Span};
use crate::{codec, document, minhash, normalize, pages, repeats, shingle, verify};

/// A text's code points: borrowed UTF-8 when it has one, else decoded from UTF-32.
enum Codes<'a> {
    Utf8(&'a str),
    Wide(Vec<u32>),
}

impl Codes<'_> {
    /// The text as `str` (lone surrogates read as spaces), and whether it had any.
    fn text(&self) -> (Cow<'_, str>, bool) {
        match self {
            Codes::Utf8(text) => (Cow::Borrowed(text), false),
            Codes::Wide(codes) => {
                let (text, surrogates) = normalize::text_of(codes.iter().copied());
                (Cow::Owned(text), surrogates)
            }
        }
    }

    /// The code points, in a vector.
    fn to_vec(&self) -> Vec<u32> {
        self.with(|it| it.collect())
    }

    /// Call `f` with an iterator over the code points.
    fn with<R>(&self, f: impl FnOnce(&mut dyn Iterator<Item = u32>) -> R) -> R {
        match self {
            Codes::Utf8(text) => f(&mut text.chars().map(u32::from)),
            Codes::Wide(codes) => f(&mut codes.iter().copied()),
        }
    }
}

fn code_points<'a>(text: &'a Bound<'_, PyString>) -> PyResult<Codes<'a>> {
    match text.to_str() {
        Ok(utf8) => Ok(Codes::Utf8(utf8)),
        Err(_) => {
            let wide = text.call_method1("encode", ("utf-32-le", "surrogatepass"))?;
            let bytes = wide.cast::<PyBytes>()?.as_bytes();
            Ok(Codes::Wide(
                bytes
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            ))
        }
    }
}

/// One text of a batch: folded ASCII bytes (words split by runs of spaces) or a `str`.
enum Text<'a> {
    Bytes(&'a [u8]),
    Str(Codes<'a>),
}

fn text_of<'a>(item: &'a Bound<'_, PyAny>, index: usize) -> PyResult<Text<'a>> {
    if let Ok(bytes) = item.cast::<PyBytes>() {
        Ok(Text::Bytes(bytes.as_bytes()))
    } else if let Ok(text) = item.cast::<PyString>() {
        Ok(Text::Str(code_points(text)?))
    } else {
        Err(PyTypeError::new_err(format!(
            "texts[{index}] must be bytes or str (got {}); pass comparison texts",
            item.get_type().name()?
        )))
    }
}

/// The values of a 1-D array, borrowed when contiguous.
fn values<'a, T: Element + Copy>(array: &'a PyReadonlyArray1<'_, T>) -> Cow<'a, [T]> {
    match array.as_slice() {
        Ok(slice) => Cow::Borrowed(slice),
        Err(_) => Cow::Owned(array.as_array().iter().copied().collect()),
    }
}

fn at_least_one(name: &str, value: i64) -> PyResult<usize> {
    if value < 1 {
        return Err(PyValueError::new_err(format!(
            "'{name}' must be >= 1 (got {value})"
        )));
    }
    Ok(value as usize)
}

/// Check that `counts` are one row of non-negative counts adding up to `total`, and return
/// them as sizes.
fn segment_counts(
    counts: &PyReadonlyArrayDyn<'_, isize>,
    total: usize,
    what: &str,
) -> PyResult<Vec<usize>> {
    let flat = counts.as_array();
    let sum: i128 = flat.iter().map(|&c| c as i128).sum();
    if counts.ndim() != 1 || flat.iter().any(|&c| c < 0) || sum != total as i128 {
        return Err(PyValueError::new_err(format!(
            "'counts' must be non-negative and add up to len({what}) = {total} (got a sum of \
             {sum}); pass one count per sequence"
        )));
    }
    Ok(flat.iter().map(|&c| c as usize).collect())
}

/// Values laid end to end, and how many belong to each text, sequence or paragraph.
type Segmented<'py, A> = (Bound<'py, A>, Bound<'py, PyArray1<isize>>);

fn sizes_array(py: Python<'_>, sizes: Vec<usize>) -> Bound<'_, PyArray1<isize>> {
    sizes
        .into_iter()
        .map(|s| s as isize)
        .collect::<Vec<_>>()
        .into_pyarray(py)
}

/// Return one 64-bit hash per word of a text (words split by single spaces).
#[pyfunction]
#[pyo3(signature = (text, prefix = None))]
fn token_hashes<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
    prefix: Option<usize>,
) -> PyResult<Bound<'py, PyArray1<u64>>> {
    let codes = code_points(text)?;
    let out = py.detach(|| {
        let mut out = Vec::new();
        codes.with(|it| shingle::token_hashes(it, prefix, &mut out));
        out
    });
    Ok(out.into_pyarray(py))
}

/// Return the word hashes of ASCII bytes whose words are split by runs of spaces.
#[pyfunction]
fn token_hashes_of_bytes<'py>(py: Python<'py>, folded: &[u8]) -> Bound<'py, PyArray1<u64>> {
    let out = py.detach(|| {
        let mut out = Vec::new();
        shingle::token_hashes_of_bytes(folded, &mut out);
        out
    });
    out.into_pyarray(py)
}

/// Return the word hashes of many texts laid end to end, and how many belong to each.
#[pyfunction]
fn token_hashes_many<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
) -> PyResult<Segmented<'py, PyArray1<u64>>> {
    let items: Vec<Bound<'py, PyAny>> = texts.try_iter()?.collect::<PyResult<_>>()?;
    let texts: Vec<Text<'_>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| text_of(item, i))
        .collect::<PyResult<_>>()?;
    let (hashes, counts) = py.detach(|| {
        let mut hashes = Vec::new();
        let mut counts = Vec::with_capacity(texts.len());
        for text in &texts {
            let before = hashes.len();
            match text {
                Text::Bytes(bytes) => shingle::token_hashes_of_bytes(bytes, &mut hashes),
                Text::Str(codes) => codes.with(|it| shingle::token_hashes(it, None, &mut hashes)),
            }
            counts.push(hashes.len() - before);
        }
        (hashes, counts)
    });
    Ok((hashes.into_pyarray(py), sizes_array(py, counts)))
}

/// Return the sorted, distinct uint32 hashes of the n-grams of a token hash sequence.
#[pyfunction]
fn ngram_hashes<'py>(
    py: Python<'py>,
    tokens: PyReadonlyArray1<'py, u64>,
    n: i64,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let n = at_least_one("n", n)?;
    let tokens = values(&tokens);
    let out = py.detach(|| shingle::ngram_hashes(&tokens, n));
    Ok(out.into_pyarray(py))
}

/// Return the n-gram hashes (window order) of token sequences laid end to end, and how
/// many belong to each.
#[pyfunction]
fn ngram_hashes_many<'py>(
    py: Python<'py>,
    tokens: PyReadonlyArray1<'py, u64>,
    counts: PyReadonlyArrayDyn<'py, isize>,
    n: i64,
) -> PyResult<Segmented<'py, PyArray1<u32>>> {
    let n = at_least_one("n", n)?;
    let tokens = values(&tokens);
    let counts = segment_counts(&counts, tokens.len(), "tokens")?;
    let (hashes, windows) = py.detach(|| {
        let mut hashes = Vec::with_capacity(tokens.len());
        let mut start = 0;
        let windows: Vec<usize> = counts
            .iter()
            .map(|&count| {
                let made = shingle::gram_hashes(&tokens[start..start + count], n, &mut hashes);
                start += count;
                made
            })
            .collect();
        (hashes, windows)
    });
    Ok((hashes.into_pyarray(py), sizes_array(py, windows)))
}

/// Return the passage anchors (winnowed 64-bit word n-gram hashes) of a token sequence.
#[pyfunction]
fn anchors<'py>(
    py: Python<'py>,
    tokens: PyReadonlyArray1<'py, u64>,
    n: i64,
    window: i64,
) -> PyResult<Bound<'py, PyArray1<u64>>> {
    let (n, window) = (at_least_one("n", n)?, at_least_one("window", window)?);
    let tokens = values(&tokens);
    let out = py.detach(|| shingle::anchors(&tokens, n, window));
    Ok(out.into_pyarray(py))
}

/// Mix 64-bit hashes (MurmurHash3's fmix64) and keep the top 32 bits.
#[pyfunction]
fn finalize<'py>(py: Python<'py>, hashes: PyReadonlyArray1<'py, u64>) -> Bound<'py, PyArray1<u32>> {
    let hashes = values(&hashes);
    let out: Vec<u32> = py.detach(|| hashes.iter().map(|&h| shingle::finalize(h)).collect());
    out.into_pyarray(py)
}

/// The shingles of one text (`shingles` of its code points and `n`), the GIL released.
fn text_shingles<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
    n: i64,
    shingles: fn(&mut dyn Iterator<Item = u32>, usize) -> Vec<u32>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let n = at_least_one("n", n)?;
    let codes = code_points(text)?;
    let out = py.detach(|| codes.with(|it| shingles(it, n)));
    Ok(out.into_pyarray(py))
}

/// Return the sorted, distinct hashes of a text's character n-grams.
#[pyfunction]
fn char_shingles<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
    n: i64,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    text_shingles(py, text, n, |codes, n| shingle::char_shingles(codes, n))
}

/// Return the sorted, distinct hashes of a text's word n-grams.
#[pyfunction]
fn word_shingles<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
    n: i64,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    text_shingles(py, text, n, |codes, n| shingle::word_shingles(codes, n))
}

/// Return the MinHash signatures of sets laid end to end, one row per set.
#[pyfunction]
fn signatures<'py>(
    py: Python<'py>,
    hashes: PyReadonlyArray1<'py, u32>,
    counts: PyReadonlyArrayDyn<'py, isize>,
    a: PyReadonlyArray1<'py, u32>,
    b: PyReadonlyArray1<'py, u32>,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let (hashes, a, b) = (values(&hashes), values(&a), values(&b));
    let counts = segment_counts(&counts, hashes.len(), "hashes")?;
    if a.is_empty() || a.len() != b.len() {
        return Err(PyValueError::new_err(format!(
            "'a' and 'b' must have one value per permutation (got {} and {})",
            a.len(),
            b.len()
        )));
    }
    let rows = counts.len();
    let out = py.detach(|| minhash::signatures(&hashes, &counts, &a, &b));
    let out = Array2::from_shape_vec((rows, a.len()), out)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(out.into_pyarray(py))
}

/// Return the ``(n, bands)`` uint64 LSH bucket keys of ``n`` signatures.
#[pyfunction]
fn band_keys<'py>(
    py: Python<'py>,
    signatures: PyReadonlyArray2<'py, u32>,
    bands: i64,
    rows: i64,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let (bands, rows) = (at_least_one("bands", bands)?, at_least_one("rows", rows)?);
    let view = signatures.as_array();
    let (count, num_perm) = view.dim();
    if num_perm < bands * rows {
        return Err(PyValueError::new_err(format!(
            "signatures have {num_perm} values; {bands} bands x {rows} rows need {}: lower \
             'bands' or 'rows', or raise 'num_perm'",
            bands * rows
        )));
    }
    let flat: Cow<'_, [u32]> = match view.as_slice() {
        Some(slice) => Cow::Borrowed(slice),
        None => Cow::Owned(view.iter().copied().collect()),
    };
    let out = py.detach(|| minhash::band_keys(&flat, num_perm, bands, rows));
    let out = Array2::from_shape_vec((count, bands), out)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(out.into_pyarray(py))
}

/// Return the comparison form of a text: lower case, no accents, single spaces.
#[pyfunction(name = "normalize")]
fn normalize_text(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<String> {
    let codes = code_points(text)?;
    Ok(py.detach(|| normalize::normalize(&codes.text().0)))
}

/// Return the comparison form before spaces are collapsed, if it is ASCII, else ``None``.
#[pyfunction]
fn folded_bytes<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let codes = code_points(text)?;
    let folded = py.detach(|| match codes.text() {
        (_, true) => None,
        (text, false) => normalize::folded_bytes(&text),
    });
    Ok(folded.map(|bytes| PyBytes::new(py, &bytes)))
}

/// Spans as rows of `(start, end, line, end_line)`.
fn span_rows<'py>(py: Python<'py>, spans: &[Span]) -> Bound<'py, PyArray2<i64>> {
    let flat: Vec<i64> = spans
        .iter()
        .flat_map(|s| [s.start, s.end, s.line, s.end_line])
        .map(|v| v as i64)
        .collect();
    Array2::from_shape_vec((spans.len(), 4), flat)
        .expect("four values a span")
        .into_pyarray(py)
}

/// Return the paragraphs of a text as ``(n, 4)`` int64 rows ``(start, end, line, end_line)``.
#[pyfunction]
fn split_paragraphs<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
) -> PyResult<Bound<'py, PyArray2<i64>>> {
    let codes = code_points(text)?.to_vec();
    let spans = py.detach(|| paragraphs::split_paragraphs(&codes));
    Ok(span_rows(py, &spans))
}

/// Return the sentences of the given paragraphs of a text as ``(m, 4)`` int64 rows
/// ``(start, end, line, end_line)``, and how many belong to each paragraph.
#[pyfunction]
fn sentence_rows<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
    paragraphs: PyReadonlyArray2<'py, i64>,
) -> PyResult<Segmented<'py, PyArray2<i64>>> {
    let codes = code_points(text)?.to_vec();
    let view = paragraphs.as_array();
    if view.ncols() != 4 {
        return Err(PyValueError::new_err(format!(
            "'paragraphs' must have 4 columns (start, end, line, end_line), got {}",
            view.ncols()
        )));
    }
    let mut spans = Vec::with_capacity(view.nrows());
    for (k, row) in view.rows().into_iter().enumerate() {
        let (start, end) = (row[0], row[1]);
        if start < 0 || start > end || end > codes.len() as i64 || row[2] < 1 || row[3] < row[2] {
            return Err(PyValueError::new_err(format!(
                "paragraph {k} has start={start}, end={end}, line={}, end_line={}: need \
                 0 <= start <= end <= len(text) = {} and 1 <= line <= end_line",
                row[2],
                row[3],
                codes.len()
            )));
        }
        spans.push(Span {
            start: start as usize,
            end: end as usize,
            line: row[2] as usize,
            end_line: row[3] as usize,
        });
    }
    let rows = py.detach(|| paragraphs::sentences(&codes, &spans));
    let counts: Vec<usize> = rows.iter().map(Vec::len).collect();
    let flat: Vec<Span> = rows.into_iter().flatten().collect();
    Ok((span_rows(py, &flat), sizes_array(py, counts)))
}

/// What a document's fingerprint holds, as Python receives it.
type FingerprintTuple<'py> = (
    usize,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyBytes>,
    Bound<'py, PyArray1<isize>>,
    Bound<'py, PyArray1<isize>>,
    Bound<'py, PyArray1<isize>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u64>>,
);

fn sorted_stopwords(stopwords: &PyReadonlyArray1<'_, u64>) -> PyResult<Vec<u64>> {
    let values = values(stopwords).into_owned();
    if values.windows(2).any(|w| w[0] > w[1]) {
        return Err(PyValueError::new_err(
            "'stopwords' must be sorted: pass np.unique of the stop words' stem hashes",
        ));
    }
    Ok(values)
}

/// Return a document's fingerprint from its sentences' comparison texts: ``(words,
/// shingles, anchors, exact_key, unit_sentence, unit_words, unit_sizes, unit_stems,
/// unit_keys)``.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // the configuration's fields, flat, as Python passes them
fn fingerprint<'py>(
    py: Python<'py>,
    norms: Vec<String>,
    texts: Vec<String>,
    stopwords: PyReadonlyArray1<'py, u64>,
    stem_chars: usize,
    min_sentence_words: usize,
    word_ngram: i64,
    anchor_window: i64,
) -> PyResult<FingerprintTuple<'py>> {
    let params = document::Params {
        stem_chars,
        min_sentence_words,
        word_ngram: at_least_one("word_ngram", word_ngram)?,
        anchor_window: at_least_one("anchor_window", anchor_window)?,
    };
    let stop = sorted_stopwords(&stopwords)?;
    if texts.len() != norms.len() {
        return Err(PyValueError::new_err(format!(
            "'texts' must hold one text per comparison text (got {} texts for {} norms)",
            texts.len(),
            norms.len()
        )));
    }
    let fp = py.detach(|| {
        let norms: Vec<&str> = norms.iter().map(String::as_str).collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        document::fingerprint(&norms, &texts, &stop, &params)
    });
    let units = fp.units;
    Ok((
        fp.words,
        fp.shingles.into_pyarray(py),
        fp.anchors.into_pyarray(py),
        PyBytes::new(py, &fp.exact_key),
        sizes_array(py, units.sentence),
        sizes_array(py, units.words),
        sizes_array(py, units.sizes),
        units.stems.into_pyarray(py),
        units.keys.into_pyarray(py),
    ))
}

/// Return the unit of a short comparison text taken whole: ``(words, stems, key)``.
#[pyfunction]
fn passage_unit<'py>(
    py: Python<'py>,
    norm: &str,
    text: &str,
    stopwords: PyReadonlyArray1<'py, u64>,
    stem_chars: usize,
) -> PyResult<(usize, Bound<'py, PyArray1<u32>>, u64)> {
    let stop = sorted_stopwords(&stopwords)?;
    let (words, stems, key) = py.detach(|| document::passage_unit(norm, text, &stop, stem_chars));
    Ok((words, stems.into_pyarray(py), key))
}

/// A repeat as Python receives it: ``(index, first, similarity, exact)``.
type RepeatTuple = (usize, usize, f64, bool);

/// Return the paragraphs that repeat an earlier one, given each paragraph's comparison
/// text: ``(index, first, similarity, exact)`` tuples in paragraph order, and how many
/// paragraphs were signed for the LSH.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // the configuration's fields, flat, as Python passes them
fn find_repeats<'py>(
    py: Python<'py>,
    norms: Vec<String>,
    min_paragraph_words: usize,
    min_near_repeat_words: usize,
    threshold: f64,
    char_ngram: i64,
    bands: i64,
    rows: i64,
    max_bound_texts: usize,
    a: PyReadonlyArray1<'py, u32>,
    b: PyReadonlyArray1<'py, u32>,
) -> PyResult<(Vec<RepeatTuple>, usize)> {
    let params = repeats::Params {
        min_paragraph_words,
        min_near_repeat_words,
        threshold,
        char_ngram: at_least_one("char_ngram", char_ngram)?,
        bands: at_least_one("bands", bands)?,
        rows: at_least_one("rows", rows)?,
        max_bound_texts,
    };
    let (a, b) = (values(&a), values(&b));
    if a.is_empty() || a.len() != b.len() || a.len() < params.bands * params.rows {
        return Err(PyValueError::new_err(format!(
            "'a' and 'b' must have one value per permutation, at least bands x rows = {} \
             (got {} and {})",
            params.bands * params.rows,
            a.len(),
            b.len()
        )));
    }
    let (found, signed) = py.detach(|| {
        let norms: Vec<&str> = norms.iter().map(String::as_str).collect();
        repeats::find_repeats(&norms, &params, &a, &b)
    });
    let found = found
        .into_iter()
        .map(|f| (f.index, f.first, f.similarity, f.exact))
        .collect();
    Ok((found, signed))
}

/// Return the share of the longer text's words that the other has, in the same order.
#[pyfunction]
fn word_similarity(py: Python<'_>, a: &str, b: &str) -> f64 {
    py.detach(|| repeats::word_similarity(a, b))
}

/// One document's analysis as Python receives it: ``(paragraphs, repeats, removed_lines,
/// words, shingles, anchors, exact_key, unit_lines, unit_words, unit_sizes, unit_stems,
/// unit_keys)``.
type AnalysisTuple<'py> = (
    Bound<'py, PyArray2<i64>>,
    Vec<RepeatTuple>,
    Vec<usize>,
    usize,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyBytes>,
    Bound<'py, PyArray2<i64>>,
    Bound<'py, PyArray1<isize>>,
    Bound<'py, PyArray1<isize>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u64>>,
);

/// Read a field of the configuration object.
fn field<'py, T: FromPyObjectOwned<'py>>(config: &Bound<'py, PyAny>, name: &str) -> PyResult<T> {
    config.getattr(name)?.extract().map_err(Into::into)
}

fn settings_of(config: &Bound<'_, PyAny>, max_bound_texts: usize) -> PyResult<document::Settings> {
    let positive =
        |name: &str| -> PyResult<usize> { at_least_one(name, field::<i64>(config, name)?) };
    Ok(document::Settings {
        fingerprint: document::Params {
            stem_chars: field(config, "stem_chars")?,
            min_sentence_words: field(config, "min_sentence_words")?,
            word_ngram: positive("word_ngram")?,
            anchor_window: positive("anchor_window")?,
        },
        repeats: repeats::Params {
            min_paragraph_words: field(config, "min_paragraph_words")?,
            min_near_repeat_words: field(config, "min_near_repeat_words")?,
            threshold: field(config, "repeat_threshold")?,
            char_ngram: positive("char_ngram")?,
            bands: positive("passage_bands")?,
            rows: positive("passage_rows")?,
            max_bound_texts,
        },
        max_paragraphs: field(config, "max_paragraphs")?,
        remove_threshold: field(config, "remove_threshold")?,
    })
}

/// Return the analysis of each of many repaired texts (see :func:`dedup.analyze`): the work
/// after repair, in one call. ``config`` is a :class:`dedup.Config`; ``a`` and ``b`` the
/// permutations of the paragraph MinHash.
#[pyfunction]
fn analyze_batch<'py>(
    py: Python<'py>,
    texts: Vec<Bound<'py, PyString>>,
    config: &Bound<'py, PyAny>,
    stopwords: PyReadonlyArray1<'py, u64>,
    a: PyReadonlyArray1<'py, u32>,
    b: PyReadonlyArray1<'py, u32>,
    max_bound_texts: usize,
) -> PyResult<Vec<AnalysisTuple<'py>>> {
    let settings = settings_of(config, max_bound_texts)?;
    let stop = sorted_stopwords(&stopwords)?;
    let (a, b) = (values(&a), values(&b));
    if a.is_empty()
        || a.len() != b.len()
        || a.len() < settings.repeats.bands * settings.repeats.rows
    {
        return Err(PyValueError::new_err(format!(
            "'a' and 'b' must have one value per permutation, at least passage_bands x \
             passage_rows = {} (got {} and {})",
            settings.repeats.bands * settings.repeats.rows,
            a.len(),
            b.len()
        )));
    }
    let codes: Vec<Vec<u32>> = texts
        .iter()
        .map(|t| code_points(t).map(|c| c.to_vec()))
        .collect::<PyResult<_>>()?;
    let analyses: Vec<document::Analysis> = py.detach(|| {
        codes
            .iter()
            .map(|c| document::analyze(c, &stop, &settings, &a, &b))
            .collect()
    });
    Ok(analyses
        .into_iter()
        .map(|an| {
            let fp = an.fingerprint;
            let units = fp.units;
            let lines: Vec<i64> = an
                .unit_lines
                .iter()
                .flat_map(|&(l, e)| [l as i64, e as i64])
                .collect();
            let unit_lines = Array2::from_shape_vec((an.unit_lines.len(), 2), lines)
                .expect("two lines a unit")
                .into_pyarray(py);
            (
                span_rows(py, &an.paragraphs),
                an.repeats
                    .iter()
                    .map(|f| (f.index, f.first, f.similarity, f.exact))
                    .collect(),
                an.removed_lines,
                fp.words,
                fp.shingles.into_pyarray(py),
                fp.anchors.into_pyarray(py),
                PyBytes::new(py, &fp.exact_key),
                unit_lines,
                sizes_array(py, units.words),
                sizes_array(py, units.sizes),
                units.stems.into_pyarray(py),
                units.keys.into_pyarray(py),
            )
        })
        .collect())
}

/// A document as verification reads it, from Python: ``(shingles, exact_key, words,
/// unit_stems, unit_sizes, unit_words, unit_lines, unit_end_lines, unit_keys)``.
type DocArgs<'py> = (
    PyReadonlyArray1<'py, u32>,
    Bound<'py, PyBytes>,
    usize,
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, i64>,
    PyReadonlyArray1<'py, i64>,
    PyReadonlyArray1<'py, i64>,
    PyReadonlyArray1<'py, i64>,
    PyReadonlyArray1<'py, u64>,
);

/// A document's arrays, copied out of Python so that the work can run without the GIL.
struct OwnedDoc {
    shingles: Vec<u32>,
    exact_key: Vec<u8>,
    words: usize,
    stems: Vec<u32>,
    sizes: Vec<usize>,
    unit_words: Vec<usize>,
    lines: Vec<i64>,
    end_lines: Vec<i64>,
    keys: Vec<u64>,
}

impl OwnedDoc {
    fn view(&self) -> verify::Doc<'_> {
        verify::Doc {
            shingles: &self.shingles,
            exact_key: &self.exact_key,
            words: self.words,
            units: verify::Units {
                stems: &self.stems,
                sizes: &self.sizes,
                words: &self.unit_words,
                lines: &self.lines,
                end_lines: &self.end_lines,
                keys: &self.keys,
            },
        }
    }
}

/// Non-negative counts as sizes, or an error naming `what`.
fn counts_of(array: &PyReadonlyArray1<'_, i64>, what: &str) -> PyResult<Vec<usize>> {
    array
        .as_array()
        .iter()
        .map(|&c| {
            usize::try_from(c).map_err(|_| {
                PyValueError::new_err(format!("{what} must be non-negative (got {c})"))
            })
        })
        .collect()
}

fn owned_doc(args: &DocArgs<'_>, which: &str) -> PyResult<OwnedDoc> {
    let (shingles, exact_key, words, stems, sizes, unit_words, lines, end_lines, keys) = args;
    let doc = OwnedDoc {
        shingles: values(shingles).into_owned(),
        exact_key: exact_key.as_bytes().to_vec(),
        words: *words,
        stems: values(stems).into_owned(),
        sizes: counts_of(sizes, "unit sizes")?,
        unit_words: counts_of(unit_words, "unit word counts")?,
        lines: values(lines).into_owned(),
        end_lines: values(end_lines).into_owned(),
        keys: values(keys).into_owned(),
    };
    let units = doc.sizes.len();
    let sizes_add_up = doc.sizes.iter().sum::<usize>() == doc.stems.len();
    let same_units = [
        doc.unit_words.len(),
        doc.lines.len(),
        doc.end_lines.len(),
        doc.keys.len(),
    ]
    .iter()
    .all(|&n| n == units);
    if !sizes_add_up || !same_units {
        return Err(PyValueError::new_err(format!(
            "{which}: the unit arrays disagree ({units} sizes adding up to {} for {} stems; \
             {} word counts, {} lines, {} end lines, {} keys): pass Features.unit_arrays()",
            doc.sizes.iter().sum::<usize>(),
            doc.stems.len(),
            doc.unit_words.len(),
            doc.lines.len(),
            doc.end_lines.len(),
            doc.keys.len()
        )));
    }
    if doc.shingles.windows(2).any(|w| w[0] >= w[1]) {
        return Err(PyValueError::new_err(format!(
            "{which}: the shingles must be sorted and distinct (Features.shingles is)"
        )));
    }
    Ok(doc)
}

/// A match as Python receives it: ``(kind, jaccard, a_in_b, b_in_a, score, passages)``, the
/// kind as its position in ``dedup.match.KINDS`` and each passage as ``(a_line, a_end_line,
/// b_line, b_end_line, similarity)``.
type VerdictTuple = (usize, f64, f64, f64, f64, Vec<(i64, i64, i64, i64, f64)>);

/// Verify ``candidates`` (each seen before ``query``) against ``query``: per candidate, in
/// order, ``None`` or its match (see ``dedup.match.compare``). ``stop`` holds the sorted keys
/// of the boilerplate sentences.
#[pyfunction(name = "verify")]
#[allow(clippy::too_many_arguments)] // the configuration's fields, flat, as Python passes them
fn verify_candidates<'py>(
    py: Python<'py>,
    query: DocArgs<'py>,
    candidates: Vec<DocArgs<'py>>,
    stop: PyReadonlyArray1<'py, u64>,
    passage_threshold: f64,
    near_duplicate_threshold: f64,
    partial_threshold: f64,
    rewrite_threshold: f64,
    min_passages: usize,
    verbatim_shingles: usize,
) -> PyResult<Vec<Option<VerdictTuple>>> {
    let stop = values(&stop);
    if stop.windows(2).any(|w| w[0] > w[1]) {
        return Err(PyValueError::new_err(
            "'stop' must be sorted: pass np.sort of the boilerplate sentences' keys",
        ));
    }
    let query = owned_doc(&query, "the query")?;
    let candidates = candidates
        .iter()
        .enumerate()
        .map(|(k, c)| owned_doc(c, &format!("candidate {k}")))
        .collect::<PyResult<Vec<_>>>()?;
    let thresholds = verify::Thresholds {
        // Compared with float32 similarities, as numpy compared them.
        passage: passage_threshold as f32,
        near_duplicate: near_duplicate_threshold,
        partial: partial_threshold,
        rewrite: rewrite_threshold,
        min_passages,
        verbatim_shingles,
    };
    let verdicts = py.detach(|| {
        let docs: Vec<verify::Doc> = candidates.iter().map(OwnedDoc::view).collect();
        verify::verify(&query.view(), &docs, &stop, &thresholds)
    });
    Ok(verdicts
        .into_iter()
        .map(|v| {
            v.map(|v| {
                let passages = v
                    .passages
                    .iter()
                    .map(|p| {
                        (
                            p.a_lines.0,
                            p.a_lines.1,
                            p.b_lines.0,
                            p.b_lines.1,
                            p.similarity,
                        )
                    })
                    .collect();
                (
                    v.kind as usize,
                    v.jaccard,
                    v.a_in_b,
                    v.b_in_a,
                    v.score,
                    passages,
                )
            })
        })
        .collect())
}

/// Return the passage similarity (float32) of every sentence of ``a`` to every sentence of
/// ``b``, each side as its sentences' stems concatenated and the count per sentence.
#[pyfunction]
fn passage_similarity<'py>(
    py: Python<'py>,
    stems_a: PyReadonlyArray1<'py, u32>,
    sizes_a: PyReadonlyArray1<'py, i64>,
    stems_b: PyReadonlyArray1<'py, u32>,
    sizes_b: PyReadonlyArray1<'py, i64>,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let (stems_a, stems_b) = (values(&stems_a), values(&stems_b));
    let sizes_a = counts_of(&sizes_a, "'sizes_a'")?;
    let sizes_b = counts_of(&sizes_b, "'sizes_b'")?;
    for (stems, sizes, side) in [(&stems_a, &sizes_a, "a"), (&stems_b, &sizes_b, "b")] {
        if sizes.iter().sum::<usize>() != stems.len() {
            return Err(PyValueError::new_err(format!(
                "'sizes_{side}' must add up to len(stems_{side}) = {}",
                stems.len()
            )));
        }
    }
    let sim = py.detach(|| verify::similarity(&stems_a, &sizes_a, &stems_b, &sizes_b));
    let array = Array2::from_shape_vec((sim.rows, sim.cols), sim.values)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(array.into_pyarray(py))
}

/// Return the in-order pairs of rows and columns of ``similarity`` with the greatest total,
/// only pairs at least ``threshold`` similar, each row and column in one pair at most.
#[pyfunction]
fn align(
    py: Python<'_>,
    similarity: PyReadonlyArray2<'_, f32>,
    threshold: f64,
) -> Vec<(usize, usize)> {
    let shape = similarity.shape();
    let matrix = verify::Matrix {
        rows: shape[0],
        cols: shape[1],
        values: similarity.as_array().iter().copied().collect(),
    };
    py.detach(|| verify::align(&matrix, threshold as f32))
}

/// Return the share of content stems two stem sequences have in common in the same order
/// (0.0 at once when it cannot reach ``floor``).
#[pyfunction]
fn order_overlap(
    py: Python<'_>,
    seq_a: PyReadonlyArray1<'_, u32>,
    seq_b: PyReadonlyArray1<'_, u32>,
    floor: f64,
) -> f64 {
    let (a, b) = (values(&seq_a), values(&seq_b));
    py.detach(|| verify::order_overlap(&a, &b, floor))
}

/// The native core of dedup: hashing kernels over batches of texts and arrays.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(align, m)?)?;
    m.add_function(wrap_pyfunction!(analyze_batch, m)?)?;
    m.add_function(wrap_pyfunction!(anchors, m)?)?;
    m.add_function(wrap_pyfunction!(band_keys, m)?)?;
    m.add_function(wrap_pyfunction!(char_shingles, m)?)?;
    m.add_function(wrap_pyfunction!(finalize, m)?)?;
    m.add_function(wrap_pyfunction!(find_repeats, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprint, m)?)?;
    m.add_function(wrap_pyfunction!(folded_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(ngram_hashes, m)?)?;
    m.add_function(wrap_pyfunction!(ngram_hashes_many, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_text, m)?)?;
    m.add_function(wrap_pyfunction!(order_overlap, m)?)?;
    m.add_function(wrap_pyfunction!(passage_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(passage_unit, m)?)?;
    m.add_function(wrap_pyfunction!(sentence_rows, m)?)?;
    m.add_function(wrap_pyfunction!(signatures, m)?)?;
    m.add_function(wrap_pyfunction!(split_paragraphs, m)?)?;
    m.add_function(wrap_pyfunction!(token_hashes, m)?)?;
    m.add_function(wrap_pyfunction!(token_hashes_many, m)?)?;
    m.add_function(wrap_pyfunction!(token_hashes_of_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(word_shingles, m)?)?;
    m.add_function(wrap_pyfunction!(verify_candidates, m)?)?;
    m.add_function(wrap_pyfunction!(word_similarity, m)?)?;
    add_codec(m)?;
    add_pages(m)?;
    Ok(())
}

// ---- The stored payload codec (codec.rs) ----

/// What `decode_payloads` returns a payload: words, truncated, exact key, shingles, stems,
/// stems a unit, unit keys, unit first lines, line spans and word counts.
type DecodedPayload<'py> = (
    u32,
    bool,
    Bound<'py, PyBytes>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
);

/// The bytes of a batch of `bytes` objects, borrowed.
fn byte_slices<'a>(blobs: &'a [Bound<'_, PyBytes>]) -> Vec<&'a [u8]> {
    blobs.iter().map(|b| b.as_bytes()).collect()
}

fn payload_error(index: usize, err: &codec::Error) -> PyErr {
    PyValueError::new_err(format!("payload {index}: {err}"))
}

/// Decode stored payloads; a damaged one raises ValueError naming its position and fault.
#[pyfunction]
fn decode_payloads<'py>(
    py: Python<'py>,
    blobs: Vec<Bound<'py, PyBytes>>,
) -> PyResult<Vec<DecodedPayload<'py>>> {
    let data = byte_slices(&blobs);
    let decoded: Vec<Result<codec::Stored, codec::Error>> =
        py.detach(|| data.iter().map(|d| codec::decode(d)).collect());
    decoded
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let s = r.map_err(|e| payload_error(i, &e))?;
            Ok((
                s.words,
                s.truncated,
                PyBytes::new(py, &s.exact_key),
                s.shingles.into_pyarray(py),
                s.stems.into_pyarray(py),
                s.sizes.into_pyarray(py),
                s.keys.into_pyarray(py),
                s.lines.into_pyarray(py),
                s.spans.into_pyarray(py),
                s.unit_words.into_pyarray(py),
            ))
        })
        .collect()
}

/// The unit keys of stored payloads laid end to end, and how many belong to each.
#[pyfunction]
fn payload_unit_keys<'py>(
    py: Python<'py>,
    blobs: Vec<Bound<'py, PyBytes>>,
) -> PyResult<Segmented<'py, PyArray1<u64>>> {
    let data = byte_slices(&blobs);
    let (keys, sizes) = py
        .detach(|| {
            let mut keys = Vec::new();
            let mut sizes = Vec::with_capacity(data.len());
            for (i, d) in data.iter().enumerate() {
                let mine = codec::unit_keys(d).map_err(|e| (i, e))?;
                sizes.push(mine.len());
                keys.extend(mine);
            }
            Ok((keys, sizes))
        })
        .map_err(|(i, e)| payload_error(i, &e))?;
    Ok((keys.into_pyarray(py), sizes_array(py, sizes)))
}

/// Encode one document's verification data as a stored payload.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // the payload's fields, flat, as `fingerprint` takes its
fn encode_payload<'py>(
    py: Python<'py>,
    words: u32,
    truncated: bool,
    exact_key: &[u8],
    shingles: PyReadonlyArray1<'py, u32>,
    stems: PyReadonlyArray1<'py, u32>,
    sizes: PyReadonlyArray1<'py, u64>,
    keys: PyReadonlyArray1<'py, u64>,
    lines: PyReadonlyArray1<'py, u64>,
    end_lines: PyReadonlyArray1<'py, u64>,
    unit_words: PyReadonlyArray1<'py, u64>,
) -> PyResult<Bound<'py, PyBytes>> {
    let units = keys.len();
    for column in [&sizes, &lines, &end_lines, &unit_words] {
        if column.len() != units {
            return Err(PyValueError::new_err(
                "one value a unit in every unit column",
            ));
        }
    }
    let (sizes, stems) = (sizes.as_slice()?, stems.as_slice()?);
    if sizes.iter().try_fold(0u64, |t, &s| t.checked_add(s)) != Some(stems.len() as u64) {
        return Err(PyValueError::new_err("unit sizes must add up to the stems"));
    }
    let payload = codec::Payload {
        words,
        truncated,
        exact_key,
        shingles: shingles.as_slice()?,
        stems,
        sizes,
        keys: keys.as_slice()?,
        lines: lines.as_slice()?,
        end_lines: end_lines.as_slice()?,
        unit_words: unit_words.as_slice()?,
    };
    let out = py.detach(|| codec::encode(&payload));
    Ok(PyBytes::new(py, &out))
}

/// Register the codec's functions (called from `_core`).
fn add_codec(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(decode_payloads, m)?)?;
    m.add_function(wrap_pyfunction!(encode_payload, m)?)?;
    m.add_function(wrap_pyfunction!(payload_unit_keys, m)?)?;
    Ok(())
}

// ---- Posting pages and Bloom filters (pages.rs) ----

fn page_fault(err: &pages::Error) -> PyErr {
    PyValueError::new_err(err.to_string())
}

/// Read many posting pages at once: their values, joined in order.
#[pyfunction]
fn unpack_pages<'py>(
    py: Python<'py>,
    blobs: Vec<Bound<'py, PyBytes>>,
    counts: Vec<usize>,
    bases: Vec<u64>,
) -> PyResult<Bound<'py, PyArray1<u64>>> {
    let data = byte_slices(&blobs);
    let out = py
        .detach(|| pages::unpack_pages(&data, &counts, &bases))
        .map_err(|e| page_fault(&e))?;
    Ok(out.into_pyarray(py))
}

/// Value `slots[i]` of page `blobs[which[i]]` for each `i`, without decoding the rest.
#[pyfunction]
fn pick_values<'py>(
    py: Python<'py>,
    blobs: Vec<Bound<'py, PyBytes>>,
    which: PyReadonlyArray1<'py, i64>,
    slots: PyReadonlyArray1<'py, i64>,
) -> PyResult<Bound<'py, PyArray1<u64>>> {
    let data = byte_slices(&blobs);
    let index = |a: &PyReadonlyArray1<'py, i64>| -> PyResult<Vec<usize>> {
        a.as_array()
            .iter()
            .map(|&v| usize::try_from(v).map_err(|_| PyValueError::new_err("negative position")))
            .collect()
    };
    let (which, slots) = (index(&which)?, index(&slots)?);
    let out = py
        .detach(|| pages::pick_values(&data, &which, &slots))
        .map_err(|e| page_fault(&e))?;
    Ok(out.into_pyarray(py))
}

/// A page of sorted or small values as offsets from `base`.
#[pyfunction]
fn pack_page<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, u64>,
    base: u64,
) -> PyResult<Bound<'py, PyBytes>> {
    let out = pages::pack_page(values.as_slice()?, base);
    Ok(PyBytes::new(py, &out))
}

/// Set the Bloom filter bits of `keys` in `words` (in place).
#[pyfunction]
fn bloom_add<'py>(
    py: Python<'py>,
    mut words: PyReadwriteArray1<'py, u64>,
    keys: PyReadonlyArray1<'py, u64>,
) -> PyResult<()> {
    let (words, keys) = (words.as_slice_mut()?, keys.as_slice()?);
    py.detach(|| pages::bloom_add(words, keys))
        .map_err(|e| page_fault(&e))
}

/// The positions of `keys` that may be in the Bloom filter `words`.
#[pyfunction]
fn bloom_maybe<'py>(
    py: Python<'py>,
    words: PyReadonlyArray1<'py, u64>,
    keys: PyReadonlyArray1<'py, u64>,
) -> PyResult<Bound<'py, PyArray1<isize>>> {
    let (w, k) = (values(&words), values(&keys));
    let out = py
        .detach(|| pages::bloom_maybe(&w, &k))
        .map_err(|e| page_fault(&e))?;
    Ok(sizes_array(py, out))
}

/// Register the page and filter functions (called from `_core`).
fn add_pages(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(bloom_add, m)?)?;
    m.add_function(wrap_pyfunction!(bloom_maybe, m)?)?;
    m.add_function(wrap_pyfunction!(pack_page, m)?)?;
    m.add_function(wrap_pyfunction!(pick_values, m)?)?;
    m.add_function(wrap_pyfunction!(unpack_pages, m)?)?;
    Ok(())
}
