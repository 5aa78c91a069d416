"""Write tests/cases/repeats.json: the internal repeats found in a seeded variety of articles.

Written from the repository root by ``python tests/cases/make_repeat_cases.py`` with the
Python implementation (difflib, the paragraph LSH) that the Rust core replaces. Repeats are
reported with their lines and similarity, so no later implementation may change them: never
regenerate the file to make a failing test pass.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.feed import iter_records  # noqa: E402
from dedup import Config  # noqa: E402
from dedup.repeats import find_repeats  # noqa: E402

OUT = ROOT / "tests" / "cases" / "repeats.json"
CONFIGS = {"default": Config(), "strict": Config(repeat_threshold=0.8, min_near_repeat_words=10),
           "loose": Config(repeat_threshold=0.3, min_paragraph_words=3, min_near_repeat_words=4)}
_VOCABULARY = ("the council approved a new budget after long debate on tuesday night officials "
               "said that schools roads and parks would get more money while taxes stay the "
               "same for another year mayor pointed out 東京 café naïve")
WORDS = _VOCABULARY.split()


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _edited(rng: random.Random, paragraph: str, rate: float) -> str:
    words = paragraph.split()
    out = []
    for word in words:
        roll = rng.random()
        if roll < rate / 3:
            continue  # dropped
        if roll < 2 * rate / 3:
            out.append(rng.choice(WORDS))  # changed
        else:
            out.append(word)
        if rng.random() < rate / 3:
            out.append(rng.choice(WORDS))  # added
    return " ".join(out)


def articles() -> list[str]:
    rng = random.Random(11)
    out = []
    for size in (2, 5, 12, 40, 70, 90):
        for _ in range(4):
            paragraphs = [_paragraph(rng, rng.randint(3, 45)) for _ in range(size)]
            for _ in range(rng.randint(0, max(1, size // 4))):
                source = rng.choice(paragraphs)
                copy = _edited(rng, source, rng.choice([0.0, 0.05, 0.15, 0.3, 0.5]))
                paragraphs.insert(rng.randint(0, len(paragraphs)), copy)
            out.append(rng.choice(["\n", "\n\n"]).join(paragraphs))
    out += [record["text"] for record, _ in iter_records(30, 5)]
    out += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    return out


def case_of(text: str) -> dict[str, Any]:
    """The repeats of one text under each configuration (similarity as its repr)."""
    return {"text": text,
            "repeats": {name: [[r.line, r.first_line, repr(r.similarity), r.exact, r.end_line,
                                r.first_end_line] for r in find_repeats(text, config)]
                        for name, config in CONFIGS.items()}}


def main() -> None:
    cases = [case_of(text) for text in articles()]
    OUT.write_text(json.dumps({"cases": cases}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
