"""Where the worker tasks plug the optional layers (caches, models) into orchestration.

Kept in one place so `workers/agent.py` and `workers/tools.py` stay thin and each layer can
be switched off by settings without touching the task code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
from celery import Celery

from runtime.agent import model_steps, reuse
from runtime.cache.tool_cache import ToolCache
from runtime.config import Settings, get_settings
from runtime.errors import CeleragentError
from runtime.guard import degrade
from runtime.job import orchestrator
from runtime.job.executor import Runner, direct_runner
from runtime.job.orchestrator import JobState, LayerCacheLookup
from runtime.schemas import JobSpec, StepResult
from runtime.tools.base import Tool
from runtime.tools.registry import get_tool
from workers.base import CeleragentTask


def _tool_cache(r: redis.Redis, settings: Settings) -> ToolCache | None:
    return ToolCache(r, settings.tool_cache_ttls) if settings.cache_enabled else None


def cache_lookup_for(r: redis.Redis, settings: Settings) -> LayerCacheLookup | None:
    """Resolve a layer's cached calls in one MGET, so they are never dispatched."""
    cache = _tool_cache(r, settings)
    if cache is None:
        return None

    def lookup(calls: list[dict[str, Any]]) -> list[StepResult | None]:
        hits = cache.lookup_many([(get_tool(c["name"]), c["arguments"]) for c in calls])
        now = time.time()
        return [
            None
            if hit is None
            else StepResult(
                id=c["id"],
                tool=c["name"],
                started_at=now,
                finished_at=now,
                cached=True,
                output=hit.output,
            )
            for c, hit in zip(calls, hits, strict=True)
        ]

    return lookup


def tool_runner_for(r: redis.Redis, settings: Settings) -> Runner:
    """Cacheable tools run through the cache with single-flight; others run directly."""
    cache = _tool_cache(r, settings)
    if cache is None:
        return direct_runner

    def runner(tool: Tool, arguments: dict[str, Any]) -> tuple[Any, bool]:
        if not cache.cacheable(tool):
            return direct_runner(tool, arguments)
        wait_s = tool.timeout_s or settings.tool_timeout_s
        return cache.run_single_flight(tool, arguments, lambda: tool.run(arguments), wait_s)

    return runner


def on_tools_done_for(
    app: Celery, r: redis.Redis, settings: Settings
) -> Callable[[JobState], None]:
    """After the last layer: the model writes the answer, or the outputs are the answer."""

    def done(state: JobState) -> None:
        if not state.spec.wants_model_answer:
            orchestrator.finish_with_outputs(r, state, settings)
            return
        if model_steps.shed_if_degraded(r, state.job_id, state.spec, settings):
            return
        try:
            profile = model_steps.route(state.spec, settings, degrade.get_level(r))
        except CeleragentError as exc:
            model_steps.fail_job(r, state.job_id, exc, settings)
            return
        model_rounds = sum(1 for s in state.steps.values() if s.kind == "plan")
        model_steps.send_model_task(
            app,
            model_steps.SYNTHESIZE_TASK,
            state.job_id,
            profile,
            max(1, model_rounds),
            state.spec.priority,
        )

    return done


def request_plan(app: Celery, r: redis.Redis, job_id: str, spec: JobSpec) -> None:
    """No plan in the spec: the routed model plans (on `llm` or `gpu`)."""
    settings = get_settings()
    if model_steps.shed_if_degraded(r, job_id, spec, settings):
        return
    try:
        profile = model_steps.route(spec, settings, degrade.get_level(r))
    except CeleragentError as exc:
        model_steps.fail_job(r, job_id, exc, settings)
        return
    if reuse.answer_from_cache(r, job_id, spec, profile, settings):
        return
    # Prefetched tool results land in the tool cache while the model plans.
    reuse.start_prefetch(r, app, spec, settings)
    model_steps.send_model_task(app, model_steps.PLAN_TASK, job_id, profile, 1, spec.priority)


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
