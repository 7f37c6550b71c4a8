"""Queue `agent`: start a job, join each layer, hand off to the model or finish."""

from __future__ import annotations

from typing import Any

from runtime.agent import reuse
from runtime.broker.app import app
from runtime.errors import CeleragentError
from runtime.job import approval, events, orchestrator, store
from runtime.recovery import stalls
from runtime.schemas import EventType, JobStatus
from runtime.tools.registry import load_tools
from workers.base import CeleragentTask
from workers.hooks import request_plan, run_layers

# Import every tool module now, not inside the first job's step.
load_tools()


@app.task(name="celeragent.agent.start", base=CeleragentTask, bind=True)
def start(self: CeleragentTask, job_id: str) -> None:
    begin(self, job_id)


def begin(self: CeleragentTask, job_id: str) -> None:
    r = self.redis
    spec = store.load_spec(r, job_id)
    if store.is_cancelled(r, job_id):
        store.finalize(r, job_id, JobStatus.cancelled, error="the job was cancelled")
        return
    if spec.plan is None:
        request_plan(self.app, r, job_id, spec)
        return
    try:
        orchestrator.adopt_plan(r, job_id, spec, spec.plan, self.settings, source="user")
    except CeleragentError as exc:
        # The client validated this plan; a failure here means the tool set changed between
        # the client and this worker (different CELERAGENT_TOOL_MODULES).
        store.finalize(r, job_id, JobStatus.failed, error=str(exc))
        return
    run_layers(self, job_id, 0)


@app.task(name="celeragent.agent.join", base=CeleragentTask, bind=True)
def join(self: CeleragentTask, _results: Any, job_id: str, layer: int) -> None:
    # The steps are already in Redis (each tool task records its own); the results passed
    # by the chord are not needed beyond knowing the layer is complete.
    run_layers(self, job_id, layer + 1)


@app.task(name=reuse.REMEMBER_TASK, base=CeleragentTask, bind=True, ignore_result=True)
def remember(self: CeleragentTask, job_id: str) -> dict[str, Any]:
    """After a job: its answer into the semantic cache, its plan into prefetch memory."""
    return reuse.remember(self.redis, job_id, self.settings)


@app.task(name=approval.RESUME_TASK, base=CeleragentTask, bind=True)
def resume(self: CeleragentTask, job_id: str, layer: int) -> None:
    """A layer that waited for an approval goes on (approved, denied or timed out)."""
    run_layers(self, job_id, layer)


@app.task(name=stalls.REDRIVE_TASK, base=CeleragentTask, bind=True)
def redrive(self: CeleragentTask, job_id: str) -> None:
    """A job whose message was lost (runtime/recovery/stalls.py) goes on from its recorded state:
    plan it if it has no plan, else run its first layer with unrecorded calls, else answer."""
    r = self.redis
    if store.get_result(r, job_id) is not None:
        return  # it finished after all
    count = stalls.claim_redrive(r, job_id, self.settings.max_redrives)
    if count is None:
        store.finalize(
            r,
            job_id,
            JobStatus.failed,
            error=f"its messages were lost {self.settings.max_redrives + 1} times; "
            "see the worker logs",
        )
        return
    state = orchestrator.load_state(r, job_id)
    layer = orchestrator.first_open_layer(state) if state.plan is not None else None
    events.emit(
        r,
        job_id,
        EventType.recovered,
        {
            "reason": "no message for this job was on any queue or worker",
            "layer": layer,
            "redrive": count,
        },
    )
    if layer is None:
        begin(self, job_id)
    else:
        run_layers(self, job_id, layer)
