"""Queue `tools`: run one tool call and record it as a step; prefetch a predicted call."""

from __future__ import annotations

import logging
from typing import Any

from celery.exceptions import Ignore
from celery.signals import worker_ready

from runtime.broker import tasks
from runtime.broker.app import app
from runtime.broker.queues import TOOLS
from runtime.errors import RetryStep
from runtime.job import lifecycle
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


# max_retries=None: the tool's RetryPolicy (runtime/tools/base.py) decides, in execute_call.
@app.task(name=tasks.TOOL, base=CeleragentTask, bind=True, max_retries=None)
def run(
    self: CeleragentTask, job_id: str, layer: int, call: dict[str, Any], meta: dict[str, Any]
) -> dict[str, Any]:
    try:
        step, state = run_call(
            self.redis,
            job_id,
            call,
            settings=self.settings,
            enqueued_at=meta.get("enqueued_at"),
            attempt=self.request.retries + 1,
            read_state=bool(meta.get("inline_join")),
        )
    except RetryStep as exc:
        raise self.retry(exc=exc, countdown=exc.delay_s) from None
    except Stopped as exc:
        # The job ended, or another run owns this step: no result, and Ignore keeps this
        # run out of the layer's chord count (the owning run reports for the step).
        log.info("%s", exc)
        raise Ignore() from None
    if meta.get("inline_join"):
        # A one-call layer has no join task: its own task advances the job, from the state
        # read by the same script that recorded the step.
        lifecycle.advance(self.redis, self.app, job_id, layer + 1, self.settings, state)
    # Only a small summary travels to the join through the chord: the join reads the full
    # step from Redis, so large outputs are not copied through it.
    return {"id": step.id, "ok": step.ok}


@app.task(name=tasks.PREFETCH, base=CeleragentTask, bind=True, ignore_result=True)
def prefetch(self: CeleragentTask, name: str, arguments: dict[str, Any]) -> bool:
    return prefetch_call(self.redis, name, arguments, self.settings)
