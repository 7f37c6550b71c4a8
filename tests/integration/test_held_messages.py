"""A worker's record of the messages it holds (runtime/broker/transport.py), on a real Valkey:
written in the transaction that writes kombu's `unacked` entry, removed in the one that
removes it (ack, reject), never for a raw task; and empty once a stack's tasks have ended."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kombu import Connection, Consumer, Exchange, Producer, Queue

from runtime import keys
from runtime.broker import tasks, transport
from runtime.job.client import Client
from runtime.recovery import liveness

pytestmark = pytest.mark.integration


@pytest.fixture
def holding(redis_url: str) -> Iterator[tuple[Connection, Queue, str]]:
    """A connection through this runtime's transport, a queue of its own, and this process
    recording as a worker would (workers/liveness.py)."""
    holder = f"test@{uuid.uuid4().hex[:6]}/1"
    queue = Queue(f"held-{uuid.uuid4().hex[:6]}", Exchange("", type="direct"))
    queue.routing_key = queue.name
    transport.hold_as(holder)
    conn = Connection(redis_url, transport=transport.TRANSPORT)
    try:
        queue(conn.default_channel).declare()
        yield conn, queue, holder
    finally:
        transport.hold_as(None)
        conn.release()


def receive(conn: Connection, queue: Queue, task: str, task_id: str) -> Any:
    """Publish a message named like a Celery task and receive it unacknowledged."""
    channel = conn.default_channel
    Producer(channel).publish(
        {}, routing_key=queue.name, headers={"task": task, "id": task_id}, declare=[queue]
    )
    got: list[Any] = []
    with Consumer(channel, [queue], callbacks=[lambda _body, m: got.append(m)]):
        deadline = time.monotonic() + 5
        while not got and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                conn.drain_events(timeout=0.5)
    assert got, "the message never arrived"
    return got[0]


def test_the_hold_comes_and_goes_with_kombus_unacked_entry(
    holding: tuple[Connection, Queue, str], client: Client
) -> None:
    conn, queue, holder = holding
    r = client.redis
    message = receive(conn, queue, tasks.TOOL, "job.tool.a")
    tag = str(message.delivery_tag)
    assert r.hgetall(keys.worker_holding(holder)) == {tag: "job.tool.a"}
    assert r.hexists(liveness.UNACKED, tag)
    message.ack()
    assert r.hlen(keys.worker_holding(holder)) == 0
    assert not r.hexists(liveness.UNACKED, tag)

    rejected = receive(conn, queue, tasks.TOOL, "job.tool.b")
    assert r.hlen(keys.worker_holding(holder)) == 1
    rejected.reject(requeue=True)  # back on its queue: no longer held here
    assert r.hlen(keys.worker_holding(holder)) == 0
    again = receive(conn, queue, tasks.TOOL, "job.tool.b")
    assert r.hvals(keys.worker_holding(holder)) == ["job.tool.b"]
    again.ack()
    assert r.hlen(keys.worker_holding(holder)) == 0


def test_a_raw_task_is_not_recorded(holding: tuple[Connection, Queue, str], client: Client) -> None:
    conn, queue, holder = holding
    message = receive(conn, queue, tasks.RAW_SLEEP, "raw-1")
    assert client.redis.hlen(keys.worker_holding(holder)) == 0
    assert client.redis.hexists(liveness.UNACKED, str(message.delivery_tag))
    message.ack()


def test_a_running_step_is_held_and_the_record_empties_once_tasks_end(client: Client) -> None:
    r = client.redis
    slow = client.submit(
        {"plan": {"calls": [{"id": "a", "name": "sleep", "arguments": {"ms": 1500}}]}}
    )
    task_id = tasks.job_task_id(slow.id, "tool", "a")

    def held_by() -> list[str]:
        return [h for h in r.smembers(keys.WORKERS) if task_id in r.hvals(keys.worker_holding(h))]

    deadline = time.monotonic() + 10
    while not held_by():
        assert time.monotonic() < deadline, "the running step's message was never recorded"
        time.sleep(0.05)
    assert slow.result(timeout=60).status.value == "done"
    calls = [{"id": f"c{i}", "name": "echo", "arguments": {"value": i}} for i in range(3)]
    for handle in [client.submit({"plan": {"calls": calls}}) for _ in range(4)]:
        assert handle.result(timeout=60).status.value == "done"
    deadline = time.monotonic() + 10
    while True:
        held = {h: r.hlen(keys.worker_holding(h)) for h in r.smembers(keys.WORKERS)}
        if not any(held.values()):
            break
        assert time.monotonic() < deadline, held
        time.sleep(0.1)
