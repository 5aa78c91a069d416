"""Internal repeats: paragraphs that come back later in the same article.

Scrapers often paste a block of paragraphs twice. Each paragraph long enough to mean
something gets a MinHash signature of its character shingles; an LSH index over the
paragraphs of the one text proposes pairs, and exact Jaccard of the shingle sets decides, so
no text is compared paragraph by paragraph with every other.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from dedup.config import Config
from dedup.index import BandIndex
from dedup.minhash import MinHasher
from dedup.normalize import normalize
from dedup.paragraphs import Span, split_paragraphs
from dedup.shingle import char_shingles

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
    wa, wb = a.split(), b.split()
    if not wa or not wb:
        return 0.0
    matcher = SequenceMatcher(None, wa, wb, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / max(len(wa), len(wb))


def find_repeats_in(paragraphs: list[Span], config: Config = _DEFAULT) -> list[Repeat]:
    """Return repeats among already split paragraphs (see :func:`find_repeats`)."""
    norms = [normalize(p.text) for p in paragraphs]
    eligible = [i for i, n in enumerate(norms)
                if n and n.count(" ") + 1 >= config.min_paragraph_words]
    if len(eligible) < 2:
        return []
    shingles = [char_shingles(norms[i], config.char_ngram) for i in eligible]
    hasher = MinHasher(config.passage_num_perm, config.seed)
    index = BandIndex(config.passage_bands, config.passage_rows, max_bucket=len(eligible))
    keys = index.keys(hasher.signatures(shingles))
    words = [norms[i].count(" ") + 1 for i in eligible]
    repeats: list[Repeat] = []
    for pos, i in enumerate(eligible):
        best: tuple[float, int] | None = None
        for earlier in index.query(keys[pos]):
            if norms[eligible[earlier]] == norms[i]:
                sim = 1.0
            elif min(words[pos], words[earlier]) >= config.min_near_repeat_words:
                sim = word_similarity(norms[eligible[earlier]], norms[i])
            else:
                continue
            if sim >= config.repeat_threshold and (best is None or sim > best[0]):
                best = (sim, earlier)
        index.insert(pos, keys[pos])
        if best is not None:
            first = paragraphs[eligible[best[1]]]
            para = paragraphs[i]
            repeats.append(Repeat(para.line, first.line, best[0],
                                  norms[i] == norms[eligible[best[1]]],
                                  para.end_line, first.end_line))
    return repeats


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
