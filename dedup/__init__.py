"""dedup: find near-duplicate, syndicated and rewritten news articles.

Repair encodings, drop paragraphs an article repeats, and link articles that copy, partly
copy or reword each other, with scores, aligned passages and clusters.

>>> import dedup
>>> dedup.normalize("Pakistan’s ISI")
'pakistans isi'
"""

from __future__ import annotations

__version__ = "0.1.0"

from dedup.cluster import Cluster
from dedup.config import Config
from dedup.detector import Detector, Problem, Report, Result, scan
from dedup.document import Document, analyze
from dedup.errors import ConfigError, DedupError, IndexMismatchError, InputError
from dedup.explanation import Explanation, explain
from dedup.match import Match, Passage, compare
from dedup.minhash import MinHasher
from dedup.normalize import normalize
from dedup.paragraphs import Span, split_paragraphs, split_sentences
from dedup.repair import repair, repair_count
from dedup.repeats import Repeat, find_repeats, remove_repeats
from dedup.shingle import char_shingles, word_shingles

__all__ = [
    "Cluster",
    "Config",
    "ConfigError",
    "DedupError",
    "Detector",
    "Document",
    "Explanation",
    "IndexMismatchError",
    "InputError",
    "Match",
    "MinHasher",
    "Passage",
    "Problem",
    "Repeat",
    "Report",
    "Result",
    "Span",
    "__version__",
    "analyze",
    "char_shingles",
    "compare",
    "explain",
    "find_repeats",
    "normalize",
    "remove_repeats",
    "repair",
    "repair_count",
    "scan",
    "split_paragraphs",
    "split_sentences",
    "word_shingles",
]
