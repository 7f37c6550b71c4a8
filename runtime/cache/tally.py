"""The semantic cache's counters, written after a lookup has returned: off the request path.

A lookup's verdict (hit, miss, refusal, withheld) is known only after verification, so its
counters cost a second round trip. On the shared 2-core box a round trip is dear under load:
the send wakes Valkey, and the lookup's thread then waits its turn for a core again (profiled
at load average 12: ~6 ms a send). The answer does not depend on the counters, so a lookup
returns first and one thread per process writes them, in order.

A served entry's own hit count goes through `_COUNT_HIT`: HINCRBY on an entry that expired a
moment ago would recreate its hash without a TTL, to live forever. `settle()` waits for the
counters queued so far (stats, tests and benchmarks read them after it).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from runtime import keys

log = logging.getLogger(__name__)

# Count the hit; bump the entry's own count only while the entry exists.
_COUNT_HIT = """
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HINCRBY', KEYS[1], 'hits', 1)
end
return -1
"""

_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    # One per process id: a pool's thread does not survive a fork (Celery's prefork workers).
    with _pools_lock:
        pool = _pools.get(os.getpid())
        if pool is None:
            pool = _pools[os.getpid()] = ThreadPoolExecutor(1, thread_name_prefix="cache-tally")
        return pool


class Tally:
    """Counters of one cache (`name:hit`, `name:miss`, ...) in `CACHE_COUNTERS`."""

    def __init__(self, redis: Any, name: str) -> None:
        self.redis = redis
        self.name = name
        self.count_hit = redis.register_script(_COUNT_HIT)
        self._pending: list[Future[Any]] = []
        self._lock = threading.Lock()

    def hit(self, entry_key: str) -> None:
        self._later(
            lambda: self.count_hit(keys=[entry_key, keys.CACHE_COUNTERS], args=[f"{self.name}:hit"])
        )

    def add(self, *counters: str) -> None:
        """One increment of each counter (`miss`, `refused`, ...), in one round trip."""

        def write() -> None:
            pipe = self.redis.pipeline(transaction=False)
            for counter in counters:
                pipe.hincrby(keys.CACHE_COUNTERS, f"{self.name}:{counter}", 1)
            pipe.execute()

        self._later(write)

    def _later(self, write: Callable[[], Any]) -> None:
        future = _pool().submit(write)
        with self._lock:
            self._pending = [f for f in self._pending if not f.done()]
            self._pending.append(future)
        future.add_done_callback(_log_failure)

    def settle(self) -> None:
        """Wait until the counters queued so far are written."""
        with self._lock:
            pending, self._pending = self._pending, []
        for future in pending:
            future.exception()  # Waits; a failure was logged (counters are best-effort).


def drain() -> None:
    """Wait until every counter this process has queued is written (one thread, in order)."""
    _pool().submit(lambda: None).result()


def _log_failure(future: Future[Any]) -> None:
    error = future.exception()
    if error is not None:
        log.warning("semantic cache counters not written: %s", error)
