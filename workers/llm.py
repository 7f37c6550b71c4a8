"""Queues `llm` and `gpu`: the model's steps and conversation summaries. The same tasks serve
both queues; the router picks the queue by the model profile (remote models on `llm`, the
local model on `gpu`), and a summary runs where its model is served."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from celery.signals import worker_ready

from runtime.broker import tasks
from runtime.broker.app import app
from runtime.config import get_settings
from runtime.conversation import summary
from runtime.job import lifecycle
from workers.base import CeleragentTask

log = logging.getLogger(__name__)


@app.task(name=tasks.PLAN, base=CeleragentTask, bind=True, max_retries=2)
def plan(self: CeleragentTask, job_id: str, model: str, round_: int) -> None:
    _model_step(self, lifecycle.plan_step, job_id, model, round_)


# No Celery retries here: the answer step runs its own chain (faster model, then canned reply).
@app.task(name=tasks.SYNTHESIZE, base=CeleragentTask, bind=True, max_retries=0)
def synthesize(self: CeleragentTask, job_id: str, model: str, round_: int) -> None:
    _model_step(self, lifecycle.answer_step, job_id, model, round_)


@app.task(name=tasks.SUMMARIZE, base=CeleragentTask, bind=True, ignore_result=True)
def summarize(self: CeleragentTask, job_id: str, model: str) -> dict[str, Any]:
    """A conversation's summary after a turn, off the critical path (lowest priority)."""
    return summary.summarize(self.redis, job_id, model, self.settings)


def _model_step(
    task: CeleragentTask, step: Callable[..., None], job_id: str, model: str, round_: int
) -> None:
    """Retry transient failures with backoff; anything else ends the job with the reason
    (recorded in its result: the task itself succeeds)."""
    try:
        step(task.redis, task.app, job_id, model, round_, task.settings)
    except Exception as exc:  # noqa: BLE001 - classified by lifecycle.model_step_failed
        retries = task.request.retries
        if lifecycle.model_step_failed(task.redis, job_id, exc, retries < task.max_retries):
            raise task.retry(exc=exc, countdown=1.0 * 2**retries) from None


@worker_ready.connect
def _warm_local_model(**_: Any) -> None:
    """The gpu worker loads its model and warms its planner (runtime/agent/warmup.py) at
    start, in the background, not in the first job."""
    if os.environ.get("CELERAGENT_WORKER_QUEUE") != "gpu":
        return

    def warm() -> None:
        from runtime.agent.warmup import warm_local_models
        from runtime.broker.connection import get_redis

        warm_local_models(get_redis(app.conf.broker_url), get_settings())

    threading.Thread(target=warm, name="warm-local-model", daemon=True).start()
