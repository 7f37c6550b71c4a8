"""Releases of held messages, batched (runtime/recovery/releases.py), on a real Valkey: an
entry stays until the batch is written, a re-held task id keeps its new entry, a failed write
is kept for the next one, and a worker's hash is empty once its tasks have ended."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from runtime import keys
from runtime.job.client import Client
from runtime.recovery import liveness
from runtime.recovery.releases import Releases

pytestmark = pytest.mark.integration


def test_an_entry_goes_when_its_batch_is_written_and_a_new_one_stays(client: Client) -> None:
    r = client.redis
    holder = f"test@{uuid.uuid4().hex[:6]}/1"
    releases = Releases(lambda: r, holder)
    for task_id, tag in (("a", "t1"), ("b", "t2")):
        liveness.holding(r, holder, task_id, tag)
        releases.held(task_id, tag)
    releases.release("a")
    releases.release("b")
    # Task b is retried and its new message (new tag) is received before the batch is written.
    liveness.holding(r, holder, "b", "t3")
    releases.held("b", "t3")
    assert releases.flush() == 1
    assert r.hgetall(keys.worker_holding(holder)) == {"b": "t3"}
    releases.release("b")
    assert releases.flush() == 1
    assert r.hlen(keys.worker_holding(holder)) == 0
    # Released without being held here (a prefork child): removed at once.
    liveness.holding(r, holder, "c", "t4")
    releases.release("c")
    assert r.hlen(keys.worker_holding(holder)) == 0


def test_a_failed_write_is_kept_for_the_next_flush(client: Client) -> None:
    r = client.redis
    holder = f"test@{uuid.uuid4().hex[:6]}/1"
    down = redis.Redis(port=1, socket_connect_timeout=0.2, decode_responses=True)
    clients = [down, r]
    releases = Releases(lambda: clients[0], holder)
    liveness.holding(r, holder, "a", "t1")
    releases.held("a", "t1")
    releases.release("a")
    assert releases.flush() == 0  # Redis unreachable: nothing written, nothing dropped
    clients.pop(0)
    assert releases.flush() == 1
    assert r.hlen(keys.worker_holding(holder)) == 0


def test_a_workers_record_empties_once_its_tasks_end(client: Client) -> None:
    calls = [{"id": f"c{i}", "name": "echo", "arguments": {"value": i}} for i in range(3)]
    for handle in [client.submit({"plan": {"calls": calls}}) for _ in range(4)]:
        assert handle.result(timeout=60).status.value == "done"
    r = client.redis
    deadline = time.monotonic() + 10
    while True:
        held = {h: r.hlen(keys.worker_holding(h)) for h in r.smembers(keys.WORKERS)}
        if not any(held.values()):
            break
        assert time.monotonic() < deadline, held
        time.sleep(0.1)
