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
