"""Where the worker tasks plug the optional layers (caches, models) into orchestration.

Kept in one place so `workers/agent.py` and `workers/tools.py` stay thin and each layer can
be switched off by settings without touching the task code.
"""

from __future__ import annotations

from collections.abc import Callable

import redis
from celery import Celery

from runtime import agent_loop, degrade, orchestrator
from runtime.config import Settings, get_settings
from runtime.errors import CeleragentError
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
    """After the last layer: the model writes the answer, or the outputs are the answer."""

    def done(state: JobState) -> None:
        if not state.spec.wants_model_answer:
            orchestrator.finish_with_outputs(r, state, settings)
            return
        try:
            profile = agent_loop.route(state.spec, settings, degrade.get_level(r))
        except CeleragentError as exc:
            agent_loop.fail_job(r, state.job_id, exc, settings)
            return
        model_rounds = sum(1 for s in state.steps.values() if s.kind == "plan")
        agent_loop.send_model_task(
            app,
            agent_loop.SYNTHESIZE_TASK,
            state.job_id,
            profile,
            max(1, model_rounds),
            state.spec.priority,
        )

    return done


def request_plan(app: Celery, r: redis.Redis, job_id: str, spec: JobSpec) -> None:
    """No plan in the spec: the routed model plans (on `llm` or `gpu`)."""
    settings = get_settings()
    try:
        profile = agent_loop.route(spec, settings, degrade.get_level(r))
    except CeleragentError as exc:
        agent_loop.fail_job(r, job_id, exc, settings)
        return
    agent_loop.send_model_task(app, agent_loop.PLAN_TASK, job_id, profile, 1, spec.priority)


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
