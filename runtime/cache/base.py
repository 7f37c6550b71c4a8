"""The small key-value protocol the tool and prompt caches run on, and its Redis implementation.

The caches need only a handful of operations; keeping them behind one protocol lets unit tests
run on `MemoryKV` (runtime/cache/memory.py) while production runs on Redis, with the same
cache code. Values are bytes or str; callers encode JSON themselves.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

# One round trip for a counted lookup: MGET plus the hit/miss increments, so a cache hit costs
# the client a single request (and the counters can never drift from what was served).
_MGET_COUNT = """
local values = redis.call('MGET', unpack(KEYS, 2))
local hits = 0
for i = 1, #values do
  if values[i] then hits = hits + 1 end
end
if hits > 0 then redis.call('HINCRBY', KEYS[1], ARGV[1], hits) end
if #values - hits > 0 then redis.call('HINCRBY', KEYS[1], ARGV[2], #values - hits) end
return values
"""

# Release a lock only if we still own it; a late leader must not delete its successor's lock.
_DELETE_IF_EQUALS = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def to_str(value: bytes | str | None) -> str | None:
    """Redis clients return bytes or str depending on `decode_responses`; accept both."""
    if value is None or isinstance(value, str):
        return value
    return value.decode("utf-8")


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept (hash input for cache keys)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class KV(ABC):
    """What a cache needs from its store."""

    @abstractmethod
    def get(self, key: str) -> bytes | str | None: ...

    @abstractmethod
    def mget(self, keys: Sequence[str]) -> list[bytes | str | None]: ...

    @abstractmethod
    def mget_counted(
        self, keys: Sequence[str], counters: str, hit_field: str, miss_field: str
    ) -> list[bytes | str | None]:
        """MGET that also adds the number of hits and misses to two counter fields, atomically."""

    @abstractmethod
    def set(
        self, key: str, value: bytes | str, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        """Store `value`; with `nx`, only if absent (returns whether it was stored)."""

    @abstractmethod
    def delete(self, *keys: str) -> int: ...

    @abstractmethod
    def delete_if_equals(self, key: str, value: str) -> bool: ...

    @abstractmethod
    def scan_delete(self, pattern: str) -> int:
        """Delete every key matching a glob pattern; returns how many were deleted."""

    @abstractmethod
    def incr(self, counters: str, field: str, amount: int = 1) -> int: ...

    @abstractmethod
    def counters(self, counters: str) -> dict[str, int]: ...


class RedisKV(KV):
    """`KV` over a redis-py client (any Redis 6+ or Valkey)."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self._mget_count = redis.register_script(_MGET_COUNT)
        self._delete_if_equals = redis.register_script(_DELETE_IF_EQUALS)

    def get(self, key: str) -> bytes | str | None:
        return self.redis.get(key)

    def mget(self, keys: Sequence[str]) -> list[bytes | str | None]:
        return list(self.redis.mget(list(keys))) if keys else []

    def mget_counted(
        self, keys: Sequence[str], counters: str, hit_field: str, miss_field: str
    ) -> list[bytes | str | None]:
        if not keys:
            return []
        return list(self._mget_count(keys=[counters, *keys], args=[hit_field, miss_field]))

    def set(
        self, key: str, value: bytes | str, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        # PX keeps sub-second TTLs exact; a TTL under 1 ms would mean "no expiry", so floor it.
        px = max(1, int(ttl_s * 1000)) if ttl_s is not None else None
        return bool(self.redis.set(key, value, px=px, nx=nx))

    def delete(self, *keys: str) -> int:
        return int(self.redis.delete(*keys)) if keys else 0

    def delete_if_equals(self, key: str, value: str) -> bool:
        return bool(self._delete_if_equals(keys=[key], args=[value]))

    def scan_delete(self, pattern: str) -> int:
        deleted = 0
        batch: list[Any] = []
        for key in self.redis.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 500:
                deleted += int(self.redis.unlink(*batch))
                batch = []
        if batch:
            deleted += int(self.redis.unlink(*batch))
        return deleted

    def incr(self, counters: str, field: str, amount: int = 1) -> int:
        return int(self.redis.hincrby(counters, field, amount))

    def counters(self, counters: str) -> dict[str, int]:
        raw = self.redis.hgetall(counters)
        return {to_str(k) or "": int(v) for k, v in raw.items()}


def as_kv(store: Any) -> KV:
    """Accept a `KV` as is, or wrap a redis-py client."""
    if isinstance(store, KV):
        return store
    if hasattr(store, "register_script"):
        return RedisKV(store)
    raise TypeError(
        f"expected a runtime.cache.KV or a redis-py client, got {type(store).__name__}; "
        "pass redis.Redis.from_url(url) or runtime.cache.MemoryKV()."
    )
