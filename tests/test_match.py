"""Verification: kinds, scores, in-order alignment, and boilerplate that proves nothing."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Config, Document, analyze, compare
from dedup.document import Features, Unit
from dedup.match import align, compare_many, order_overlap, text_similarity

CFG = Config()
STORY = [
    "The city council approved a budget of 4.2 billion dollars on Tuesday after a long debate.",
    "Most of the new money will go to schools, public transport and repairs to old bridges.",
    "The mayor said the plan would keep property taxes flat for the third year in a row.",
    "Opposition members called the spending plan reckless and promised to fight it in court.",
    "A final vote on the transport part of the plan is expected before the end of March.",
]
REWRITE = [
    "On Tuesday, after lengthy debate, the city council approved its 4.2 billion dollar budget.",
    "Schools, public transport and repairs of ageing bridges will get most of the new money.",
    "Property taxes will stay flat for a third straight year under the plan, the mayor said.",
    "Members of the opposition called the plan reckless and vowed to challenge it in court.",
    "The transport part of the plan faces a final vote expected before the end of March.",
]
OTHER_TOPIC = [
    "The national football team won its qualifying match three goals to one on Saturday.",
    "The coach praised the young striker who scored twice in the second half of the game.",
    "Fans filled the stadium despite the heavy rain that fell throughout the evening.",
    "The team will play its next qualifier away from home in four weeks.",
]


def features(doc_id: str, lines: list[str]) -> Features:
    return analyze(Document(doc_id, "\n".join(lines)), CFG)


def test_exact_copy() -> None:
    m = compare(features("a", STORY), features("b", STORY), CFG)
    assert m is not None
    assert (m.kind, m.score, m.jaccard) == ("exact", 1.0, 1.0)


def test_near_duplicate_with_an_extra_footer() -> None:
    m = compare(features("a", STORY), features("b", [*STORY, "Follow us for more news."]), CFG)
    assert m is not None
    assert m.kind == "near_duplicate"
    assert m.jaccard >= CFG.near_duplicate_threshold


def test_partial_copy_is_contained_one_way() -> None:
    longer = STORY + OTHER_TOPIC + [s.replace("team", "side") for s in OTHER_TOPIC]
    m = compare(features("a", STORY[:4]), features("b", longer), CFG)
    assert m is not None
    assert m.kind == "partial"
    assert m.a_in_b > 0.9 > m.b_in_a


def test_rewrite_is_aligned_in_order() -> None:
    m = compare(features("a", STORY), features("b", REWRITE), CFG)
    assert m is not None
    assert m.kind == "rewrite"
    assert m.jaccard < 0.2
    assert [p.a_lines[0] for p in m.passages] == [p.b_lines[0] for p in m.passages]
    assert len(m.passages) >= 4


def test_same_topic_is_not_a_match_and_other_topics_neither() -> None:
    assert compare(features("a", STORY), features("b", OTHER_TOPIC), CFG) is None
    shuffled_words = [" ".join(reversed(s.split())) for s in STORY]
    m = compare(features("a", STORY), features("b", shuffled_words), CFG)
    assert m is None or m.kind == "rewrite"


def test_boilerplate_sentences_are_no_evidence() -> None:
    a, b = features("a", STORY), features("b", REWRITE)
    assert compare(a, b, CFG, is_boilerplate=lambda unit: True) is None


def test_compare_is_symmetric_in_its_measures() -> None:
    a, b = features("a", STORY), features("b", REWRITE)
    ab, ba = compare(a, b, CFG), compare(b, a, CFG)
    assert ab is not None
    assert ba is not None
    assert ab.kind == ba.kind
    assert ab.jaccard == pytest.approx(ba.jaccard)
    assert (ab.a_in_b, ab.b_in_a) == pytest.approx((ba.b_in_a, ba.a_in_b))


def test_align_never_crosses_and_respects_the_threshold() -> None:
    rng = np.random.default_rng(0)
    sim = rng.random((30, 40)).astype(np.float32)
    pairs = align(sim, 0.7)
    assert all(sim[i, j] >= 0.7 for i, j in pairs)
    assert all(i1 < i2 and j1 < j2 for (i1, j1), (i2, j2) in itertools.pairwise(pairs))
    assert align(np.zeros((0, 3), dtype=np.float32), 0.5) == []


ELSEWHERE = [
    "The museum will open a new wing for modern painting and sculpture next spring.",
    "Engineers finished testing the satellite before its launch from the northern coast.",
    "Farmers expect a smaller wheat harvest because the summer was unusually dry.",
    "The orchestra announced a season of twelve concerts with three guest conductors.",
    "A new ferry line will connect the two islands twice a day from the first of June.",
    "Doctors urged older residents to get their flu shots before the winter begins.",
]


def test_a_copied_passage_inside_other_text_is_partial() -> None:
    # Two long texts that share two sentences word for word (about 30 words) and nothing
    # else: too little of either for containment or a rewrite, still a copied passage.
    a = features("a", [*OTHER_TOPIC, *STORY[1:3], *ELSEWHERE])
    unrelated = [" ".join("q" + word for word in s.split()) for s in ELSEWHERE + OTHER_TOPIC]
    b = features("b", [*unrelated, *STORY[1:3]])
    m = compare(a, b, CFG)
    assert m is not None
    assert m.kind == "partial"
    assert max(m.a_in_b, m.b_in_a) < CFG.partial_threshold
    assert compare(a, b, CFG.replace(partial_words=60)) is None


def _order_overlap_reference(a: list[Unit], b: list[Unit]) -> float:
    """The weighted longest common subsequence of order_overlap, as a plain O(n*m) table."""
    seq_a = [int(s) for u in a for s in u.stems]
    seq_b = [int(s) for u in b for s in u.stems]
    if not seq_a or not seq_b:
        return 0.0
    weight = {t: 1.0 / max(seq_a.count(t), seq_b.count(t)) for t in set(seq_a) | set(seq_b)}
    total = min(sum(weight[t] for t in seq_a), sum(weight[t] for t in seq_b))
    table = [[0.0] * (len(seq_b) + 1) for _ in range(len(seq_a) + 1)]
    for i, x in enumerate(seq_a, start=1):
        for j, y in enumerate(seq_b, start=1):
            best = max(table[i - 1][j], table[i][j - 1])
            if x == y:
                best = max(best, table[i - 1][j - 1] + weight[x])
            table[i][j] = best
    return min(1.0, table[-1][-1] / total)


def _unit(stems: list[int]) -> Unit:
    return Unit(1, 1, len(stems), np.array(sorted(set(stems)), dtype=np.uint32), 0)


sentences = st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=6), max_size=8)


@settings(max_examples=200, deadline=None)
@given(sentences, sentences)
def test_order_overlap_equals_the_plain_table(a: list[list[int]], b: list[list[int]]) -> None:
    units_a, units_b = [_unit(s) for s in a], [_unit(s) for s in b]
    assert order_overlap(units_a, units_b) == pytest.approx(
        _order_overlap_reference(units_a, units_b), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(sentences, sentences, st.floats(0.0, 1.0))
def test_order_overlap_floor_only_skips_what_cannot_reach_it(
        a: list[list[int]], b: list[list[int]], floor: float) -> None:
    units_a, units_b = [_unit(s) for s in a], [_unit(s) for s in b]
    full = order_overlap(units_a, units_b)
    early = order_overlap(units_a, units_b, floor)
    assert early == full or (early == 0.0 and full < floor)


def _boilerplate_of(keys: set[int]) -> Callable[[Unit], bool]:
    return lambda unit: unit.key in keys


def test_a_batch_of_candidates_gives_each_pair_its_own_match() -> None:
    texts = {"story": STORY, "rewrite": REWRITE, "other": OTHER_TOPIC,
             "part": STORY[1:3] + OTHER_TOPIC[:2], "footer": [*OTHER_TOPIC, STORY[0]]}
    feats = {name: features(name, lines) for name, lines in texts.items()}
    kinds = set()
    for name, query in feats.items():
        others = [f for other, f in feats.items() if other != name]
        for boiler in ([], [u.key for u in query.units[:1]]):
            batch = compare_many(query, others, CFG, np.array(boiler, dtype=np.uint64))
            is_boilerplate = _boilerplate_of(set(boiler))
            for other, match in zip(others, batch, strict=True):
                assert match == compare(other, query, CFG, is_boilerplate), (name, other.id)
                kinds.add(match.kind if match else None)
    assert kinds == {None, "rewrite", "partial"}
    assert compare_many(feats["story"], [], CFG) == []


def test_unsorted_or_inconsistent_arrays_are_refused_with_a_clear_error() -> None:
    from dedup import _core
    from dedup.match import _arrays

    doc = features("a", STORY)
    with pytest.raises(ValueError, match="'stop' must be sorted"):
        _core.verify(_arrays(doc), [_arrays(doc)], np.array([2, 1], dtype=np.uint64),
                     0.5, 0.7, 0.5, 0.24, 2, 8)
    broken = list(_arrays(doc))
    broken[4] = broken[4][:-1]  # one unit size fewer
    with pytest.raises(ValueError, match="candidate 0: the unit arrays disagree"):
        _core.verify(_arrays(doc), [tuple(broken)], np.zeros(0, dtype=np.uint64),  # type: ignore[list-item]
                     0.5, 0.7, 0.5, 0.24, 2, 8)


# -- the kind rules: templates, light edits, order (issue 22) ---------------------------------

_REPORT = ("Shares of {co} rose {pct}% to ${price} in trading on {day} after the company reported "
           "its third-quarter results before the market opened. {co} posted earnings of ${eps} per "
           "share for the quarter, beating the consensus estimate of analysts surveyed by {bank} "
           "Research of ${est} per share.\n"
           "Revenue for the quarter came in at ${rev} million, compared with ${ago} million in the "
           "same period a year earlier. The board declared a quarterly dividend of ${div} per "
           "share, payable on {month} {date} to shareholders of record.\n"
           "Analysts at {bank} Research set a price target of ${target} on the stock in a note to "
           "clients published on {day}, citing the outlook for {month}.")
_OMNIFIELD = {"co": "Omnifield", "pct": "9.1", "price": "389.20", "day": "Wednesday",
    "eps": "2.31", "bank": "Harlow", "est": "2.05", "rev": "4,120.5", "ago": "3,870.2",
    "div": "0.42", "month": "March", "date": "14", "target": "420.00"}
_MEDILINK = {"co": "Medilink", "pct": "13.4", "price": "306.75", "day": "Monday", "eps": "1.12",
    "bank": "Castell", "est": "1.30", "rev": "880.1", "ago": "912.6", "div": "0.18",
    "month": "June", "date": "3", "target": "290.50"}


def _seed(prefix: str) -> str:
    path = next((Path(__file__).parent.parent / "seeds").glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8")


def _analyzed(doc_id: str, text: str) -> Features:
    return analyze(Document(doc_id, text), Config())


def test_two_reports_of_one_template_do_not_match() -> None:
    a = _analyzed("omnifield", _REPORT.format(**_OMNIFIELD))
    b = _analyzed("medilink", _REPORT.format(**_MEDILINK))
    assert compare(a, b, Config()) is None


def test_a_report_copied_under_another_outlets_header_and_footer_is_a_near_duplicate() -> None:
    body = _REPORT.format(**_OMNIFIELD)
    a = _analyzed("wire", "Omnifield shares rise after results\nBy Staff | Wire\n" + body)
    b = _analyzed("copy", "Omnifield beats estimates\nBy Markets Desk | The Courier\n" + body
                  + "\nCopyright 2024 The Courier. All rights reserved. Do not redistribute "
                  "this material without the written permission of the publisher.")
    match = compare(a, b, Config())
    assert match is not None
    assert match.kind == "near_duplicate"


def test_a_lightly_edited_copy_is_a_near_duplicate_not_partial() -> None:
    text = _seed("004")  # a seed without internal repeats, which an edit would change
    words = text.split(" ")
    edited = " ".join("also" if k % 20 == 7 else w for k, w in enumerate(words))  # 5% of words
    match = compare(_analyzed("a", text), _analyzed("b", edited), Config())
    assert match is not None
    assert match.kind == "near_duplicate"
    assert match.jaccard < Config().near_duplicate_threshold  # the shingles alone said partial


def test_a_brief_cut_from_a_story_is_partial() -> None:
    text = _seed("004")
    lines = text.split("\n")
    brief = "\n".join(lines[:6])
    match = compare(_analyzed("story", text), _analyzed("brief", brief), Config())
    assert match is not None
    assert match.kind == "partial"


def test_the_same_words_in_another_order_are_no_rewrite() -> None:
    text = _seed("001")
    words = text.split()
    for seed in range(5):
        shuffled = words[:]
        random.Random(seed).shuffle(shuffled)
        other = " ".join(" ".join(shuffled[k:k + 15]).capitalize() + "."
                         for k in range(0, len(shuffled), 15))
        assert compare(_analyzed("a", text), _analyzed("b", other), Config()) is None


def test_articles_from_a_small_shared_vocabulary_are_no_rewrite() -> None:
    vocabulary = [
        "the", "council", "said", "budget", "water", "city", "plan", "road", "school", "police",
        "mayor", "report", "new", "year", "residents", "officials", "project", "million", "week",
        "local", "board", "state",
    ]
    rng = random.Random(7)

    def article() -> str:
        return "\n".join(" ".join(" ".join(rng.choices(vocabulary, k=12)).capitalize() + "."
                                  for _ in range(3)) for _ in range(6))

    for _ in range(10):
        match = compare(_analyzed("a", article()), _analyzed("b", article()), Config())
        assert match is None or match.kind != "rewrite"


def test_sentences_that_disagree_on_their_numbers_are_different_facts() -> None:
    assert text_similarity("The fire destroyed 120 homes in Dayton on Monday.",
                           "The fire destroyed 45 homes in Akron on Friday.") == 0.0
    assert text_similarity("The fire destroyed 120 homes in Dayton on Monday.",
                           "On Monday the fire destroyed 120 homes in Dayton.") == 1.0
