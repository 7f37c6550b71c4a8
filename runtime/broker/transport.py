"""kombu's Redis transport, with a worker's record of the messages it holds written by kombu's
own writes: no round trip of its own.

kombu keeps every delivered, unacknowledged message in its `unacked` hash and index (one
MULTI when the message is received, one when it is acknowledged). A worker also records the
messages it holds in `keys.worker_holding(holder)` (delivery tag -> task id), so the beat
tick can requeue a dead worker's messages within seconds (runtime/recovery/liveness.py).
Written on its own, that record cost each message an HSET when it was received and an HDEL
after its task (about a tenth of the tools worker's CPU, py-spy). Here it rides in kombu's
two transactions instead: the HSET with the `unacked` entry, the HDEL with its removal (an
ack, a reject, a restore). So it is also atomic with kombu's own record: no moment in which
a message is unacknowledged but not held.

Only a worker process records (`hold_as`, called by workers/liveness.py with its holder id),
and only this runtime's tasks: the benchmarks' raw tasks stand for Celery alone and go
through kombu's code unchanged (`tasks.UNRECORDED`).
"""

from __future__ import annotations

import time
from typing import Any

from kombu.transport import redis as kombu_redis
from kombu.transport import virtual
from kombu.utils.json import dumps

from runtime import keys
from runtime.broker import tasks

# The holding hash of this worker process, once it knows its holder id (None elsewhere).
_holding: str | None = None


def hold_as(holder: str | None) -> None:
    """From now on this process records the messages it receives under `holder` (None:
    stop recording)."""
    global _holding
    _holding = keys.worker_holding(holder) if holder else None


def _recorded(message: Any) -> str | None:
    """The task id of a message this process records, or None."""
    headers = getattr(message, "headers", None) or {}
    if _holding is None or headers.get("task") in tasks.UNRECORDED:
        return None
    return str(headers.get("id") or "")


class QoS(kombu_redis.QoS):
    """kombu's Redis QoS; a recorded message's hold goes in with its `unacked` entry and
    leaves with its removal. Both go through one client kept for this channel: kombu builds
    a new redis-py client for each append and each ack (`Channel.conn_or_acquire`), and in
    redis-py 8 that build (its response-callback table, copied per client) was about a
    tenth of the tools worker's CPU. A client is thread-safe (the pool hands each command
    its own connection), so the pool threads that acknowledge share it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: dict[str, str] = {}  # delivery tag -> holding hash it was written to
        self._kept: Any = None

    def _client(self) -> Any:
        # Built again when kombu replaced the channel's pool (a reconnection).
        if self._kept is None or self._kept.connection_pool is not self.channel.pool:
            self._kept = self.channel._create_client()
        return self._kept

    def append(self, message: Any, delivery_tag: str) -> None:
        task_id = _recorded(message)
        holding = _holding
        if task_id is None or holding is None:
            super().append(message, delivery_tag)
            return
        # kombu's own append (kombu/transport/redis.py QoS.append), one HSET more.
        delivery = message.delivery_info
        pipe = self._client().pipeline()
        pipe.zadd(self.unacked_index_key, {delivery_tag: time.time()})
        pipe.hset(
            self.unacked_key,
            delivery_tag,
            dumps([message._raw, delivery["exchange"], delivery["routing_key"]]),
        )
        pipe.hset(holding, delivery_tag, task_id)
        pipe.execute()
        self._held[delivery_tag] = holding
        virtual.QoS.append(self, message, delivery_tag)

    def _remove_from_indices(self, delivery_tag: str, pipe: Any = None) -> Any:
        # Also inside restore_by_tag's WATCH transaction, which may run twice: so `get`
        # here, and the entry forgotten once the ack or reject is written.
        holding = self._held.get(delivery_tag)
        if pipe is None and holding is not None:
            pipe = self._client().pipeline()
        pipe = super()._remove_from_indices(delivery_tag, pipe)
        if holding is not None:
            pipe.hdel(holding, delivery_tag)
        return pipe

    def ack(self, delivery_tag: str) -> None:
        super().ack(delivery_tag)
        self._held.pop(delivery_tag, None)

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        super().reject(delivery_tag, requeue=requeue)
        self._held.pop(delivery_tag, None)


class Channel(kombu_redis.Channel):
    QoS = QoS


class Transport(kombu_redis.Transport):
    """Celery's `broker_transport` (runtime/broker/app.py); otherwise kombu's Redis transport."""

    Channel = Channel


# What `broker_transport` names (kombu resolves "module:Class").
TRANSPORT = f"{__name__}:Transport"
