"""Paragraphs and sentences keep their offsets and 1-based lines of the original text."""

from __future__ import annotations

from bisect import bisect_right

import regex
from hypothesis import given
from hypothesis import strategies as st

from dedup import Span, split_paragraphs, split_sentences
from dedup.paragraphs import line_starts, sentence_rows


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


# The splitters as they were in Python before the Rust core (rust/src/paragraphs.rs) took
# them over: a line search for every span, both ends trimmed, sentence ends by a regex. The
# core must give the very same spans.
_SENTENCE_END = regex.compile(r"(?<![.!?。！？])[.!?。！？]++[\"'”’)\]]*+(?=\s)|[。！？]+")
_FINAL_PUNCT = (".", "!", "?", ":", '"', "”", "'", "’", ")", "。", "！", "？")


def _is_wrapped(lines: list[str]) -> bool:
    stripped = [ln.strip() for ln in lines]
    nonblank = [i for i, s in enumerate(stripped) if s]
    if "" not in stripped or not nonblank:
        return False
    runs_on = sum(1 for i in nonblank if i + 1 < len(stripped) and stripped[i + 1]
                  and not stripped[i].endswith(_FINAL_PUNCT))
    return runs_on >= 0.5 * len(nonblank)


def _reference_trimmed(text: str, starts: list[int], start: int, end: int) -> Span:
    piece = text[start:end]
    s, e = start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())
    return Span(text[s:e], s, e, bisect_right(starts, s), bisect_right(starts, max(s, e - 1)))


def _reference_paragraphs(text: str) -> list[Span]:
    raw_lines, starts = text.split("\n"), line_starts(text)
    wrapped = _is_wrapped(raw_lines)
    spans: list[Span] = []
    block: int | None = None
    block_end = 0
    for start, line in zip(starts, raw_lines, strict=True):
        if not line.strip():
            if block is not None:
                spans.append(_reference_trimmed(text, starts, block, block_end))
                block = None
        elif wrapped:
            block = start if block is None else block
            block_end = start + len(line)
        else:
            spans.append(_reference_trimmed(text, starts, start, start + len(line)))
    if block is not None:
        spans.append(_reference_trimmed(text, starts, block, block_end))
    return spans


def _reference_sentences(text: str, paragraphs: list[Span]) -> list[Span]:
    starts = line_starts(text)
    out: list[Span] = []
    for para in paragraphs:
        cursor = para.start
        for m in _SENTENCE_END.finditer(text, para.start, para.end):
            if m.end() > cursor:
                out.append(_reference_trimmed(text, starts, cursor, m.end()))
                cursor = m.end()
        if text[cursor:para.end].strip():
            out.append(_reference_trimmed(text, starts, cursor, para.end))
    return out


_ODD = "ab .!?。！\n\n\r\t \u3000“”'’)]x\x1c\x85\u2028\x0b\ud800"
_TEXTS = st.text(alphabet=st.sampled_from(_ODD), max_size=160) | st.text(max_size=80)


@given(_TEXTS)
def test_paragraphs_and_sentences_equal_the_reference_splitters(text: str) -> None:
    paragraphs = split_paragraphs(text)
    assert paragraphs == _reference_paragraphs(text)
    sentences = split_sentences(text)
    assert sentences == _reference_sentences(text, paragraphs)
    rows = sentence_rows(text, paragraphs)
    assert len(rows) == len(paragraphs)
    assert [Span(*row) for para_rows in rows for row in para_rows] == sentences


@given(_TEXTS, st.data())
def test_sentences_of_any_spans_equal_the_reference(text: str, data: st.DataObject) -> None:
    # Callers may pass spans of their own, untrimmed or not from split_paragraphs.
    starts = line_starts(text)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=6)))
    spans = [Span(text[a:b], a, b, bisect_right(starts, a), bisect_right(starts, max(a, b - 1)))
             for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    assert split_sentences(text, spans) == _reference_sentences(text, spans)


def test_hard_wrapped_sentences_know_both_lines() -> None:
    text = "The council met on Tuesday and\ndiscussed it. Then it\nvoted.\n\nNext block here\n"
    assert [(s.text, s.line, s.end_line) for s in split_sentences(text)] == [
        ("The council met on Tuesday and\ndiscussed it.", 1, 2), ("Then it\nvoted.", 2, 3),
        ("Next block here", 5, 5)]
