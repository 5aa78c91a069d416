"""Shared fixtures: the seed articles, read once."""

from __future__ import annotations

from pathlib import Path

import pytest

from dedup import Document

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def seed_documents() -> list[Document]:
    """The five seed articles as documents, in file-name order."""
    return [Document(p.stem, p.read_text(encoding="utf-8"), source=str(p))
            for p in sorted(SEEDS.glob("*.txt"))]
