"""Run one tool call inside a `tools` worker and record it as a step.

A tool's failure is data: it becomes a StepResult with `error`, the layer still joins and
the job still finishes. Only a failure the tool's RetryPolicy retries, with attempts left,
propagates as RetryStep (the task runs again after the policy's backoff); everything else is
caught here. A tool's shared limits (runtime/guard/limits.py) hold around its run only, not
around a cache hit or a wait for an identical call in flight.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import redis

from runtime import keys
from runtime.cache.tool_cache import ToolCache
from runtime.config import Settings
from runtime.errors import CeleragentError, RetryStep
from runtime.guard import limits, metrics
from runtime.job import events, fence, state, store
from runtime.job.state import JobState
from runtime.recovery import redelivery
from runtime.schemas import EventType, JobStatus, StepResult
from runtime.tools import isolation
from runtime.tools.base import Tool
from runtime.tools.registry import get_tool

Runner = Callable[[Tool, dict[str, Any]], tuple[Any, bool]]


def direct_runner(tool: Tool, arguments: dict[str, Any]) -> tuple[Any, bool]:
    # Never on the caller's thread: in the tool's own lane, or a process killed at the timeout.
    return isolation.run_tool(tool, arguments), False


def runner_for(r: redis.Redis, settings: Settings) -> Runner:
    """Cacheable tools run through the tool cache with single-flight (identical calls in
    flight run once); others, and every tool when caching is off, run directly."""
    cache = ToolCache(r, settings.tool_cache_ttls) if settings.cache_enabled else None

    def runner(tool: Tool, arguments: dict[str, Any]) -> tuple[Any, bool]:
        def run() -> Any:
            # The shared limits around the run only; the run in the tool's own lane or process.
            return limits.run_limited(
                r, tool, settings, lambda: isolation.run_tool(tool, arguments)
            )

        if cache is None or not cache.cacheable(tool):
            return run(), False
        wait_s = tool.timeout_s or settings.tool_timeout_s
        return cache.run_single_flight(tool, arguments, run, wait_s)

    return runner


def prefetch_call(r: redis.Redis, name: str, arguments: dict[str, Any], settings: Settings) -> bool:
    """Run a predicted call into the tool cache (single-flight: a job asking for the same
    call meanwhile waits for this run instead of repeating it). Failures are dropped."""
    tool = get_tool(name)
    if tool.side_effecting or not tool.cacheable:
        return False  # never a side effect nobody asked for
    try:
        runner_for(r, settings)(tool, arguments)
    except Exception:  # noqa: BLE001 - a failed guess costs nothing; the job runs it itself
        return False
    return True


def run_with_timeout(fn: Callable[[], Any], timeout_s: float) -> Any:
    """`fn()` (a runner), its tool runs ending within `timeout_s` of now. The timeout is kept
    where the tool runs (runtime/tools/isolation.py): a tool that ignores it fails its step
    then and cannot hold a thread that other tools need; the cache work around it runs here."""
    with isolation.deadline(timeout_s):
        return fn()


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, CeleragentError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def execute_call(
    r: redis.Redis,
    job_id: str,
    call: dict[str, Any],
    *,
    settings: Settings,
    enqueued_at: float | None,
    attempt: int,
    max_attempts: int | None = None,
) -> StepResult:
    """Run the call and record it. Raises fence.Stopped when this run must not record
    anything: the job has ended, or the step belongs to another run. Raises RetryStep when
    the tool's retry policy (at most `max_attempts` runs, when given) runs the call again."""
    step, _ = run_call(
        r,
        job_id,
        call,
        settings=settings,
        enqueued_at=enqueued_at,
        attempt=attempt,
        max_attempts=max_attempts,
    )
    return step


def run_call(
    r: redis.Redis,
    job_id: str,
    call: dict[str, Any],
    *,
    settings: Settings,
    enqueued_at: float | None,
    attempt: int,
    max_attempts: int | None = None,
    layer_calls: Sequence[str] | None = None,
) -> tuple[StepResult, JobState | None]:
    """`execute_call`, joining the layer when given its calls' ids (`layer_calls`, this
    call's among them): the script that records the step first reads whether the others
    are recorded and whether this step was, and the state (for lifecycle.advance) is read
    in that script and comes back only to the run whose record completed the layer:
    exactly one run per layer. None for every other run, and for a run that recorded over
    an earlier record of its step (a redelivery): that layer was completed, and advanced,
    by whoever completed it first."""
    started = time.time()
    output: Any = None
    error: str | None = None
    cached = False
    tool: Tool | None = None
    try:
        tool = get_tool(call["name"], call["id"])
    except CeleragentError as exc:
        error = str(exc)
    side_effecting = bool(tool and tool.side_effecting)
    # This run takes the step's lease (refused while another live worker runs it, or when
    # the job has ended) in the same script that records its start: fence.Stopped then.
    lease = fence.new_lease(job_id, call["id"])
    pipe = r.pipeline(transaction=False)
    pipe.exists(keys.job_cancelled(job_id))
    events.emit(pipe, job_id, EventType.step_started, {"id": call["id"], "tool": call["name"]})
    redelivery.track(
        pipe, job_id, call, attempt, side_effecting=side_effecting, ttl_s=settings.job_ttl_s
    )
    # A job begun by its client (store.create `adopt_plan`) is `queued` until a step runs;
    # the fence writes nothing once the job has ended, so a terminal status stays.
    pipe.hset(keys.job(job_id), "status", JobStatus.running.value)
    replies = fence.commit(r, pipe, job_id, lease, mode="take", ttl_s=settings.job_ttl_s)
    cancelled = replies[0]
    admission = redelivery.decide(
        replies[2:], side_effecting=side_effecting, max_deliveries=settings.max_deliveries
    )
    if admission.previous is not None:
        return admission.previous, None  # a redelivered side effect that had finished
    if admission.error is not None:
        error = admission.error
        if admission.deliveries > settings.max_deliveries:
            redelivery.dead_letter(r, job_id, call, admission.error)
    elif cancelled:
        error = "skipped: the job was cancelled"
    elif tool is not None:
        try:
            tool.validate_arguments(call["arguments"], call["id"])
            timeout = tool.timeout_s or settings.tool_timeout_s
            runner = runner_for(r, settings)
            output, cached = run_with_timeout(lambda: runner(tool, call["arguments"]), timeout)
        except Exception as exc:  # noqa: BLE001 - a tool failure is data, not a crash
            policy = tool.retry.updated(settings.tool_retry.get(tool.name))
            if policy.retries(exc, attempt) and (max_attempts is None or attempt < max_attempts):
                fence.release(r, lease)  # the retry is a new run of this step
                raise RetryStep(describe_error(exc), policy.delay_s(attempt)) from exc
            error = describe_error(exc)
            if attempt > 1:
                error = f"failed after {attempt} attempts: {error}"
    finished = time.time()
    step = StepResult(
        id=call["id"],
        tool=call["name"],
        started_at=started,
        finished_at=finished,
        duration_ms=(finished - started) * 1000,
        queue_wait_ms=None if enqueued_at is None else max(0.0, (started - enqueued_at) * 1000),
        cached=cached,
        error=error,
        output=output,
        attempts=attempt,
    )
    pipe = r.pipeline(transaction=False)
    others = [i for i in layer_calls or () if i != call["id"]]
    if layer_calls is not None:
        # Before the record, in the same script: was this step recorded, are the others?
        # (HSTRLEN is 0 for a missing field: a length each, not the others' whole outputs.)
        for step_id in (call["id"], *others):
            pipe.hstrlen(keys.job_steps(job_id), step_id)
    store.record_step(pipe, job_id, step, settings.job_ttl_s)
    metrics.record_step(
        pipe,
        kind="tool",
        name=step.tool,
        queue_wait_ms=step.queue_wait_ms,
        run_ms=step.duration_ms,
        cached=step.cached,
        ok=step.ok,
        job_id=job_id,
    )
    # The job's state, for the next hop, is read in the same script, and only by the run
    # whose record completes the layer (its own length was 0, the others' not).
    then = None if layer_calls is None else (len(others) + 1, state.read_commands(job_id))
    # Recorded only if this run still holds the step and the job is live; a run that was
    # taken over while stalled stops here and its late result is dropped.
    queued = len(pipe)
    replies = fence.commit(r, pipe, job_id, lease, ttl_s=settings.job_ttl_s, then=then)
    if then is None or len(replies) == queued:
        return step, None  # recorded before (a redelivery), or the layer is still running
    return step, state.from_replies(job_id, replies[-3:])  # live: the commit checked it
