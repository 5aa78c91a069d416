"""Internal repeats: exact and near copies of paragraphs, never short-line noise."""

from __future__ import annotations

from dedup import Config, find_repeats, remove_repeats
from dedup.repeats import repeat_blocks

PARA = ("The committee said the new rules would apply to every district from next spring, "
        "after a consultation that drew more than four thousand replies from residents.")
OTHER = ("Opposition members called the timetable rushed and asked for an independent review "
         "of the costs before any vote takes place in the chamber.")


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
