"""Write tests/cases/hashes.json: the hashing kernels' outputs on a seeded variety of texts.

Written from the repository root by ``python tests/cases/make_hash_cases.py`` with the numpy
kernels that the Rust core replaced (commit 445c4c7); the core writes the same file. The
hashes are stored in index files, so no change may alter it: never regenerate it to make a
failing test pass.
Arrays longer than 16 values are kept as their length, first values and a blake2b digest
of their little-endian bytes (tests/test_hash_cases.py compares the same way).
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import numpy as np

from dedup import normalize
from dedup.index import band_keys
from dedup.minhash import MinHasher
from dedup.normalize import folded_bytes
from dedup.shingle import (
    anchors,
    char_shingles,
    finalize,
    ngram_hashes,
    ngram_hashes_many,
    token_hashes,
    token_hashes_many,
    token_hashes_of_bytes,
)

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "tests" / "cases" / "hashes.json"
FULL = 16
WORDS = ("the mayor opened new bridge on monday traffic was light all day officials said "
         "council budget refugees crossed river")


def encode(values: np.ndarray) -> Any:
    """An array as a list (short) or its length, head and digest (long)."""
    if values.size <= FULL:
        return values.tolist()
    flat = np.ascontiguousarray(values).ravel()
    digest = hashlib.blake2b(flat.astype(flat.dtype.newbyteorder("<")).tobytes(),
                             digest_size=16).hexdigest()
    return {"shape": list(values.shape), "head": flat[:4].tolist(), "blake2b": digest}


def texts() -> list[str]:
    rng = random.Random(23)
    ascii_words = WORDS.split()
    cjk = "中国国家航天局今天宣布嫦娥六号探测器成功着陆月球背面東京新闻报道"
    accents = ["café", "naïve", "e\u0301te\u0301", "Ångström", "ﬁnance", "Straße", "ǅemal"]
    emoji = ["🎉", "👍🏽", "🇫🇷", "👨‍👩‍👧", "\U0010ffff", "\uffff"]
    odd = ["\ud800", "\udfff", "a\ud83dz", "\x00", "\t", "\u00a0", "\u2028", "\u200b"]
    fixed = [
        "", " ", "  ", "word", "a b", "a  b", " lead", "trail ", "a b c d e",
        "a b c d e f g h i j k l m n o p", "Don't PANIC!  The “Café” — isn't   it?",
        "新闻报道", "新 闻 报 道", "\ud800", "abc \udfff def", "x\ud800y z",
        "e\u0301 a\u0300 o\u0302", "🎉 party 🎉", "ﬁ ﬂ Ⅻ ①", "ÄÖÜ äöü ß",
        "สวัสดีครับ", "مرحبا بالعالم", "line one\nline two\r\nline three",
    ]
    out = list(fixed)
    pools = [ascii_words, list(cjk), accents + ascii_words, emoji + ascii_words,
             odd + ascii_words, ascii_words + list(cjk) + accents + emoji + odd]
    for pool in pools:
        for size in (1, 3, 6, 12, 40):
            seps = [" ", " ", " ", "  ", ", ", ". ", "\n"]
            out.append("".join(rng.choice(pool) + rng.choice(seps) for _ in range(size)))
    out.append(" ".join(rng.choice(ascii_words) for _ in range(3000)))
    out.append("".join(rng.choice(cjk) for _ in range(2000)))
    for path in sorted((ROOT / "seeds").glob("*.txt"))[:3]:
        out.append(path.read_text(encoding="utf-8"))
    return out


def case_of(text: str) -> dict[str, Any]:
    """Every stored per-text output."""
    tokens = token_hashes(text)
    case: dict[str, Any] = {
        "text": text,
        "tokens": encode(tokens),
        "stems5": encode(token_hashes(text, prefix=5)),
        "stems1": encode(token_hashes(text, prefix=1)),
        "ngrams1": encode(ngram_hashes(tokens, 1)),
        "ngrams3": encode(ngram_hashes(tokens, 3)),
        "ngrams5": encode(ngram_hashes(tokens, 5)),
        "anchors5_11": encode(anchors(tokens, 5, 11)),
        "anchors3_4": encode(anchors(tokens, 3, 4)),
        "chars5": encode(char_shingles(text, 5)),
        "chars3": encode(char_shingles(text, 3)),
        "finalize": encode(finalize(tokens)),
    }
    folded = folded_bytes(text)
    if folded is not None:
        case["folded"] = folded.decode("ascii")
        case["folded_tokens"] = encode(token_hashes_of_bytes(folded))
    return case


def batch_case(raw: list[str]) -> dict[str, Any]:
    """Every stored output of the batch functions over the raw texts and their normalized
    forms."""
    norms = [normalize(t) for t in raw]
    batch: list[bytes | str] = [folded_bytes(t) or normalize(t) for t in raw] + raw
    many_tokens, many_counts = token_hashes_many(batch)
    grams = {n: ngram_hashes_many(many_tokens, many_counts, n) for n in (1, 5)}
    words = [ngram_hashes(token_hashes(t), 5) for t in raw + norms]
    chars = [char_shingles(t, 5) for t in raw + norms]
    sig128 = MinHasher(128, 1).signatures(words)
    sig32 = MinHasher(32, 1).signatures(chars)
    sig16 = MinHasher(16, 7).signatures(words)
    flat, counts = grams[5]
    batches = {
        "many_tokens": encode(many_tokens),
        "many_counts": many_counts.tolist(),
        "many_grams1": encode(grams[1][0]),
        "many_grams1_counts": grams[1][1].tolist(),
        "many_grams5": encode(flat),
        "many_grams5_counts": counts.tolist(),
        "signatures_flat_128_1": encode(MinHasher(128, 1).signatures_flat(flat, counts)),
        "signatures_128_1": encode(sig128),
        "signatures_32_1": encode(sig32),
        "signatures_16_7": encode(sig16),
        "band_keys_128_25_5": encode(band_keys(sig128, 25, 5)),
        "band_keys_32_5_3": encode(band_keys(sig32, 5, 3)),
        "band_keys_16_8_2": encode(band_keys(sig16, 8, 2)),
        "rows_signatures_128_1": [encode(row) for row in sig128],
    }
    return batches


def main() -> None:
    raw = texts()
    cases = [case_of(text) for text in raw + [normalize(t) for t in raw]]
    OUT.write_text(json.dumps({"texts": len(raw), "cases": cases, "batch": batch_case(raw)},
                              indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
