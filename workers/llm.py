"""Queues `llm` and `gpu`: the model's steps. The same tasks serve both queues; the router
picks the queue by the model profile (remote models on `llm`, the local model on `gpu`)."""

from __future__ import annotations

import os
import threading
from typing import Any

from celery.signals import worker_ready

from runtime.agent import model_steps
from runtime.broker.app import app
from runtime.errors import BudgetExceeded, RetryableError
from workers.base import CeleragentTask
from workers.hooks import run_layers


@app.task(name=model_steps.PLAN_TASK, base=CeleragentTask, bind=True, max_retries=2)
def plan(self: CeleragentTask, job_id: str, model: str, round_: int) -> None:
    with _model_step(self, job_id):
        step = model_steps.get_step(job_id, model, round_)
        if model_steps.plan(self.redis, self.app, step, self.settings):
            run_layers(self, job_id, 0)


# No Celery retries here: synthesize runs its own chain (faster model, then canned reply).
@app.task(name=model_steps.SYNTHESIZE_TASK, base=CeleragentTask, bind=True, max_retries=0)
def synthesize(self: CeleragentTask, job_id: str, model: str, round_: int) -> None:
    with _model_step(self, job_id):
        step = model_steps.get_step(job_id, model, round_)
        model_steps.synthesize(self.redis, self.app, step, self.settings)


class _model_step:
    """Retry transient failures with backoff; end the job on anything else."""

    def __init__(self, task: CeleragentTask, job_id: str):
        self.task, self.job_id = task, job_id

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None:
            return False
        task = self.task
        if isinstance(exc, BudgetExceeded):
            model_steps.exhaust_job(task.redis, self.job_id, exc, task.settings)
            return True
        if isinstance(exc, RetryableError) and task.request.retries < task.max_retries:
            raise task.retry(exc=exc, countdown=1.0 * 2**task.request.retries)
        model_steps.fail_job(task.redis, self.job_id, exc, task.settings)
        return True  # recorded in the job's result; the task itself succeeds


@worker_ready.connect
def _warm_local_model(**_: Any) -> None:
    """The gpu worker loads its model at start, in the background, not in the first job."""
    if os.environ.get("CELERAGENT_WORKER_QUEUE") != "gpu":
        return

    def warm() -> None:
        from runtime.llm.base import get_backend
        from runtime.llm.router import profiles

        for profile in profiles().values():
            if profile.backend == "local":
                get_backend(profile).warm()  # type: ignore[attr-defined]

    threading.Thread(target=warm, name="warm-local-model", daemon=True).start()
