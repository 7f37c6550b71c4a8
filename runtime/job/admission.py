"""Admission at submit: refuse a job that no live worker could run, before it is queued.

A job that needs a model (it has no plan, or wants a model's answer) is routed here once
against the queues that live workers consume (their heartbeats mark them, see
runtime/recovery/heartbeat.py). A model named by the spec whose queue has no live worker, or
no usable model with a live worker at all, is refused with a sentence that says what to
start; accepted, such a job would wait for a worker until its deadline. The job is routed
again when its model step is sent (runtime/job/lifecycle.py), with the queues live then.
"""

from __future__ import annotations

import redis

from runtime.agent import model_steps
from runtime.config import Settings
from runtime.errors import ConfigError, SpecError
from runtime.llm.profiles import QUEUES as MODEL_QUEUES
from runtime.recovery import liveness
from runtime.schemas import JobSpec


def check_servable(r: redis.Redis, spec: JobSpec, settings: Settings) -> None:
    """Raise SpecError when no live worker serves the model this job would use."""
    if spec.plan is not None and not spec.wants_model_answer:
        return  # tools only: the tools queue is shared by every job and never refused here
    live = liveness.live_queues(r, MODEL_QUEUES)
    try:
        model_steps.route(spec, settings, live_queues=live)
    except ConfigError as exc:
        raise SpecError(f"the job cannot run now: {exc}") from None
