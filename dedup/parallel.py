"""Many documents at once: signatures straight from raw text, and analysis on all cores.

Two paths serve large feeds:

- :func:`signatures_of_texts` is the signature-only path (repair, normalize, word shingles,
  MinHash of the whole text), for callers that want datasketch-compatible signatures and
  nothing else.
- :func:`analyze_many` and :func:`prefetch` run :func:`dedup.document.analyze` in worker
  processes, in chunks, and give the results back in input order, equal to the serial ones.
  Features travel back packed into a few flat arrays per chunk: pickling them as objects cost
  more in the parent than the analysis saved (see docs/performance.md).
- :func:`start_checks` runs the detector's verification checks (:mod:`dedup.verify`) in
  worker processes of their own while the detector plans the next ones, when a prefetch
  with several workers is active; in this process otherwise.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any

import numpy as np

from dedup.config import Config
from dedup.document import Document, Features, Unit, analyze_batch
from dedup.errors import ConfigError
from dedup.keys import IndexKeys, index_keys
from dedup.match import Match
from dedup.minhash import MinHasher
from dedup.normalize import folded_bytes, normalize
from dedup.repair import repair_count
from dedup.repeats import Repeat
from dedup.shingle import (
    U32,
    ngram_hashes,
    ngram_hashes_many,
    token_hashes,
    token_hashes_many,
    token_hashes_of_bytes,
)
from dedup.verify import Check, run_check

__all__ = [
    "Prefetch",
    "analyze_many",
    "available_workers",
    "prefetch",
    "shutdown_workers",
    "signature_of_text",
    "signatures_of_texts",
    "start_checks",
    "word_shingles_of_text",
]

_CHUNK = 32
Found = list[tuple[int, Match]]  # a check's matches, with their candidates' positions
_CHECKS = 16  # verification checks sent to a worker at once (~3 ms of work each)
# Pools by (role, workers): checks have workers of their own, so that they never queue
# behind the analyses a prefetch keeps ahead.
_pools: dict[tuple[str, int], ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()
_IMPORT_PID = _pools_pid = os.getpid()
_active: list[Prefetch] = []


def available_workers() -> int:
    """Return the number of cores this process may use (at least 1).

    >>> available_workers() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _check_workers(workers: int) -> int:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"'workers' must be a whole number >= 1 (got {workers!r})")
    return workers


# -- the signature-only path ------------------------------------------------------------------


def _comparison_form(text: str) -> bytes | str:
    """Return a raw text repaired and folded for hashing: ASCII bytes, else the normalized str.

    Most articles fold to bytes, which hash without building the normalized string.
    """
    repaired, _ = repair_count(text)
    folded = folded_bytes(repaired)
    return normalize(repaired) if folded is None else folded


def word_shingles_of_text(text: str, ngram: int = 5) -> U32:
    """Return the word n-gram shingles of a raw text: repaired, then normalized.

    >>> word_shingles_of_text("Donâ€™t PANIC, the   bridge is open!", 5).size  # 6 words
    2
    """
    form = _comparison_form(text)
    tokens = token_hashes(form) if isinstance(form, str) else token_hashes_of_bytes(form)
    return ngram_hashes(tokens, ngram)


def signature_of_text(text: str, hasher: MinHasher, ngram: int = 5) -> U32:
    """Return the MinHash signature of a raw text's word shingles.

    >>> hasher = MinHasher(num_perm=16, seed=1)
    >>> a = signature_of_text("The council approved the new budget on Tuesday night.", hasher)
    >>> b = signature_of_text("the council approved the new budget, on tuesday night", hasher)
    >>> bool((a == b).all())
    True
    """
    signature: U32 = hasher.signatures([word_shingles_of_text(text, ngram)])[0]
    return signature


def signatures_of_texts(texts: Iterable[str], config: Config | None = None,
                        batch: int = 256) -> U32:
    """Return the ``(n, num_perm)`` signatures of raw texts (repair, normalize, shingle, sign).

    Signatures equal datasketch's for the same shingle hashes (see :mod:`dedup.minhash`).

    Args:
        texts: The texts; read a batch at a time.
        config: Uses ``num_perm``, ``seed`` and ``word_ngram``.
        batch: Texts shingled before each call to the signer.

    >>> signatures_of_texts(["one text here", "another text"]).shape
    (2, 128)
    """
    cfg = config or Config()
    hasher = MinHasher(cfg.num_perm, cfg.seed)
    blocks: list[U32] = []
    pending: list[bytes | str] = []

    def sign() -> None:
        # A whole batch is shingled and signed end to end: no numpy call per text.
        tokens, counts = token_hashes_many(pending)
        blocks.append(hasher.signatures_flat(*ngram_hashes_many(tokens, counts, cfg.word_ngram)))
        pending.clear()

    for text in texts:
        pending.append(_comparison_form(text))
        if len(pending) >= batch:
            sign()
    if pending or not blocks:
        sign()
    return np.concatenate(blocks) if len(blocks) > 1 else blocks[0]


# -- packing features for the trip between processes ----------------------------------------


def _ragged(arrays: Sequence[np.ndarray[Any, Any]], dtype: type) -> tuple[Any, list[int]]:
    """Join arrays into one (cheap to pickle), with their lengths."""
    lengths = [len(a) for a in arrays]
    return (np.concatenate(arrays) if arrays else np.empty(0, dtype)), lengths


def _unragged(joined: np.ndarray[Any, Any], lengths: list[int]) -> list[np.ndarray[Any, Any]]:
    """Split what :func:`_ragged` joined back into views."""
    return np.split(joined, np.cumsum(lengths)[:-1]) if lengths else []


def _pack(features: list[Features]) -> tuple[Any, ...]:
    """Flatten a chunk's features (and their index keys) into tuples and a few arrays."""
    units = [u for f in features for u in f.units]
    scalars = [
        (f.id, f.source, f.published, f.encoding, f.text, f.repairs,
         [(r.line, r.first_line, r.similarity, r.exact, r.end_line, r.first_end_line)
          for r in f.repeats],
         tuple(sorted(f.removed_lines)), f.exact_key, f.words, f.truncated, len(f.units),
         f.extra)
        for f in features
    ]
    unit_ints = np.array([(u.line, u.end_line, u.words) for u in units],
                         dtype=np.int64).reshape(-1, 3)
    unit_keys = np.array([u.key for u in units], dtype=np.uint64)
    arrays = [_ragged([f.shingles for f in features], np.uint32),
              _ragged([u.stems for u in units], np.uint32),
              _ragged([f.anchors for f in features], np.uint64)]
    keys = [f.keys for f in features]
    packed_keys = None
    if features and all(k is not None for k in keys):
        done = [k for k in keys if k is not None]
        packed_keys = ([_ragged([getattr(k, name) for k in done], np.uint64)
                        for name in ("bands", "passages", "exact", "units")],
                       np.concatenate([k.sentence_bands for k in done]),
                       [k.payload for k in done])
    return scalars, unit_ints, unit_keys, arrays, packed_keys


def _unpack(packed: tuple[Any, ...]) -> list[Features]:
    """Rebuild the features of :func:`_pack`; arrays become views of the chunk's arrays."""
    scalars, unit_ints, unit_keys, arrays, packed_keys = packed
    shingles, stems, anchors = (_unragged(*pair) for pair in arrays)
    ints = unit_ints.tolist()
    key_list = unit_keys.tolist()
    keys: list[IndexKeys | None] = [None] * len(scalars)
    if packed_keys is not None:
        by_kind, sentence_bands, payloads = packed_keys
        bands, passages, exact, unit_sets = (_unragged(*pair) for pair in by_kind)
        bounds = np.cumsum([0] + [s[11] for s in scalars]).tolist()
        keys = [IndexKeys(bands[i], passages[i], anchors[i],
                          sentence_bands[bounds[i] : bounds[i + 1]], exact[i], unit_sets[i],
                          payloads[i]) for i in range(len(scalars))]
    out: list[Features] = []
    pos = 0
    for i, (doc_id, source, published, encoding, text, repairs, repeats, removed, exact_key,
            words, truncated, n_units, extra) in enumerate(scalars):
        units = [Unit(ints[k][0], ints[k][1], ints[k][2], stems[k], key_list[k])
                 for k in range(pos, pos + n_units)]
        pos += n_units
        out.append(Features(
            id=doc_id, source=source, published=published, encoding=encoding, text=text,
            repairs=repairs, repeats=[Repeat(*r) for r in repeats],
            removed_lines=frozenset(removed), shingles=shingles[i], exact_key=exact_key,
            units=units, words=words, truncated=truncated, extra=extra, anchors=anchors[i],
            keys=keys[i],
        ))
    return out


def _analyze_chunk(documents: list[Document], config: Config) -> tuple[Any, ...]:
    """Analyze a chunk and compute its index keys (in a worker: the parent only unpacks)."""
    features = analyze_batch(documents, config)
    for feat, keys in zip(features, index_keys(features, config), strict=True):
        feat.keys = keys
    return _pack(features)


# -- worker processes ---------------------------------------------------------------------------


def _pool(workers: int, role: str = "analyze") -> ProcessPoolExecutor:
    """Return a pool of ``workers`` processes, started once and kept for the process's life."""
    global _pools_pid
    with _pools_lock:
        if _pools_pid != os.getpid():
            # A forked child inherits the dict but not the pools' threads: start afresh.
            _pools.clear()
            _pools_pid = os.getpid()
        pool = _pools.get((role, workers))
        if pool is None:
            # forkserver: workers start from a clean process, whatever threads the parent has.
            # A forked child must not use the forkserver it inherited (its workers would be
            # the server's children, not its own): it spawns.
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods and os.getpid() == _IMPORT_PID
                else "spawn")
            pool = _started(ProcessPoolExecutor(max_workers=workers, mp_context=context),
                            workers)
            _pools[role, workers] = pool
        return pool


def _ready() -> int:
    return os.getpid()


def _started(pool: ProcessPoolExecutor, workers: int) -> ProcessPoolExecutor:
    """Start all of ``pool``'s processes at once, with Ctrl-C and SIGTERM held back meanwhile.

    A Ctrl-C that lands while a worker is being started leaves a half-started pool: the
    parent drops it, and the worker, still unpickling its queues, prints a traceback when it
    finds their semaphores gone. Held back, the signal arrives a moment later, once the pool
    is whole, through the handler that was in place. Blocking the signal is not enough:
    the kernel hands it to any thread that does not block it (numpy's BLAS threads), and
    Python then raises in the main thread anyway; so the handlers are replaced too. The
    forkserver, and the workers it forks, inherit the blocked SIGINT, so that Ctrl-C at a
    terminal (sent to every process of the group) stops the parent, which stops them.
    """
    main = threading.current_thread() is threading.main_thread()
    held: list[int] = []

    def hold(signum: int, frame: object) -> None:
        held.append(signum)

    previous_handlers: dict[int, Any] = {}
    if main:
        for held_signal in (signal.SIGINT, signal.SIGTERM):
            previous_handlers[held_signal] = signal.signal(held_signal, hold)
    mask = main and hasattr(signal, "pthread_sigmask")
    if mask:
        previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        # Each submit starts a process while none is idle: one task per worker starts them all.
        for future in [pool.submit(_ready) for _ in range(workers)]:
            future.result()
        # A worker can run two of those tasks before its sibling has read its queues.
        _wait_started(pool, workers)
    finally:
        if mask:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        # Each call first runs ``hold`` for a signal that arrived meanwhile.
        for signum, handler in previous_handlers.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
    try:
        for signum in dict.fromkeys(held):
            signal.raise_signal(signum)  # now handled as usual (KeyboardInterrupt ...)
    except BaseException:
        # The pool is not kept, so shutdown_workers cannot stop it: stop it here, or its
        # manager thread winds down at exit while Python wakes it (see shutdown_workers).
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    return pool


def _wait_started(pool: ProcessPoolExecutor, workers: int) -> None:
    """Wait (a few seconds at most) until every worker of ``pool`` has answered a task."""
    seen: set[int] = set()
    deadline = time.monotonic() + 30
    while len(seen) < workers and time.monotonic() < deadline:
        seen.update(future.result() for future in [pool.submit(_ready) for _ in range(workers)])
        time.sleep(0.01)


@atexit.register
def shutdown_workers() -> None:
    """Stop the worker processes (queued work is cancelled); they start again when needed.

    Runs at exit. A program stopping on Ctrl-C should call it first: at exit, Python's
    ``concurrent.futures`` wakes each pool's manager thread without a lock, and a manager
    still winding down a pool can close its pipe in that moment ("Bad file descriptor",
    a traceback printed at exit; seen under load in tests/test_robustness.py).
    """
    with _pools_lock:
        if _pools_pid == os.getpid():
            for pool in _pools.values():
                pool.shutdown(wait=True, cancel_futures=True)
        _pools.clear()


def _chunks(documents: Sequence[Document], size: int) -> Iterator[list[Document]]:
    for start in range(0, len(documents), size):
        yield list(documents[start : start + size])


def analyze_many(documents: Sequence[Document], config: Config, workers: int = 1,
                 chunk_size: int = _CHUNK) -> list[Features]:
    """Analyze documents, in ``workers`` processes when more than 1; results in input order.

    The result equals ``[analyze(d, config) for d in documents]``. Documents that an active
    :func:`prefetch` already analyzed are taken from it.

    Args:
        documents: The documents.
        config: As for :func:`dedup.document.analyze`.
        workers: Processes to use; 1 analyzes here, in this process.
        chunk_size: Documents sent to a worker at once.

    Raises:
        ConfigError: if ``workers`` or ``chunk_size`` is not a whole number >= 1.

    >>> [f.words for f in analyze_many([Document("a", "One two three.")], Config())]
    [3]
    """
    _check_workers(workers)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ConfigError(f"'chunk_size' must be a whole number >= 1 (got {chunk_size!r})")
    done: dict[int, Features] = {}
    for ahead in _active:
        if ahead.config == config:
            done.update(ahead.take(documents))
    missing = [d for d in documents if id(d) not in done]
    if workers > 1 and len(missing) > chunk_size:
        pool = _pool(workers)
        futures = [pool.submit(_analyze_chunk, chunk, config)
                   for chunk in _chunks(missing, chunk_size)]
        fresh = [f for future in futures for f in _unpack(future.result())]
    else:
        fresh = analyze_batch(missing, config)
    for doc, feat in zip(missing, fresh, strict=True):
        done[id(doc)] = feat
    return [done[id(doc)] for doc in documents]


class Prefetch:
    """Documents passed through unchanged while worker processes analyze them ahead.

    Iterate over it where the documents would go (``scan(prefetch(docs, ...))``): while the
    caller matches one batch, the workers analyze the next ones, and :func:`analyze_many`
    (which :class:`dedup.detector.Detector` calls) takes their results instead of analyzing
    again. Use it as a context manager so that it is active exactly while it is read.

    Workers start with ``forkserver`` (``spawn`` where that is missing), which re-imports the
    main module: a script that uses this must guard its work with
    ``if __name__ == "__main__":``, as for any ``multiprocessing`` code.

    Args:
        documents: The documents, read lazily.
        config: The configuration the caller will analyze with; other configs are ignored.
        workers: Worker processes.
        chunk_size: Documents per task.
        ahead: How many documents may be read and analyzed beyond those handed out.
    """

    def __init__(self, documents: Iterable[Document], config: Config, workers: int,
                 chunk_size: int = _CHUNK, ahead: int = 2048) -> None:
        self.config = config
        self.workers = _check_workers(workers)
        self.chunk_size = max(1, chunk_size)
        self.ahead = max(self.chunk_size, ahead)
        self._source = iter(documents)
        self._queue: deque[Document] = deque()
        # Keyed by id(); each entry keeps its document, so that no id is reused meanwhile.
        self._results: dict[int, tuple[Document, Features]] = {}
        self._futures: dict[int, tuple[list[Document], Future[tuple[Any, ...]]]] = {}
        self._owner: dict[int, int] = {}
        self._next_chunk = 0

    def __enter__(self) -> Prefetch:
        _active.append(self)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self in _active:
            _active.remove(self)
        for _, future in self._futures.values():
            future.cancel()

    def _fill(self) -> None:
        """Read and submit chunks until ``ahead`` documents are queued (or the input ends)."""
        while len(self._queue) < self.ahead:
            chunk: list[Document] = []
            for doc in self._source:
                chunk.append(doc)
                if len(chunk) >= self.chunk_size:
                    break
            if not chunk:
                return
            self._queue.extend(chunk)
            if self.workers > 1:
                number = self._next_chunk
                self._next_chunk += 1
                self._futures[number] = (chunk, _pool(self.workers).submit(
                    _analyze_chunk, chunk, self.config))
                for doc in chunk:
                    self._owner[id(doc)] = number

    def __iter__(self) -> Iterator[Document]:
        while True:
            self._fill()
            if not self._queue:
                return
            yield self._queue.popleft()

    def take(self, documents: Sequence[Document]) -> dict[int, Features]:
        """Return (and forget) the analyses of those ``documents`` that were prefetched."""
        found: dict[int, Features] = {}
        for doc in documents:
            key = id(doc)
            if key not in self._results:
                number = self._owner.get(key)
                if number is None or number not in self._futures or not any(
                        d is doc for d in self._futures[number][0]):
                    continue
                chunk, future = self._futures.pop(number)
                for d, feat in zip(chunk, _unpack(future.result()), strict=True):
                    self._results[id(d)] = (d, feat)
            entry = self._results.get(key)
            if entry is not None and entry[0] is doc:
                del self._results[key]
                self._owner.pop(key, None)
                found[key] = entry[1]
        return found


def prefetch(documents: Iterable[Document], config: Config, workers: int,
             chunk_size: int = _CHUNK, ahead: int = 2048) -> Prefetch:
    """Return a :class:`Prefetch` over ``documents`` (use it in a ``with`` block).

    >>> docs = [Document(str(i), "Officials said the bridge would reopen.") for i in range(3)]
    >>> with prefetch(docs, Config(), workers=1) as ahead:
    ...     [d.id for d in ahead]
    ['0', '1', '2']
    """
    return Prefetch(documents, config, workers, chunk_size, ahead)


def _check_chunk(checks: list[Check], config: Config) -> list[Found]:
    return [run_check(check, config) for check in checks]


class PendingChecks:
    """Checks on their way, sent a chunk at a time; their results, in order, from
    :meth:`results`."""

    def __init__(self, config: Config, workers: int) -> None:
        self._config = config
        self._workers = workers
        self._chunk: list[Check] = []
        self._parts: list[Future[list[Found]] | list[Found]] = []
        self._skipped: set[int] = set()  # positions that had no check
        self._count = 0

    def put(self, check: Check | None) -> None:
        """Take the next check (``None``: that document has nothing to compare with)."""
        if check is None:
            self._skipped.add(self._count)
        else:
            self._chunk.append(check)
            if len(self._chunk) >= (_CHECKS if self._workers > 1 else 1):
                self.flush()
        self._count += 1

    def flush(self) -> None:
        """Send the checks taken so far (the last chunk of a batch is not full)."""
        if not self._chunk:
            return
        if self._workers > 1:
            self._parts.append(_pool(self._workers, "check").submit(
                _check_chunk, self._chunk, self._config))
        else:
            self._parts.append(_check_chunk(self._chunk, self._config))
        self._chunk = []

    def results(self) -> list[Found]:
        """Wait for every check; return each one's matches (``[]`` where there was none)."""
        self.flush()
        done = iter([found for part in self._parts
                     for found in (part if isinstance(part, list) else part.result())])
        return [[] if i in self._skipped else next(done) for i in range(self._count)]


def start_checks(checks: Iterable[Check | None], config: Config) -> PendingChecks:
    """Run ``checks`` (read lazily) and return them pending: in worker processes, a chunk
    at a time as they come, when a :func:`prefetch` with several workers and ``config`` is
    active (the caller goes on planning the next ones meanwhile); here otherwise.
    """
    workers = max((ahead.workers for ahead in _active if ahead.config == config), default=1)
    pending = PendingChecks(config, workers)
    for check in checks:
        pending.put(check)
    pending.flush()  # the workers start on the last chunk while the caller writes the batch
    return pending
