"""Internal repeats: paragraphs that come back later in the same article.

Scrapers often paste a block of paragraphs twice. Exact repeats (equal once normalized) come
from a dict of the paragraphs' comparison texts. Near repeats are proposed by an LSH index over
MinHash signatures of the paragraphs' character shingles and decided by
:func:`word_similarity`; a cheap bound on that similarity first rules out the pairs that could
never reach ``repeat_threshold``, so most articles sign no paragraph at all, and the result is
the one an LSH over every paragraph gives.
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
    near_words = max(config.min_paragraph_words, config.min_near_repeat_words)
    originals: dict[int, tuple[int, float]] = {}
    first_of: dict[str, int] = {}
    near: list[int] = []
    for i, norm in enumerate(norms):
        if not norm:
            continue
        words = norm.count(" ") + 1
        if words < config.min_paragraph_words:
            continue
        first = first_of.setdefault(norm, i)
        if first != i:
            # Equal texts share every LSH band and score 1.0, above any near copy (whose
            # similarity is below 1.0): the earliest equal text is the one the LSH would pick.
            originals[i] = (first, 1.0)
        elif words >= near_words:
            # A later copy of this text would score exactly as it does against anything, and
            # lose the tie to it: only the first of equal texts is a near-repeat candidate.
            near.append(i)
    if len(near) >= 2:
        for pos, (earlier, sim) in _near_repeats([norms[i] for i in near], config).items():
            originals[near[pos]] = (near[earlier], sim)
    repeats: list[Repeat] = []
    for i in sorted(originals):
        first, sim = originals[i]
        para, orig = paragraphs[i], paragraphs[first]
        repeats.append(Repeat(para.line, orig.line, sim, norms[i] == norms[first],
                              para.end_line, orig.end_line))
    return repeats


# Past this many texts, bounding every pair in Python costs more than signing them all (the
# bound is quadratic, the LSH linear; on distinct feed paragraphs 2.0 against 2.4 ms at 50,
# 7.4 against 5.0 ms at 100): the LSH over every text decides alone.
_MAX_BOUND_TEXTS = 60


def _possible_pairs(norms: list[str], threshold: float) -> dict[int, list[int]] | None:
    """Return, for each text, the earlier texts it could be ``threshold`` similar to.

    :func:`word_similarity` counts words matched in order over the longer length, so it is at
    most the shorter length over the longer, and at most the distinct words the two share plus
    the repeated words of either (a word used ``k`` times matches at most ``k`` times). Pairs
    whose bound is below ``threshold`` can never be repeats: in most articles, every pair.

    Returns:
        ``{text: [earlier texts, ascending]}`` for the texts with such pairs; ``None`` when
        there are too many texts to bound every pair.
    """
    if len(norms) > _MAX_BOUND_TEXTS:
        return None
    split = [n.split() for n in norms]  # the words word_similarity counts
    distinct = [set(words) for words in split]
    lengths = [len(words) for words in split]
    repeated = [len(words) - len(seen) for words, seen in zip(split, distinct, strict=True)]
    pairs: dict[int, list[int]] = {}
    for i in range(1, len(norms)):
        words_i, length_i, repeated_i = distinct[i], lengths[i], repeated[i]
        for j in range(i):
            length_j = lengths[j]
            longer, shorter = (length_i, length_j) if length_i >= length_j else (length_j, length_i)
            # Divisions as word_similarity divides: a bound on the same float, not near it.
            # (Wordless texts, possible only in norms a caller passed, score 0.0 there.)
            if not longer:
                if threshold <= 0.0:
                    pairs.setdefault(i, []).append(j)
                continue
            if shorter / longer < threshold:
                continue
            shared = len(words_i & distinct[j]) + min(repeated_i, repeated[j])
            if min(shared, shorter) / longer >= threshold:
                pairs.setdefault(i, []).append(j)
    return pairs


def _near_repeats(norms: list[str], config: Config) -> dict[int, tuple[int, float]]:
    """Return ``{i: (earlier, similarity)}`` for the distinct texts that near-repeat another.

    Candidates are the earlier texts sharing a bucket of the paragraph LSH (no bucket is a stop
    bucket here); the most similar at least ``repeat_threshold`` wins, the earliest of equals.
    """
    possible = _possible_pairs(norms, config.repeat_threshold)
    if possible is None:
        signed = list(range(len(norms)))
    elif not possible:
        return {}
    else:
        signed = sorted({j for i, row in possible.items() for j in (i, *row)})
    hasher = MinHasher(config.passage_num_perm, config.seed)
    index = BandIndex(config.passage_bands, config.passage_rows, max_bucket=len(signed))
    keys = index.keys(hasher.signatures([char_shingles(norms[i], config.char_ngram)
                                         for i in signed]))
    candidates: dict[int, list[int]] = {}
    if possible is None:
        for pos in range(len(signed)):
            candidates[pos] = index.query(keys[pos])
            index.insert(pos, keys[pos])
    else:
        # The index is a dict from key to items: two texts are candidates when they share a key.
        buckets = {i: set(k) for i, k in zip(signed, keys.tolist(), strict=True)}
        for i, row in possible.items():
            candidates[i] = [j for j in row if not buckets[i].isdisjoint(buckets[j])]
    found: dict[int, tuple[int, float]] = {}
    for i, row in candidates.items():
        best: tuple[float, int] | None = None
        for earlier in row:
            sim = word_similarity(norms[earlier], norms[i])
            if sim >= config.repeat_threshold and (best is None or sim > best[0]):
                best = (sim, earlier)
        if best is not None:
            found[i] = (best[1], best[0])
    return found


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
