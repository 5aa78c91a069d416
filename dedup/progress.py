"""Progress of a long scan on stderr: documents done, their rate, matches and input errors.

A scan of a large feed runs for minutes (docs/performance.md: ~2.4 ms an article on two
cores); without a sign of life a user cannot tell a slow scan from a stuck one. On a terminal
the progress is one live line drawn by rich, cleared when the scan ends; where stderr is a
file or a pipe (a pipeline's log) and progress is asked for, a plain line is written every
``interval`` seconds instead, since cursor movements would only clutter the log. Nothing is
ever written to the report's stream.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Literal, TextIO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from dedup.detector import Result
from dedup.report import counted

__all__ = ["ScanProgress", "When"]

#: When progress is drawn: ``auto`` on a terminal only, ``always`` also into a file or pipe
#: (plain lines), ``never``.
When = Literal["auto", "always", "never"]


class ScanProgress:
    """Count a scan's results as they come and show the counts on ``stream``.

    Use it as a context manager and pass :meth:`result` as :func:`dedup.scan`'s
    ``on_result``.

    Args:
        stream: Where to write (stderr in the CLI; never the report's stream).
        when: ``"auto"``, ``"always"`` or ``"never"`` (see :data:`When`).
        errors: Returns the number of input errors so far (the reader's problems).
        interval: Seconds between plain lines when ``stream`` is not a terminal; a terminal
            line is redrawn at most every tenth of a second.

    Raises:
        ValueError: if ``when`` is not one of the three, or ``interval`` is not > 0.

    >>> import io
    >>> log = io.StringIO()
    >>> with ScanProgress(log, "always", interval=1e-9) as progress:
    ...     pass
    >>> log.getvalue().startswith("dedup: 0 documents")
    True
    """

    def __init__(self, stream: TextIO, when: When = "auto",
                 errors: Callable[[], int] = lambda: 0, interval: float = 10.0) -> None:
        if when not in ("auto", "always", "never"):
            raise ValueError(f"'when' must be 'auto', 'always' or 'never' (got {when!r})")
        if not interval > 0:
            raise ValueError(f"'interval' must be > 0 seconds (got {interval!r})")
        self.documents = 0
        self.matches = 0
        self._errors = errors
        self._stream = stream
        self._interval = interval
        self._console = Console(file=stream, stderr=False)
        terminal = self._console.is_terminal
        self._live: Progress | None = None
        self._plain = when == "always" and not terminal
        if when != "never" and terminal:
            self._live = Progress(
                SpinnerColumn(),
                TextColumn("{task.fields[documents]}"),
                TextColumn("{task.fields[rate]}"),
                TextColumn("{task.fields[matches]}"),
                TextColumn("{task.fields[errors]}"),
                TimeElapsedColumn(),
                console=self._console, transient=True, auto_refresh=False,
                # The report is written to the stdout object the CLI took at its start:
                # nothing here may swap sys.stdout or sys.stderr under it.
                redirect_stdout=False, redirect_stderr=False,
            )
            self._task = self._live.add_task("scan", total=None, documents="", rate="",
                                             matches="", errors="")
        self._start = self._shown = time.monotonic()

    def __enter__(self) -> ScanProgress:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._live is not None:
            self._live.stop()
        elif self._plain and exc_type is None:
            self._write_line(done=True)

    def result(self, result: Result) -> None:
        """Count one document's result (and its matches); redraw if it is time to."""
        self.documents += 1
        self.matches += len(result.matches)
        now = time.monotonic()
        if self._live is not None and now - self._shown >= 0.1:
            self._shown = now
            errors = self._errors()
            self._live.update(self._task, documents=counted(self.documents, "document",
                                                           "documents"), rate=self._rate(now),
                              matches=counted(self.matches, "match", "matches"),
                              errors=counted(errors, "input error", "input errors") if errors
                              else "")
            self._live.refresh()
        elif self._plain and now - self._shown >= self._interval:
            self._shown = now
            self._write_line()

    def _rate(self, now: float) -> str:
        elapsed = now - self._start
        return f"{self.documents / elapsed:,.0f}/s" if elapsed > 0 else ""

    def _write_line(self, done: bool = False) -> None:
        now = time.monotonic()
        rate = self._rate(now)
        errors = self._errors()
        minutes, seconds = divmod(int(now - self._start), 60)
        try:
            self._stream.write(
                f"dedup: {counted(self.documents, 'document', 'documents')}"
                f"{', ' + rate if rate else ''}, {counted(self.matches, 'match', 'matches')}, "
                f"{counted(errors, 'input error', 'input errors')}, "
                f"{minutes}:{seconds:02d} elapsed{' (done)' if done else ''}\n")
            self._stream.flush()
        except OSError:  # the log went away (a closed pipe): the scan goes on without it
            self._plain = False
