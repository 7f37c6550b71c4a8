"""One Redis reader per gateway process for every open stream: `EventHub`.

A stream per open SSE or WebSocket connection, each on its own blocking XREAD, would hold one
Redis connection per watcher (and redis-py's asyncio pool refuses the 101st by default). The
hub instead issues one XREAD over the streams of every job being watched, from the oldest
position any watcher of that job holds, and hands each watcher the entries past its own
position: a watcher never sees an event twice, and none is skipped, whenever it joins.

A watcher catches up by itself first (XRANGE after the id it resumes from), then joins; the
hub's next round (at most `BLOCK_MS` later) includes it from where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

import redis.asyncio as aioredis

from runtime import keys
from runtime.job import events
from runtime.schemas import Event

log = logging.getLogger(__name__)

BLOCK_MS = 100  # how long a joining watcher may wait for the hub's next round
COUNT = 500  # entries per stream and round


def _pos(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass(eq=False)
class Watcher:
    """One open stream: its job, the id of the last event it has, and its inbox."""

    job_id: str
    last: str
    inbox: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)


class EventHub:
    def __init__(self, requests: aioredis.Redis, redis_url: str, **redis_kwargs: Any) -> None:
        """`requests`: the process's pool for short commands (a watcher's catch-up);
        the blocking XREAD gets a connection of its own, so it never holds one of those."""
        self._requests = requests
        self._redis = aioredis.Redis.from_url(
            redis_url, decode_responses=True, max_connections=1, **redis_kwargs
        )
        self._watchers: dict[str, set[Watcher]] = {}
        self._joined = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def watching(self) -> int:
        return sum(len(w) for w in self._watchers.values())

    async def watch(
        self, job_id: str, after: str | None, quiet_s: float
    ) -> AsyncIterator[Event | None]:
        """The job's events after `after`, forever (the caller stops at the terminal one);
        None after every `quiet_s` without one."""
        stream = keys.job_events(job_id)
        start = f"({after}" if after else "-"
        backlog = cast(events.Entries, await self._requests.xrange(stream, min=start) or [])
        for entry_id, fields in backlog:
            after = entry_id
            yield events.decode(entry_id, fields)
        watcher = Watcher(job_id, after or "0-0")
        self._watchers.setdefault(stream, set()).add(watcher)
        self._joined.set()
        self._start()
        try:
            while True:
                if not watcher.inbox.empty():  # a burst: no timer to arm
                    yield watcher.inbox.get_nowait()
                    continue
                try:
                    async with asyncio.timeout(quiet_s):  # no task per wait, unlike wait_for
                        event = await watcher.inbox.get()
                except TimeoutError:
                    self._start()  # a reader that died (it should not) starts again
                    yield None
                    continue
                yield event
        finally:
            group = self._watchers.get(stream)
            if group is not None:
                group.discard(watcher)
                if not group:
                    del self._watchers[stream]

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            if not self._watchers:
                self._joined.clear()
                await self._joined.wait()
                continue
            try:
                await self._round()
            except Exception:  # Redis away (or a bad entry): the watchers wait, pinging
                log.warning("event hub: a read failed; retrying in 1 s", exc_info=True)
                await asyncio.sleep(1.0)

    async def _round(self) -> None:
        # From the oldest position among each stream's watchers.
        cursors = {
            stream: min((w.last for w in group), key=_pos)
            for stream, group in self._watchers.items()
        }
        reply = await self._redis.xread(cursors, block=BLOCK_MS, count=COUNT)  # type: ignore[arg-type]
        for stream, entries in cast(events.StreamReply, reply or []):
            for watcher in list(self._watchers.get(stream, ())):
                for entry_id, fields in entries:
                    if _pos(entry_id) > _pos(watcher.last):
                        watcher.last = entry_id
                        watcher.inbox.put_nowait(events.decode(entry_id, fields))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()
