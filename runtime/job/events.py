"""A job's events live in a Redis Stream, in order; readers block on XREAD instead of polling,
and can resume from the id of the last event they saw."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any, cast

import redis

from runtime import keys
from runtime.config import get_settings
from runtime.schemas import Event, EventType

# What XRANGE and XREAD return on a client that decodes responses (redis-py types them
# loosely, as bytes or str, sync or async).
Entries = list[tuple[str, dict[str, str]]]
StreamReply = list[tuple[str, Entries]]


def emit(
    r: redis.Redis | redis.client.Pipeline,
    job_id: str,
    type_: EventType | str,
    data: dict[str, Any] | None = None,
    maxlen: int | None = None,
) -> Any:
    """Append an event (works on a pipeline too, to batch it with other writes). The stream
    keeps about `maxlen` events, by default `Settings.events_maxlen`."""
    fields: dict[Any, Any] = {
        "type": EventType(type_).value,
        "ts": repr(time.time()),
        "data": json.dumps(data or {}, ensure_ascii=False, default=str),
    }
    keep = maxlen or get_settings().events_maxlen
    return r.xadd(keys.job_events(job_id), fields, maxlen=keep, approximate=True)


def decode(entry_id: str, fields: dict[str, str]) -> Event:
    return Event(
        id=entry_id,
        type=EventType(fields["type"]),
        ts=float(fields["ts"]),
        data=json.loads(fields.get("data") or "{}"),
    )


def read(r: redis.Redis, job_id: str, from_id: str | None = None) -> list[Event]:
    """Events after `from_id` (all of them when None), without blocking."""
    start = f"({from_id}" if from_id else "-"
    entries = cast(Entries, r.xrange(keys.job_events(job_id), min=start) or [])
    return [decode(i, f) for i, f in entries]


def follow(
    r: redis.Redis,
    job_id: str,
    from_id: str | None = None,
    timeout_s: float | None = None,
    block_ms: int = 1_000,
) -> Iterator[Event]:
    """Yield events as they arrive until a terminal one, or until `timeout_s` passes."""
    last = from_id or "0-0"
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    stream = keys.job_events(job_id)
    while True:
        wait = block_ms
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            wait = max(1, min(block_ms, int(remaining * 1000)))
        reply = cast(StreamReply, r.xread({stream: last}, block=wait, count=500) or [])
        for _stream, entries in reply:
            for entry_id, fields in entries:
                last = entry_id
                event = decode(entry_id, fields)
                yield event
                if event.type.terminal:
                    return
