"""Exceptions raised by dedup: built-in types underneath, so callers may catch either."""

from __future__ import annotations

__all__ = ["ConfigError", "DedupError", "IndexMismatchError", "InputError"]


class DedupError(Exception):
    """Base class of every error dedup raises on purpose."""


class ConfigError(DedupError, ValueError):
    """A setting is out of range or inconsistent; the message names it and the fix."""


class InputError(DedupError, ValueError):
    """A document or record could not be read; the message names the source and line."""

    def __init__(self, message: str, source: str | None = None, line: int | None = None) -> None:
        where = source or ""
        if source is not None and line is not None:
            where = f"{source}:{line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.line = line
        self.reason = message


class IndexMismatchError(DedupError, ValueError):
    """A stored index was built with other settings than the ones asked for."""
