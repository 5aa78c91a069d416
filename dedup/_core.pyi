"""The native core of dedup (rust/): splitting, normalization, repeats, hashing, verification.

Built by maturin from the Rust crate in rust/. Every function releases the GIL while it
works. Texts are read as code points, so a ``str`` with lone surrogates works. The typed,
documented Python faces of these functions are in :mod:`dedup.normalize`,
:mod:`dedup.paragraphs`, :mod:`dedup.repeats`, :mod:`dedup.shingle`, :mod:`dedup.minhash`,
:mod:`dedup.index` and :mod:`dedup.match`; call those.
"""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_U32 = npt.NDArray[np.uint32]
_U64 = npt.NDArray[np.uint64]
_Intp = npt.NDArray[np.intp]

def token_hashes(text: str, prefix: int | None = None, /) -> _U64:
    """One 64-bit hash per word of ``text`` (words split by single spaces); with ``prefix``,
    only each word's first ``prefix`` characters count."""

def token_hashes_of_bytes(folded: bytes, /) -> _U64:
    """One 64-bit hash per word of ASCII bytes whose words are split by runs of spaces."""

def token_hashes_many(texts: Sequence[bytes | str], /) -> tuple[_U64, _Intp]:
    """The word hashes of many texts laid end to end, and how many belong to each.

    Raises TypeError for an item that is neither ``bytes`` nor ``str``."""

def ngram_hashes(tokens: _U64, n: int, /) -> _U32:
    """The sorted, distinct uint32 hashes of the n-grams of a token hash sequence.

    Raises ValueError if ``n`` < 1."""

def ngram_hashes_many(tokens: _U64, counts: _Intp, n: int, /) -> tuple[_U32, _Intp]:
    """The n-gram hashes (window order) of sequences laid end to end, and how many belong
    to each.

    Raises ValueError if ``n`` < 1 or ``counts`` do not add up to ``len(tokens)``."""

def anchors(tokens: _U64, n: int, window: int, /) -> _U64:
    """The passage anchors (winnowed 64-bit word n-gram hashes) of a token sequence, sorted.

    Raises ValueError if ``n`` or ``window`` < 1."""

def finalize(hashes: _U64, /) -> _U32:
    """MurmurHash3's fmix64 of each hash, top 32 bits kept."""

def char_shingles(text: str, n: int, /) -> _U32:
    """The sorted, distinct hashes of the character n-grams of ``text``."""

def word_shingles(text: str, n: int, /) -> _U32:
    """The sorted, distinct hashes of the word n-grams of ``text``."""

def normalize(text: str, /) -> str:
    """The comparison form of ``text``: NFKD, nonspacing marks dropped, casefolded, unspaced
    scripts a word a character, apostrophes deleted, other non-alphanumerics one space."""

def folded_bytes(text: str, /) -> bytes | None:
    """The ASCII comparison form before spaces are collapsed, or ``None`` when not ASCII."""

def split_paragraphs(text: str, /) -> npt.NDArray[np.int64]:
    """The paragraphs of ``text`` as ``(n, 4)`` rows ``(start, end, line, end_line)``: one a
    line, or blank-line blocks if hard-wrapped; offsets in code points."""

def sentence_rows(text: str, paragraphs: npt.NDArray[np.int64], /
                  ) -> tuple[npt.NDArray[np.int64], _Intp]:
    """The sentences of the given ``(n, 4)`` paragraph rows, as ``(m, 4)`` rows, and how many
    belong to each paragraph.

    Raises ValueError for a row outside the text."""

def fingerprint(norms: list[str], texts: list[str], stopwords: _U64, stem_chars: int,
                min_sentence_words: int, word_ngram: int, anchor_window: int, /
                ) -> tuple[int, _U32, _U64, bytes, _Intp, _Intp, _Intp, _U32, _U64]:
    """A document's fingerprint from its sentences' comparison texts and original texts (for
    the names): ``(words, shingles, anchors, exact_key, unit_sentence, unit_words,
    unit_sizes, unit_stems, unit_keys)``.

    Units are sentences of ``min_sentence_words`` words or more with stems left once the
    sorted ``stopwords`` stem hashes are dropped (numbers with the top bit set); a unit's key
    hashes its shape (numbers and names as ``#``); ``unit_sentence`` indexes ``norms``.
    Raises ValueError if ``stopwords`` are not sorted, a count is < 1 or ``texts`` and
    ``norms`` differ in length."""

def passage_unit(norm: str, text: str, stopwords: _U64, stem_chars: int, /
                 ) -> tuple[int, _U32, int]:
    """The unit of a text taken whole, given its comparison form: ``(words, stems, key)``."""

def analyze_batch(texts: list[str], config: object, stopwords: _U64, a: _U32, b: _U32,
                  max_bound_texts: int, /) -> list[tuple[
                      npt.NDArray[np.int64], list[tuple[int, int, float, bool]], list[int], int,
                      _U32, _U64, bytes, npt.NDArray[np.int64], _Intp, _Intp, _U32, _U64]]:
    """The analysis of each repaired text, after repair: ``(paragraphs, repeats,
    removed_lines, words, shingles, anchors, exact_key, unit_lines, unit_words, unit_sizes,
    unit_stems, unit_keys)``. ``config`` is a :class:`dedup.Config` (its fields are read);
    ``a``, ``b`` the paragraph MinHash permutations; ``repeats`` index the paragraph rows."""

def find_repeats(norms: list[str], min_paragraph_words: int, min_near_repeat_words: int,
                 threshold: float, char_ngram: int, bands: int, rows: int,
                 max_bound_texts: int, a: _U32, b: _U32, /
                 ) -> tuple[list[tuple[int, int, float, bool]], int]:
    """The paragraphs (by their comparison texts) that repeat an earlier one, as ``(index,
    first, similarity, exact)`` in order, and how many paragraphs were signed for the LSH of
    ``bands`` x ``rows`` over MinHash permutations ``a``, ``b`` of character shingles."""

def word_similarity(a: str, b: str, /) -> float:
    """The share of the longer text's words found in the other in order (difflib's
    matching blocks, ``autojunk=False``)."""

def signatures(hashes: _U32, counts: _Intp, a: _U32, b: _U32, /) -> _U32:
    """The ``(len(counts), len(a))`` MinHash signatures (datasketch's ``affine32``) of sets
    laid end to end, with permutations ``a`` and ``b``.

    Raises ValueError if ``counts`` do not add up to ``len(hashes)`` or ``a`` and ``b``
    differ in length or are empty."""

def band_keys(signatures: _U32, bands: int, rows: int, /) -> _U64:
    """The ``(n, bands)`` uint64 LSH bucket keys of ``n`` signatures (a C-contiguous 2-D array).

    Raises ValueError if a signature has fewer than ``bands * rows`` values."""

_Doc = tuple[_U32, bytes, int, _U32, npt.NDArray[np.int64], npt.NDArray[np.int64],
             npt.NDArray[np.int64], npt.NDArray[np.int64], _U64]
_Verdict = tuple[int, float, float, float, float, list[tuple[int, int, int, int, float]]]

def verify(query: _Doc, candidates: list[_Doc], stop: _U64, passage_threshold: float,
           near_duplicate_threshold: float, partial_threshold: float, rewrite_threshold: float,
           min_passages: int, verbatim_shingles: int, /) -> list[_Verdict | None]:
    """Verify ``candidates`` (each seen before ``query``) against ``query``: per candidate,
    ``None`` or ``(kind, jaccard, a_in_b, b_in_a, score, passages)``, the kind as its
    position in ``dedup.match.KINDS``, each passage ``(a_line, a_end_line, b_line,
    b_end_line, similarity)``. A document is ``(shingles, exact_key, words, unit_stems,
    unit_sizes, unit_words, unit_lines, unit_end_lines, unit_keys)``; ``stop``, the sorted
    keys of the boilerplate sentences.

    Raises ValueError if ``stop`` is not sorted or a document's arrays disagree."""

def passage_similarity(stems_a: _U32, sizes_a: npt.NDArray[np.int64], stems_b: _U32,
                       sizes_b: npt.NDArray[np.int64], /) -> npt.NDArray[np.float32]:
    """The passage similarity (float32) of every sentence of ``a`` to every sentence of
    ``b``, each side as its sentences' stems laid end to end and the count per sentence.

    Raises ValueError if the counts are negative or do not add up to the stems."""

def align(similarity: npt.NDArray[np.float32], threshold: float, /) -> list[tuple[int, int]]:
    """The in-order pairs of rows and columns with the greatest total similarity, only pairs
    at least ``threshold`` similar, each row and column in one pair at most."""

def order_overlap(seq_a: _U32, seq_b: _U32, floor: float, /) -> float:
    """The share of content stems two stem sequences have in common in the same order
    (0.0 at once when it cannot reach ``floor``)."""

# The stored payload codec (rust/src/codec.rs); its Python face is dedup.store.codec.

def decode_payloads(
    blobs: Sequence[bytes], /
) -> list[tuple[int, bool, bytes, _U32, _U32, npt.NDArray[np.int64], _U64,
                npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Decode stored payloads: words, truncated, exact key, shingles, stems, stems a unit,
    unit keys, unit first lines, line spans and word counts of each.

    Raises ValueError ``payload I: fault`` for a truncated or damaged one (every count is
    checked against the bytes there are before anything is allocated)."""

def payload_unit_keys(blobs: Sequence[bytes], /) -> tuple[_U64, _Intp]:
    """The unit keys of stored payloads laid end to end, and how many belong to each.

    Raises ValueError as :func:`decode_payloads`."""

def encode_payload(
    words: int, truncated: bool, exact_key: bytes, shingles: _U32, stems: _U32, sizes: _U64,
    keys: _U64, lines: _U64, end_lines: _U64, unit_words: _U64, /
) -> bytes:
    """One document's verification data as a stored payload (one value a unit in each unit
    array; ``sizes`` add up to the stems, else ValueError)."""

# Posting pages and Bloom filters (rust/src/pages.rs); their Python face is dedup.store.pages.

def unpack_pages(blobs: Sequence[bytes], counts: Sequence[int], bases: Sequence[int], /) -> _U64:
    """The values of posting pages (``counts[i]`` from ``bases[i]`` in ``blobs[i]``), joined.

    Raises ValueError ``page I ...`` for a page whose width or length does not fit its count."""

def pick_values(blobs: Sequence[bytes], which: npt.NDArray[np.int64],
                slots: npt.NDArray[np.int64], /) -> _U64:
    """Value ``slots[i]`` of page ``blobs[which[i]]`` for each ``i`` (ValueError as above)."""

def pack_page(values: _U64, base: int, /) -> bytes:
    """A page of ``values`` as offsets from ``base`` in the fewest whole bytes (1 to 8)."""

def bloom_add(words: _U64, keys: _U64, /) -> None:
    """Set the filter bits of ``keys`` in the writable ``words`` (ValueError if empty)."""

def bloom_maybe(words: _U64, keys: _U64, /) -> _Intp:
    """The positions of ``keys`` that may be in the filter ``words`` (ValueError if empty)."""
