"""A worker process's releases of the messages it held, written in batches off the task path.

Every worker records each message it receives in `keys.worker_holding(holder)` (task id ->
delivery tag) at once, before the task runs, so that the beat tick can requeue what a dead
worker held (runtime/recovery/liveness.py). Removing the entry when the task ends used to
cost each message a second round trip of its own, on the task's thread, before its ack.

Nothing waits for that removal. An entry removed late only matters if this process dies
before it is removed: the tick then restores the entry's tag, and kombu's `restore_by_tag`
of a message already acknowledged only clears its index entries. So the removals queue here
and one thread per process writes them every `FLUSH_EVERY_S`, one script for all of them.

A removal names the tag it removes and deletes the entry only while it still holds that tag:
a task retried with a countdown is re-sent under the same task id, and this same worker may
receive (and record) the new message before the old one's removal is written.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

import redis
from redis.commands.core import Script

from runtime import keys
from runtime.recovery import liveness

log = logging.getLogger(__name__)

FLUSH_EVERY_S = 0.1

# KEYS: the holder's hash. ARGV: task id, tag, task id, tag, ... Deletes each entry whose
# value is still that tag; returns how many it deleted.
_RELEASE = """
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    n = n + redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return n
"""
_release_script = Script(None, _RELEASE.encode())  # type: ignore[arg-type]


class Releases:
    """`hold(task_id, tag)` when a message is received (written at once; `held` when it was
    written already), `release(task_id)` when its task ended; `flush()` writes the queued
    releases (the thread does it every `FLUSH_EVERY_S`)."""

    def __init__(self, redis_of: Callable[[], redis.Redis], holder: str) -> None:
        self._redis_of, self.holder = redis_of, holder
        self._tags: dict[str, str] = {}  # held here, not yet ended
        self._queued: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._owner: int | None = None  # the pid whose thread flushes (none after a fork)

    def hold(self, task_id: str, tag: str) -> None:
        """Record a message just received, at once (`liveness.holding`): before it can run."""
        liveness.holding(self._redis_of(), self.holder, task_id, tag)
        self.held(task_id, tag)

    def held(self, task_id: str, tag: str) -> None:
        with self._lock:
            self._tags[task_id] = tag

    def release(self, task_id: str) -> None:
        with self._lock:
            tag = self._tags.pop(task_id, None)
            if tag is not None:
                self._queued.append((task_id, tag))
                if self._owner != os.getpid():
                    self._owner = os.getpid()
                    threading.Thread(
                        target=self._run, name="celeragent-releases", daemon=True
                    ).start()
                return
        # Received by another process (a prefork pool's parent records, its child runs the
        # task): that process knows the tag, this one removes the entry at once, as before.
        liveness.released(self._redis_of(), self.holder, task_id)

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_EVERY_S)
            self.flush()

    def flush(self) -> int:
        """Write the queued releases now; returns how many entries were removed. A failed
        write keeps them queued for the next flush (nothing is lost while Redis is away)."""
        with self._lock:
            batch, self._queued = self._queued, []
        if not batch:
            return 0
        args = [part for pair in batch for part in pair]
        try:
            removed = _release_script(
                [keys.worker_holding(self.holder)], args, client=self._redis_of()
            )
        except redis.RedisError as exc:
            log.warning("could not write %d message releases (%s); retrying", len(batch), exc)
            with self._lock:
                self._queued[:0] = batch
            return 0
        return int(removed)
