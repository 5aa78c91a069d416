"""Progress of a scan: counts what the scan reports, and writes only where it is asked to."""

from __future__ import annotations

import io

import pytest

from dedup import Document, scan
from dedup.progress import ScanProgress

STORY = ("The city council approved a budget of 4.2 billion dollars on Tuesday after a long "
         "debate. Most of the new money will go to schools, public transport and bridges.")


class _Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr is when a person runs the command."""

    def isatty(self) -> bool:
        return True


def _docs() -> list[Document]:
    return [Document("a", STORY), Document("b", STORY), Document("c", "Nothing alike here.")]


def test_plain_lines_count_documents_matches_and_errors() -> None:
    log = io.StringIO()
    with ScanProgress(log, "always", errors=lambda: 2, interval=1e-9) as progress:
        report = scan(_docs(), on_result=progress.result)
    assert (progress.documents, progress.matches) == (3, len(report.matches)) == (3, 1)
    lines = log.getvalue().splitlines()
    assert lines[-1].startswith("dedup: 3 documents, ")
    assert ", 1 match, 2 input errors, " in lines[-1]
    assert lines[-1].endswith("elapsed (done)")
    assert len(lines) == 4  # one a document, and the last


@pytest.mark.parametrize("when", ["auto", "never"])
def test_nothing_is_written_into_a_file_unless_asked(when: str) -> None:
    log = io.StringIO()
    with ScanProgress(log, when, interval=1e-9) as progress:  # type: ignore[arg-type]
        scan(_docs(), on_result=progress.result)
    assert progress.documents == 3
    assert log.getvalue() == ""


def test_a_terminal_gets_a_live_line_that_is_cleared_at_the_end() -> None:
    screen = _Terminal()
    with ScanProgress(screen, "auto") as progress:
        for doc in _docs():
            progress._shown = 0.0  # due for a redraw at each result
            scan([doc], on_result=progress.result)
    drawn = screen.getvalue()
    assert "3 documents" in drawn
    assert "\x1b[" in drawn  # cursor movements: the line is redrawn, then erased
    assert "dedup: " not in drawn  # no plain lines on a terminal


def test_never_on_a_terminal_draws_nothing() -> None:
    screen = _Terminal()
    with ScanProgress(screen, "never") as progress:
        scan(_docs(), on_result=progress.result)
    assert screen.getvalue() == ""


def test_bad_settings_are_named() -> None:
    with pytest.raises(ValueError, match="'when' must be 'auto', 'always' or 'never'"):
        ScanProgress(io.StringIO(), "sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'interval' must be > 0 seconds"):
        ScanProgress(io.StringIO(), interval=0)


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_log_that_goes_away_does_not_stop_the_scan() -> None:
    with ScanProgress(_ClosedPipe(), "always", interval=1e-9) as progress:
        report = scan(_docs(), on_result=progress.result)
    assert progress.documents == 3
    assert len(report.matches) == 1
