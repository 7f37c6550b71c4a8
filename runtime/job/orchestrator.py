"""Drive a job through its layers: start, dispatch each layer, join, finish.

Runs inside `agent` workers (start and joins). Each join reads the job's state in one
round trip, prepares the next layer (skips calls whose dependency failed, resolves `$ref`s,
resolves cache hits without dispatching), and sends only what must run. A layer with
nothing to run is passed through at once, so a fully cached DAG runs no tool task at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from celery import Celery

from runtime import keys
from runtime.config import Settings
from runtime.errors import BudgetExceeded, CeleragentError
from runtime.guard import metrics
from runtime.guard.budget import JobLedger
from runtime.job import approval, dag, store
from runtime.job.canvas import layer_canvas
from runtime.schemas import JobSpec, JobStatus, Plan, StepResult
from runtime.tools.substitutes import substitute_for

# Resolves a layer's cacheable calls in one round trip: returns a StepResult (cached=True)
# for each hit, None for each miss. Installed by the cache layer; None means no cache.
LayerCacheLookup = Callable[[list[dict[str, Any]]], list[StepResult | None]]


@dataclass
class JobState:
    job_id: str
    spec: JobSpec
    plan: Plan | None
    layer_ids: list[list[str]]
    submitted_at: float
    steps: dict[str, StepResult]
    cancelled: bool

    @property
    def deadline(self) -> float:
        return self.submitted_at + self.spec.budget.deadline_s


def load_state(r: redis.Redis, job_id: str) -> JobState:
    pipe = r.pipeline(transaction=False)
    pipe.hmget(keys.job(job_id), ["spec", "plan", "layers", "submitted_at"])
    pipe.hgetall(keys.job_steps(job_id))
    pipe.exists(keys.job_cancelled(job_id))
    (spec_raw, plan_raw, layers_raw, submitted), steps_raw, cancelled = pipe.execute()
    if spec_raw is None:
        raise CeleragentError(f"job {job_id!r} has no record; it expired or never existed.")
    return JobState(
        job_id=job_id,
        spec=JobSpec.model_validate_json(spec_raw),
        plan=Plan.model_validate_json(plan_raw) if plan_raw else None,
        layer_ids=json.loads(layers_raw) if layers_raw else [],
        submitted_at=float(submitted),
        steps={k: StepResult.model_validate_json(v) for k, v in steps_raw.items()},
        cancelled=bool(cancelled),
    )


def adopt_plan(
    r: redis.Redis, job_id: str, spec: JobSpec, plan: Plan, settings: Settings, source: str
) -> None:
    """Validate a plan (the user's or the planner's) and store its layers."""
    ordered = dag.validate_plan(
        plan,
        allowlist=spec.tools,
        max_calls=settings.max_plan_calls,
        max_depth=settings.max_plan_depth,
        max_argument_bytes=settings.max_argument_bytes,
    )
    store.save_plan(r, job_id, plan, [[c.id for c in layer] for layer in ordered], source)


def advance(
    r: redis.Redis,
    app: Celery,
    job_id: str,
    layer_index: int,
    settings: Settings,
    cache_lookup: LayerCacheLookup | None = None,
    on_tools_done: Callable[[JobState], None] | None = None,
) -> None:
    """Dispatch the first layer at or after `layer_index` that has work; finish if none."""
    state = load_state(r, job_id)
    if state.cancelled:
        finish_cancelled(r, state, settings)
        return
    if time.time() > state.deadline:
        store.finalize(
            r,
            job_id,
            JobStatus.timed_out,
            answer=outputs_answer(state),
            error=f"the job passed its deadline of {state.spec.budget.deadline_s:g} s",
            ttl_s=settings.job_ttl_s,
        )
        return
    assert state.plan is not None, "advance() runs only after a plan was adopted"
    calls = {c.id: c for c in state.plan.calls}
    for index in range(layer_index, len(state.layer_ids)):
        to_run = prepare_layer(r, state, [calls[i] for i in state.layer_ids[index]], settings)
        to_run, waiting = approval.gate(r, job_id, index, to_run, state.steps, settings)
        if waiting:
            return  # resumed by `celeragent approve` or by the approval timeout
        if to_run and cache_lookup is not None:
            to_run = _drop_cache_hits(r, state, to_run, cache_lookup, settings)
        if to_run:
            try:
                JobLedger.from_settings(r, job_id, state.spec.budget, state.spec.tenant).reserve(
                    steps=len(to_run)
                )
            except BudgetExceeded as exc:
                store.finalize(
                    r,
                    job_id,
                    JobStatus.budget_exhausted,
                    answer=outputs_answer(state),
                    error=str(exc),
                    ttl_s=settings.job_ttl_s,
                    extra_event={"limit": exc.limit},
                )
                return
            layer_canvas(job_id, index, to_run, state.spec.priority, app).apply_async()
            return
    if on_tools_done is not None:
        on_tools_done(state)
    else:
        finish_with_outputs(r, state, settings)


def first_open_layer(state: JobState) -> int:
    """The first layer with a call not yet recorded (len(layers) when all are)."""
    for index, ids in enumerate(state.layer_ids):
        if any(i not in state.steps for i in ids):
            return index
    return len(state.layer_ids)


def prepare_layer(
    r: redis.Redis, state: JobState, layer: list[Any], settings: Settings
) -> list[dict[str, Any]]:
    """Calls ready to run with their `$ref`s resolved; others are recorded as failed steps."""
    ready: list[dict[str, Any]] = []
    pipe = r.pipeline(transaction=False)
    outputs = {k: s.output for k, s in state.steps.items() if s.ok}
    for call in layer:
        if call.id in state.steps:
            continue  # recorded on an earlier pass over this layer (before an approval wait)
        failed = [d for d in call.depends_on if d in state.steps and not state.steps[d].ok]
        error = None
        if failed:
            error = f"skipped: dependency {failed[0]!r} failed"
        else:
            try:
                arguments = dag.resolve_refs(call.arguments, outputs, call.id)
            except CeleragentError as exc:
                error = str(exc)
            else:
                local = substitute_for(call.name, arguments)
                if local is None:
                    ready.append({"id": call.id, "name": call.name, "arguments": arguments})
                else:
                    # Answered here, in-process: no task, no queue hop (e.g. a UTC clock read).
                    step = _run_substitute(call.id, call.name, local)
                    state.steps[call.id] = step
                    store.record_step(pipe, state.job_id, step, settings.job_ttl_s)
        if error is not None:
            now = time.time()
            step = StepResult(
                id=call.id, tool=call.name, started_at=now, finished_at=now, error=error
            )
            state.steps[call.id] = step
            store.record_step(pipe, state.job_id, step, settings.job_ttl_s)
    if len(pipe):
        pipe.execute()
    return ready


def _run_substitute(call_id: str, name: str, local: Callable[[], Any]) -> StepResult:
    started = time.time()
    output, error = None, None
    try:
        output = local()
    except Exception as exc:  # noqa: BLE001 - like a tool, a failing substitute is a failed step
        error = f"{type(exc).__name__}: {exc}"
    finished = time.time()
    return StepResult(
        id=call_id,
        tool=name,
        started_at=started,
        finished_at=finished,
        duration_ms=(finished - started) * 1000,
        output=output,
        error=error,
        substituted=True,
    )


def _drop_cache_hits(
    r: redis.Redis,
    state: JobState,
    calls: list[dict[str, Any]],
    cache_lookup: LayerCacheLookup,
    settings: Settings,
) -> list[dict[str, Any]]:
    hits = cache_lookup(calls)
    misses = []
    pipe = r.pipeline(transaction=False)
    for call, hit in zip(calls, hits, strict=True):
        if hit is None:
            misses.append(call)
        else:
            state.steps[call["id"]] = hit
            store.record_step(pipe, state.job_id, hit, settings.job_ttl_s)
            metrics.record_step(
                pipe,
                kind="tool",
                name=hit.tool,
                queue_wait_ms=0.0,
                run_ms=0.0,
                cached=True,
                job_id=state.job_id,
            )
    if len(pipe):
        pipe.execute()
    return misses


def outputs_answer(state: JobState) -> str | None:
    """The answer of a job that has no model: its leaf calls' outputs, as JSON."""
    if state.plan is None:
        return None
    leaves = dag.leaves(state.plan)
    done = {cid: state.steps[cid].output for cid in leaves if cid in state.steps}
    if not done:
        return None
    return json.dumps(done, ensure_ascii=False, default=str)


def finish_with_outputs(r: redis.Redis, state: JobState, settings: Settings) -> None:
    store.finalize(
        r, state.job_id, JobStatus.done, answer=outputs_answer(state), ttl_s=settings.job_ttl_s
    )


def finish_cancelled(r: redis.Redis, state: JobState, settings: Settings) -> None:
    store.finalize(
        r,
        state.job_id,
        JobStatus.cancelled,
        answer=outputs_answer(state),
        error="the job was cancelled",
        ttl_s=settings.job_ttl_s,
    )
