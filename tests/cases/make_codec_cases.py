"""Write tests/cases/codec.json: stored payloads, posting pages and Bloom filters, as bytes.

Written from the repository root by ``python tests/cases/make_codec_cases.py`` with the
numpy codec that the Rust core replaced (dedup/store/codec.py and pages.py at 07f1d93).
These bytes are what index files hold, so no later implementation may change them: never
regenerate the file to make a failing test pass.

- ``payloads``: for each analyzed document (the analysis cases' texts: built-in pieces, feed
  articles, the seeds), the bytes of :func:`encode_features` in hex and what
  :func:`decode_features` reads from them (arrays longer than 16 values as shape, head and
  blake2b digest, see ``make_hash_cases.encode``).
- ``pages``: blobs of :func:`pack_page` (several widths), what :func:`unpack_pages` reads of
  them together, and the values :func:`pick_values` picks.
- ``bloom``: the words of a filter over seeded keys (as a digest) and which probe keys
  :meth:`Bloom.maybe` lets through.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from dedup import Config, Document, analyze  # noqa: E402
from dedup.document import UNIT_ARRAYS  # noqa: E402
from dedup.store.codec import decode_features, encode_features, unit_keys  # noqa: E402
from dedup.store.pages import Bloom, pack_page, pick_values, unpack_pages  # noqa: E402
from tests.cases.make_analysis_cases import documents  # noqa: E402
from tests.cases.make_hash_cases import encode  # noqa: E402

OUT = ROOT / "tests" / "cases" / "codec.json"


def decoded_case(data: bytes, doc_id: str) -> dict[str, Any]:
    """What the decoder reads of one payload."""
    feat = decode_features(data, doc_id)
    stems, sizes, keys = feat.extra[UNIT_ARRAYS][:3]
    units = list(feat.units)
    return {
        "words": feat.words,
        "truncated": feat.truncated,
        "exact_key": feat.exact_key.hex(),
        "shingles": encode(np.asarray(feat.shingles)),
        "stems": encode(stems),
        "sizes": encode(sizes),
        "keys": encode(keys),
        "unit_keys": encode(unit_keys(data, doc_id)),
        "lines": encode(np.array([u.line for u in units], dtype=np.int64)),
        "end_lines": encode(np.array([u.end_line for u in units], dtype=np.int64)),
        "unit_words": encode(np.array([u.words for u in units], dtype=np.int64)),
    }


def payload_cases() -> list[dict[str, Any]]:
    out = []
    configs = [Config(), Config(min_sentence_words=1, stem_chars=3, word_ngram=3)]
    for i, text in enumerate(documents()):
        config = configs[i % 2]
        data = encode_features(analyze(Document(f"d{i}", text), config))
        out.append({"id": f"d{i}", "payload": data.hex(), **decoded_case(data, f"d{i}")})
    return out


def page_cases() -> dict[str, Any]:
    rng = np.random.default_rng(7)
    pages = []
    for width_bits in (1, 8, 9, 16, 24, 33, 40, 48, 56, 63, 64):
        count = int(rng.integers(1, 40))
        top = (1 << width_bits) - 1
        offsets = np.sort(rng.integers(0, top, size=count, dtype=np.uint64, endpoint=True))
        base = int(rng.integers(0, 1 << 20))
        if width_bits == 64:
            base = 0
        values = offsets + np.uint64(base) if width_bits < 63 else offsets
        blob = pack_page(values, base)
        pages.append({"blob": blob.hex(), "count": count, "base": base})
    pages.append({"blob": pack_page(np.zeros(0, np.uint64), 0).hex(), "count": 0, "base": 0})
    blobs = [bytes.fromhex(p["blob"]) for p in pages]
    counts = [p["count"] for p in pages]
    bases = [p["base"] for p in pages]
    values = unpack_pages(blobs, counts, bases)
    which = rng.integers(0, len(pages) - 1, size=50)
    slots = np.array([int(rng.integers(0, counts[w])) for w in which.tolist()])
    picked = pick_values(blobs, which, slots)
    return {"pages": pages, "values": values.tolist(), "which": which.tolist(),
            "slots": slots.tolist(), "picked": picked.tolist()}


def bloom_case() -> dict[str, Any]:
    rng = random.Random(11)
    keys = np.array(sorted(rng.getrandbits(64) for _ in range(3000)), dtype=np.uint64)
    bloom = Bloom.sized(len(keys))
    bloom.add(keys)
    probes = np.concatenate([keys[::7], np.array([rng.getrandbits(64) for _ in range(20000)],
                                                  dtype=np.uint64)])
    small = Bloom.sized(1)
    small.add(keys[:3])
    return {"keys": 3000, "seed": 11, "words": encode(bloom.words),
            "probes": encode(probes), "maybe": bloom.maybe(probes).tolist(),
            "small_words": small.words.tolist(),
            "small_maybe": small.maybe(probes[:200]).tolist()}


def main() -> None:
    cases = {"payloads": payload_cases(), "pages": page_cases(), "bloom": bloom_case()}
    OUT.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
