"""runtime/job/fence.py against real Redis: writes refused after the end, one run per step."""

from __future__ import annotations

import uuid

import pytest
import redis

from runtime import keys
from runtime.job import fence
from runtime.recovery import liveness

pytestmark = pytest.mark.integration


@pytest.fixture
def r(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, decode_responses=True)


def write(r: redis.Redis, job: str, value: str, lease: fence.Lease | None = None, **kw) -> list:
    pipe = r.pipeline(transaction=False)
    pipe.hset(f"test:{job}", "v", value)
    pipe.hget(f"test:{job}", "missing")
    return fence.commit(r, pipe, job, lease, **kw)


def test_nothing_is_written_once_the_job_has_ended(r: redis.Redis) -> None:
    job = uuid.uuid4().hex
    assert write(r, job, "before") == [1, None]  # replies come back, nil as None
    r.set(keys.job_finalized(job), "done")
    with pytest.raises(fence.Stopped, match="the job has already ended") as info:
        write(r, job, "after")
    assert info.value.reason == "ended"
    assert r.hget(f"test:{job}", "v") == "before"
    with pytest.raises(fence.Stopped):
        fence.check(r, job)


def test_one_run_per_step_and_a_stalled_run_loses_it(r: redis.Redis) -> None:
    job = uuid.uuid4().hex
    first = fence.Lease(job, "s", f"w1@test/{job[:6]} a")
    second = fence.Lease(job, "s", f"w2@test/{job[:6]} b")
    liveness.heartbeat(r, first.value.split()[0])
    write(r, job, "first starts", first, mode="take")
    with pytest.raises(fence.Stopped) as info:  # the holder is alive: no second run
        write(r, job, "second starts", second, mode="take")
    assert info.value.reason == "held"
    r.delete(keys.worker_alive(first.value.split()[0]))  # its heartbeat lapsed
    write(r, job, "second starts", second, mode="take")
    with pytest.raises(fence.Stopped) as info:  # the first wakes up: its result is refused
        write(r, job, "first finished", first)
    assert info.value.reason == "lost"
    with pytest.raises(fence.Stopped):
        fence.check(r, job, first)
    fence.check(r, job, second)
    write(r, job, "second finished", second)
    assert r.hget(f"test:{job}", "v") == "second finished"


def test_a_released_step_can_be_taken_by_a_retry_of_the_same_live_worker(r: redis.Redis) -> None:
    job = uuid.uuid4().hex
    holder = f"w@test/{job[:6]}"
    liveness.heartbeat(r, holder)
    run, retry = fence.Lease(job, "s", f"{holder} a"), fence.Lease(job, "s", f"{holder} b")
    write(r, job, "run", run, mode="take")
    fence.release(r, retry)  # not the holder: changes nothing
    with pytest.raises(fence.Stopped):
        write(r, job, "retry", retry, mode="take")
    fence.release(r, run)
    write(r, job, "retry", retry, mode="take")
    assert r.get(keys.step_lease(job, "s")) == retry.value


def test_then_runs_only_when_the_first_reply_is_0_and_the_next_are_not(r: redis.Redis) -> None:
    job = uuid.uuid4().hex
    key = f"test:{job}"
    r.hset(key, mapping={"b": "x", "c": "yy"})

    def commit(fields: list[str]) -> list:
        pipe = r.pipeline(transaction=False)
        for field in fields:
            pipe.hstrlen(key, field)
        return fence.commit(r, pipe, job, then=(len(fields), [["HGET", key, "c"]]))

    assert commit(["a", "b", "c"]) == [0, 1, 2, "yy"]  # a absent, b and c present
    assert commit(["b", "c"]) == [1, 2]  # the first present: not run
    assert commit(["a", "b", "z"]) == [0, 1, 0]  # another absent: not run
    assert commit(["a"]) == [0, "yy"]
