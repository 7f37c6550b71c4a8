"""Queue `tools`: run one tool call, record it as a step, and advance its job when that record
completed the layer; prefetch a predicted call."""

from __future__ import annotations

import logging
from typing import Any

from celery.exceptions import Ignore
from celery.signals import worker_ready
from celery.worker import state as worker_state

from runtime.broker import tasks
from runtime.broker.app import app
from runtime.broker.queues import TOOLS
from runtime.errors import RetryStep
from runtime.job import inline
from runtime.job.executor import prefetch_call, run_call
from runtime.job.fence import Stopped
from runtime.tools import isolation
from runtime.tools.registry import load_tools
from workers.base import CeleragentTask

log = logging.getLogger(__name__)

# Import every tool module now, not inside the first job's step.
load_tools()


@worker_ready.connect
def _warm_tool_processes(sender: Any = None, **_: Any) -> None:
    """A worker consuming `tools` starts its tool processes now, not in a call's timeout."""
    queues = getattr(getattr(sender, "task_consumer", None), "queues", None) or []
    if TOOLS in {queue.name for queue in queues}:
        isolation.warm()


def serving() -> bool:
    # As Celery reads them (celery/worker/state.py): a warm shutdown sets should_stop to its
    # exit code, 0 included, so only None or False means "not stopping".
    flags = (worker_state.should_stop, worker_state.should_terminate)
    return all(flag is None or flag is False for flag in flags)


# max_retries=None: the tool's RetryPolicy (runtime/tools/base.py) decides, in execute_call.
@app.task(name=tasks.TOOL, base=CeleragentTask, bind=True, max_retries=None)
def run(
    self: CeleragentTask, job_id: str, layer: int, call: dict[str, Any], meta: dict[str, Any]
) -> dict[str, Any] | None:
    # The layer's calls: this task joins its layer itself (runtime/job/canvas.py). Without
    # them, a member of an older dispatcher's chord (its join is a task of its own), or an
    # older one-call layer (`inline_join`).
    layer_calls = meta.get("layer_calls") or ([call["id"]] if meta.get("inline_join") else None)
    try:
        step, state = run_call(
            self.redis,
            job_id,
            call,
            settings=self.settings,
            enqueued_at=meta.get("enqueued_at"),
            attempt=self.request.retries + 1,
            layer_calls=layer_calls,
        )
    except RetryStep as exc:
        raise self.retry(exc=exc, countdown=exc.delay_s) from None
    except Stopped as exc:
        # The job ended, or another run owns this step: no result, and Ignore keeps this
        # run out of an older chord's count (the owning run reports for the step).
        log.info("%s", exc)
        raise Ignore() from None
    if state is not None:
        # This run's record completed the layer (and only this run's did): the job goes
        # on from the state read by the script that recorded the step, a next layer of one
        # call in this task (runtime/job/inline.py), not once the worker is shutting down.
        settings = self.settings
        since = step.started_at  # the hops end within half the visibility timeout of this
        inline.run_on(self.redis, self.app, job_id, layer + 1, state, settings, serving, since)
    if layer_calls is not None:
        return None  # nobody reads it (and Celery's log line need not repr it)
    # A small summary, for an older chord's join (it reads the full steps from Redis).
    return {"id": step.id, "ok": step.ok}


@app.task(name=tasks.PREFETCH, base=CeleragentTask, bind=True, ignore_result=True)
def prefetch(self: CeleragentTask, name: str, arguments: dict[str, Any]) -> bool:
    return prefetch_call(self.redis, name, arguments, self.settings)
