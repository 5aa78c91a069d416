"""Paragraphs and sentences keep their offsets and 1-based lines of the original text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dedup import split_paragraphs, split_sentences
from dedup.paragraphs import line_starts


def test_one_paragraph_a_line_with_blank_lines_between() -> None:
    text = "Title\n\nFirst paragraph.\n\n  Second one.  \n"
    paras = split_paragraphs(text)
    assert [(p.line, p.end_line, p.text) for p in paras] == [
        (1, 1, "Title"), (3, 3, "First paragraph."), (5, 5, "Second one.")]
    for p in paras:
        assert text[p.start:p.end] == p.text


def test_hard_wrapped_text_gives_blank_line_blocks() -> None:
    text = ("The council met on Tuesday and\ndiscussed the budget for the\ncoming year.\n\n"
            "A second paragraph wraps\nover two lines.\n")
    paras = split_paragraphs(text)
    assert [(p.line, p.end_line) for p in paras] == [(1, 3), (5, 6)]


def test_sentences_never_cross_paragraphs_and_know_their_lines() -> None:
    text = "One. Two!\nThree? “Four.” Five"
    sentences = split_sentences(text)
    assert [(s.text, s.line) for s in sentences] == [
        ("One.", 1), ("Two!", 1), ("Three?", 2), ("“Four.”", 2), ("Five", 2)]


@given(st.text(alphabet=st.sampled_from("ab .!?\n\t“”"), max_size=120))
def test_spans_are_exact_slices_with_correct_lines(text: str) -> None:
    starts = line_starts(text)
    for span in split_sentences(text):
        assert text[span.start:span.end] == span.text
        assert span.text.strip() == span.text != ""
        assert starts[span.line - 1] <= span.start
        assert text.count("\n", 0, span.start) + 1 == span.line
        assert text.count("\n", 0, span.end - 1) + 1 == span.end_line
