"""The job record in Redis: created on submit, updated by each step, ended exactly once (by
runtime/job/endings.py).

Layout (see keys.py): `job:{id}` hash (spec, status, plan, layers, usage counters, result),
`job:{id}:steps` hash (call id -> StepResult JSON), `job:{id}:events` stream.
"""

from __future__ import annotations

import json
import time
from typing import cast

import redis
from redis.client import Pipeline

from runtime import keys
from runtime.errors import JobNotFound
from runtime.job import events, fence
from runtime.schemas import (
    EventType,
    JobResult,
    JobSpec,
    JobStatus,
    Plan,
    StepResult,
    Timings,
    Usage,
)

_USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "llm_calls", "tool_calls")


class AlreadySubmitted(Exception):
    """`create` with a `once_key` that already names a job: that job's id."""

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.job_id = job_id


def create(
    r: redis.Redis,
    job_id: str,
    spec: JobSpec,
    layer_ids: list[list[str]] | None,
    ttl_s: int,
    level_floor: int = 0,
    *,
    adopt_plan: bool = False,
    once_key: str | None = None,
) -> float:
    """Record a validated job. `layer_ids` are its plan's layers, computed when the plan was
    validated at submit, so the worker that starts the job need not validate it again.
    `adopt_plan`: the spec's own plan is adopted in the same transaction (what `save_plan`
    does when a worker starts the job), for a caller that sends its first layer itself; the
    job stays `queued` until a worker starts its first step (executor.run_call).
    `once_key` (an idempotency key): set to `job_id` in the same transaction as the record,
    so a submitter that dies here leaves both or neither (a key naming a job that was never
    recorded would hand every retry a job that does not exist); AlreadySubmitted when the
    key already names a job."""
    with r.pipeline(transaction=True) as pipe:
        while True:
            try:
                return _create_once(
                    pipe, job_id, spec, layer_ids, ttl_s, level_floor, adopt_plan, once_key
                )
            except redis.WatchError:
                continue  # another submit with the same key won the race: read it again


def _create_once(
    pipe: Pipeline,
    job_id: str,
    spec: JobSpec,
    layer_ids: list[list[str]] | None,
    ttl_s: int,
    level_floor: int,
    adopt_plan: bool,
    once_key: str | None,
) -> float:
    if once_key is not None:
        pipe.watch(once_key)
        existing = pipe.get(once_key)
        if existing:
            pipe.reset()
            raise AlreadySubmitted(str(existing))
        pipe.multi()
        pipe.set(once_key, job_id, ex=ttl_s)
    now = time.time()
    adopt = adopt_plan and spec.plan is not None and layer_ids is not None
    pipe.hset(
        keys.job(job_id),
        mapping={
            "spec": spec.model_dump_json(),
            "status": JobStatus.queued.value,
            "submitted_at": repr(now),
            "tenant": spec.tenant,
        },
    )
    if layer_ids is not None:
        pipe.hset(keys.job(job_id), "layers", json.dumps(layer_ids))
    if level_floor:  # admission control serves it degraded (runtime/job/admission.py)
        pipe.hset(keys.job(job_id), "level_floor", level_floor)
    pipe.expire(keys.job(job_id), ttl_s)
    pipe.zadd(keys.JOBS_INDEX, {job_id: now})
    # The tenant's own index (the gateway lists a caller's jobs from it); entries older than
    # a job's record are trimmed here, so it never outgrows the records it points at.
    pipe.zadd(keys.tenant_jobs(spec.tenant), {job_id: now})
    pipe.zremrangebyscore(keys.tenant_jobs(spec.tenant), 0, now - ttl_s)
    pipe.expire(keys.tenant_jobs(spec.tenant), ttl_s)
    pipe.zadd(keys.DEADLINES, {job_id: now + spec.budget.deadline_s})
    events.emit(pipe, job_id, EventType.submitted, {"query": spec.query[:200]})
    if adopt:
        assert spec.plan is not None and layer_ids is not None
        pipe.hset(keys.job(job_id), "plan", spec.plan.model_dump_json())
        events.emit(pipe, job_id, EventType.planned, {"layers": layer_ids, "source": "user"})
    pipe.expire(keys.job_events(job_id), ttl_s)
    pipe.execute()
    return now


def load_spec(r: redis.Redis, job_id: str) -> tuple[JobSpec, list[list[str]]]:
    """The job's spec and its plan's layers (empty when the spec has no plan)."""
    raw, layers_raw = r.hmget(keys.job(job_id), ["spec", "layers"])
    if raw is None:
        raise JobNotFound(f"job {job_id!r} does not exist or its record has expired.")
    return JobSpec.model_validate_json(raw), json.loads(layers_raw) if layers_raw else []


def status(r: redis.Redis, job_id: str) -> JobStatus:
    raw = r.hget(keys.job(job_id), "status")
    if raw is None:
        raise JobNotFound(f"job {job_id!r} does not exist or its record has expired.")
    return JobStatus(str(raw))


def save_plan(
    r: redis.Redis,
    job_id: str,
    plan: Plan,
    layer_ids: list[list[str]],
    source: str,
    lease: fence.Lease | None = None,
) -> None:
    """Adopt the plan, unless the job has ended (or, with the plan step's `lease`, another
    run took that step over): then fence.Stopped, and the status stays the terminal one."""
    pipe = r.pipeline(transaction=False)
    pipe.hset(
        keys.job(job_id),
        mapping={
            "plan": plan.model_dump_json(),
            "layers": json.dumps(layer_ids),
            "status": JobStatus.running.value,
        },
    )
    events.emit(pipe, job_id, EventType.planned, {"layers": layer_ids, "source": source})
    fence.commit(r, pipe, job_id, lease)


def record_step(
    pipe: redis.Redis | redis.client.Pipeline, job_id: str, step: StepResult, ttl_s: int
) -> None:
    pipe.hset(keys.job_steps(job_id), step.id, step.model_dump_json())
    pipe.expire(keys.job_steps(job_id), ttl_s)
    events.emit(
        pipe,
        job_id,
        EventType.step_finished,
        {
            "id": step.id,
            "tool": step.tool,
            "kind": step.kind,
            "duration_ms": round(step.duration_ms, 3),
            "cached": step.cached,
            "error": step.error,
        },
    )


def steps(r: redis.Redis, job_id: str) -> dict[str, StepResult]:
    raw = cast(dict[str, str], r.hgetall(keys.job_steps(job_id)))
    return {k: StepResult.model_validate_json(v) for k, v in raw.items()}


def add_usage(
    pipe: redis.Redis | redis.client.Pipeline, job_id: str, usage: Usage, model: str | None
) -> None:
    key = keys.job(job_id)
    for field in _USAGE_FIELDS:
        value = getattr(usage, field)
        if value:
            pipe.hincrby(key, f"u_{field}", value)
    if usage.cost_usd:
        pipe.hincrbyfloat(key, "u_cost_usd", usage.cost_usd)
    if model:
        pipe.hset(key, f"model:{model}", "1")


def is_cancelled(r: redis.Redis, job_id: str) -> bool:
    return bool(r.exists(keys.job_cancelled(job_id)))


def build_result(
    job_id: str,
    record: dict[str, str],
    step_map: dict[str, StepResult],
    status_: JobStatus,
    answer: str | None,
    error: str | None,
) -> JobResult:
    submitted = float(record.get("submitted_at", time.time()))
    finished = time.time()
    usage = Usage(
        **{f: int(record.get(f"u_{f}", 0)) for f in _USAGE_FIELDS},
        cost_usd=float(record.get("u_cost_usd", 0.0)),
    )
    ordered = sorted(step_map.values(), key=lambda s: (s.started_at or 0.0, s.id))
    return JobResult(
        job_id=job_id,
        status=status_,
        answer=answer,
        steps=ordered,
        usage=usage,
        timings=Timings(
            submitted_at=submitted, finished_at=finished, e2e_ms=(finished - submitted) * 1000
        ),
        error=error,
        models=sorted(k.split(":", 1)[1] for k in record if k.startswith("model:")),
    )


def get_result(r: redis.Redis, job_id: str) -> JobResult | None:
    raw = r.hget(keys.job(job_id), "result")
    if raw is None:
        if not r.exists(keys.job(job_id)):
            raise JobNotFound(f"job {job_id!r} does not exist or its record has expired.")
        return None
    return JobResult.model_validate_json(raw)


def forget_deadline(r: redis.Redis, job_id: str) -> None:
    """Drop a job from the watchdog's deadline index (it ended, or its record expired)."""
    r.zrem(keys.DEADLINES, job_id)


def overdue(r: redis.Redis, now: float | None = None, limit: int = 500) -> list[str]:
    """Unfinished jobs whose deadline has passed (for the watchdog)."""
    found = r.zrangebyscore(keys.DEADLINES, 0, now or time.time(), start=0, num=limit)
    return [str(job_id) for job_id in cast(list[str], found)]
