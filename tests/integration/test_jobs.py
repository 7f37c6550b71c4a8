"""Jobs end to end on a real Valkey and real Celery workers."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from redis.client import Pipeline

from runtime import keys
from runtime.cli.status import queue_depths
from runtime.errors import PlanError, SpecError
from runtime.job.client import AsyncClient, Client
from runtime.schemas import EventType, JobStatus

pytestmark = pytest.mark.integration


def call(cid, name, arguments, depends_on=()):
    return {"id": cid, "name": name, "arguments": arguments, "depends_on": list(depends_on)}


def test_three_layer_dag_with_refs_gives_the_right_answer(client: Client) -> None:
    plan = {
        "calls": [
            call("a", "echo", {"value": {"items": [{"n": 6}, {"n": 7}]}}),
            call("b", "calculator", {"expression": "10 + 1"}),
            call("c", "calculator", {"expression": "6 * 7"}, ["a"]),
            call("d", "echo", {"value": {"$ref": "a.value.items.-1.n"}}, ["a"]),
            call(
                "e",
                "echo",
                {"value": [{"$ref": "c.result"}, {"$ref": "d.value"}, {"$ref": "b.result"}]},
                ["c", "d", "b"],
            ),
        ]
    }
    result = client.submit({"plan": plan}).result(timeout=30)
    assert result.status is JobStatus.done
    assert json.loads(result.answer) == {"e": {"value": [42, 7, 11]}}
    assert [s.id for s in result.steps if s.error] == []
    by_id = {s.id: s for s in result.steps}
    assert by_id["e"].started_at >= max(by_id["c"].finished_at, by_id["d"].finished_at)


def test_a_layer_of_eight_sleeps_runs_in_parallel(client: Client) -> None:
    plan = {"calls": [call(f"s{i}", "sleep", {"ms": 300}) for i in range(8)]}
    result = client.submit({"plan": plan}).result(timeout=30)
    assert result.status is JobStatus.done
    assert len(result.steps) == 8 and all(s.ok for s in result.steps)
    serial_ms = 8 * 300
    # Parallel means well under half the serial sum, even on a loaded 2-core machine.
    assert result.timings.e2e_ms < serial_ms / 2


def test_a_failing_tool_is_a_failed_step_and_the_job_finishes(client: Client) -> None:
    plan = {
        "calls": [
            call("ok", "calculator", {"expression": "2 ** 8"}),
            call("bad", "fail", {"message": "upstream is down"}),
            call("after_bad", "echo", {"value": {"$ref": "bad.x"}}, ["bad"]),
            call("after_ok", "echo", {"value": {"$ref": "ok.result"}}, ["ok"]),
        ]
    }
    result = client.submit({"plan": plan}).result(timeout=30)
    assert result.status is JobStatus.done
    by_id = {s.id: s for s in result.steps}
    assert by_id["bad"].error == "upstream is down"
    assert "dependency 'bad' failed" in by_id["after_bad"].error
    assert by_id["after_ok"].output == {"value": 256}


def test_a_retryable_failure_is_retried_then_recorded(client: Client) -> None:
    plan = {"calls": [call("flaky", "fail", {"message": "503 again", "retryable": True})]}
    result = client.submit({"plan": plan}).result(timeout=30)
    step = result.steps[0]
    assert result.status is JobStatus.done
    assert step.attempts == 3
    assert step.error.startswith("failed after 3 attempts") and "503 again" in step.error


def test_events_arrive_in_order_and_resume_from_an_id(client: Client) -> None:
    plan = {"calls": [call("a", "sleep", {"ms": 10}), call("b", "echo", {"value": 1}, ["a"])]}
    handle = client.submit({"plan": plan})
    seen = list(handle.events(timeout=30))
    types = [e.type for e in seen]
    assert types[0] is EventType.submitted and types[1] is EventType.planned
    assert types[-1] is EventType.done
    finished = [e.data["id"] for e in seen if e.type is EventType.step_finished]
    assert finished == ["a", "b"]
    ids = [e.id for e in seen]
    assert ids == sorted(ids, key=lambda i: tuple(int(p) for p in i.split("-")))
    resumed = list(handle.events(from_id=seen[2].id, timeout=5))
    assert [e.id for e in resumed] == ids[3:]


def test_bad_specs_are_refused_and_nothing_is_queued(client: Client) -> None:
    before_jobs = client.redis.zcard(keys.JOBS_INDEX)
    before_depth = queue_depths(client.redis)
    bad = [
        {
            "plan": {
                "calls": [
                    call("a", "echo", {"value": 1}, ["b"]),
                    call("b", "echo", {"value": 1}, ["a"]),
                ]
            }
        },
        {"plan": {"calls": [call("a", "no_such_tool", {})]}},
        {"plan": {"calls": [call("a", "sleep", {"ms": 1})]}, "tools": ["echo"]},
        {"plan": {"calls": [call("a", "echo", {"value": 1}, ["ghost"])]}},
        {"plan": {"calls": [call("a", "echo", {"value": {"$ref": "z.value"}})]}},
        {"plan": {"calls": [call("a", "sleep", {"ms": "soon"})]}},
        {"query": "   "},
        {"query": "hi", "budget": {"max_tokens": 0}},
        {"query": "hi", "budget": {"max_cost_usd": -1}},
    ]
    for spec in bad:
        with pytest.raises((SpecError, PlanError)) as info:
            client.submit(spec)
        assert len(str(info.value)) > 20  # a sentence, not a code
    assert client.redis.zcard(keys.JOBS_INDEX) == before_jobs
    assert queue_depths(client.redis) == before_depth


def test_cancel_stops_a_running_job(client: Client) -> None:
    plan = {
        "calls": [call("slow", "sleep", {"ms": 1500}), call("next", "echo", {"value": 1}, ["slow"])]
    }
    handle = client.submit({"plan": plan})
    time.sleep(0.3)
    assert handle.cancel() is True
    result = handle.result(timeout=10)
    assert result.status is JobStatus.cancelled
    time.sleep(2.0)  # the slow step finishes; its join must not dispatch `next`
    assert "next" not in {s.id for s in client.job(handle.id).result(timeout=1).steps}
    steps = client.redis.hgetall(keys.job_steps(handle.id))
    assert "next" not in steps or "cancelled" in steps["next"]


def test_idempotency_key_returns_the_same_job(client: Client) -> None:
    spec = {"plan": {"calls": [call("a", "echo", {"value": 1})]}, "idempotency_key": "order-17"}
    first = client.submit(spec)
    second = client.submit(spec)
    assert first.id == second.id
    assert first.result(timeout=10).status is JobStatus.done


def test_a_submit_that_dies_recording_its_job_leaves_its_key_free(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = {"plan": {"calls": [call("a", "echo", {"value": 2})]}, "idempotency_key": "order-18"}
    real_execute = Pipeline.execute

    def dies_recording(pipe: Pipeline, *args, **kwargs):  # type: ignore[no-untyped-def]
        if any(c[0][0] == "ZADD" and c[0][1] == keys.JOBS_INDEX for c in pipe.command_stack):
            raise redis.ConnectionError("the client died here")
        return real_execute(pipe, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(Pipeline, "execute", dies_recording)
        with pytest.raises(redis.ConnectionError):
            client.submit(spec)
    # The client's retry with the same key: a job that runs, not one that was never recorded.
    retry = client.submit(spec)
    assert retry.result(timeout=10).status is JobStatus.done
    assert client.submit(spec).id == retry.id


def test_submits_racing_with_one_key_get_one_job(client: Client) -> None:
    spec = {"plan": {"calls": [call("a", "echo", {"value": 3})]}, "idempotency_key": "order-19"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(lambda _: client.submit(spec).id, range(16)))
    assert len(ids) == 1
    (only,) = ids
    assert client.job(only).result(timeout=10).status is JobStatus.done


def test_a_job_past_its_deadline_times_out_with_partial_results(client: Client) -> None:
    plan = {
        "calls": [
            call("quick", "echo", {"value": "partial"}),
            # Waits for an approval nobody gives (a `sleep` this long is refused at submit:
            # its wait is known to outlast the deadline).
            call("stuck", "notify", {"channel": "deadline", "message": "unapproved"}, ["quick"]),
        ]
    }
    handle = client.submit({"plan": plan, "budget": {"deadline_s": 1.5}})
    result = handle.result(timeout=15)
    assert result.status is JobStatus.timed_out
    assert "deadline" in result.error
    assert {s.id: s.output for s in result.steps}["quick"] == {"value": "partial"}


def test_the_async_client_works(redis_url: str) -> None:
    async def main() -> tuple[list[EventType], object]:
        async with AsyncClient(redis_url) as aclient:
            handle = await aclient.submit(
                {"plan": {"calls": [call("x", "calculator", {"expression": "3 * 3"})]}}
            )
            types = [e.type async for e in handle.events(timeout=20)]
            return types, await handle.result(timeout=10)

    types, result = asyncio.run(main())
    assert types[0] is EventType.submitted and types[-1] is EventType.done
    assert result.status is JobStatus.done
    assert json.loads(result.answer) == {"x": {"expression": "3 * 3", "result": 9}}


def test_every_waiter_wakes_once_the_job_ends(client: Client) -> None:
    # result() blocks on keys.job_done, not on the event stream: BLMOVE onto the same list
    # must leave the status there for the other waiter.
    handle = client.submit({"plan": {"calls": [call("s", "sleep", {"ms": 300})]}})
    with ThreadPoolExecutor(2) as pool:
        waits = [pool.submit(client.job(handle.id).result, 30) for _ in range(2)]
        results = [w.result() for w in waits]
    assert [r.status for r in results] == [JobStatus.done, JobStatus.done]
    assert client.redis.lrange(keys.job_done(handle.id), 0, -1) == ["done"]


def test_the_async_client_waits_for_a_running_job(redis_url: str) -> None:
    async def main() -> object:
        async with AsyncClient(redis_url) as aclient:
            handle = await aclient.submit({"plan": {"calls": [call("s", "sleep", {"ms": 300})]}})
            return await handle.result(timeout=30)

    result = asyncio.run(main())
    assert result.status is JobStatus.done
