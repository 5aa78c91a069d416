"""Benchmarks and measurement scripts (run from the repository root; see each module)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpora_dir() -> Path:
    """Return where the labelled corpora are (``shared/corpora``, never copied into the repo).

    ``$DEDUP_CORPORA`` if set; else ``../shared/corpora`` beside this checkout; else beside
    the local repository this one was cloned from (a scratch clone under /tmp still finds
    them). The first candidate is returned when none exists, so messages name it.
    """
    if os.environ.get("DEDUP_CORPORA"):
        return Path(os.environ["DEDUP_CORPORA"])
    beside = ROOT.parent / "shared" / "corpora"
    if beside.is_dir():
        return beside
    try:
        origin = subprocess.run(["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
                                capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        origin = ""
    if origin and Path(origin).is_dir():
        cloned_from = Path(origin).resolve().parent / "shared" / "corpora"
        if cloned_from.is_dir():
            return cloned_from
    return beside
