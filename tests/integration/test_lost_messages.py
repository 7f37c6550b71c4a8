"""A message lost between the broker and a dying worker (runtime/recovery/stalls.py): the session
stack's monitor finds the job no message will advance and drives it on from its state.

A lost message is produced the honest way: the job's state is written as the dispatching
code writes it, and the message that would advance it is simply never sent.
"""

from __future__ import annotations

import time
import uuid

import pytest
import redis
from redis.client import Pipeline

from runtime import keys
from runtime.broker.app import create_app
from runtime.config import get_settings
from runtime.job import endings, events, store
from runtime.job.client import Client, JobHandle
from runtime.job.validation import check_spec
from runtime.recovery import stalls
from runtime.schemas import EventType, JobSpec, JobStatus, Plan, StepResult

pytestmark = pytest.mark.integration


def call(cid, name, arguments, depends_on=()):
    return {"id": cid, "name": name, "arguments": arguments, "depends_on": list(depends_on)}


def orphan_job(client: Client, plan: dict) -> tuple[str, JobSpec]:
    """A job record as `Client.submit` writes it, without the `start` message."""
    job_id = uuid.uuid4().hex
    spec, layer_ids = check_spec({"plan": plan, "budget": {"deadline_s": 120}}, get_settings())
    store.create(client.redis, job_id, spec, layer_ids, ttl_s=600)
    return job_id, spec


def recovered_events(client: Client, job_id: str) -> list[dict]:
    return [
        e.data for e in events.read(client.redis, job_id, None) if e.type is EventType.recovered
    ]


def test_a_job_whose_start_message_was_lost_runs(client: Client) -> None:
    plan = {"calls": [call("a", "calculator", {"expression": "6 * 7"})]}
    job_id, _ = orphan_job(client, plan)
    result = JobHandle(client, job_id).result(timeout=60)
    assert result.status is JobStatus.done, result.error
    assert result.steps[0].output["result"] == 42
    (recovered,) = recovered_events(client, job_id)
    assert recovered["layer"] is None  # it had not started: it was started from the top


def test_a_lost_layer_member_runs_and_recorded_steps_do_not(client: Client) -> None:
    plan = {
        "calls": [
            call("a", "echo", {"value": "kept"}),
            call("b", "calculator", {"expression": "2 + 3"}),
            call("c", "echo", {"value": [{"$ref": "a.value"}, {"$ref": "b.result"}]}, ["a", "b"]),
        ]
    }
    job_id, _ = orphan_job(client, plan)
    # What a layer leaves behind when `a` finished and `b`'s message died with its worker.
    store.save_plan(client.redis, job_id, Plan.model_validate(plan), [["a", "b"], ["c"]], "user")
    now = time.time()
    kept = StepResult(id="a", tool="echo", started_at=now, finished_at=now, output={"value": "x"})
    store.record_step(client.redis, job_id, kept, 600)
    result = JobHandle(client, job_id).result(timeout=60)
    assert result.status is JobStatus.done, result.error
    steps = {s.id: s for s in result.steps}
    # `a` was not run again: its recorded output (not "kept") reached `c`.
    assert steps["a"].output == {"value": "x"}
    assert steps["c"].output == {"value": ["x", 5]}
    (recovered,) = recovered_events(client, job_id)
    assert recovered["layer"] == 0


def test_a_layer_whose_completing_member_died_before_advancing_goes_on(client: Client) -> None:
    plan = {
        "calls": [
            call("a", "echo", {"value": 1}),
            call("b", "echo", {"value": 2}),
            call("c", "echo", {"value": [{"$ref": "a.value"}, {"$ref": "b.value"}]}, ["a", "b"]),
        ]
    }
    job_id, _ = orphan_job(client, plan)
    # Both members recorded, and the one whose record completed the layer died before it
    # advanced the job (a redelivery of it re-records and does not advance again): no
    # message names the job, and only the monitor moves it on, from its first open layer.
    store.save_plan(client.redis, job_id, Plan.model_validate(plan), [["a", "b"], ["c"]], "user")
    now = time.time()
    for cid, value in (("a", 1), ("b", 2)):
        done = StepResult(
            id=cid, tool="echo", started_at=now, finished_at=now, output={"value": value}
        )
        store.record_step(client.redis, job_id, done, 600)
    result = JobHandle(client, job_id).result(timeout=60)
    assert result.status is JobStatus.done, result.error
    assert {s.id: s for s in result.steps}["c"].output == {"value": [1, 2]}
    (recovered,) = recovered_events(client, job_id)
    assert recovered["layer"] == 1


def test_a_job_whose_ending_was_cut_short_by_a_crash_still_ends(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = {"calls": [call("a", "echo", {"value": 7})]}
    job_id, _ = orphan_job(client, plan)
    store.save_plan(client.redis, job_id, Plan.model_validate(plan), [["a"]], "user")
    now = time.time()
    done = StepResult(id="a", tool="echo", started_at=now, finished_at=now, output={"value": 7})
    store.record_step(client.redis, job_id, done, 600)

    # The worker ending the job dies as its result is written: that round trip never reaches
    # Redis. Whatever `end` wrote before it must not mark the job ended, or the monitor's
    # re-drive (and the deadline watchdog) would take it for ended and it would never get a
    # result (what test_chaos.py's killed tools worker once left behind).
    real_execute = Pipeline.execute

    def dies_writing_the_result(pipe: Pipeline, *args, **kwargs):  # type: ignore[no-untyped-def]
        if any(c[0][:2] == ("HSET", keys.job(job_id)) for c in pipe.command_stack):
            raise redis.ConnectionError("the worker died here")
        return real_execute(pipe, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(Pipeline, "execute", dies_writing_the_result)
        with pytest.raises(redis.ConnectionError):
            endings.tools_done(client.redis, job_id)
    assert not client.redis.exists(keys.job_finalized(job_id))
    result = JobHandle(client, job_id).result(timeout=60)
    assert result.status is JobStatus.done, result.error
    assert result.steps[0].output == {"value": 7}
    (recovered,) = recovered_events(client, job_id)
    assert recovered["layer"] == 1  # every layer was recorded: it went straight to its end


def test_a_job_whose_message_waits_in_a_queue_is_not_lost(client: Client) -> None:
    queue = f"ca-test-unconsumed-{uuid.uuid4().hex[:8]}"
    job_id, other = uuid.uuid4().hex, uuid.uuid4().hex
    # A chord join (an older dispatcher's) carries the members' results first: a long list
    # pushes the job id past the truncated `argsrepr` header, so the scan must read the body.
    results = [{"id": "x" * 40, "ok": True}] * 100
    app = create_app(client.redis_url, include_tasks=False)
    app.send_task("celeragent.agent.join", args=[results, job_id, 0], queue=queue)
    try:
        messages = stalls.broker_messages(client.redis, (queue,))
        # The queue's one message, plus whatever the session's workers hold in `unacked`.
        assert messages is not None and len(messages) >= 1
        assert stalls.absent([job_id, other], messages) == [other]
    finally:
        client.redis.delete(queue)
        app.close()


def test_quiet_jobs_are_those_without_recent_events(client: Client) -> None:
    job_id, _ = orphan_job(client, {"calls": [call("a", "echo", {"value": 1})]})
    try:
        assert job_id not in stalls.quiet_jobs(client.redis, stall_after_s=30)
        # Its submitted event is older than a stall window of 0 s once any time passed.
        time.sleep(0.01)
        assert job_id in stalls.quiet_jobs(client.redis, stall_after_s=0.001)
    finally:
        endings.end(client.redis, job_id, JobStatus.cancelled, error="test cleanup")


def test_a_lost_job_is_failed_after_too_many_redrives(client: Client) -> None:
    job_id, _ = orphan_job(client, {"calls": [call("a", "echo", {"value": 1})]})
    limit = get_settings().max_redrives
    client.redis.hset(keys.job(job_id), "redrives", limit)  # the next one is one too many
    result = JobHandle(client, job_id).result(timeout=60)
    assert result.status is JobStatus.failed
    assert "lost" in (result.error or "")
