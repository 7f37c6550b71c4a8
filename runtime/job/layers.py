"""Dispatch a job's next layer: find the first layer with work, prepare its calls, send them.

Runs wherever a job advances: on `agent` workers (start, a resume, a re-drive), on `tools`
workers (the member whose record completes a layer advances its job), in a client (the first
layer of an explicit plan) and on `llm`/`gpu` workers (layer 0, right after the model's plan
is adopted). Preparing a layer, in order:
1. calls recorded on an earlier pass are skipped (a layer can be passed over twice: before
   and after an approval wait, or on a re-drive);
2. a call whose dependency failed becomes a failed step; `$ref`s are resolved;
3. a call with a local substitute (runtime/tools/substitutes.py) is answered here, with no
   task and no queue hop;
4. side effects that need an approval pause the layer (runtime/job/approval.py);
5. cached calls are resolved in one MGET and never dispatched;
6. what is left reserves its steps in the job's budget and is sent as one Celery group.
A layer with nothing left to run is passed through at once, so a fully cached DAG runs no
tool task at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from celery import Celery

from runtime.broker.batch import one_round_trip
from runtime.broker.result_backend import untracked
from runtime.cache.tool_cache import ToolCache
from runtime.config import Settings
from runtime.errors import CeleragentError
from runtime.guard import metrics
from runtime.guard.budget import JobLedger
from runtime.job import approval, dag, fence, store
from runtime.job.canvas import layer_canvas
from runtime.job.state import JobState
from runtime.schemas import StepResult, ToolCall
from runtime.tools.registry import get_tool
from runtime.tools.substitutes import substitute_for


@dataclass
class Dispatched:
    """What `dispatch_next` did: sent `layer`, or paused for an approval (`waiting`), or
    found no layer with work left (`layer` is None and not waiting). With `inline` asked
    for, a layer of one call is not sent: its steps are reserved and the call comes back
    (`inline`) for the caller to run itself (runtime/job/inline.py)."""

    layer: int | None = None
    waiting: bool = False
    inline: dict[str, Any] | None = None


def dispatch_next(
    r: redis.Redis,
    app: Celery,
    state: JobState,
    start: int,
    settings: Settings,
    inline: bool = False,
) -> Dispatched:
    """Send the first layer at or after `start` that has work (with `inline`, a layer of one
    call is handed back instead). Raises BudgetExceeded when the job cannot afford its
    steps."""
    assert state.plan is not None, "a layer is dispatched only after a plan was adopted"
    calls = {c.id: c for c in state.plan.calls}
    for index in range(start, len(state.layer_ids)):
        to_run = prepare(r, state, [calls[i] for i in state.layer_ids[index]], settings)
        to_run, waiting = approval.gate(r, state.job_id, index, to_run, state.steps, settings)
        if waiting:
            return Dispatched(index, waiting=True)
        if to_run and settings.cache_enabled:
            to_run = _drop_cache_hits(r, state, to_run, settings)
        if to_run:
            spec = state.spec
            ledger = JobLedger.from_settings(r, state.job_id, spec.budget, spec.tenant)
            ledger.reserve(steps=len(to_run))
            if inline and len(to_run) == 1:
                return Dispatched(index, inline=to_run[0])
            # Untracked: nobody waits on the members' Celery results (the member whose
            # record completes the layer advances the job, runtime/job/canvas.py).
            with untracked(), one_round_trip(app):
                layer_canvas(state.job_id, index, to_run, spec.priority, app).apply_async()
            return Dispatched(index)
    return Dispatched()


def prepare(
    r: redis.Redis, state: JobState, layer: list[ToolCall], settings: Settings
) -> list[dict[str, Any]]:
    """Calls ready to run with their `$ref`s resolved; others are recorded as steps here."""
    ready: list[dict[str, Any]] = []
    pipe = r.pipeline(transaction=False)
    outputs = {k: s.output for k, s in state.steps.items() if s.ok}
    for call in layer:
        if call.id in state.steps:
            continue  # recorded on an earlier pass over this layer
        step = None
        failed = [d for d in call.depends_on if d in state.steps and not state.steps[d].ok]
        if failed:
            step = _failed(call, f"skipped: dependency {failed[0]!r} failed")
        else:
            try:
                arguments = dag.resolve_refs(call.arguments, outputs, call.id)
            except CeleragentError as exc:
                step = _failed(call, str(exc))
            else:
                local = substitute_for(call.name, arguments)
                if local is None:
                    ready.append({"id": call.id, "name": call.name, "arguments": arguments})
                else:
                    step = _run_substitute(call.id, call.name, local)
        if step is not None:
            state.steps[call.id] = step
            store.record_step(pipe, state.job_id, step, settings.job_ttl_s)
    if len(pipe):
        fence.commit(r, pipe, state.job_id)
    return ready


def _failed(call: ToolCall, error: str) -> StepResult:
    now = time.time()
    return StepResult(id=call.id, tool=call.name, started_at=now, finished_at=now, error=error)


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
    r: redis.Redis, state: JobState, calls: list[dict[str, Any]], settings: Settings
) -> list[dict[str, Any]]:
    """Record the layer's cached calls as steps (one MGET for all); return the misses."""
    cache = ToolCache(r, settings.tool_cache_ttls)
    hits = cache.lookup_many([(get_tool(c["name"]), c["arguments"]) for c in calls])
    misses = []
    now = time.time()
    pipe = r.pipeline(transaction=False)
    for call, hit in zip(calls, hits, strict=True):
        if hit is None:
            misses.append(call)
            continue
        step = StepResult(
            id=call["id"],
            tool=call["name"],
            started_at=now,
            finished_at=now,
            cached=True,
            output=hit.output,
        )
        state.steps[call["id"]] = step
        store.record_step(pipe, state.job_id, step, settings.job_ttl_s)
        metrics.record_step(
            pipe,
            kind="tool",
            name=step.tool,
            queue_wait_ms=0.0,
            run_ms=0.0,
            cached=True,
            job_id=state.job_id,
        )
    if len(pipe):
        fence.commit(r, pipe, state.job_id)
    return misses
