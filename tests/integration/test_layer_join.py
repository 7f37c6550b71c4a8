"""A layer joins itself (runtime/job/canvas.py, executor.run_call): the one member whose step
record completes the layer gets the job's state back, and so advances the job; every other
member, and a redelivered member that records its step again, gets None. Driven through
`run_call` as a `tools` worker runs each delivery, on a database of the test Redis that no
worker or monitor reads, so nothing else advances these jobs. Last, messages from an older
dispatcher (chords and their JOIN) still run on the session stack."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import redis
from celery import chord, group

from runtime import keys
from runtime.broker.app import create_app
from runtime.broker.result_backend import untracked
from runtime.config import get_settings
from runtime.job import canvas, store
from runtime.job.client import Client, JobHandle
from runtime.job.executor import run_call
from runtime.job.state import JobState
from runtime.job.validation import check_spec
from runtime.schemas import JobStatus

pytestmark = pytest.mark.integration


@pytest.fixture
def quiet_redis(redis_url: str) -> Iterator[redis.Redis]:
    url = urlparse(redis_url)._replace(path="/10").geturl()
    r = redis.Redis.from_url(url, decode_responses=True)
    r.flushdb()
    try:
        yield r
    finally:
        r.flushdb()
        r.close()


def calc(cid: str, expression: str, depends_on: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "id": cid,
        "name": "calculator",
        "arguments": {"expression": expression},
        "depends_on": list(depends_on),
    }


def new_job(r: redis.Redis, calls: list[dict[str, Any]]) -> str:
    job_id = uuid.uuid4().hex
    spec, layer_ids = check_spec({"plan": {"calls": calls}}, get_settings())
    store.create(r, job_id, spec, layer_ids, ttl_s=600, adopt_plan=True)
    return job_id


def sent(call: dict[str, Any]) -> dict[str, Any]:
    """A call as a layer's message carries it (its `$ref`s resolved, no dependencies)."""
    return {k: call[k] for k in ("id", "name", "arguments")}


def deliver(
    r: redis.Redis, job_id: str, call: dict[str, Any], layer: list[str], attempt: int = 1
) -> JobState | None:
    _, state = run_call(
        r,
        job_id,
        sent(call),
        settings=get_settings(),
        enqueued_at=None,
        attempt=attempt,
        layer_calls=layer,
    )
    return state


def test_exactly_one_member_completes_a_layer_even_when_they_finish_together(
    quiet_redis: redis.Redis,
) -> None:
    fan = [calc(f"f{i}", f"{i} + 1") for i in range(6)]
    job_id = new_job(quiet_redis, [*fan, calc("g", "1", tuple(c["id"] for c in fan))])
    ids = [c["id"] for c in fan]
    gate = threading.Barrier(len(fan))
    states: dict[str, JobState | None] = {}

    def member(call: dict[str, Any]) -> None:
        gate.wait()  # all six record at about the same moment
        states[call["id"]] = deliver(quiet_redis, job_id, call, ids)

    threads = [threading.Thread(target=member, args=(c,)) for c in fan]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert set(states) == set(ids)
    completing = [cid for cid, s in states.items() if s is not None]
    assert len(completing) == 1
    state = states[completing[0]]
    assert state is not None and set(ids) <= set(state.steps)
    assert state.first_open_layer() == 1  # what lifecycle.advance goes on from


def test_a_redelivered_member_records_again_but_does_not_advance_again(
    quiet_redis: redis.Redis,
) -> None:
    a, b = calc("a", "2 * 3"), calc("b", "4 * 5")
    job_id = new_job(quiet_redis, [a, b, calc("c", "1", ("a", "b"))])
    assert deliver(quiet_redis, job_id, a, ["a", "b"]) is None  # b still running
    assert deliver(quiet_redis, job_id, b, ["a", "b"]) is not None  # b completed the layer
    # Both messages come back (their worker died before acknowledging them): each records
    # its step again, and neither advances the job a second time.
    assert deliver(quiet_redis, job_id, b, ["a", "b"], attempt=2) is None
    assert deliver(quiet_redis, job_id, a, ["a", "b"], attempt=2) is None
    assert sorted(quiet_redis.hkeys(keys.job_steps(job_id))) == ["a", "b"]


def test_a_one_call_layer_advances_once_from_the_state_its_record_read(
    quiet_redis: redis.Redis,
) -> None:
    a = calc("a", "6 * 7")
    job_id = new_job(quiet_redis, [a, calc("b", "1", ("a",))])
    state = deliver(quiet_redis, job_id, a, ["a"])
    assert state is not None and state.steps["a"].output["result"] == 42
    assert deliver(quiet_redis, job_id, a, ["a"], attempt=2) is None


def test_an_older_dispatchers_messages_still_run_their_jobs(client: Client) -> None:
    """Messages already queued by a dispatcher from before layers joined themselves: a chord
    of members that only record (no `layer_calls`) with its `tasks.JOIN`, and a one-call
    layer's task marked `inline_join`. Both still advance their jobs to the end."""
    plan = [calc("a", "1 + 1"), calc("b", "2 + 2"), calc("c", "3 + 3", ("a", "b"))]
    job_id = new_job(client.redis, plan)
    app = create_app(client.redis_url, include_tasks=False)
    try:
        members = [canvas.tool_signature(job_id, 0, sent(c), 5, app) for c in plan[:2]]
        assert all("layer_calls" not in m.args[3] for m in members)
        join = canvas.join_signature(job_id, 0, 5, app)
        with untracked():  # as the dispatcher sent it: nobody waits on these Celery results
            chord(group(members, app=app), join).apply_async()
        result = JobHandle(client, job_id).result(timeout=60)
        assert result.status is JobStatus.done, result.error
        assert {s.id: s.output["result"] for s in result.steps} == {"a": 2, "b": 4, "c": 6}

        chained = [calc("x", "5 * 5"), calc("y", "1", ("x",))]
        job_id = new_job(client.redis, chained)
        old = canvas.tool_signature(job_id, 0, sent(chained[0]), 5, app)
        old.args[3]["inline_join"] = True  # how a one-call layer's message used to say it
        with untracked():
            old.apply_async()
        result = JobHandle(client, job_id).result(timeout=60)
        assert result.status is JobStatus.done, result.error
        assert {s.id for s in result.steps} == {"x", "y"}
    finally:
        app.close()
