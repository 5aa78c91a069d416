"""Internal repeats: exact and near copies of paragraphs, never short-line noise."""

from __future__ import annotations

from difflib import SequenceMatcher

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup.repeats as repeats_module
from dedup import Config, find_repeats, normalize, remove_repeats, split_paragraphs
from dedup.index import BandIndex
from dedup.minhash import MinHasher
from dedup.repeats import Repeat, find_repeats_in, repeat_blocks, word_similarity
from dedup.shingle import char_shingles

PARA = ("The committee said the new rules would apply to every district from next spring, "
        "after a consultation that drew more than four thousand replies from residents.")
OTHER = ("Opposition members called the timetable rushed and asked for an independent review "
         "of the costs before any vote takes place in the chamber.")
_SOME_WORDS = ("a", "b", "c", "d", "the", "of")


def test_exact_repeat_of_a_block_is_found_and_grouped() -> None:
    text = "\n".join(["Headline here", PARA, OTHER, "Byline", PARA, OTHER])
    repeats = find_repeats(text)
    assert [(r.line, r.first_line, r.exact) for r in repeats] == [(5, 2, True), (6, 3, True)]
    assert repeat_blocks(repeats) == [(5, 6, 2, 3)]


def test_case_quotes_and_spacing_do_not_stop_an_exact_repeat() -> None:
    variant = "  " + PARA.upper().replace(",", " ,") + "  "
    assert [(r.line, r.exact) for r in find_repeats(f"{PARA}\n{OTHER}\n{variant}")] == [(3, True)]


def test_changed_word_is_a_near_repeat_and_is_removed() -> None:
    changed = PARA.replace("district", "county")
    [repeat] = find_repeats(f"{PARA}\n{OTHER}\n{changed}")
    assert not repeat.exact
    assert 0.9 <= repeat.similarity < 1.0
    assert remove_repeats(f"{PARA}\n{OTHER}\n{changed}") == f"{PARA}\n{OTHER}"


def test_short_lines_make_no_noise() -> None:
    text = "\n".join(["Also Read", PARA, "Also Read", "Post a Comment", OTHER, "Post a Comment"])
    assert find_repeats(text) == []


def test_short_near_copies_are_not_repeats_but_short_exact_ones_are() -> None:
    title = "Minister backs plan for new rail link to the airport"
    template = f'0 Response to "{title}"'
    assert find_repeats(f"{title}\n{PARA}\n{template}") == []
    assert [(r.line, r.first_line) for r in find_repeats(f"{title}\n{PARA}\n{title}")] == [(3, 1)]


def test_thresholds_come_from_the_config() -> None:
    changed = PARA.replace("district", "county")
    text = f"{PARA}\n{OTHER}\n{changed}"
    assert find_repeats(text, Config(repeat_threshold=0.99)) == []
    assert remove_repeats(text, threshold=1.0) == text


def test_no_repeats_means_the_text_comes_back_unchanged() -> None:
    text = f"{PARA}\n\n{OTHER}\n"
    assert remove_repeats(text) == text


def _reference_similarity(a: str, b: str) -> float:
    """word_similarity as difflib computes it (the core's must equal it)."""
    wa, wb = a.split(), b.split()
    if not wa or not wb:
        return 0.0
    blocks = SequenceMatcher(None, wa, wb, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks) / max(len(wa), len(wb))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SOME_WORDS), max_size=30),
       st.lists(st.sampled_from(_SOME_WORDS), max_size=30))
def test_word_similarity_equals_difflib(a: list[str], b: list[str]) -> None:
    assert word_similarity(" ".join(a), " ".join(b)) == _reference_similarity(" ".join(a),
                                                                              " ".join(b))


# What repeats were before exact repeats got a dict and near ones a bound: an LSH over every
# paragraph of min_paragraph_words words, word similarity on its candidates. The fast path
# must give exactly this.
def _reference(text: str, config: Config) -> list[Repeat]:
    paragraphs = split_paragraphs(text)
    norms = [normalize(p.text) for p in paragraphs]
    eligible = [i for i, n in enumerate(norms)
                if n and n.count(" ") + 1 >= config.min_paragraph_words]
    if len(eligible) < 2:
        return []
    hasher = MinHasher(config.passage_num_perm, config.seed)
    index = BandIndex(config.passage_bands, config.passage_rows, max_bucket=len(eligible))
    keys = index.keys(hasher.signatures([char_shingles(norms[i], config.char_ngram)
                                         for i in eligible]))
    words = [norms[i].count(" ") + 1 for i in eligible]
    repeats = []
    for pos, i in enumerate(eligible):
        best: tuple[float, int] | None = None
        for earlier in index.query(keys[pos]):
            if norms[eligible[earlier]] == norms[i]:
                sim = 1.0
            elif min(words[pos], words[earlier]) >= config.min_near_repeat_words:
                sim = _reference_similarity(norms[eligible[earlier]], norms[i])
            else:
                continue
            if sim >= config.repeat_threshold and (best is None or sim > best[0]):
                best = (sim, earlier)
        index.insert(pos, keys[pos])
        if best is not None:
            first, para = paragraphs[eligible[best[1]]], paragraphs[i]
            repeats.append(Repeat(para.line, first.line, best[0],
                                  norms[i] == norms[eligible[best[1]]], para.end_line,
                                  first.end_line))
    return repeats


_WORDS = ("council", "budget", "vote", "district", "county", "rail", "airport", "the", "a", "of",
          "to", "and", "residents", "review", "costs", "chamber", "minister", "plan")


@st.composite
def _articles(draw: st.DrawFn) -> str:
    """Articles of a few paragraphs, some pasted again whole, upper-cased or with words edited."""
    pool = [PARA, OTHER, PARA.replace("district", "county"), " ".join(PARA.split()[:12])]
    paragraphs = draw(st.lists(st.sampled_from(pool) | st.lists(
        st.sampled_from(_WORDS), min_size=1, max_size=40).map(" ".join), min_size=1, max_size=9))
    for _ in range(draw(st.integers(0, 4))):
        words = draw(st.sampled_from(paragraphs)).split()
        for _ in range(draw(st.integers(0, 6))):
            spot = draw(st.integers(0, len(words)))
            if draw(st.booleans()) and spot < len(words):
                del words[spot]
            else:
                words.insert(spot, draw(st.sampled_from(_WORDS)))
        copy = " ".join(words).upper() if draw(st.booleans()) else " ".join(words)
        paragraphs.insert(draw(st.integers(0, len(paragraphs))), copy)
    return "\n".join(paragraphs)


_CONFIGS = [Config(), Config(min_paragraph_words=3, min_near_repeat_words=4, repeat_threshold=0.3),
            Config(min_near_repeat_words=5, repeat_threshold=0.8, passage_bands=16,
                   passage_rows=2), Config(min_paragraph_words=1, repeat_threshold=0.0)]


@settings(max_examples=120, deadline=None)
@given(_articles(), st.sampled_from(_CONFIGS), st.booleans())
def test_repeats_equal_an_lsh_over_every_paragraph(text: str, config: Config,
                                                   bound: bool) -> None:
    if not bound:  # also the path large documents take: the LSH over all, no pair bound
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(repeats_module, "_MAX_BOUND_TEXTS", 0)
            assert find_repeats(text, config) == _reference(text, config)
    else:
        assert find_repeats(text, config) == _reference(text, config)


def _signed(text: str) -> int:
    """How many paragraphs of ``text`` the search signs for the paragraph LSH."""
    return repeats_module._search([normalize(p.text) for p in split_paragraphs(text)],
                                  Config())[1]


def test_exact_repeats_are_found_without_signing_any_paragraph() -> None:
    title = "Minister backs plan for new rail link to the airport"
    text = "\n".join([title, PARA, OTHER, PARA.upper(), title, PARA])
    assert [(r.line, r.first_line, r.exact) for r in find_repeats(text)] == [
        (4, 2, True), (5, 1, True), (6, 2, True)]
    assert _signed(text) == 0


def test_paragraphs_too_different_for_a_near_repeat_are_never_signed() -> None:
    text = f"{PARA}\n{OTHER}\n{PARA[:60]}"
    assert find_repeats(text) == []
    assert _signed(text) == 0


def test_near_repeats_still_go_through_the_lsh() -> None:
    changed = PARA.replace("district", "county")
    text = f"{PARA}\n{OTHER}\n{changed}"
    [repeat] = find_repeats(text)
    assert (repeat.line, repeat.first_line, repeat.exact) == (3, 1, False)
    assert _signed(text) == 2  # the pair, not OTHER


def test_a_near_repeat_of_a_pasted_paragraph_points_at_the_first_copy() -> None:
    changed = PARA.replace("district", "county")
    repeats = find_repeats(f"{OTHER}\n{PARA}\n{PARA}\n{changed}")
    assert [(r.line, r.first_line, r.exact) for r in repeats] == [(3, 2, True), (4, 2, False)]


def test_given_norms_must_match_the_paragraphs() -> None:
    paragraphs = split_paragraphs(f"{PARA}\n{OTHER}")
    with pytest.raises(ValueError, match="one text per paragraph"):
        find_repeats_in(paragraphs, Config(), [normalize(PARA)])
    assert find_repeats_in(paragraphs, Config(), [normalize(p.text) for p in paragraphs]) == []
