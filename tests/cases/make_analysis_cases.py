"""Write tests/cases/analysis.json: normalization, paragraphs, sentences and analysis outputs.

Written from the repository root by ``python tests/cases/make_analysis_cases.py`` with the
Python implementations (regex, unicodedata) that the Rust core replaces. The comparison
texts feed the stored hashes and the line numbers feed the reports, so no later
implementation may change them: never regenerate the file to make a failing test pass.
(Regenerated once on purpose, for index format 5 (issue 22): the units' stems carry a number
bit and their keys hash the sentence's shape; every other field came out identical, checked
field by field against the previous file, and the units against the plain-Python reference
in tests/test_document.py.)
Arrays longer than 16 values are kept as their shape, head and blake2b digest; paragraphs
and sentences as their offsets and lines.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.feed import iter_records  # noqa: E402
from dedup import Config, Document, analyze, normalize  # noqa: E402
from dedup.document import passage_unit  # noqa: E402
from dedup.normalize import folded_bytes  # noqa: E402
from dedup.paragraphs import sentence_rows, split_paragraphs  # noqa: E402
from tests.cases.make_hash_cases import encode, texts  # noqa: E402

OUT = ROOT / "tests" / "cases" / "analysis.json"
PIECES = ("The mayor said “no.” Then left! Why? (Really.) 'Fine.' Officials met on Monday in "
          "the café; naïve ﬁnance Straße ÄÖÜ 東京。新闻报道！ สวัสดี 🎉 e\u0301")
CONFIGS = {"default": Config(), "small": Config(min_sentence_words=1, stem_chars=3,
                                                 word_ngram=3, anchor_window=4)}


def documents() -> list[str]:
    rng = random.Random(5)
    spaces = [" ", "\t", "\u00a0", "\u2028", "\u2029", "\x1c", "\x1d", "\x1e", "\x1f", "\x85",
              "\u3000", "\u200b", "\x0b", "\x0c", "\r"]
    words = PIECES.split(" ")
    out = [
        "Title\n\nBody one.\nBody two.\n",
        "One. Two!\nThree",
        "He said “no.” Then left! Why?\nNext line",
        "a line that runs on\nand wraps here\n\nsecond paragraph wraps\nonto this line.\n",
        "Same paragraph here, long enough to count as one of its kind, with words.\n"
        "Other words.\nSame paragraph here, long enough to count as one of its kind, with words.",
        "line one\r\nline two\r\n\r\nline three",
        "  indented\tline.  \n\t\ttabbed line!  ",
        "东京新闻。今天下雨！明天晴？好的",
        "x\ud800y. Second\udfff sentence! third",
        "...\n!!!\n???\n. . .",
        "\n\n\n",
        "",
        "Dots..... and more...... end.",
    ]
    for _ in range(25):
        lines = []
        for _ in range(rng.randint(1, 12)):
            line = "".join(rng.choice(words) + rng.choice([" ", " ", " ", *spaces])
                           for _ in range(rng.randint(0, 30)))
            lines.append(line)
        out.append(rng.choice(["\n", "\n\n", "\n \n"]).join(lines))
    out += [record["text"] for record, _ in iter_records(20, 3)]
    out += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    return out


def string(value: str | None) -> Any:
    """A string as itself (up to 200 characters) or its length and blake2b digest."""
    if value is None or len(value) <= 200:
        return value
    data = value.encode("utf-8", "surrogatepass")
    return {"len": len(value), "blake2b": hashlib.blake2b(data, digest_size=16).hexdigest()}


def features_case(text: str, config: Config) -> dict[str, Any]:
    f = analyze(Document("d", text), config)
    units = f.units
    return {
        "text": string(f.text) if f.text != text else None,
        "repairs": f.repairs,
        "repeats": [[r.line, r.first_line, r.similarity, r.exact, r.end_line]
                    for r in f.repeats],
        "removed_lines": sorted(f.removed_lines),
        "shingles": encode(f.shingles),
        "exact_key": f.exact_key.hex(),
        "units": {
            "lines": encode(np.array([u.line for u in units], dtype=np.int64)),
            "end_lines": encode(np.array([u.end_line for u in units], dtype=np.int64)),
            "words": encode(np.array([u.words for u in units], dtype=np.int64)),
            "sizes": encode(np.array([len(u.stems) for u in units], dtype=np.int64)),
            "stems": encode(np.concatenate([np.zeros(0, np.uint32)] + [u.stems for u in units])),
            "keys": encode(np.array([u.key for u in units], dtype=np.uint64)),
        },
        "words": f.words,
        "truncated": f.truncated,
        "anchors": encode(f.anchors),
    }


def case_of(text: str) -> dict[str, Any]:
    """Every stored output of one text."""
    paragraphs = split_paragraphs(text)
    folded = folded_bytes(text)
    unit = passage_unit(text, CONFIGS["default"])
    return {
        "text": text,
        "normalize": string(normalize(text)),
        "folded": string(folded.decode("ascii") if folded is not None else None),
        # Offsets and lines; a piece's text is text[start:end] (the test checks it).
        "paragraphs": [[p.start, p.end, p.line, p.end_line] for p in paragraphs],
        "sentences": [[list(row[1:]) for row in rows] for rows in sentence_rows(text, paragraphs)],
        "passage_unit": [unit.line, unit.end_line, unit.words, encode(unit.stems), str(unit.key)],
        "analyze": {name: features_case(text, config) for name, config in CONFIGS.items()},
    }


def main() -> None:
    cases = [case_of(text) for text in texts() + documents()]
    OUT.write_text(json.dumps({"cases": cases}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
