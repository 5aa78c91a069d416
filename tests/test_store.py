"""Index backends: one suite over memory, SQLite and Redis, plus what only a file can get wrong."""

from __future__ import annotations

import json
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup.store as store_module
from dedup import Config, Document, IndexMismatchError, InputError, _core, analyze
from dedup.store import (
    DOC,
    EXACT,
    FORMAT_VERSION,
    PASSAGE,
    UNIT,
    Entry,
    Store,
    check_header,
    key_filter,
    make_header,
    maybe_present,
    open_store,
)
from dedup.store import memory as memory_module
from dedup.store.codec import (
    decode_features,
    encode_features,
    pack_ints,
    pack_planes,
    unpack_ints,
    unpack_planes,
)
from dedup.store.memory import MemoryStore
from dedup.store.sqlite import FANOUT, SQLiteStore
from tests.conftest import SEEDS


@pytest.fixture
def store(location: str | None) -> Iterator[Store]:
    opened, _ = open_store(location, Config())
    yield opened
    opened.close()


def _keys(*values: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    parts = [np.array(v, dtype=np.uint64) for v in values]
    while len(parts) < 4:
        parts.append(np.zeros(0, dtype=np.uint64))
    return parts[0], parts[1], parts[2], parts[3]


def _entry(doc_id: str, doc: list[int], passage: list[int] = (), exact: list[int] = (),
           units: list[int] = (), published_ts: float | None = None) -> Entry:
    return Entry(doc_id, f"src/{doc_id}", None, published_ts, 10, 50, b"payload-" +
                 doc_id.encode(), _keys(doc, list(passage), list(exact), list(units)))


def test_add_then_lookup_counts_and_records(store: Store) -> None:
    big = 2**64 - 1
    nums = store.add([_entry("a", [1, 2, big], [7], [9], [5]),
                      _entry("b", [2, 3], [7, 8], [], [5])], added_ts=100.0)
    assert nums == sorted(nums)
    assert len(set(nums)) == 2
    a, b = nums
    assert len(store) == 2
    assert store.lookup(DOC, np.array([1, 2, 3, 4, big], dtype=np.uint64), limit=10).to_dict() == {
        1: [a], 2: [a, b], 3: [b], big: [a]}
    assert store.lookup(PASSAGE, np.array([7], dtype=np.uint64), limit=1).to_dict() == {7: None}
    assert store.lookup(EXACT, np.array([9], dtype=np.uint64), limit=10).to_dict() == {9: [a]}
    assert store.counts(UNIT, np.array([5, 6], dtype=np.uint64)) == {5: 2}
    record = store.records([b, 999])[b]
    assert (record.id, record.source, record.payload, record.added_ts) == (
        "b", "src/b", b"payload-b", 100.0)
    assert set(store.find(["a", "zz"])) == {"a"}
    assert store.stored(["a", "b", "c"]) == {"a", "b"}
    assert store.check() == []


def test_a_duplicate_id_writes_nothing_of_its_batch(store: Store) -> None:
    store.add([_entry("a", [1])], 0.0)
    with pytest.raises(InputError, match="duplicate id 'a'"):
        store.add([_entry("new", [2]), _entry("a", [3])], 0.0)
    with pytest.raises(InputError, match="duplicate id 'x'"):
        store.add([_entry("x", [2]), _entry("x", [3])], 0.0)
    assert len(store) == 1
    assert store.lookup(DOC, np.array([2, 3], dtype=np.uint64), 10).to_dict() == {}
    assert store.check() == []


def test_remove_takes_postings_along_and_never_reuses_numbers(store: Store) -> None:
    first = store.add([_entry("a", [1, 2], [7], [9], [5]), _entry("b", [2])], 0.0)
    assert store.remove(["a", "nope", "a"]) == ["a"]
    assert store.remove(["a"]) == []
    assert len(store) == 1
    assert store.lookup(DOC, np.array([1, 2], dtype=np.uint64), 10).to_dict() == {2: [first[1]]}
    assert store.counts(UNIT, np.array([5], dtype=np.uint64)) == {}
    assert store.check() == []
    (again,) = store.add([_entry("a", [1])], 0.0)
    assert again > max(first)


def test_expired_uses_publication_else_addition_time(store: Store) -> None:
    store.add([_entry("old", [1], published_ts=10.0), _entry("new", [2], published_ts=500.0),
               _entry("undated", [3])], added_ts=200.0)
    assert sorted(store.expired(300.0)) == ["old", "undated"]
    assert store.expired(5.0) == []


def test_many_batches_merge_segments_and_stay_right(store: Store) -> None:
    rng = np.random.default_rng(1)
    keys = {}
    for batch in range(FANOUT * 2 + 3):
        entries = []
        for i in range(5):
            doc_id = f"d{batch}-{i}"
            keys[doc_id] = rng.integers(1, 2**63, 3).tolist()
            entries.append(_entry(doc_id, keys[doc_id], units=[42]))
        store.add(entries, 0.0)
    found = store.find(keys)
    for doc_id, doc_keys in keys.items():
        got = store.lookup(DOC, np.array(doc_keys, dtype=np.uint64), 10).to_dict()
        assert got == {k: [found[doc_id].num] for k in doc_keys}
    assert store.counts(UNIT, np.array([42], dtype=np.uint64)) == {42: len(keys)}
    assert store.remove([f"d{b}-0" for b in range(FANOUT * 2 + 3)])
    assert store.counts(UNIT, np.array([42], dtype=np.uint64)) == {42: len(keys) - 19}
    assert store.check() == []


@pytest.mark.parametrize("step", [3, 1 << 20])
def test_key_filter_sets_exactly_the_ranges_of_the_keys(monkeypatch: pytest.MonkeyPatch,
                                                         step: int) -> None:
    monkeypatch.setattr(store_module, "_FILTER_STEP", step)
    rng = np.random.default_rng(7)
    keys = np.sort(np.concatenate([rng.integers(0, 2**64 - 1, 300, dtype=np.uint64),
                                   np.array([0, 0, 5, 2**64 - 1], dtype=np.uint64)]))
    shift, bitmap = key_filter(keys)
    ranges = set((keys >> np.uint64(shift)).tolist())
    bits = np.unpackbits(bitmap, bitorder="little")
    assert set(np.flatnonzero(bits).tolist()) == ranges
    probe = rng.integers(0, 2**64 - 1, 2000, dtype=np.uint64)
    allowed = set(maybe_present((shift, bitmap), np.concatenate([keys, probe])).tolist())
    assert set(range(len(keys))) <= allowed  # never turns a present key away
    assert len(allowed) < len(keys) + len(probe)


def test_memory_runs_stop_merging_at_the_cap_and_answer_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    shared = rng.integers(1, 2**63, 4, dtype=np.uint64).tolist()
    entries = [_entry(f"d{i}", [*rng.integers(1, 2**63, 3).tolist(), shared[i % 4]])
               for i in range(120)]
    whole = MemoryStore()
    monkeypatch.setattr(memory_module, "_LARGEST", 40)
    capped = MemoryStore()
    for start in range(0, len(entries), 6):
        batch = entries[start : start + 6]
        assert capped.add(batch, 0.0) == whole.add(batch, 0.0)
    runs = [len(run.keys) for run in capped._postings[DOC].runs]
    assert max(runs) <= 40 < sum(runs)
    probe = np.array(sorted({k for e in entries for k in e.keys[DOC].tolist()}), dtype=np.uint64)
    for limit in (3, 100):
        assert capped.lookup(DOC, probe, limit).to_dict() == whole.lookup(
            DOC, probe, limit).to_dict()


def test_the_header_records_how_the_index_was_made(kept: str) -> None:
    location = kept
    store, config = open_store(location, Config(num_perm=64, word_ngram=4))
    store.close()
    store, config = open_store(location, None)
    store.close()
    assert (config.num_perm, config.word_ngram) == (64, 4)
    with pytest.raises(IndexMismatchError) as info:
        open_store(location, Config(word_ngram=3, threshold=0.6))
    message = str(info.value)
    for part in ("num_perm: index 64, asked 128", "word_ngram: index 4, asked 3",
                 "threshold: index 0.5, asked 0.6"):
        assert part in message


def test_a_header_of_another_format_is_refused() -> None:
    header = make_header(Config())
    with pytest.raises(IndexMismatchError, match="format version 99"):
        check_header({**header, "format_version": 99}, None, "x")
    with pytest.raises(IndexMismatchError, match="hash_scheme: index \"old\""):
        check_header({**header, "hash_scheme": "old"}, None, "x")
    with pytest.raises(IndexMismatchError, match="unknown_setting: index 3, asked"):
        check_header({**header, "config": {**header["config"], "unknown_setting": 3}},
                     Config(), "x")
    with pytest.raises(IndexMismatchError, match="settings this dedup does not know"):
        check_header({**header, "config": {**header["config"], "unknown_setting": 3}},
                     None, "x")
    with pytest.raises(IndexMismatchError, match="not a dedup index"):
        check_header({"format": "other"}, None, "x")


def test_files_that_are_not_indexes_say_so(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(IndexMismatchError, match=r"notes\.txt is not a dedup index \(not an "
                       "SQLite file\\)"):
        open_store(text, None)
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE users(name TEXT)")
    db.close()
    with pytest.raises(IndexMismatchError, match=r"SQLite file but not a dedup index "
                       r"\(tables: users\)"):
        open_store(other, None)
    with pytest.raises(IndexMismatchError, match="is a folder"):
        open_store(tmp_path, None)
    assert text.read_text(encoding="utf-8") == "hello"


def test_an_empty_file_becomes_an_index(tmp_path: Path) -> None:
    path = tmp_path / "new.dedup"
    path.touch()
    store, _ = open_store(path, None)
    assert store.header() is not None
    assert isinstance(store, SQLiteStore)
    store.close()


def test_sqlite_sees_what_another_connection_wrote(tmp_path: Path) -> None:
    path = tmp_path / "feed.dedup"
    writer, _ = open_store(path, Config())
    reader, _ = open_store(path, Config())
    try:
        # A lookup reads one snapshot of the file, with the segments as of that snapshot.
        one = np.array([1], dtype=np.uint64)
        assert reader.lookup(DOC, one, 10).to_dict() == {}
        writer.add([_entry("a", [1])], 0.0)
        assert reader.lookup(DOC, one, 10).to_dict() == {1: [0]}
        writer.remove(["a"])
        assert reader.lookup(DOC, one, 10).to_dict() == {}
    finally:
        writer.close()
        reader.close()


def test_memory_store_is_the_default() -> None:
    store, config = open_store(None, None)
    assert isinstance(store, MemoryStore)
    assert config == Config()


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_codec_rebuilds_what_verification_reads(name: str) -> None:
    feat = analyze(Document("x", (SEEDS / name).read_text(encoding="utf-8")), Config())
    back = decode_features(encode_features(feat), "x", "src", "2024-01-01")
    # The arrays screening reads come straight from the bytes, before any unit is made.
    for got, want in zip(back.unit_arrays(), feat.unit_arrays(), strict=True):
        assert got.tolist() == want.tolist()
    assert len(back.units) == len(feat.units)
    assert back.shingles.tolist() == feat.shingles.tolist()
    assert (back.exact_key, back.words, back.truncated) == (feat.exact_key, feat.words,
                                                            feat.truncated)
    assert [(u.line, u.end_line, u.words, u.key, u.stems.tolist()) for u in back.units] == [
        (u.line, u.end_line, u.words, u.key, u.stems.tolist()) for u in feat.units]
    assert (back.source, back.published) == ("src", "2024-01-01")


def _bit_packed_ef(values: np.ndarray, bits: int = 32) -> bytes:
    """Elias-Fano with the optimal, bit-packed low parts: how payloads were written before
    the low parts were rounded to whole bytes (indexes hold such payloads)."""
    n = len(values)
    if n == 0:
        return struct.pack("<BI", 0, 0)
    low_bits = max(0, bits - n.bit_length())
    high = (values.astype(np.uint64) >> np.uint64(low_bits)).astype(np.int64)
    unary = np.zeros(int(high[-1]) + n, dtype=np.uint8)
    unary[high + np.arange(n)] = 1
    high_bytes = np.packbits(unary, bitorder="little").tobytes()
    low = values.astype("<u4").view(np.uint8).reshape(n, 4)
    low_bytes = np.packbits(np.unpackbits(low, axis=1, bitorder="little")[:, :low_bits],
                            bitorder="little").tobytes()
    return struct.pack("<BI", low_bits, len(high_bytes)) + high_bytes + low_bytes


def _payload(shingles: bytes, count: int) -> bytes:
    """A version 2 payload of ``count`` shingles (given in Elias-Fano form) and no units."""
    no_units = _bit_packed_ef(np.zeros(0, np.uint32)) + b"\x01" * 5
    return struct.pack("<BIIIIIB", 2, 0, count, 0, 0, 0, 0) + bytes(16) + shingles + no_units


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 2**32 - 1), max_size=3000))
def test_elias_fano_reads_what_it_writes_and_the_bit_packed_form(values: set[int]) -> None:
    array = np.array(sorted(values), dtype=np.uint32)
    empty = np.zeros(0, np.uint64)
    written = _core.encode_payload(0, False, b"", array, np.zeros(0, np.uint32), *[empty] * 5)
    for data in (written, _payload(_bit_packed_ef(array), len(array))):
        assert decode_features(data, "x").shingles.tolist() == array.tolist()
    assert len(written) <= len(_payload(_bit_packed_ef(array), len(array))) + len(array)


@pytest.mark.parametrize("values", [[], [0], [5, 5, 9], [1, 2**63, 2**64 - 1]])
def test_pack_ints_round_trips(values: list[int]) -> None:
    array = np.array(values, dtype=np.uint64)
    assert unpack_ints(pack_ints(array)).tolist() == values


@pytest.mark.parametrize("text", ["", "Short.", "One two three four five six seven eight.\n\n"
                                  "One two three four five six seven eight."])
def test_codec_round_trips_small_documents(text: str) -> None:
    feat = analyze(Document("x", text), Config())
    back = decode_features(encode_features(feat), "x")
    assert back.shingles.tolist() == feat.shingles.tolist()
    assert [(u.line, u.end_line, u.words, u.key, u.stems.tolist()) for u in back.units] == [
        (u.line, u.end_line, u.words, u.key, u.stems.tolist()) for u in feat.units]


@pytest.mark.parametrize("raw", [0, 1, 2, 8])
@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_pack_planes_round_trips(raw: int, dtype: type[np.unsignedinteger]) -> None:
    values = np.random.default_rng(raw).integers(0, np.iinfo(dtype).max, 1000, dtype=dtype)
    assert unpack_planes(pack_planes(values, raw), 1000, dtype).tolist() == values.tolist()


def test_an_index_of_an_older_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.dedup"
    store, _ = open_store(path, Config())
    header = {**make_header(Config()), "format_version": 1}
    store._db.execute("UPDATE meta SET value = ? WHERE name = 'header'",  # type: ignore[attr-defined]
                      (json.dumps(header),))
    store.close()
    with pytest.raises(IndexMismatchError,
                       match=rf"has format version 1; .* reads version {FORMAT_VERSION}"):
        open_store(path, None)


def test_sqlite_record_reads_use_an_index(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "feed.dedup")
    open_store(store, Config())
    plans = {column: " ".join(row[-1] for row in store._db.execute(
        f"EXPLAIN QUERY PLAN SELECT * FROM docs WHERE {column} IN (?, ?)", (1, 2)))
        for column in ("num", "id")}
    store.close()
    assert "USING INTEGER PRIMARY KEY" in plans["num"]
    assert "USING INDEX" in plans["id"]


@pytest.mark.parametrize(("paged_min", "max_merged"), [(1, 1 << 40), (1 << 40, 1 << 40),
                                                       (1, 2000)])
def test_sqlite_lookups_agree_with_memory_paged_or_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paged_min: int, max_merged: int
) -> None:
    """Pages of 16 postings: the shared keys' runs (~50 postings) span several pages; filters
    written in pieces of 24 bytes, read back by the reopened store."""
    import dedup.store.pages as pages
    import dedup.store.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "PAGED_MIN", paged_min)
    monkeypatch.setattr(sqlite_store, "MAX_MERGED", max_merged)
    monkeypatch.setattr(sqlite_store, "_FILTER_CHUNK", 24)
    monkeypatch.setattr(sqlite_store, "_REPEATS_FROM", {UNIT: 2, PASSAGE: 3})
    monkeypatch.setattr(pages, "PAGE", 16)
    monkeypatch.setattr(pages, "GROUP", 5)
    rng = np.random.default_rng(7)
    shared = rng.integers(1, 2**64 - 1, 20, dtype=np.uint64, endpoint=True)
    memory = MemoryStore()
    sqlite = SQLiteStore(tmp_path / "feed.dedup")
    open_store(sqlite, Config())
    try:
        for batch in range(FANOUT + 3):
            entries = []
            for i in range(30):
                own = rng.integers(1, 2**64 - 1, 40, dtype=np.uint64, endpoint=True)
                keys = np.unique(np.concatenate([own, rng.choice(shared, 3)]))
                entries.append(_entry(f"d{batch}-{i}", keys.tolist(), keys[::2].tolist(),
                                      units=keys[:5].tolist()))
            assert memory.add(entries, 0.0) == sqlite.add(entries, 0.0)
        probe = np.concatenate([shared, rng.integers(1, 2**64 - 1, 200, dtype=np.uint64),
                                np.array([0, 2**64 - 1], dtype=np.uint64)])
        gone = [f"d{b}-{i}" for b in range(0, FANOUT + 3, 2) for i in range(0, 30, 3)]
        for step in ("added", "removed"):
            for limit in (5, 1000):
                for kind in (DOC, PASSAGE):  # passage segments list keys held 3+ times
                    assert sqlite.lookup(kind, probe, limit).to_dict() == memory.lookup(
                        kind, probe, limit).to_dict(), (step, kind)
            exact = memory.counts(UNIT, probe)
            assert sqlite.counts(UNIT, probe) == exact, step
            for least in (1, 2, 3, 6):
                enough = np.full(len(probe), least, dtype=np.int64)
                _obeys_enough(sqlite.counts(UNIT, probe, enough), exact, probe, enough)
            assert sqlite.check() == [], step
            if paged_min == 1 and step == "added":  # the shared keys: stop buckets at 5
                fetched: list[object] = []
                with monkeypatch.context() as patch:
                    patch.setattr(sqlite, "_fetch_rows", lambda *args, _read=sqlite._fetch_rows,
                                  _log=fetched: _log.append(args) or _read(*args))
                    assert set(sqlite.lookup(PASSAGE, shared, 5).to_dict().values()) == {None}
                assert fetched == []  # known from the segments' repeats: no page read
            assert sorted(memory.remove(gone)) == sorted(sqlite.remove(gone))
        reopened = SQLiteStore(tmp_path / "feed.dedup")
        assert reopened.lookup(DOC, probe, 1000).to_dict() == memory.lookup(
            DOC, probe, 1000).to_dict()
        reopened.close()
    finally:
        sqlite.close()


def _obeys_enough(counts: dict[int, int], exact: dict[int, int], keys: np.ndarray,
                  enough: np.ndarray) -> None:
    """``counts`` is exact where the exact count reaches ``enough``, and below it elsewhere."""
    for key, least in zip(keys.tolist(), enough.tolist(), strict=True):
        if exact.get(key, 0) >= least:
            assert counts.get(key) == exact[key], key
        else:
            assert counts.get(key, 0) < least, key


def test_bounded_unit_counts_read_no_page_for_keys_held_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A paged sentence-key segment keeps its repeated keys: counts that cannot reach
    ``enough`` come from memory, and runs cut across pages and chunks are counted whole."""
    import dedup.store.pages as pages
    import dedup.store.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "PAGED_MIN", 1)
    monkeypatch.setattr(pages, "PAGE", 16)
    rng = np.random.default_rng(3)
    shared = rng.integers(1, 2**64 - 1, 6, dtype=np.uint64, endpoint=True)
    sqlite = SQLiteStore(tmp_path / "feed.dedup")
    open_store(sqlite, Config())
    memory = MemoryStore()
    try:
        entries = []
        for i in range(40):
            own = rng.integers(1, 2**64 - 1, 8, dtype=np.uint64, endpoint=True)
            units = np.unique(np.concatenate([own, shared[: 1 + i % len(shared)]]))
            entries.append(_entry(f"d{i}", [i + 1], units=units.tolist()))
        assert sqlite.add(entries, 0.0) == memory.add(entries, 0.0)
        (_, segment), = sqlite._kind(UNIT)
        assert segment.paged is not None
        assert segment.paged.repeats is not None
        keys, counts = segment.paged.repeats
        assert sorted(zip(keys.tolist(), counts.tolist(), strict=True)) == sorted(
            (k, c) for k, c in memory.counts(UNIT, shared).items())
        singles = np.concatenate([e.keys[UNIT][:3] for e in entries[:10]])
        singles = singles[~np.isin(singles, shared)]
        probe = np.concatenate([shared, singles])
        fetched = []
        monkeypatch.setattr(sqlite, "_fetch_rows", lambda *args: fetched.append(args) or
                            SQLiteStore._fetch_rows(sqlite, *args))
        enough = np.full(len(probe), 5, dtype=np.int64)
        bounded = sqlite.counts(UNIT, probe, enough)
        assert fetched == []  # repeated keys from memory, the others counted once unread
        _obeys_enough(bounded, memory.counts(UNIT, probe), probe, enough)
        assert sqlite.counts(UNIT, probe, np.ones(len(probe), dtype=np.int64)) == \
            memory.counts(UNIT, probe)  # a bound that reaches 1 is read: exact
        assert fetched
        assert sqlite.check() == []
        held = 0  # what the open store holds of its segments, as stats() reports it
        for kind in range(4):
            for _, seg in sqlite._kind(kind):
                if seg.paged is None:
                    held += seg.keys.nbytes + seg.nums.nbytes  # type: ignore[union-attr]
                else:
                    held += seg.paged.firsts.nbytes + seg.paged.bloom.words.nbytes + sum(
                        a.nbytes for a in seg.paged.repeats or ())
        assert sqlite.stats()["memory_bytes"] == held > 0
        from dedup.store.sqlite import _pack_repeats
        sqlite._db.execute("UPDATE segments SET nums = ? WHERE kind = ?",
                           (_pack_repeats((keys, counts + 1)), UNIT))
        damaged = SQLiteStore(tmp_path / "feed.dedup")
        assert any("repeated keys do not match" in p for p in damaged.check())
        damaged.close()
    finally:
        sqlite.close()


def test_segments_set_aside_under_a_lower_cap_are_merged_once_it_rises(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index written while MAX_MERGED was lower keeps set-aside segments; the next add
    under a higher cap merges them, and every lookup still agrees with memory."""
    import dedup.store.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "PAGED_MIN", 1)
    monkeypatch.setattr(sqlite_store, "MAX_MERGED", 300)
    rng = np.random.default_rng(3)
    shared = rng.integers(1, 2**63, 30, dtype=np.uint64)
    memory = MemoryStore()
    path = tmp_path / "old.dedup"
    sqlite = SQLiteStore(path)
    open_store(sqlite, Config())

    def add(batch: int) -> None:
        entries = [_entry(f"d{batch}-{i}", np.unique(np.concatenate([
            rng.integers(1, 2**63, 8, dtype=np.uint64), rng.choice(shared, 2)])).tolist())
            for i in range(5)]
        assert memory.add(entries, 0.0) == sqlite.add(entries, 0.0)

    def set_aside() -> int:
        return sum(1 for s in sqlite._segments.values()
                   if s.kind == DOC and s.level == sqlite_store._CAPPED)

    try:
        for batch in range(FANOUT * FANOUT):
            add(batch)
        before = set_aside()
        assert before >= FANOUT
        monkeypatch.setattr(sqlite_store, "MAX_MERGED", 1 << 27)
        add(FANOUT * FANOUT)
        assert set_aside() <= before - (FANOUT - 1)  # each group of 8 became one
        probe = np.concatenate([shared, rng.integers(1, 2**63, 50, dtype=np.uint64)])
        assert sqlite.lookup(DOC, probe, 1000).to_dict() == memory.lookup(
            DOC, probe, 1000).to_dict()
        assert sqlite.check() == []
        sqlite.close()
        sqlite = SQLiteStore(path)
        assert sqlite.lookup(DOC, probe, 1000).to_dict() == memory.lookup(
            DOC, probe, 1000).to_dict()
    finally:
        sqlite.close()


def test_file_batches_grow_with_the_index_up_to_a_cap(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    store = SQLiteStore(tmp_path / "b.dedup")
    try:
        sizes = []
        for stored in (0, 10_000, 64_000, 10_000_000):
            monkeypatch.setattr(SQLiteStore, "__len__", lambda self, n=stored: n)
            sizes.append(store.batch_size())
    finally:
        store.close()
    assert sizes == [256, 312, 2000, 4096]
    assert MemoryStore().batch_size() == 256


def test_a_group_over_the_cap_merges_its_oldest_that_fit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight segments of a level that would pass MAX_MERGED together: as many of the oldest
    as fit become one set-aside segment, the rest wait for the next group (setting all eight
    aside left 17 passage segments at a million articles)."""
    import dedup.store.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "PAGED_MIN", 1)
    monkeypatch.setattr(sqlite_store, "MAX_MERGED", 300)
    rng = np.random.default_rng(5)
    memory, sqlite = MemoryStore(), SQLiteStore(tmp_path / "cap.dedup")
    open_store(sqlite, Config())
    try:
        added: list[int] = []
        for batch in range(FANOUT):  # 8 segments of 50 postings: 400 would pass 300
            keys = [rng.integers(1, 2**63, 10, dtype=np.uint64).tolist() for _ in range(5)]
            entries = [_entry(f"d{batch}-{i}", k) for i, k in enumerate(keys)]
            assert memory.add(entries, 0.0) == sqlite.add(entries, 0.0)
            added += [k[0] for k in keys]
        doc = sorted((s.level, s.size) for s in sqlite._segments.values() if s.kind == DOC)
        assert doc == [(0, 50), (0, 50), (sqlite_store._CAPPED, 300)]
        probe = np.concatenate([np.array(added, dtype=np.uint64),
                                rng.integers(1, 2**63, 50, dtype=np.uint64)])
        assert sqlite.lookup(DOC, probe, 1000).to_dict() == memory.lookup(
            DOC, probe, 1000).to_dict()
        assert sqlite.check() == []
    finally:
        sqlite.close()


def test_compact_gives_back_removed_space_and_keeps_the_index(store: Store) -> None:
    rng = np.random.default_rng(11)
    entries = [Entry(f"c{i}", None, None, None, 10, 50, rng.bytes(20_000),
                     _keys(np.unique(rng.integers(1, 2**63, 20, dtype=np.uint64)).tolist()))
               for i in range(200)]
    store.add(entries, 0.0)
    store.remove([f"c{i}" for i in range(0, 200, 2) if i % 10])
    probe = np.concatenate([e.keys[0] for e in entries[::7]])
    before = store.lookup(DOC, probe, 1000).to_dict()
    freed = store.compact()
    if isinstance(store, SQLiteStore):
        assert freed > 80 * 20_000  # the payloads of the ~80 removed documents, at least
    else:
        assert freed == 0
    assert store.lookup(DOC, probe, 1000).to_dict() == before
    assert store.check() == []
    assert len(store) == 120


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=300),
       st.lists(st.integers(1, 50), min_size=1, max_size=20), st.sampled_from([2, 3, 16]))
def test_page_writer_counts_runs_across_chunks(values: list[int], cuts: list[int],
                                               least: int) -> None:
    """Runs of a key cut across the chunks a merge feeds are counted whole."""
    from dedup.store.pages import PageWriter

    keys = np.sort(np.array(values, dtype=np.uint64))
    writer = PageWriter(len(keys), lambda *_: None, repeats=least)
    start = 0
    for size in cuts * (len(keys) // max(1, sum(cuts)) + 1):
        if start >= len(keys):
            break
        writer.feed(keys[start : start + size], np.zeros(size, dtype=np.uint32)[: len(
            keys[start : start + size])])
        start += size
    repeats = writer.finish().repeats
    assert repeats is not None
    distinct, counts = np.unique(keys, return_counts=True)
    assert repeats[0].tolist() == distinct[counts >= least].tolist()
    assert repeats[1].tolist() == counts[counts >= least].tolist()


def test_filter_bits_are_those_the_file_format_defines() -> None:
    """The filter is stored in index files, so its bits must not move when its code does:
    each key sets, in each of 3 words picked by ``(key * mixer) >> 24`` modulo the word count,
    the bits named by the product's 3 lowest 6-bit fields (checked one key at a time in
    plain integers). It keeps every key added and turns away nearly all others."""
    from dedup.store.pages import Bloom

    mixers = [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9]  # the format's

    rng = np.random.default_rng(7)
    keys = rng.integers(0, 2**64 - 1, 500, dtype=np.uint64, endpoint=True)
    bloom = Bloom.sized(len(keys))
    bloom.add(keys)
    words = [0] * len(bloom.words)
    for key in keys.tolist():
        for mixer in mixers:
            mixed = (key * mixer) % 2**64
            for i in range(3):
                words[(mixed >> 24) % len(words)] |= 1 << ((mixed >> (6 * i)) & 63)
    assert bloom.words.tolist() == words
    assert bloom.maybe(keys).tolist() == list(range(len(keys)))
    others = rng.integers(0, 2**64 - 1, 20_000, dtype=np.uint64, endpoint=True)
    assert len(bloom.maybe(others)) < 100  # ~0.07% expected: 14


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=40), min_size=1,
                max_size=6), st.data())
def test_values_picked_from_pages_are_those_decoded(pages: list[list[int]],
                                                    data: st.DataObject) -> None:
    """Numbers picked from a few slots of pages of any widths (1 to 8 bytes) are the pages'
    decoded values at those slots."""
    from dedup.store.pages import pack_page, pick_values, unpack_pages

    values = [np.array(sorted(page), dtype=np.uint64) for page in pages]
    blobs = [pack_page(v, int(v[0])) for v in values]
    bases = [int(v[0]) for v in values]
    which = np.array(data.draw(st.lists(st.integers(0, len(pages) - 1), max_size=30)),
                     dtype=np.int64)
    slots = np.array([data.draw(st.integers(0, len(values[w]) - 1)) for w in which.tolist()],
                     dtype=np.int64)
    picked = pick_values(blobs, which, slots) + np.array(bases, dtype=np.uint64)[which]
    joined = unpack_pages(blobs, [len(v) for v in values], bases)
    starts = np.cumsum([0] + [len(v) for v in values])
    assert picked.tolist() == joined[starts[which] + slots].tolist()
