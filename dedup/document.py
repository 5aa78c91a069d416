"""Documents in, features out: everything later stages need to know about one article.

``analyze`` runs the per-document stages once (repair, paragraphs, internal repeats,
sentences, normalization, shingles) and keeps plain arrays, so that comparing two documents
never goes back to their text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.normalize import normalize
from dedup.paragraphs import SentenceRow, sentence_rows, split_paragraphs
from dedup.repair import repair_count
from dedup.repeats import Repeat, find_repeats_in, removable
from dedup.shingle import (
    I64,
    U32,
    U64,
    anchors,
    finalize,
    in_sorted,
    ngram_hashes,
    sorted_unique,
    token_hashes,
)

if TYPE_CHECKING:
    from dedup.keys import IndexKeys

__all__ = ["Document", "Features", "Unit", "UnitArrays", "analyze", "passage_unit"]

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


@lru_cache(maxsize=8)
def _stopword_stems(stem_chars: int) -> U64:
    return np.unique(token_hashes(" ".join(_STOPWORDS.split()), prefix=stem_chars))


#: The top bit of a stem says it is a number. Two sentences of one template differ in their
#: numbers, so comparison reads them apart (:func:`dedup.match.passage_similarity`); the
#: other 31 bits hash the stem. Names, the other facts, count in the sentence's shape key.
NUMBER_BIT = np.uint32(1 << 31)
_STEM_BITS = np.uint32((1 << 31) - 1)
_OPENERS = "\"'“‘([«¿¡-—–"


def _names(sentence: str) -> set[str]:
    """Return the comparison words of the names in ``sentence``: capitalized, not its first.

    A sentence written in title case (most words capitalized: a headline) names nothing by
    its capitals.

    >>> sorted(_names("Shares of Omnifield rose on Monday, said Anne-Marie O'Neil."))
    ['anne', 'marie', 'monday', 'omnifield', 'oneil']
    >>> _names("Omnifield Shares Rise After Results")
    set()
    """
    words = [w.lstrip(_OPENERS) for w in sentence.split()]
    capitalized = [w for w in words[1:] if w[:1].isupper()]
    if not capitalized or 2 * (len(capitalized) + 1) > len(words) + 1:
        return set()
    return set(normalize(" ".join(capitalized)).split())


def _facts(sentences: Sequence[str], norms: Sequence[str]
           ) -> tuple[npt.NDArray[np.uint8], list[int]]:
    """Find the facts of sentences: which of their words are facts, and each one's shape key.

    Returns:
        For every word of the sentences' comparison texts in order, 0 when it is no fact,
        1 for a name and 2 for a number; and per sentence, the key of its shape: its
        comparison text with every fact replaced by ``#``. Reports from one template share
        their shapes, so the index counts shapes: a shape in ``boilerplate_df`` documents is
        a template or a footer, no evidence of a match.
    """
    marks: list[int] = []
    shapes: list[int] = []
    for sentence, norm in zip(sentences, norms, strict=True):
        names = _names(sentence)
        words = norm.split(" ")
        facts = [2 if any(c.isdigit() for c in word) else 1 if word in names else 0
                 for word in words]
        marks += facts
        shape = " ".join("#" if fact else word for word, fact in zip(words, facts, strict=True))
        shapes.append(_sentence_key(shape))
    return np.array(marks, dtype=np.uint8), shapes


def _sentence_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little")


def mark_facts(stems: U32, facts: npt.NDArray[np.uint8]) -> U32:
    """Return finalized stem hashes with :data:`NUMBER_BIT` set on numbers (see _facts).

    >>> mark_facts(np.array([5, 5, 2**31 + 5], np.uint32), np.array([1, 2, 0], np.uint8)).tolist()
    [5, 2147483653, 5]
    """
    marked = stems & _STEM_BITS
    marked[facts == 2] |= NUMBER_BIT
    return marked


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
    """A sentence kept for comparison: its lines, word count, stems and shape key.

    A named tuple, not a dataclass: a stored document is rebuilt with ~35 of them every time
    it is a candidate, and a named tuple is made in 0.8 us against 2.0 (docs/performance.md).
    """

    line: int
    end_line: int
    words: int
    stems: U32
    key: int


class UnitArrays(NamedTuple):
    """A document's sentences as three arrays, the form screening many candidates reads."""

    stems: U32  # every unit's stems, concatenated in unit order
    sizes: I64  # stems per unit
    keys: U64  # each unit's exact key


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
        document is screened against many others in a feed."""
        cached = self.extra.get(UNIT_ARRAYS)
        if cached is None:
            units = self.units
            stems = (np.concatenate([u.stems for u in units]) if units
                     else np.zeros(0, dtype=np.uint32))
            cached = self.extra[UNIT_ARRAYS] = UnitArrays(
                stems, np.array([len(u.stems) for u in units], dtype=np.int64),
                np.array([u.key for u in units], dtype=np.uint64))
        return cached  # type: ignore[return-value]

    @property
    def cleaned(self) -> str:
        """The repaired text without the dropped repeated paragraphs."""
        if not self.removed_lines:
            return self.text
        return "\n".join(line for n, line in enumerate(self.text.split("\n"), start=1)
                         if n not in self.removed_lines)


_LOW32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)


def _units(sentences: list[SentenceRow], norms: list[str], stems: U64,
           config: Config) -> list[Unit]:
    """Cut the document's stem hashes back into sentences, dropping function words.

    All numpy work is done once for the whole document: each kept stem is tagged with its
    sentence in the high 32 bits, so one sort and one neighbour comparison give every
    sentence's sorted distinct stems (what ``sorted_unique`` gives per sentence), and each
    unit's stems are a slice of that one array.
    """
    spoken = [(sentence, norm) for sentence, norm in zip(sentences, norms, strict=True) if norm]
    if not spoken:
        return []
    counts = np.fromiter((norm.count(" ") + 1 for _, norm in spoken), dtype=np.int64,
                         count=len(spoken))
    stop = _stopword_stems(config.stem_chars)
    keep = ~in_sorted(stop, stems)
    sentence_of = np.repeat(np.arange(len(spoken), dtype=np.uint64), counts)
    keep &= (counts >= config.min_sentence_words)[sentence_of.astype(np.intp)]
    tagged = sentence_of[keep]
    tagged <<= _S32
    facts, shapes = _facts([sentence[0] for sentence, _ in spoken], [norm for _, norm in spoken])
    tagged |= mark_facts(finalize(stems[keep]), facts[keep])
    tagged.sort()
    if tagged.size:
        fresh = np.empty(tagged.size, dtype=bool)
        fresh[0] = True
        np.not_equal(tagged[1:], tagged[:-1], out=fresh[1:])
        tagged = tagged[fresh]
    values = (tagged & _LOW32).astype(np.uint32)
    bounds = np.searchsorted(tagged >> _S32, np.arange(len(spoken) + 1, dtype=np.uint64))
    # Sentences left with no stems (too short, or nothing but function words) make no unit.
    made = np.flatnonzero(bounds[1:] > bounds[:-1]).tolist()
    starts, ends = bounds[:-1].tolist(), bounds[1:].tolist()
    word_counts = counts.tolist()
    units: list[Unit] = []
    for k in made:
        sentence = spoken[k][0]
        units.append(Unit(sentence[3], sentence[4], word_counts[k], values[starts[k]:ends[k]],
                          shapes[k]))
    return units


def passage_unit(text: str, config: Config) -> Unit:
    """Return the comparison unit of a short text taken whole (a sentence or a passage).

    Unlike the sentences of an analyzed document, the text is not split and no minimum
    length applies: this is how two sentences are compared on their own.

    >>> unit = passage_unit("The Refugees crossed the river.", Config())
    >>> unit.words, unit.stems.size
    (5, 3)
    """
    norm = normalize(text)
    stems = token_hashes(norm, prefix=config.stem_chars)
    content = ~np.isin(stems, _stopword_stems(config.stem_chars))
    facts, shapes = _facts([text], [norm]) if norm else (np.zeros(0, dtype=np.uint8), [0])
    marked = mark_facts(finalize(stems[content]), facts[content])
    return Unit(1, text.count("\n") + 1, len(stems), sorted_unique(marked), shapes[0])


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
    text = document.text
    truncated = len(text) > config.max_chars
    if truncated:
        text = text[: config.max_chars]
    repaired, repairs = repair_count(text)
    paragraphs = split_paragraphs(repaired)
    if len(paragraphs) > config.max_paragraphs:
        truncated = True  # later paragraphs are compared, not checked for repeats
    rows = sentence_rows(repaired, paragraphs)
    norms = [[normalize(row[0]) for row in para_rows] for para_rows in rows]
    # A paragraph's comparison text is its sentences' joined (they are cut at whitespace or
    # stops, which normalize turns into single spaces; tests/test_document.py checks it): each
    # sentence is normalized once, not once more inside its paragraph.
    para_norms = [" ".join(n for n in para if n) for para in norms[: config.max_paragraphs]]
    repeats = find_repeats_in(paragraphs[: config.max_paragraphs], config, para_norms)
    removed: set[int] = set()
    for r in removable(repeats, config.remove_threshold):
        removed.update(range(r.line, max(r.line, r.end_line) + 1))
    sentences: list[SentenceRow] = []
    sentence_norms: list[str] = []
    for para, para_rows, para_sentence_norms in zip(paragraphs, rows, norms, strict=True):
        if para.line not in removed:
            sentences += para_rows
            sentence_norms += para_sentence_norms
    joined = " ".join(n for n in sentence_norms if n)
    tokens = token_hashes(joined)
    stems = token_hashes(joined, prefix=config.stem_chars)
    units = _units(sentences, sentence_norms, stems, config)
    # Alignment costs grow with the product of two documents' sentence counts: past
    # max_sentences, sentences still count in the shingles but are not aligned.
    if len(units) > config.max_sentences:
        units, truncated = units[: config.max_sentences], True
    return Features(
        id=document.id,
        source=document.source,
        published=document.published,
        encoding=document.encoding,
        text=repaired,
        repairs=repairs,
        repeats=repeats,
        removed_lines=frozenset(removed),
        shingles=ngram_hashes(tokens, config.word_ngram),
        exact_key=hashlib.blake2b(joined.encode("utf-8", "surrogatepass"),
                                  digest_size=16).digest(),
        units=units,
        words=len(tokens),
        truncated=truncated,
        anchors=anchors(tokens, config.word_ngram, config.anchor_window),
    )
