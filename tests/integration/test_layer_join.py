"""A layer joins itself (runtime/job/canvas.py, executor.run_call): the one member whose step
record completes the layer gets the job's state back, and so advances the job; every other
member, and a redelivered member that records its step again, gets None. Driven through
`run_call` as a `tools` worker runs each delivery, on a database of the test Redis that no
worker or monitor reads, so nothing else advances these jobs. Last, messages from an older
dispatcher (chords and their JOIN) still run on the session stack."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import redis
from celery import chord, group

from runtime import keys
from runtime.broker.app import create_app
from runtime.broker.queues import TOOLS, queue_depths
from runtime.broker.result_backend import untracked
from runtime.config import get_settings
from runtime.job import canvas, inline, store
from runtime.job.client import Client, JobHandle
from runtime.job.executor import run_call
from runtime.job.state import JobState
from runtime.job.validation import check_spec
from runtime.schemas import JobStatus
from runtime.tools.registry import get_tool

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


def echo(cid: str, value: Any, after: str) -> dict[str, Any]:
    return {"id": cid, "name": "echo", "arguments": {"value": value}, "depends_on": [after]}


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


@pytest.fixture
def quiet_app(redis_url: str, quiet_redis: redis.Redis) -> Iterator[Any]:
    """A Celery app on the quiet database: what it sends waits there, read by no worker."""
    app = create_app(urlparse(redis_url)._replace(path="/10").geturl(), include_tasks=False)
    try:
        yield app
    finally:
        app.close()


def waiting(r: redis.Redis) -> int:
    return queue_depths(r, (TOOLS,))[TOOLS]


def test_a_chain_of_one_call_layers_runs_on_in_the_task_that_completed_its_layer(
    quiet_redis: redis.Redis, quiet_app: Any
) -> None:
    chain = [
        calc("a", "6 * 7"),
        echo("b", {"$ref": "a.result"}, "a"),
        echo("c", {"got": {"$ref": "b.value"}}, "b"),  # not b's call again (a cache hit)
    ]
    job_id = new_job(quiet_redis, chain)
    state = deliver(quiet_redis, job_id, chain[0], ["a"])
    assert state is not None
    hops = inline.run_on(quiet_redis, quiet_app, job_id, 1, state, get_settings())
    assert hops == 2 and waiting(quiet_redis) == 0  # b and c ran here: no message at all
    steps = quiet_redis.hgetall(keys.job_steps(job_id))
    assert sorted(steps) == ["a", "b", "c"]
    assert quiet_redis.hget(keys.job(job_id), "status") == JobStatus.done.value
    assert json.loads(steps["c"])["output"] == {"value": {"got": 42}}


def test_inline_hops_stop_at_their_cap_a_fan_out_or_a_stopping_worker(
    quiet_redis: redis.Redis, quiet_app: Any
) -> None:
    chain = [calc("a", "1"), echo("b", 2, "a"), echo("c", 3, "b")]
    job_id = new_job(quiet_redis, chain)
    state = deliver(quiet_redis, job_id, chain[0], ["a"])
    assert state is not None
    one = get_settings().model_copy(update={"tool_inline_hops": 1})
    assert inline.run_on(quiet_redis, quiet_app, job_id, 1, state, one) == 1
    assert sorted(quiet_redis.hkeys(keys.job_steps(job_id))) == ["a", "b"]
    assert waiting(quiet_redis) == 1  # c was sent as a message, as before

    # A worker that is shutting down runs nothing more here; the next layer is sent.
    job_id = new_job(quiet_redis, [calc("a", "1"), echo("b", "not cached yet", "a")])
    state = deliver(quiet_redis, job_id, calc("a", "1"), ["a"])
    assert state is not None
    assert (
        inline.run_on(quiet_redis, quiet_app, job_id, 1, state, get_settings(), lambda: False) == 0
    )
    assert waiting(quiet_redis) == 2

    # A hop that could end past half the visibility timeout (the task's message is still
    # unacknowledged) is sent: the task began 15 s ago, echo may take 30 s, 45 > 80 / 2.
    job_id = new_job(quiet_redis, [calc("a", "1"), echo("b", "too late to run here", "a")])
    state = deliver(quiet_redis, job_id, calc("a", "1"), ["a"])
    assert state is not None
    short = get_settings().model_copy(update={"visibility_timeout_s": 80})
    since = time.time() - 15
    assert inline.run_on(quiet_redis, quiet_app, job_id, 1, state, short, since=since) == 0
    assert waiting(quiet_redis) == 3

    # A layer of several calls is still a group: one message per call.
    fan = [calc("a", "1"), echo("b", 4, "a"), echo("c", 5, "a")]
    job_id = new_job(quiet_redis, fan)
    state = deliver(quiet_redis, job_id, fan[0], ["a"])
    assert state is not None
    assert inline.run_on(quiet_redis, quiet_app, job_id, 1, state, get_settings()) == 0
    assert waiting(quiet_redis) == 5


def test_a_worker_in_a_warm_shutdown_runs_no_more_hops(monkeypatch: pytest.MonkeyPatch) -> None:
    from celery.worker import state as worker_state

    from workers.tools import serving

    assert serving()
    monkeypatch.setattr(worker_state, "should_stop", 0)  # EX_OK: what a warm shutdown sets
    assert not serving()
    monkeypatch.setattr(worker_state, "should_stop", None)
    monkeypatch.setattr(worker_state, "should_terminate", True)
    assert not serving()


def test_an_inline_hop_that_its_retry_policy_retries_is_sent_as_its_own_retry(
    quiet_redis: redis.Redis, quiet_app: Any
) -> None:
    flaky = {"id": "f", "name": "fail", "arguments": {"message": "503", "retryable": True}}
    job_id = new_job(quiet_redis, [calc("a", "1"), {**flaky, "depends_on": ["a"]}])
    state = deliver(quiet_redis, job_id, calc("a", "1"), ["a"])
    assert state is not None and get_tool("fail").retry.attempts > 1
    assert inline.run_on(quiet_redis, quiet_app, job_id, 1, state, get_settings()) == 1
    assert "f" not in quiet_redis.hkeys(keys.job_steps(job_id))  # not recorded: retried
    assert waiting(quiet_redis) == 1
    lists = [q for q in quiet_redis.keys(f"{TOOLS}*") if quiet_redis.type(q) == "list"]
    message = json.loads(quiet_redis.lindex(lists[0], 0))
    assert message["headers"]["retries"] == 1  # the sent message is the step's second run


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
