"""`MemoryKV`: the in-process stub of the cache protocol, for unit tests and single-process use.

TTLs are honoured against an injectable clock, so tests can move time forward instead of
sleeping. Thread-safe, since single-flight tests call it from several threads.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable, Sequence

from runtime.cache.base import KV


class MemoryKV(KV):
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._data: dict[str, tuple[bytes | str, float | None]] = {}
        self._hashes: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str) -> bytes | str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires_at = item
        if expires_at is not None and self._clock() >= expires_at:
            del self._data[key]
            return None
        return value

    def get(self, key: str) -> bytes | str | None:
        with self._lock:
            return self._live(key)

    def mget(self, keys: Sequence[str]) -> list[bytes | str | None]:
        with self._lock:
            return [self._live(k) for k in keys]

    def mget_counted(
        self, keys: Sequence[str], counters: str, hit_field: str, miss_field: str
    ) -> list[bytes | str | None]:
        with self._lock:
            values = [self._live(k) for k in keys]
            hits = sum(v is not None for v in values)
            bucket = self._hashes.setdefault(counters, {})
            if hits:
                bucket[hit_field] = bucket.get(hit_field, 0) + hits
            if len(values) - hits:
                bucket[miss_field] = bucket.get(miss_field, 0) + len(values) - hits
            return values

    def set(
        self, key: str, value: bytes | str, ttl_s: float | None = None, nx: bool = False
    ) -> bool:
        with self._lock:
            if nx and self._live(key) is not None:
                return False
            expires_at = self._clock() + ttl_s if ttl_s is not None else None
            self._data[key] = (value, expires_at)
            return True

    def delete(self, *keys: str) -> int:
        with self._lock:
            n = 0
            for k in keys:
                if self._live(k) is not None or k in self._hashes:
                    n += 1
                self._data.pop(k, None)
                self._hashes.pop(k, None)
            return n

    def delete_if_equals(self, key: str, value: str) -> bool:
        with self._lock:
            current = self._live(key)
            if current is not None and (
                current == value or (isinstance(current, bytes) and current.decode() == value)
            ):
                del self._data[key]
                return True
            return False

    def scan_delete(self, pattern: str) -> int:
        with self._lock:
            doomed = [k for k in list(self._data) if fnmatch.fnmatchcase(k, pattern)]
            doomed = [k for k in doomed if self._live(k) is not None]
            for k in doomed:
                del self._data[k]
            return len(doomed)

    def incr(self, counters: str, field: str, amount: int = 1) -> int:
        with self._lock:
            bucket = self._hashes.setdefault(counters, {})
            bucket[field] = bucket.get(field, 0) + amount
            return bucket[field]

    def counters(self, counters: str) -> dict[str, int]:
        with self._lock:
            return dict(self._hashes.get(counters, {}))

    def __len__(self) -> int:
        with self._lock:
            return sum(self._live(k) is not None for k in list(self._data))
