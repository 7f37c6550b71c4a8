"""How a job ends: one function, `end`, and a name for each reason a job ends.

`end` stores the result (status, answer, steps, usage, timings, error), keeps every key of
the job for `Settings.job_ttl_s` from now, drops the job from the deadline index, records the
job's metrics and appends the terminal event, in one transaction. It runs once per job:
whoever sets the `final` key first wins (a cancel racing the last join, the watchdog racing
a slow step); a later call changes nothing and returns None.

The claim (the `final` key) and the writes go in that same transaction, after reading the
record and steps under WATCH: a process killed at any point leaves the job either ended with
its result or not ended at all, never claimed without a result. (They were two round trips
once; a worker killed between them left a job that every later write, the re-drive and the
watchdog included, saw as ended, and that never got a result: tests/integration/test_chaos.py
caught it.) A step recorded while `end` reads makes the transaction fail, and `end` reads again.

A job that ends without a model answer (cancelled, timed out, out of budget, a failed model
step) still answers with what it has: the outputs of its leaf calls, as JSON.
"""

from __future__ import annotations

import json
from typing import Any, Final, cast

import redis
from redis.client import Pipeline

from runtime import keys
from runtime.config import Settings, get_settings
from runtime.errors import BudgetExceeded, CeleragentError
from runtime.guard import degrade, metrics
from runtime.job import dag, events, store
from runtime.schemas import EventType, JobResult, JobStatus, Plan, StepResult

# Each retry means a write to this job landed between `end`'s reads and its transaction;
# the writers are the job's in-flight steps, and once `final` is set they stop writing.
MAX_CLAIM_TRIES = 20


class _Outputs:
    """The default answer: the outputs of the plan's leaf calls (see `outputs_answer`)."""


OUTPUTS: Final = _Outputs()


def outputs_answer(plan: Plan | None, steps: dict[str, StepResult]) -> str | None:
    """The answer of a job that has no model answer: its leaf calls' outputs, as JSON."""
    if plan is None:
        return None
    done = {cid: steps[cid].output for cid in dag.leaves(plan) if cid in steps}
    if not done:
        return None
    return json.dumps(done, ensure_ascii=False, default=str)


def end(
    r: redis.Redis,
    job_id: str,
    status: JobStatus,
    *,
    answer: str | None | _Outputs = OUTPUTS,
    error: str | None = None,
    extra_event: dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> JobResult | None:
    """End the job once (see the module docstring). Returns the result, or None when the
    job had already ended."""
    ttl_s = (settings or get_settings()).job_ttl_s
    with r.pipeline(transaction=True) as pipe:
        for _ in range(MAX_CLAIM_TRIES):
            try:
                return _end_once(pipe, job_id, status, answer, error, extra_event, ttl_s)
            except redis.WatchError:
                continue  # a step or the record changed while we read: read them again
    raise CeleragentError(
        f"job {job_id}: could not end it, its record kept changing ({MAX_CLAIM_TRIES} tries)"
    )


def _end_once(
    pipe: Pipeline,
    job_id: str,
    status: JobStatus,
    answer: str | None | _Outputs,
    error: str | None,
    extra_event: dict[str, Any] | None,
    ttl_s: int,
) -> JobResult | None:
    """One optimistic try of `end`: read under WATCH, then claim and write in one MULTI.
    Raises WatchError when the job's flag, record or steps changed after the reads."""
    final, record_key, steps_key = (
        keys.job_finalized(job_id),
        keys.job(job_id),
        keys.job_steps(job_id),
    )
    pipe.watch(final, record_key, steps_key)
    if pipe.exists(final):
        pipe.reset()
        return None
    record = cast(dict[str, str], pipe.hgetall(record_key))
    steps_raw = cast(dict[str, str], pipe.hgetall(steps_key))
    steps = {k: StepResult.model_validate_json(v) for k, v in steps_raw.items()}
    if isinstance(answer, _Outputs):
        plan_raw = record.get("plan")
        answer = outputs_answer(Plan.model_validate_json(plan_raw) if plan_raw else None, steps)
    result = store.build_result(job_id, record, steps, status, answer, error)
    pipe.multi()
    pipe.set(final, status.value, ex=ttl_s)
    pipe.hset(record_key, mapping={"status": status.value, "result": result.model_dump_json()})
    pipe.rpush(keys.job_done(job_id), status.value)
    for key in (record_key, steps_key, keys.job_events(job_id), keys.job_done(job_id)):
        pipe.expire(key, ttl_s)
    pipe.zrem(keys.DEADLINES, job_id)
    metrics.record_job(
        pipe,
        job_id=job_id,
        e2e_ms=result.timings.e2e_ms or 0.0,
        status=status.value,
        steps=len(result.steps),
        tokens=result.usage.total_tokens,
        cost_usd=result.usage.cost_usd,
        models=",".join(result.models),
    )
    payload = {"status": status.value, "e2e_ms": result.timings.e2e_ms, "error": error}
    events.emit(pipe, job_id, EventType(status.value), {**payload, **(extra_event or {})})
    pipe.execute()
    return result


# --- the reasons a job ends, each through `end` ----------------------------------------------


def answered(r: redis.Redis, job_id: str, answer: str) -> JobResult | None:
    """A model (or the semantic cache) wrote the answer."""
    return end(r, job_id, JobStatus.done, answer=answer)


def tools_done(r: redis.Redis, job_id: str) -> JobResult | None:
    """The last layer finished and no model writes an answer: the outputs are the answer."""
    return end(r, job_id, JobStatus.done)


def cancelled(r: redis.Redis, job_id: str, settings: Settings | None = None) -> JobResult | None:
    return end(r, job_id, JobStatus.cancelled, error="the job was cancelled", settings=settings)


def timed_out(r: redis.Redis, job_id: str, deadline_s: float) -> JobResult | None:
    error = f"the job passed its deadline of {deadline_s:g} s"
    return end(r, job_id, JobStatus.timed_out, error=error)


def budget_exhausted(r: redis.Redis, job_id: str, exc: BudgetExceeded) -> JobResult | None:
    """The budget ran out: end with the best answer the job has, and say which limit."""
    return end(
        r, job_id, JobStatus.budget_exhausted, error=str(exc), extra_event={"limit": exc.limit}
    )


def failed(r: redis.Redis, job_id: str, error: str) -> JobResult | None:
    return end(r, job_id, JobStatus.failed, error=error)


def model_failed(r: redis.Redis, job_id: str, exc: BaseException) -> JobResult | None:
    """A model step that cannot succeed ends the job with the reason, never a hang."""
    message = str(exc) if isinstance(exc, CeleragentError) else f"{type(exc).__name__}: {exc}"
    return failed(r, job_id, f"model step failed: {message}")


def shed(r: redis.Redis, job_id: str, level: int, priority: int, below: int) -> JobResult | None:
    """At degradation level 2 a low-priority job gets a canned reply, not a model call."""
    return end(
        r,
        job_id,
        JobStatus.degraded,
        answer=degrade.canned_reply(job_id),
        error=f"shed at degradation level {level}: priority {priority} is below {below}",
        extra_event={"level": level},
    )


def no_model_answered(r: redis.Redis, job_id: str, tried: dict[str, Any]) -> JobResult | None:
    """The routed model and its fallback both failed: a canned reply that says so."""
    return end(
        r,
        job_id,
        JobStatus.degraded,
        answer=degrade.canned_reply(job_id),
        error="no model could answer: " + json.dumps(tried, ensure_ascii=False),
    )
