"""Human approval for side-effecting tools: a layer holding such a call pauses with an
`approval_required` event until someone approves or denies the step (`celeragent approve`),
or until `CELERAGENT_APPROVAL_TIMEOUT_S` passes (then it is denied). The other calls of the
layer wait with it, so the layer still runs as one."""

from __future__ import annotations

import time
from typing import Any, cast

import redis
from celery import Celery

from runtime import keys
from runtime.broker import tasks
from runtime.broker.queues import AGENT
from runtime.config import Settings
from runtime.errors import CeleragentError, SpecError
from runtime.job import events, fence, store
from runtime.schemas import EventType, StepResult
from runtime.tools.registry import get_tool

PENDING, APPROVED, DENIED, TIMED_OUT = "pending", "approved", "denied", "timed_out"


def needs_approval(tool_name: str, settings: Settings) -> bool:
    tool = get_tool(tool_name)
    return tool.side_effecting and (tool.requires_approval or tool_name in settings.approval_tools)


def gate(
    r: redis.Redis,
    job_id: str,
    layer: int,
    calls: list[dict[str, Any]],
    steps: dict[str, StepResult],
    settings: Settings,
) -> tuple[list[dict[str, Any]], bool]:
    """(calls that may run, whether the layer must wait). Denied calls become failed steps."""
    gated = [c for c in calls if needs_approval(c["name"], settings)]
    if not gated:
        return calls, False
    decisions = cast(
        list[str | None], r.hmget(keys.job_approvals(job_id), [c["id"] for c in gated])
    )
    waiting = False
    refused: set[str] = set()
    pipe = r.pipeline(transaction=False)
    for call, decision in zip(gated, decisions, strict=True):
        if decision is None:
            deadline = time.time() + settings.approval_timeout_s
            pipe.hset(keys.job_approvals(job_id), mapping={call["id"]: PENDING})
            pipe.zadd(keys.APPROVALS_PENDING, {f"{job_id}/{call['id']}/{layer}": deadline})
            events.emit(
                pipe,
                job_id,
                EventType.approval_required,
                {
                    "id": call["id"],
                    "tool": call["name"],
                    "arguments": call["arguments"],
                    "timeout_s": settings.approval_timeout_s,
                    "approve": f"celeragent approve {job_id} {call['id']}",
                },
            )
            waiting = True
        elif decision == PENDING:
            waiting = True
        elif decision in (DENIED, TIMED_OUT):
            now = time.time()
            why = "denied" if decision == DENIED else "not approved in time"
            step = StepResult(
                id=call["id"],
                tool=call["name"],
                started_at=now,
                finished_at=now,
                error=f"approval {why}: the side effect was not run",
            )
            steps[call["id"]] = step
            store.record_step(pipe, job_id, step, settings.job_ttl_s)
            refused.add(call["id"])
    if len(pipe):
        fence.commit(r, pipe, job_id)
    return [c for c in calls if c["id"] not in refused], waiting


def decide(r: redis.Redis, job_id: str, call_id: str, decision: str) -> int:
    """Record a decision for a pending step; return the layer to resume."""
    pending = [
        m
        for m in cast(list[str], r.zrange(keys.APPROVALS_PENDING, 0, -1))
        if m.startswith(f"{job_id}/{call_id}/")
    ]
    if not pending:
        raise SpecError(
            f"step {call_id!r} of job {job_id!r} is not waiting for approval "
            "(already decided, or never asked)."
        )
    pipe = r.pipeline(transaction=True)
    pipe.hset(keys.job_approvals(job_id), call_id, decision)
    pipe.zrem(keys.APPROVALS_PENDING, *pending)
    pipe.execute()
    return int(pending[0].rsplit("/", 1)[1])


def expired(r: redis.Redis, now: float | None = None) -> list[tuple[str, str]]:
    members = cast(list[str], r.zrangebyscore(keys.APPROVALS_PENDING, 0, now or time.time()))
    return [(m.split("/")[0], m.split("/")[1]) for m in members]


def resume(app: Celery, job_id: str, layer: int) -> None:
    """The layer goes on (approved, denied or timed out): the agent worker passes over it
    again, now with the decision recorded."""
    app.send_task(tasks.RESUME, args=[job_id, layer], queue=AGENT)


def expire(r: redis.Redis, app: Celery) -> int:
    """A step nobody approved in time is denied, and its job goes on without the effect.
    Returns how many expired."""
    count = 0
    for job_id, call_id in expired(r):
        try:
            layer = decide(r, job_id, call_id, TIMED_OUT)
        except CeleragentError:
            continue  # decided meanwhile
        resume(app, job_id, layer)
        count += 1
    return count
