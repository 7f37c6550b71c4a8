"""A layer joins itself (runtime/job/canvas.py, executor.run_call): the one member whose step
record completes the layer gets the job's state back, and so advances the job; every other
member, and a redelivered member that records its step again, gets None. Driven through
`run_call` as a `tools` worker runs each delivery, on a database of the test Redis that no
worker or monitor reads, so nothing else advances these jobs."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import redis

from runtime import keys
from runtime.config import get_settings
from runtime.job import store
from runtime.job.executor import run_call
from runtime.job.state import JobState
from runtime.job.validation import check_spec

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


def deliver(
    r: redis.Redis, job_id: str, call: dict[str, Any], layer: list[str], attempt: int = 1
) -> JobState | None:
    sent = {k: call[k] for k in ("id", "name", "arguments")}
    _, state = run_call(
        r,
        job_id,
        sent,
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
