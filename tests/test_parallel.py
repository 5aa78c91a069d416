"""Parallel analysis equals serial analysis; the fast signature path equals the plain one."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Config, ConfigError, Document, analyze, normalize, parallel, repair, scan
from dedup.document import Features
from dedup.keys import index_keys
from dedup.minhash import MinHasher
from dedup.normalize import folded_bytes
from dedup.parallel import (
    _pack,
    _unpack,
    analyze_many,
    prefetch,
    signature_of_text,
    signatures_of_texts,
    start_checks,
    word_shingles_of_text,
)
from dedup.shingle import ngram_hashes, sorted_unique, token_hashes, token_hashes_of_bytes
from dedup.store.codec import encode_features
from dedup.verify import Check

_PARA = ("The council approved the new budget after a long debate on Tuesday night, "
         "officials said. Residents “welcomed” the decision — mostly.")


def _documents(seed_documents: list[Document]) -> list[Document]:
    extra = [Document(f"x{i}", f"Headline {i}\n{_PARA}\nLine {i} café naïve.\n{_PARA}")
             for i in range(40)]
    return [*seed_documents, *extra, Document("empty", ""), Document("moji", "donâ€™t panic")]


def _same(a: Features, b: Features) -> None:
    for name in ("id", "source", "published", "encoding", "text", "repairs", "repeats",
                 "removed_lines", "exact_key", "words", "truncated", "extra"):
        assert getattr(a, name) == getattr(b, name), name
    assert np.array_equal(a.shingles, b.shingles)
    assert a.shingles.dtype == b.shingles.dtype
    assert len(a.units) == len(b.units)
    for ua, ub in zip(a.units, b.units, strict=True):
        assert (ua.line, ua.end_line, ua.words, ua.key) == (ub.line, ub.end_line, ub.words,
                                                            ub.key)
        assert np.array_equal(ua.stems, ub.stems)
        assert ua.stems.dtype == ub.stems.dtype


def test_pack_round_trip(seed_documents: list[Document]) -> None:
    serial = [analyze(d, Config()) for d in _documents(seed_documents)]
    for a, b in zip(serial, _unpack(_pack(serial)), strict=True):
        _same(a, b)


def test_pack_round_trip_carries_the_index_keys(seed_documents: list[Document]) -> None:
    config = Config()
    serial = [analyze(d, config) for d in _documents(seed_documents)]
    expected = index_keys(serial, config)
    for feat, keys in zip(serial, expected, strict=True):
        feat.keys = keys
    for a, b in zip(serial, _unpack(_pack(serial)), strict=True):
        _same(a, b)
        assert np.array_equal(a.anchors, b.anchors)
        assert b.keys is not None
        assert a.keys is not None
        assert b.keys.payload == a.keys.payload
        for name in ("bands", "passages", "anchors", "sentence_bands", "exact", "units"):
            assert np.array_equal(getattr(a.keys, name), getattr(b.keys, name)), name


@pytest.mark.parametrize("workers", [1, 2])
def test_analyze_many_equals_serial_in_input_order(seed_documents: list[Document],
                                                   workers: int) -> None:
    docs = _documents(seed_documents)
    serial = [analyze(d, Config()) for d in docs]
    parallel = analyze_many(docs, Config(), workers=workers, chunk_size=7)
    assert [f.id for f in parallel] == [d.id for d in docs]
    for a, b in zip(serial, parallel, strict=True):
        _same(a, b)


def test_prefetched_scan_equals_plain_scan(seed_documents: list[Document]) -> None:
    docs = _documents(seed_documents)
    plain = scan(docs).to_dict()
    with prefetch(iter(docs), Config(), workers=2, chunk_size=5, ahead=10) as ahead:
        fetched = scan(ahead).to_dict()
    assert fetched == plain
    assert plain["matches"]
    # The verification checks ran in worker processes of their own.
    assert ("check", 2) in parallel._pools


def test_checks_give_their_results_in_order_in_workers_or_here(
        seed_documents: list[Document]) -> None:
    config = Config()
    feats = [analyze(d, config) for d in _documents(seed_documents)]
    packed = [(f.id, f.source, f.published, encode_features(f)) for f in feats]
    none = np.zeros(0, dtype=np.uint64)
    checks = [None if i % 5 == 0 else Check(packed[i], tuple(packed[:i]), none)
              for i in range(len(packed))]
    here = start_checks(iter(checks), config).results()
    assert [bool(found) for found in here].count(True) > 10
    assert all(found == [] for found, check in zip(here, checks, strict=True) if check is None)
    with prefetch([], config, workers=2):
        there = start_checks(iter(checks), config).results()
    assert there == here


def test_a_document_that_fails_in_a_worker_is_an_error_and_the_rest_is_processed() -> None:
    docs = [Document(f"d{i}", f"{_PARA} Item {i % 20}.") for i in range(60)]
    # Not a string: analyze raises TypeError in the worker, which fails its whole chunk.
    docs[33] = Document("broken", None, source="feed.jsonl:34")  # type: ignore[arg-type]
    with prefetch(docs, Config(), workers=2, chunk_size=8) as ahead:
        report = scan(ahead)
    assert [d.id for d in report.documents] == [d.id for d in docs if d.id != "broken"]
    assert [(e.source, e.id) for e in report.errors] == [("feed.jsonl:34", "broken")]
    assert "TypeError" in report.errors[0].message
    # The chunk mates of the broken document were analyzed again, here, and matched as usual.
    assert ("d12", "d32", "exact") in {(m.a, m.b, m.kind) for m in report.matches}


def test_prefetch_with_another_config_is_not_used(seed_documents: list[Document]) -> None:
    docs = _documents(seed_documents)[:8]
    other = Config(stem_chars=4)
    with prefetch(docs, Config(), workers=2, chunk_size=3) as ahead:
        got = analyze_many(list(ahead), other)
    for a, b in zip(got, [analyze(d, other) for d in docs], strict=True):
        _same(a, b)


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_bad_worker_counts_are_refused(workers: object) -> None:
    with pytest.raises(ConfigError, match="'workers' must be a whole number >= 1"):
        analyze_many([], Config(), workers=workers)  # type: ignore[arg-type]


def test_signatures_of_texts_equal_the_stage_by_stage_path(
        seed_documents: list[Document]) -> None:
    texts = [d.text for d in _documents(seed_documents)]
    hasher = MinHasher(128, 1)
    expected = hasher.signatures(
        [ngram_hashes(token_hashes(normalize(repair(t))), 5) for t in texts])
    assert np.array_equal(signatures_of_texts(texts, batch=3), expected)
    assert np.array_equal(signature_of_text(texts[0], hasher), expected[0])


def test_signatures_equal_datasketch(seed_documents: list[Document]) -> None:
    from datasketch import MinHash

    text = seed_documents[0].text
    shingles = word_shingles_of_text(text)
    reference = MinHash(num_perm=128, seed=1, hashfunc=lambda h: h)
    reference.update_batch(shingles.tolist())
    assert np.array_equal(signature_of_text(text, MinHasher(128, 1)), reference.hashvalues)


# The comparison form as it was before the ASCII fast paths: the reference they must equal.
_APOSTROPHES = re.compile(r"['’ʼ‘`´]")


def _reference_normalize(text: str) -> str:
    import regex

    if text.isascii():
        folded = text.lower()
    else:
        folded = regex.sub(r"\p{Mn}+", "", unicodedata.normalize("NFKD", text)).casefold()
        folded = regex.sub(r"([\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}"
                           r"\p{Myanmar}\p{Tibetan}])", r" \1 ", folded)
    folded = _APOSTROPHES.sub("", folded)
    return " ".join(regex.sub(r"[^\p{L}\p{N}]+", " ", folded).split())


_TRICKY = st.sampled_from(list("aZ09 '`’‘ʼ“”„«»—–…•·°€£©®½ﬁéÉßøœ東京\n\t_-.,!?\x00\u00a0\u0301ǅ"))


# Characters that Python's own Unicode tables (14.0 in 3.11) leave unassigned are classed by
# newer tables in the regex package and in the core (each its own version), so they differ.
_ASSIGNED = st.characters(exclude_categories=("Cn",))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_TRICKY, max_size=60) | st.text(alphabet=_ASSIGNED, max_size=60))
def test_fast_normalize_equals_reference(text: str) -> None:
    assert normalize(text) == _reference_normalize(text)
    folded = folded_bytes(text)
    if folded is not None:
        assert np.array_equal(token_hashes_of_bytes(folded), token_hashes(normalize(text)))


def test_fast_paths_on_real_articles(seed_documents: list[Document]) -> None:
    for doc in seed_documents:
        for text in (doc.text, repair(doc.text), *doc.text.split("\n")):
            assert normalize(text) == _reference_normalize(text)
            folded = folded_bytes(text)
            if folded is not None:
                assert np.array_equal(token_hashes_of_bytes(folded),
                                      token_hashes(normalize(text)))


@given(st.lists(st.integers(0, 2**32 - 1), max_size=50))
def test_sorted_unique_equals_numpy_unique(values: list[int]) -> None:
    array = np.array(values, dtype=np.uint32)
    assert np.array_equal(sorted_unique(array), np.unique(array))
    assert sorted_unique(array).dtype == np.uint32


def _analyze_in_child(docs: list[Document], out: object) -> None:
    from dedup.parallel import shutdown_workers

    features = analyze_many(docs, Config(), workers=2, chunk_size=3)
    out.send([f.id for f in features])  # type: ignore[attr-defined]
    shutdown_workers()


def test_a_forked_child_starts_its_own_workers(seed_documents: list[Document]) -> None:
    import multiprocessing

    docs = _documents(seed_documents)[:10]
    analyze_many(docs, Config(), workers=2, chunk_size=3)  # the parent's pool now exists
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_analyze_in_child, args=(docs, send))
    child.start()
    assert receive.poll(120), "the child hung on the pool it inherited"
    assert receive.recv() == [d.id for d in docs]
    child.join(60)
    assert child.exitcode == 0


def test_a_ctrl_c_while_a_pool_starts_stops_that_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    # The signal is held while the workers start and raised once they have; the pool is then
    # not kept, so it must be stopped before the KeyboardInterrupt leaves: left running, its
    # manager thread wound down at exit while Python woke it ("Bad file descriptor").
    import signal
    from concurrent.futures import ProcessPoolExecutor

    def interrupted(pool: ProcessPoolExecutor, workers: int) -> None:
        signal.raise_signal(signal.SIGINT)  # lands in the handler that holds it

    monkeypatch.setattr(parallel, "_wait_started", interrupted)
    pool = ProcessPoolExecutor(max_workers=1)
    with pytest.raises(KeyboardInterrupt):
        parallel._started(pool, 1)
    with pytest.raises(RuntimeError, match="shutdown"):
        pool.submit(int)
    assert not pool._processes  # type: ignore[attr-defined]
