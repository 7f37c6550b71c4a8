"""Where the worker tasks plug the optional layers (caches, models) into orchestration.

Kept in one place so `workers/agent.py` and `workers/tools.py` stay thin and each layer can
be switched off by settings without touching the task code.
"""

from __future__ import annotations

from collections.abc import Callable

import redis
from celery import Celery

from runtime import orchestrator
from runtime.config import Settings
from runtime.executor import Runner, direct_runner
from runtime.orchestrator import JobState, LayerCacheLookup
from runtime.schemas import JobSpec
from workers.base import CeleragentTask


def cache_lookup_for(r: redis.Redis, settings: Settings) -> LayerCacheLookup | None:
    return None


def tool_runner_for(r: redis.Redis, settings: Settings) -> Runner:
    return direct_runner


def on_tools_done_for(
    app: Celery, r: redis.Redis, settings: Settings
) -> Callable[[JobState], None]:
    def done(state: JobState) -> None:
        orchestrator.finish_with_outputs(r, state, settings)

    return done


def request_plan(app: Celery, r: redis.Redis, job_id: str, spec: JobSpec) -> None:
    raise NotImplementedError("planning with a model arrives with the LLM layer")


def run_layers(task: CeleragentTask, job_id: str, layer: int) -> None:
    """Dispatch the next layer with work (or finish): from a join, or inline from the task of
    a one-call layer."""
    orchestrator.advance(
        task.redis,
        task.app,
        job_id,
        layer,
        task.settings,
        cache_lookup=cache_lookup_for(task.redis, task.settings),
        on_tools_done=on_tools_done_for(task.app, task.redis, task.settings),
    )
