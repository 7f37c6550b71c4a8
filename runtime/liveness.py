"""Dead-worker detection: a step whose worker died runs again within seconds of the death,
not after the broker's visibility timeout (minutes, sized to the longest step).

Each worker process refreshes a heartbeat key and records the delivery tags of the messages
it holds (received, not yet finished). The beat tick finds holders whose heartbeat expired
and puts their messages back on their queues with kombu's own `restore_by_tag`. A holder is
`nodename/pid`, so a worker restarted under the same name is still a new holder.
"""

from __future__ import annotations

from typing import Any, cast

import redis
from celery import Celery

from runtime import keys

HEARTBEAT_EVERY_S = 3.0
HEARTBEAT_TTL_S = 10  # three missed beats: dead


def holder_id(nodename: str, pid: int) -> str:
    return f"{nodename}/{pid}"


def heartbeat(r: redis.Redis, holder: str) -> None:
    pipe = r.pipeline(transaction=False)
    pipe.set(keys.worker_alive(holder), "1", ex=HEARTBEAT_TTL_S)
    pipe.sadd(keys.WORKERS, holder)
    pipe.execute()


def holding(r: redis.Redis, holder: str, task_id: str, tag: str) -> None:
    r.hset(keys.worker_holding(holder), task_id, tag)


def released(r: redis.Redis, holder: str, task_id: str) -> None:
    r.hdel(keys.worker_holding(holder), task_id)


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
        tags = cast(list[str], r.hvals(keys.worker_holding(holder)))
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
