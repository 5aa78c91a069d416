"""A persistent index as Parquet tables, for daily feeds (filled in below)."""

from __future__ import annotations

__all__ = ["SparkIndex"]


class SparkIndex:
    """Placeholder."""
