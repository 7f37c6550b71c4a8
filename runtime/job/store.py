"""The job record in Redis: created on submit, updated by each step, finalized exactly once.

Layout (see keys.py): `job:{id}` hash (spec, status, plan, layers, usage counters, result),
`job:{id}:steps` hash (call id -> StepResult JSON), `job:{id}:events` stream.
"""

from __future__ import annotations

import json
import time
from typing import Any, cast

import redis

from runtime import keys
from runtime.errors import JobNotFound
from runtime.guard import metrics
from runtime.job import events
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


def create(
    r: redis.Redis, job_id: str, spec: JobSpec, ttl_s: int, maxlen: int = events.DEFAULT_MAXLEN
) -> float:
    now = time.time()
    pipe = r.pipeline(transaction=True)
    pipe.hset(
        keys.job(job_id),
        mapping={
            "spec": spec.model_dump_json(),
            "status": JobStatus.queued.value,
            "submitted_at": repr(now),
            "tenant": spec.tenant,
        },
    )
    pipe.expire(keys.job(job_id), ttl_s)
    pipe.zadd(keys.JOBS_INDEX, {job_id: now})
    pipe.zadd(keys.DEADLINES, {job_id: now + spec.budget.deadline_s})
    events.emit(pipe, job_id, EventType.submitted, {"query": spec.query[:200]}, maxlen)
    pipe.expire(keys.job_events(job_id), ttl_s)
    pipe.execute()
    return now


def load_spec(r: redis.Redis, job_id: str) -> JobSpec:
    raw = r.hget(keys.job(job_id), "spec")
    if raw is None:
        raise JobNotFound(f"job {job_id!r} does not exist or its record has expired.")
    return JobSpec.model_validate_json(raw)


def status(r: redis.Redis, job_id: str) -> JobStatus:
    raw = r.hget(keys.job(job_id), "status")
    if raw is None:
        raise JobNotFound(f"job {job_id!r} does not exist or its record has expired.")
    return JobStatus(str(raw))


def save_plan(
    r: redis.Redis | redis.client.Pipeline,
    job_id: str,
    plan: Plan,
    layer_ids: list[list[str]],
    source: str,
) -> None:
    r.hset(
        keys.job(job_id),
        mapping={
            "plan": plan.model_dump_json(),
            "layers": json.dumps(layer_ids),
            "status": JobStatus.running.value,
        },
    )
    events.emit(r, job_id, EventType.planned, {"layers": layer_ids, "source": source})


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


def finalize(
    r: redis.Redis,
    job_id: str,
    status_: JobStatus,
    *,
    answer: str | None = None,
    error: str | None = None,
    ttl_s: int = keys.JOB_TTL_S,
    extra_event: dict[str, Any] | None = None,
) -> JobResult | None:
    """Store the result and emit the terminal event, once: whoever sets the `final` key first
    wins (a cancel racing the last join, a watchdog racing a slow step); later calls return
    None and change nothing."""
    if not r.set(keys.job_finalized(job_id), status_.value, nx=True, ex=ttl_s):
        return None
    record = cast(dict[str, str], r.hgetall(keys.job(job_id)))
    result = build_result(job_id, record, steps(r, job_id), status_, answer, error)
    pipe = r.pipeline(transaction=True)
    pipe.hset(
        keys.job(job_id),
        mapping={"status": status_.value, "result": result.model_dump_json()},
    )
    for key in (keys.job(job_id), keys.job_steps(job_id), keys.job_events(job_id)):
        pipe.expire(key, ttl_s)
    pipe.zrem(keys.DEADLINES, job_id)
    metrics.record_job(
        pipe,
        job_id=job_id,
        e2e_ms=result.timings.e2e_ms or 0.0,
        status=status_.value,
        steps=len(result.steps),
        tokens=result.usage.total_tokens,
        cost_usd=result.usage.cost_usd,
    )
    terminal = EventType(status_.value)
    payload = {"status": status_.value, "e2e_ms": result.timings.e2e_ms, "error": error}
    events.emit(pipe, job_id, terminal, {**payload, **(extra_event or {})})
    pipe.execute()
    return result


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


def overdue(r: redis.Redis, now: float | None = None, limit: int = 500) -> list[str]:
    """Unfinished jobs whose deadline has passed (for the watchdog)."""
    found = r.zrangebyscore(keys.DEADLINES, 0, now or time.time(), start=0, num=limit)
    return [str(job_id) for job_id in cast(list[str], found)]
