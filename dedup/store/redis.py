"""The shared index: a layout of our own on a Redis server, through redis-py.

Keys, under the prefix ``dedup:NAME`` (``NAME`` from the URL's ``?name=``, ``default``
otherwise):

- ``:header`` the JSON header; ``:next`` the next document number (``INCRBY``, so numbers
  are unique across workers); ``:ids`` a hash from id to number; ``:docs`` a hash from
  number to the packed record (metadata, verification data, posting keys); ``:time`` a
  sorted set of numbers by publication (else addition) time, for pruning; ``:counts`` the
  number of postings per kind.
- ``:b`` + kind + 8 key bytes: one string per posting list, the document numbers packed as
  little-endian uint32 and grown with ``APPEND``.

Every write is one Lua script, which Redis runs atomically: a batch of documents is in the
index whole or not at all, ids are checked for duplicates inside it, and a reader (whose
lookups are scripts too) sees a batch entirely or not at all. One string per posting list,
rather than datasketch's set per bucket, makes a lookup of all of a document's keys one call
that returns packed bytes, decoded with numpy; ``benchmarks/index_bench.py`` measures both.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qs, urlencode

import numpy as np

from dedup.errors import InputError
from dedup.redact import redact
from dedup.shingle import I64, U64, sorted_unique
from dedup.store import DEFAULT_BATCH, DOC, KIND_NAMES, KINDS, Entry, Hits, Record

__all__ = ["RedisStore"]

_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_LIMIT_CAP = 1 << 40
_RECORD_HEAD = struct.Struct("<II")

_ADD = """
local prefix = ARGV[1]
local n = tonumber(ARGV[2])
local pos = 3
for i = 1, n do
  if redis.call('HEXISTS', KEYS[1], ARGV[pos]) == 1 then return {'dup', ARGV[pos]} end
  pos = pos + 4 + tonumber(ARGV[pos + 3])
end
local start = redis.call('INCRBY', KEYS[2], n) - n
local counts = {0, 0, 0, 0}
pos = 3
for i = 1, n do
  local num = start + i - 1
  redis.call('HSET', KEYS[1], ARGV[pos], num)
  redis.call('HSET', KEYS[3], num, ARGV[pos + 1])
  redis.call('ZADD', KEYS[4], ARGV[pos + 2], num)
  local nk = tonumber(ARGV[pos + 3])
  pos = pos + 4
  local packed = struct.pack('<I4', num)
  for j = 1, nk do
    local suffix = ARGV[pos]
    redis.call('APPEND', prefix .. suffix, packed)
    local kind = string.byte(suffix, 2) - 47
    counts[kind] = counts[kind] + 1
    pos = pos + 1
  end
end
for kind = 1, 4 do
  if counts[kind] > 0 then redis.call('HINCRBY', KEYS[5], kind - 1, counts[kind]) end
end
return {'ok', start}
"""

_LOOKUP = """
local prefix = ARGV[1]
local limit = tonumber(ARGV[2]) * 4
local out = {}
for i = 3, #ARGV do
  local key = prefix .. ARGV[i]
  local size = redis.call('STRLEN', key)
  if size == 0 then out[#out + 1] = ''
  elseif size > limit then out[#out + 1] = 'X'
  else out[#out + 1] = redis.call('GET', key) end
end
return out
"""

_COUNTS = """
local out = {}
for i = 2, #ARGV do out[#out + 1] = redis.call('STRLEN', ARGV[1] .. ARGV[i]) end
return out
"""

_REMOVE = """
local prefix = ARGV[1]
local n = tonumber(ARGV[2])
local pos = 3
local removed = {}
local counts = {0, 0, 0, 0}
for i = 1, n do
  local num, id, nk = ARGV[pos], ARGV[pos + 1], tonumber(ARGV[pos + 2])
  pos = pos + 3
  if redis.call('HEXISTS', KEYS[2], num) == 1 then
    redis.call('HDEL', KEYS[1], id)
    redis.call('HDEL', KEYS[2], num)
    redis.call('ZREM', KEYS[3], num)
    local packed = struct.pack('<I4', tonumber(num))
    for j = 1, nk do
      local suffix = ARGV[pos + j - 1]
      local key = prefix .. suffix
      local value = redis.call('GET', key)
      if value then
        local parts = {}
        for p = 1, #value, 4 do
          local chunk = string.sub(value, p, p + 3)
          if chunk ~= packed then parts[#parts + 1] = chunk end
        end
        if #parts == 0 then redis.call('DEL', key)
        else redis.call('SET', key, table.concat(parts)) end
        local kind = string.byte(suffix, 2) - 47
        counts[kind] = counts[kind] + 1
      end
    end
    removed[#removed + 1] = id
  end
  pos = pos + nk
end
for kind = 1, 4 do
  if counts[kind] > 0 then redis.call('HINCRBY', KEYS[4], kind - 1, -counts[kind]) end
end
return removed
"""


def _suffix(kind: int, key: int) -> bytes:
    return b"b" + bytes([48 + kind]) + key.to_bytes(8, "little")


def _pack_record(entry: Entry, added_ts: float) -> bytes:
    meta = json.dumps([entry.id, entry.source, entry.published, entry.published_ts, added_ts,
                       entry.words, entry.chars, [len(k) for k in entry.keys]]).encode()
    keys = b"".join(np.asarray(k, dtype="<u8").tobytes() for k in entry.keys)
    return _RECORD_HEAD.pack(len(meta), len(entry.payload)) + meta + entry.payload + keys


def _unpack_record(num: int, data: bytes) -> tuple[Record, tuple[U64, ...]]:
    meta_len, payload_len = _RECORD_HEAD.unpack_from(data)
    pos = _RECORD_HEAD.size
    doc_id, source, published, published_ts, added_ts, words, chars, sizes = json.loads(
        data[pos : pos + meta_len])
    pos += meta_len
    payload = data[pos : pos + payload_len]
    pos += payload_len
    flat = np.frombuffer(data, dtype="<u8", offset=pos).astype(np.uint64)
    bounds = np.cumsum([0, *sizes])
    keys = tuple(flat[bounds[i] : bounds[i + 1]] for i in range(len(sizes)))
    return Record(num, doc_id, source, published, published_ts, added_ts, words, chars,
                  payload), keys


def _nums(packed: bytes) -> list[int]:
    result: list[int] = np.frombuffer(packed, dtype="<u4").tolist()
    return result


class RedisStore:
    """A dedup index on a Redis server, shared by any number of processes.

    Args:
        url: ``redis://host:port/db`` (or ``rediss://``, ``unix://``), with an optional
            ``name=NAME`` query parameter to keep several indexes in one database.

    Raises:
        ConnectionError: if the server cannot be reached.
        ValueError: if the name is not 1-64 letters, digits, ``_``, ``.`` or ``-``.
    """

    def __init__(self, url: str) -> None:
        import redis

        base, _, query_text = url.partition("?")
        query = parse_qs(query_text)
        name = query.pop("name", ["default"])[-1]
        if not _NAME.fullmatch(name):
            raise ValueError(f"index name {name!r} must be 1-64 letters, digits, '_', '.' or "
                             "'-'")
        #: Where the index is, as it may be shown: the URL with its password masked.
        self.location = redact(url)
        self.name = name
        self.prefix = f"dedup:{name}:".encode()
        # Any: redis-py types replies as bytes | str (decode_responses decides); ours are bytes.
        rest = urlencode(query, doseq=True)
        self._client: Any = redis.Redis.from_url(f"{base}?{rest}" if rest else base)
        try:
            self._client.ping()
        except redis.RedisError as exc:
            self._client.close()
            raise ConnectionError(f"cannot reach Redis at {self.location}: {exc}; start "
                                  "redis-server or fix the URL") from exc
        p = self.prefix
        self._k_header, self._k_next, self._k_ids = p + b"header", p + b"next", p + b"ids"
        self._k_docs, self._k_time, self._k_counts = p + b"docs", p + b"time", p + b"counts"
        self._add = self._client.register_script(_ADD)
        self._lookup = self._client.register_script(_LOOKUP)
        self._counts = self._client.register_script(_COUNTS)
        self._remove = self._client.register_script(_REMOVE)

    def __repr__(self) -> str:
        return f"RedisStore({self.location!r})"

    def header(self) -> dict[str, Any] | None:
        """Return the stored header, or ``None`` for a new index."""
        raw = self._client.get(self._k_header)
        if raw is None:
            return None
        header: dict[str, Any] = json.loads(raw)
        return header

    def create(self, header: dict[str, Any]) -> None:
        """Write ``header`` unless another process did first."""
        self._client.set(self._k_header, json.dumps(header), nx=True)

    def sync(self) -> None:
        """Nothing to catch up with: every lookup asks the server."""

    def __len__(self) -> int:
        return int(self._client.hlen(self._k_ids))

    def batch_size(self) -> int:
        """Return DEFAULT_BATCH: a batch's lookups are one round trip per kind whatever its size."""
        return DEFAULT_BATCH

    def stored(self, ids: Iterable[str]) -> set[str]:
        """Return which of ``ids`` are stored."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return set()
        nums = self._client.hmget(self._k_ids, wanted)
        return {i for i, n in zip(wanted, nums, strict=True) if n is not None}

    def lookup(self, kind: int, keys: U64, limit: int) -> Hits:
        """Return the postings of ``keys`` (see :class:`Hits`; a stop bucket's size is
        given as ``limit + 1``: the server does not send its numbers)."""
        query = np.asarray(keys, dtype=np.uint64)
        if not len(query):
            return Hits(query, np.zeros(0, dtype=np.int64))
        capped = min(limit, _LIMIT_CAP)
        values = self._lookup(args=[self.prefix, capped,
                                    *(_suffix(kind, k) for k in query.tolist())])
        sizes = np.array([capped + 1 if v == b"X" else len(v) // 4 for v in values],
                         dtype=np.int64)
        listed = [i for i, v in enumerate(values) if v and v != b"X"]
        if not listed:
            return Hits(query, sizes)
        rows = np.repeat(np.array(listed, dtype=np.int64), sizes[listed])
        docs = np.frombuffer(b"".join(values[i] for i in listed), dtype="<u4").astype(np.int64)
        return Hits(query, sizes, rows, docs)

    def counts(self, kind: int, keys: U64, enough: I64 | None = None) -> dict[int, int]:
        """Return the lengths of the posting lists of ``keys`` (all exact: ``enough`` spares
        no work here)."""
        query = sorted_unique(np.asarray(keys, dtype=np.uint64)).tolist()
        if not query:
            return {}
        sizes = self._counts(args=[self.prefix, *(_suffix(kind, k) for k in query)])
        return {k: int(s) // 4 for k, s in zip(query, sizes, strict=True) if s}

    def _records(self, nums: Sequence[int]) -> dict[int, tuple[Record, tuple[U64, ...]]]:
        if not nums:
            return {}
        values = self._client.hmget(self._k_docs, list(nums))
        return {n: _unpack_record(n, v) for n, v in zip(nums, values, strict=True)
                if v is not None}

    def records(self, nums: Sequence[int]) -> dict[int, Record]:
        """Return the stored records among ``nums``."""
        return {n: r for n, (r, _) in self._records(nums).items()}

    def find(self, ids: Iterable[str]) -> dict[str, Record]:
        """Return the stored records among ``ids``."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        nums = [int(n) for n in self._client.hmget(self._k_ids, wanted) if n is not None]
        return {r.id: r for r in self.records(nums).values()}

    def add(self, entries: Sequence[Entry], added_ts: float) -> list[int]:
        """Store ``entries`` in one atomic script and return their numbers.

        Raises:
            InputError: if an id is stored already or repeated in ``entries``.
        """
        if not entries:
            return []
        seen: set[str] = set()
        args: list[Any] = [self.prefix, len(entries)]
        for entry in entries:
            if entry.id in seen:
                raise InputError(f"duplicate id {entry.id!r}: ids must be unique",
                                 source=entry.source)
            seen.add(entry.id)
            suffixes = [_suffix(kind, k) for kind in KINDS for k in entry.keys[kind].tolist()]
            score = entry.published_ts if entry.published_ts is not None else added_ts
            args += [entry.id, _pack_record(entry, added_ts), repr(float(score)),
                     len(suffixes), *suffixes]
        status, value = self._add(
            keys=[self._k_ids, self._k_next, self._k_docs, self._k_time, self._k_counts],
            args=args)
        if status == b"dup":
            bad = value.decode()
            raise InputError(f"duplicate id {bad!r}: ids must be unique",
                             source=next(e.source for e in entries if e.id == bad))
        start = int(value)
        return list(range(start, start + len(entries)))

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id, with their postings, in one atomic script."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        nums = [int(n) for n in self._client.hmget(self._k_ids, wanted) if n is not None]
        args: list[Any] = [self.prefix, 0]
        count = 0
        for num, (record, keys) in self._records(nums).items():
            suffixes = [_suffix(kind, k) for kind in KINDS for k in keys[kind].tolist()]
            args += [num, record.id, len(suffixes), *suffixes]
            count += 1
        if not count:
            return []
        args[1] = count
        removed = {v.decode() for v in self._remove(
            keys=[self._k_ids, self._k_docs, self._k_time, self._k_counts], args=args)}
        return [i for i in wanted if i in removed]

    def expired(self, before: float) -> list[str]:
        """Return the ids of documents published (else added) before ``before``."""
        nums = [int(n) for n in self._client.zrangebyscore(self._k_time, "-inf", f"({before!r}")]
        return [r.id for r in sorted(self.records(nums).values(), key=lambda r: r.num)]

    def stats(self) -> dict[str, Any]:
        """Return documents, postings per kind and the server's memory."""
        counts = {int(k): int(v) for k, v in self._client.hgetall(self._k_counts).items()}
        docs = len(self)
        memory = int(self._client.info("memory")["used_memory"])
        return {"location": self.location, "backend": "redis", "name": self.name,
                "documents": docs,
                "postings": {name: counts.get(kind, 0)
                             for kind, name in zip(KINDS, KIND_NAMES, strict=True)},
                "server_used_memory": memory}

    def compact(self) -> int:
        """Nothing to give back: the server frees what removals delete."""
        return 0

    def check(self) -> list[str]:
        """Check that ids, records, time index and posting lists agree."""
        client = self._client
        problems: list[str] = []
        ids = {k.decode(): int(v) for k, v in client.hgetall(self._k_ids).items()}
        nums = {int(k) for k in client.hkeys(self._k_docs)}
        if set(ids.values()) != nums:
            problems.append(f"ids and records disagree ({len(ids)} ids, {len(nums)} records)")
        next_num = int(client.get(self._k_next) or 0)
        if nums and max(nums) >= next_num:
            problems.append(f"next document number {next_num} is not above {max(nums)}")
        timed = {int(n) for n in client.zrange(self._k_time, 0, -1)}
        if timed != nums:
            problems.append("the time index and the records disagree")
        expected: dict[bytes, set[int]] = {}
        doc_postings: set[int] = set()
        for num, (_, keys) in self._records(sorted(nums)).items():
            for kind in KINDS:
                for key in keys[kind].tolist():
                    expected.setdefault(self.prefix + _suffix(kind, key), set()).add(num)
                if kind == DOC and len(keys[kind]):
                    doc_postings.add(num)
        if doc_postings != nums:
            problems.append(f"{len(nums - doc_postings)} documents have no document bands")
        found: dict[bytes, list[int]] = {}
        for key in client.scan_iter(match=self.prefix + b"b*", count=1000):
            found[key] = _nums(client.get(key) or b"")
        for key in expected.keys() | found.keys():
            have = found.get(key, [])
            if len(set(have)) != len(have) or set(have) != expected.get(key, set()):
                problems.append(f"posting list {key!r} holds {sorted(have)[:5]}, its documents "
                                f"say {sorted(expected.get(key, set()))[:5]}")
                if len(problems) > 20:
                    break
        counts = {int(k): int(v) for k, v in client.hgetall(self._k_counts).items()}
        for kind in KINDS:
            total = sum(len(v) for k, v in found.items() if k[len(self.prefix) + 1] == 48 + kind)
            if counts.get(kind, 0) != total:
                problems.append(f"{KIND_NAMES[kind]}: counted {counts.get(kind, 0)}, found "
                                f"{total}")
        return problems

    def drop(self) -> int:
        """Delete every key of this index from the server; return how many were deleted."""
        keys = list(self._client.scan_iter(match=self.prefix + b"*", count=1000))
        for start in range(0, len(keys), 1000):
            self._client.delete(*keys[start : start + 1000])
        return len(keys)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
