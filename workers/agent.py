"""Queue `agent`: start a job, join each layer, resume after an approval, re-drive a lost
job (each one call into runtime/job/lifecycle.py), and remember a finished one
(runtime/agent/reuse.py)."""

from __future__ import annotations

from typing import Any

from runtime.agent import reuse
from runtime.broker import tasks
from runtime.broker.app import app
from runtime.job import lifecycle
from runtime.tools.registry import load_tools
from workers.base import CeleragentTask

# Import every tool module now, not inside the first job's step.
load_tools()


@app.task(name=tasks.START, base=CeleragentTask, bind=True)
def start(self: CeleragentTask, job_id: str) -> None:
    lifecycle.start(self.redis, self.app, job_id, self.settings)


@app.task(name=tasks.JOIN, base=CeleragentTask, bind=True)
def join(self: CeleragentTask, _results: Any, job_id: str, layer: int) -> None:
    # The steps are already in Redis (each tool task records its own); the results passed
    # by the chord are not needed beyond knowing the layer is complete.
    lifecycle.advance(self.redis, self.app, job_id, layer + 1, self.settings)


@app.task(name=tasks.RESUME, base=CeleragentTask, bind=True)
def resume(self: CeleragentTask, job_id: str, layer: int) -> None:
    """A layer that waited for an approval goes on (approved, denied or timed out)."""
    lifecycle.advance(self.redis, self.app, job_id, layer, self.settings)


@app.task(name=tasks.REDRIVE, base=CeleragentTask, bind=True)
def redrive(self: CeleragentTask, job_id: str) -> None:
    lifecycle.redrive(self.redis, self.app, job_id, self.settings)


@app.task(name=tasks.REMEMBER, base=CeleragentTask, bind=True, ignore_result=True)
def remember(self: CeleragentTask, job_id: str) -> dict[str, Any]:
    """After a job: its answer into the semantic cache, its plan into prefetch memory."""
    return reuse.remember(self.redis, job_id, self.settings)
