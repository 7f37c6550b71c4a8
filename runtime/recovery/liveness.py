"""Dead-worker detection: a step whose worker died runs again within seconds of the death,
not after the broker's visibility timeout (minutes, sized to the longest step).

Each worker process has a heartbeat key, refreshed by a small process of its own
(runtime/recovery/heartbeat.py says why not a thread), and records the delivery tags of the
messages it holds (received, not yet acknowledged), in the same transactions as kombu's own
`unacked` record (runtime/broker/transport.py). The beat tick finds holders whose heartbeat expired
and puts their messages back on their queues with kombu's own `restore_by_tag`. A holder is
`nodename/pid`, so a worker restarted under the same name is still a new holder.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import redis
from celery import Celery

from runtime import keys

HEARTBEAT_EVERY_S = 3.0
HEARTBEAT_TTL_S = 10  # three missed beats: dead
# A queue whose worker beat this recently is still served: a restarting worker (a model
# loading again takes about a minute on this class of machine) is coming back, and a job sent
# to it waits in its queue instead of being refused at submit.
QUEUE_GRACE_S = 120
# kombu's Redis transport keeps each delivered, unacknowledged message here until its ack.
UNACKED, UNACKED_INDEX = "unacked", "unacked_index"
# A delivered message that no live worker has recorded for this long is an orphan: its
# worker died between receiving it and recording it (a window of milliseconds).
ORPHAN_AFTER_S = 2 * HEARTBEAT_TTL_S


def holder_id(nodename: str, pid: int) -> str:
    return f"{nodename}/{pid}"


_holder: str | None = None


def set_holder(holder: str) -> None:
    """Called once by each worker process (workers/liveness.py) with its holder id."""
    global _holder
    _holder = holder


def current_holder() -> str:
    """This process's holder id. Outside a worker (a client, a test) it has no heartbeat,
    so a step leased under it can be taken over by any worker."""
    return _holder or holder_id(f"client@{socket.gethostname()}", os.getpid())


def heartbeat(r: redis.Redis, holder: str, queues: Sequence[str] = ()) -> None:
    pipe = r.pipeline(transaction=False)
    pipe.set(keys.worker_alive(holder), "1", ex=HEARTBEAT_TTL_S)
    pipe.sadd(keys.WORKERS, holder)
    for queue in queues:
        pipe.set(keys.queue_alive(queue), holder, ex=HEARTBEAT_TTL_S)
        pipe.set(keys.queue_seen(queue), holder, ex=QUEUE_GRACE_S)
    pipe.execute()


@dataclass(frozen=True)
class Served:
    """Which queues have a worker: `live` beat within HEARTBEAT_TTL_S, `recent` within
    QUEUE_GRACE_S (live ones included). Routing prefers live; a model only a recent worker
    serves is still routed to when no live one can serve the job (model_steps.route)."""

    live: frozenset[str]
    recent: frozenset[str]


def served_keys(queues: Sequence[str]) -> list[str]:
    """The keys `served` reads, for the caller's own round trip."""
    return [*(keys.queue_alive(q) for q in queues), *(keys.queue_seen(q) for q in queues)]


def served(queues: Sequence[str], values: Sequence[Any]) -> Served:
    """Served queues from the values of `served_keys(queues)`, in that order."""
    alive, seen = values[: len(queues)], values[len(queues) :]
    live = frozenset(q for q, v in zip(queues, alive, strict=True) if v)
    return Served(live, live | frozenset(q for q, v in zip(queues, seen, strict=True) if v))


def dead_holders(r: redis.Redis) -> list[str]:
    holders = sorted(cast(set[str], r.smembers(keys.WORKERS)))
    if not holders:
        return []
    pipe = r.pipeline(transaction=False)
    for holder in holders:
        pipe.exists(keys.worker_alive(holder))
    alive = pipe.execute()
    return [h for h, ok in zip(holders, alive, strict=True) if not ok]


def restore_dead(r: redis.Redis, app: Celery) -> dict[str, int]:
    """Requeue every message a dead worker held; forget the worker. Returns counts per
    holder (0 for a worker that died holding nothing)."""
    restored: dict[str, int] = {}
    for holder in dead_holders(r):
        tags = cast(list[str], r.hkeys(keys.worker_holding(holder)))
        if tags:
            with app.connection_for_write() as conn:
                qos: Any = conn.default_channel.qos
                for tag in tags:
                    # A message already acknowledged is no longer in `unacked`: then this
                    # only clears its index entries.
                    qos.restore_by_tag(tag)
        pipe = r.pipeline(transaction=True)
        pipe.delete(keys.worker_holding(holder))
        pipe.srem(keys.WORKERS, holder)
        pipe.execute()
        restored[holder] = len(tags)
    return restored


def restore_orphans(r: redis.Redis, app: Celery, older_than_s: float = ORPHAN_AFTER_S) -> int:
    """Requeue unacknowledged messages older than `older_than_s` that no live worker holds."""
    tags = cast(list[str], r.zrangebyscore(UNACKED_INDEX, 0, time.time() - older_than_s))
    if not tags:
        return 0
    dead = set(dead_holders(r))
    live = [h for h in cast(set[str], r.smembers(keys.WORKERS)) if h not in dead]
    held: set[str] = set()
    for holder in live:
        held |= set(cast(list[str], r.hkeys(keys.worker_holding(holder))))
    orphans = [tag for tag in tags if tag not in held and r.hexists(UNACKED, tag)]
    if orphans:
        with app.connection_for_write() as conn:
            qos: Any = conn.default_channel.qos
            for tag in orphans:
                qos.restore_by_tag(tag)
    return len(orphans)
