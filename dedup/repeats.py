"""Internal repeats: paragraphs that come back later in the same article.

Scrapers often paste a block of paragraphs twice. Exact repeats (equal once normalized) come
from a dict of the paragraphs' comparison texts. Near repeats are proposed by an LSH index over
MinHash signatures of the paragraphs' character shingles and decided by
:func:`word_similarity`; a cheap bound on that similarity first rules out the pairs that could
never reach ``repeat_threshold``, so most articles sign no paragraph at all, and the result is
the one an LSH over every paragraph gives. The search runs in the Rust core
(rust/src/repeats.rs); :func:`word_similarity` is difflib's matching blocks, computed there.
"""

from __future__ import annotations

from dataclasses import dataclass

from dedup import _core
from dedup.config import Config
from dedup.minhash import MinHasher
from dedup.normalize import normalize
from dedup.paragraphs import Span, split_paragraphs

__all__ = ["Repeat", "find_repeats", "remove_repeats", "repeat_blocks", "word_similarity"]

_DEFAULT = Config()


@dataclass(frozen=True, slots=True)
class Repeat:
    """A paragraph at ``line`` that repeats the earlier one at ``first_line``.

    ``similarity`` is the share of the longer paragraph's words found in the other, in order
    (see :func:`word_similarity`); ``exact`` says the two are the same once normalized (case,
    punctuation, quotes and spacing aside).
    """

    line: int
    first_line: int
    similarity: float
    exact: bool
    end_line: int = 0
    first_end_line: int = 0

    def to_dict(self) -> dict[str, object]:
        """Return the report form of the repeat (see DESIGN.md)."""
        return {"line": self.line, "first_line": self.first_line,
                "similarity": round(self.similarity, 4), "exact": self.exact}


def word_similarity(a: str, b: str) -> float:
    """Return the share of the longer text's words that the other has, in the same order.

    Measured on comparison texts. One changed word in a 30-word paragraph gives 0.97; an
    editor's restatement (a phrase added, a word dropped) gives about 0.85, which is why this,
    not the Jaccard of shingles, decides whether a near repeat is a copy.

    >>> word_similarity("a b c d", "a b x d")
    0.75
    """
    return _core.word_similarity(a, b)


def find_repeats_in(paragraphs: list[Span], config: Config = _DEFAULT,
                    norms: list[str] | None = None) -> list[Repeat]:
    """Return repeats among already split paragraphs (see :func:`find_repeats`).

    Exact repeats come from a dict of the normalized paragraphs. Only distinct paragraphs of
    ``min_near_repeat_words`` words or more can be near repeats, and of those only the ones in
    a pair whose shared words could reach ``repeat_threshold`` are signed and looked up in the
    paragraph LSH: the repeats are those of an LSH over every paragraph, at a fraction of the
    cost (see docs/performance.md).

    Args:
        paragraphs: The paragraphs, in order.
        config: As for :func:`find_repeats`.
        norms: ``normalize(p.text)`` of each paragraph, if the caller has them already.

    Returns:
        Repeats in paragraph order.

    Raises:
        ValueError: if ``norms`` is given and does not hold one text per paragraph.

    >>> para = "The council approved the new budget after a long debate on Tuesday night."
    >>> [(r.line, r.first_line) for r in find_repeats_in(split_paragraphs(f"{para}\\n{para}"))]
    [(2, 1)]
    """
    if norms is None:
        norms = [normalize(p.text) for p in paragraphs]
    elif len(norms) != len(paragraphs):
        raise ValueError(f"'norms' must hold one text per paragraph (got {len(norms)} for "
                         f"{len(paragraphs)} paragraphs): pass normalize(p.text) of each")
    found, _ = _search(norms, config)
    repeats: list[Repeat] = []
    for i, first, sim, exact in found:
        para, orig = paragraphs[i], paragraphs[first]
        repeats.append(Repeat(para.line, orig.line, sim, exact, para.end_line, orig.end_line))
    return repeats


# Past this many texts, bounding every pair costs more than signing them all (the bound is
# quadratic, the LSH linear; measured on distinct feed paragraphs in Python): the LSH over
# every text decides alone. A setting of the search, kept here so tests can lower it.
_MAX_BOUND_TEXTS = 60


def _search(norms: list[str], config: Config) -> tuple[list[tuple[int, int, float, bool]], int]:
    """Return ``(index, first, similarity, exact)`` of each repeating paragraph, and how many
    paragraphs were signed for the paragraph LSH (most articles sign none)."""
    hasher = MinHasher(config.passage_num_perm, config.seed)
    return _core.find_repeats(norms, config.min_paragraph_words, config.min_near_repeat_words,
                              config.repeat_threshold, config.char_ngram, config.passage_bands,
                              config.passage_rows, _MAX_BOUND_TEXTS, hasher.a, hasher.b)


def find_repeats(text: str, config: Config = _DEFAULT) -> list[Repeat]:
    """Return the paragraphs of ``text`` that repeat an earlier paragraph of it.

    Paragraphs shorter than ``config.min_paragraph_words`` words (bylines, "Also Read") are
    never reported; near (not exact) repeats need ``config.min_near_repeat_words`` words on
    both sides. A paragraph similar to several earlier ones repeats the most similar,
    the earliest of equals.

    Args:
        text: An article; line numbers refer to it.
        config: Uses ``min_paragraph_words``, ``char_ngram``, ``repeat_threshold``, and the
            passage LSH settings.

    Returns:
        Repeats in line order.

    >>> para = "The council approved the new budget after a long debate on Tuesday night."
    >>> [(r.line, r.first_line, r.exact) for r in find_repeats(f"Title\\n{para}\\nEnd.\\n{para}")]
    [(4, 2, True)]
    """
    return find_repeats_in(split_paragraphs(text), config)


def removable(repeats: list[Repeat], threshold: float) -> list[Repeat]:
    """Return the repeats similar enough to their original to be dropped."""
    return [r for r in repeats if r.exact or r.similarity >= threshold]


def remove_repeats(text: str, config: Config = _DEFAULT, threshold: float | None = None) -> str:
    """Return ``text`` without the later copies of repeated paragraphs.

    Only repeats at least ``threshold`` similar (default ``config.remove_threshold``) or exact
    are dropped: a paragraph that restates another in other words is editing, not a glitch.
    Every other line, blank lines included, is kept as it was.

    >>> para = "The council approved the new budget after a long debate on Tuesday night."
    >>> remove_repeats(f"Title\\n{para}\\n{para}\\nEnd.")
    'Title\\nThe council approved the new budget after a long debate on Tuesday night.\\nEnd.'
    """
    limit = config.remove_threshold if threshold is None else threshold
    drop: set[int] = set()
    for r in removable(find_repeats(text, config), limit):
        drop.update(range(r.line, max(r.line, r.end_line) + 1))
    if not drop:
        return text
    lines = text.split("\n")
    kept = [line for number, line in enumerate(lines, start=1) if number not in drop]
    return "\n".join(kept)


def repeat_blocks(repeats: list[Repeat]) -> list[tuple[int, int, int, int]]:
    """Group repeats into blocks: ``(first_line, last_line, of_first, of_last)`` tuples.

    Consecutive repeated paragraphs whose originals are consecutive too form one block, the
    way a scraper pastes a run of paragraphs twice.

    >>> repeat_blocks([Repeat(7, 3, 1.0, True), Repeat(8, 4, 1.0, True), Repeat(12, 2, 1.0, True)])
    [(7, 8, 3, 4), (12, 12, 2, 2)]
    """
    blocks: list[list[int]] = []
    for r in sorted(repeats, key=lambda r: r.line):
        end = max(r.line, r.end_line)
        first_end = max(r.first_line, r.first_end_line)
        if blocks and r.line <= blocks[-1][1] + 2 and r.first_line > blocks[-1][3] and (
            r.first_line <= blocks[-1][3] + 2
        ):
            blocks[-1][1] = end
            blocks[-1][3] = first_end
        else:
            blocks.append([r.line, end, r.first_line, first_end])
    return [(b[0], b[1], b[2], b[3]) for b in blocks]
