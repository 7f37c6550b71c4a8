"""A tools task that completes its layer runs the next layer itself when that layer is one call.

Why: in a chain of tool calls every hop used to be a Celery message from a `tools` worker to
a `tools` worker: build and publish it, then receive and decode it (about 3.5 ms of a hop's
7 here, ops/bench/orchestration.py). The task that completes layer k already holds the job's
state (read by the script that recorded its step), so when layer k+1 is a single call it
runs that call at once, in the same task: no message, no queue wait, no worker hop.

What stays as it was, because each hop is still an ordinary step run (`executor.run_call`):
the step's lease taken in the script that records its start, its budget step reserved
before it runs (`layers.dispatch_next`), its timeout in the tool's own lane, its record
through the fence, and its layer joined by that record. A layer of several calls is still
one Celery group, one message per call.

What changes:
- a chain is served depth-first: the worker that runs a job's step runs its next one-call
  layer before a message that waits in the queue. At most `Settings.tool_inline_hops` in a
  row (0 turns this off), and none once the worker is shutting down (`may_continue`);
- the task's own message stays unacknowledged until its last hop: a hop that could end past
  half the visibility timeout (the task's time so far plus the hop's tool timeout) is sent
  as its own message instead, so Redis never redelivers a message whose task is still at
  work;
- a hop that fails in a way its tool's RetryPolicy retries is sent as its own message, with
  the policy's backoff, like any retried step;
- Flower shows one task for the hops it ran; the job's events show every step;
- a worker that dies during a hop run here leaves no message for that hop: its job is found
  lost and re-driven (runtime/recovery/stalls.py, after `stall_after_s`), as for a member
  that dies between its record and its advance. The task's own message was not acknowledged
  and is delivered again, but its step is recorded, so it only re-records it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from celery import Celery

from runtime.broker.result_backend import untracked
from runtime.config import Settings
from runtime.errors import CeleragentError, RetryStep
from runtime.job import lifecycle
from runtime.job.canvas import tool_signature
from runtime.job.executor import run_call
from runtime.job.fence import Stopped
from runtime.job.state import JobState
from runtime.tools.registry import get_tool

log = logging.getLogger(__name__)


def run_on(
    r: redis.Redis,
    app: Celery,
    job_id: str,
    layer: int,
    state: JobState,
    settings: Settings,
    may_continue: Callable[[], bool] = lambda: True,
    since: float | None = None,
) -> int:
    """Advance the job after layer `layer - 1` was completed by this task's record (`state`
    read by that record), running each next one-call layer here. `since`: when the task
    started (time.time(); default now). Returns the hops run."""
    since = time.time() if since is None else since
    hops = 0
    while True:
        inline = hops < settings.tool_inline_hops and may_continue()
        sent = lifecycle.advance(r, app, job_id, layer, settings, state, inline=inline)
        call = None if sent is None else sent.inline
        if sent is None or sent.layer is None or call is None:
            return hops
        layer = sent.layer
        priority = state.spec.priority
        if not _fits(call, since, settings):
            _send(app, job_id, layer, call, priority)
            return hops
        hops += 1
        try:
            _, next_state = run_call(
                r,
                job_id,
                call,
                settings=settings,
                enqueued_at=None,
                attempt=1,
                layer_calls=[call["id"]],
            )
        except RetryStep as exc:
            _send(app, job_id, layer, call, priority, countdown=exc.delay_s, retries=1)
            return hops
        except Stopped as exc:
            log.info("%s", exc)  # the job ended, or another run owns the step
            return hops
        if next_state is None:
            return hops  # recorded before: whoever recorded it first advanced the job
        state = next_state
        layer += 1


def _fits(call: dict[str, Any], since: float, settings: Settings) -> bool:
    """Whether the hop ends, even at its tool's timeout, within half the visibility timeout
    of the task's start (the task's message is acknowledged only when the task returns)."""
    try:
        timeout = get_tool(call["name"]).timeout_s or settings.tool_timeout_s
    except CeleragentError:
        timeout = settings.tool_timeout_s  # an unknown tool fails its step at once
    return time.time() - since + timeout <= settings.effective_visibility_timeout_s / 2


def _send(
    app: Celery, job_id: str, layer: int, call: dict[str, Any], priority: int, **options: Any
) -> None:
    """The call as its own message (for a retry, `retries` is the runs so far)."""
    with untracked():
        signature = tool_signature(job_id, layer, call, priority, app, [call["id"]])
        signature.apply_async(**options)
