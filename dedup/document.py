"""Documents in, features out: everything later stages need to know about one article.

``analyze`` runs the per-document stages once (repair, paragraphs, internal repeats,
sentences, normalization, shingles) and keeps plain arrays, so that comparing two documents
never goes back to their text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

import dedup.repeats as repeats_module
from dedup import _core
from dedup.config import Config
from dedup.minhash import MinHasher
from dedup.normalize import normalize
from dedup.repair import repair_count
from dedup.repeats import Repeat
from dedup.shingle import I64, U32, U64, token_hashes

if TYPE_CHECKING:
    from dedup.keys import IndexKeys

__all__ = ["Document", "Features", "Unit", "UnitArrays", "analyze", "analyze_batch",
           "passage_unit"]

# Where Features.unit_arrays keeps its arrays (the codec fills it when it decodes).
UNIT_ARRAYS = "dedup.unit_arrays"

# Function words carry no story: two sentences sharing only these are not a rewrite.
_STOPWORDS = (
    "a about above after again against all also am an and any are as at be because been before "
    "being below between both but by can could did do does doing down during each few for from "
    "further had has have having he her here hers herself him himself his how i if in into is it "
    "its itself just me more most my myself no nor not now of off on once only or other our ours "
    "ourselves out over own same she should so some such than that the their theirs them "
    "themselves then there these they this those through to too under until up very was we were "
    "what when where which while who whom why will with would you your yours yourself "
    "yourselves said says say according also would could may might must shall one two new"
)


#: The top bit of a unit's stem says the word is a number (the core sets it): two sentences
#: of one template differ in their numbers, so comparison reads them apart
#: (:func:`dedup.match.passage_similarity`). A unit's key hashes its shape (its comparison
#: text with numbers and names as ``#``): the index counts shapes, so a template's sentences
#: become boilerplate like a footer's.
NUMBER_BIT = np.uint32(1 << 31)


@lru_cache(maxsize=8)
def _stopword_stems(stem_chars: int) -> U64:
    return np.unique(token_hashes(" ".join(_STOPWORDS.split()), prefix=stem_chars))


@dataclass(frozen=True, slots=True)
class Document:
    """One article as it arrives: an id, its text, and what is known of where it came from.

    ``published`` is an ISO 8601 date or date-time when known: it decides which member of a
    cluster is canonical.
    """

    id: str
    text: str
    source: str | None = None
    published: str | None = None
    encoding: str | None = None


class Unit(NamedTuple):
    """A sentence kept for comparison: its lines, word count, stems and exact key.

    A named tuple, not a dataclass: a stored document is rebuilt with ~35 of them every time
    it is a candidate, and a named tuple is made in 0.8 us against 2.0 (docs/performance.md).
    """

    line: int
    end_line: int
    words: int
    stems: U32
    key: int


class UnitArrays(NamedTuple):
    """A document's sentences as arrays, the form verification reads (one entry a unit)."""

    stems: U32  # every unit's stems, concatenated in unit order
    sizes: I64  # stems per unit
    keys: U64  # each unit's exact key
    words: I64  # each unit's words
    lines: I64  # each unit's first line
    end_lines: I64  # each unit's last line


def _no_anchors() -> U64:
    return np.zeros(0, dtype=np.uint64)


@dataclass(slots=True)
class Features:
    """What comparison needs of one analyzed document (no text beyond the repaired one).

    ``anchors`` are the passage anchors of the compared text (:func:`dedup.shingle.anchors`),
    which only the index needs: features decoded from an index have none. ``keys`` are the
    document's index keys when the analysis workers computed them (:mod:`dedup.keys`).
    """

    id: str
    source: str | None
    published: str | None
    encoding: str | None
    text: str
    repairs: int
    repeats: list[Repeat]
    removed_lines: frozenset[int]
    shingles: U32
    exact_key: bytes
    units: Sequence[Unit]
    words: int
    truncated: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    anchors: U64 = field(default_factory=_no_anchors)
    keys: IndexKeys | None = None

    def unit_arrays(self) -> UnitArrays:
        """Return the units as :class:`UnitArrays`, made once and kept in ``extra``: a
        document is verified against many others in a feed."""
        cached = self.extra.get(UNIT_ARRAYS)
        if cached is None:
            units = self.units
            stems = (np.concatenate([u.stems for u in units]) if units
                     else np.zeros(0, dtype=np.uint32))
            cached = self.extra[UNIT_ARRAYS] = UnitArrays(
                stems, np.array([len(u.stems) for u in units], dtype=np.int64),
                np.array([u.key for u in units], dtype=np.uint64),
                np.array([u.words for u in units], dtype=np.int64),
                np.array([u.line for u in units], dtype=np.int64),
                np.array([u.end_line for u in units], dtype=np.int64))
        return cached  # type: ignore[return-value]

    @property
    def cleaned(self) -> str:
        """The repaired text without the dropped repeated paragraphs."""
        if not self.removed_lines:
            return self.text
        return "\n".join(line for n, line in enumerate(self.text.split("\n"), start=1)
                         if n not in self.removed_lines)


def _units(lines: list[list[int]], words: npt.NDArray[np.intp], sizes: npt.NDArray[np.intp],
           stems: U32, keys: U64) -> list[Unit]:
    """Build the units from the core's arrays (``lines`` holds each unit's line and end)."""
    return [Unit(line, end_line, count, stems[end - size : end], key)
            for (line, end_line), count, size, end, key in zip(
                lines, words.tolist(), sizes.tolist(), np.cumsum(sizes).tolist(), keys.tolist(),
                strict=True)]


_SURROGATES = re.compile("[\ud800-\udfff]")


def _without_surrogates(text: str) -> str:
    """Return ``text`` with lone surrogates as spaces, as the core reads a sentence for its
    names (it takes ``str`` as UTF-8, which cannot hold them; comparison texts keep them)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub(" ", text)
    return text


def _fingerprint(texts: list[str], lines: list[list[int]], config: Config
                 ) -> tuple[int, U32, U64, bytes, list[Unit]]:
    """Return the words, shingles, anchors, exact key and units of a document's sentences
    (what :func:`analyze` computes after the repeats, for sentences given directly).

    Args:
        texts: Each sentence's text, in order (empty ones count for nothing).
        lines: Each sentence's ``[line, end_line]``.
        config: Uses ``stem_chars``, ``min_sentence_words``, ``word_ngram``, ``anchor_window``.
    """
    (words, shingles, anchors, exact_key, which, unit_words, sizes, stems, keys
     ) = _core.fingerprint([normalize(t) for t in texts], [_without_surrogates(t) for t in texts],
                           _stopword_stems(config.stem_chars), config.stem_chars,
                           config.min_sentence_words, config.word_ngram, config.anchor_window)
    units = _units([lines[k] for k in which.tolist()], unit_words, sizes, stems, keys)
    return words, shingles, anchors, exact_key, units


def passage_unit(text: str, config: Config) -> Unit:
    """Return the comparison unit of a short text taken whole (a sentence or a passage).

    Unlike the sentences of an analyzed document, the text is not split and no minimum
    length applies: this is how two sentences are compared on their own.

    >>> unit = passage_unit("The Refugees crossed the river.", Config())
    >>> unit.words, unit.stems.size
    (5, 3)
    """
    words, stems, key = _core.passage_unit(normalize(text), _without_surrogates(text),
                                           _stopword_stems(config.stem_chars),
                                           config.stem_chars)
    return Unit(1, text.count("\n") + 1, words, stems, key)


def analyze(document: Document, config: Config) -> Features:
    """Run the per-document stages on ``document`` and return its features.

    Args:
        document: The article.
        config: Uses the repeat, shingle and sentence settings and the limits
            ``max_chars``, ``max_sentences`` and ``max_paragraphs`` (``truncated`` says
            when one of them cut the document).

    Returns:
        The features; the document's text is repaired, and paragraphs that repeat earlier
        ones (exactly, or at least ``remove_threshold`` similar) take no part in comparison.
    """
    return analyze_batch([document], config)[0]


def analyze_batch(documents: Sequence[Document], config: Config) -> list[Features]:
    """Return :func:`analyze` of each document, with one call to the core for the batch.

    Each text is repaired here (ftfy); everything after repair (paragraphs, sentences,
    normalization, repeats, shingles, anchors, units and keys) runs in the Rust core,
    without the GIL.

    >>> [f.words for f in analyze_batch([Document("a", "One two three."), Document("b", "")],
    ...                                 Config())]
    [3, 0]
    """
    repaired: list[tuple[str, int, bool]] = []
    for document in documents:
        text = document.text
        truncated = len(text) > config.max_chars
        if truncated:
            text = text[: config.max_chars]
        repaired.append((*repair_count(text), truncated))
    hasher = MinHasher(config.passage_num_perm, config.seed)
    analyses = _core.analyze_batch([text for text, _, _ in repaired], config,
                                   _stopword_stems(config.stem_chars), hasher.a, hasher.b,
                                   repeats_module._MAX_BOUND_TEXTS)
    out: list[Features] = []
    for document, (text, repairs, truncated), analysis in zip(documents, repaired, analyses,
                                                               strict=True):
        (paragraphs, found, removed, words, shingles, anchors, exact_key, unit_lines,
         unit_words, sizes, stems, keys) = analysis
        para = paragraphs.tolist()
        # Later paragraphs are compared, not checked for repeats.
        truncated = truncated or len(para) > config.max_paragraphs
        repeats = [Repeat(para[i][2], para[first][2], sim, exact, para[i][3], para[first][3])
                   for i, first, sim, exact in found]
        units = _units(unit_lines.tolist(), unit_words, sizes, stems, keys)
        # Alignment costs grow with the product of two documents' sentence counts: past
        # max_sentences, sentences still count in the shingles but are not aligned.
        if len(units) > config.max_sentences:
            units, truncated = units[: config.max_sentences], True
        out.append(Features(
            id=document.id,
            source=document.source,
            published=document.published,
            encoding=document.encoding,
            text=text,
            repairs=repairs,
            repeats=repeats,
            removed_lines=frozenset(removed),
            shingles=shingles,
            exact_key=exact_key,
            units=units,
            words=words,
            truncated=truncated,
            anchors=anchors,
        ))
    return out
