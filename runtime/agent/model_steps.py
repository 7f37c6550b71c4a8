"""The model's steps of a job: plan (question -> tool DAG) and synthesize (tool results ->
answer, or a request for more tools, which plans again). Runs in `llm` or `gpu` workers.

Bounded by the job's budget: each round costs a step and model calls; when the budget is
spent the job ends with the best answer it has.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import redis
from celery import Celery

from runtime.agent import reuse
from runtime.agent.answer_prompt import build_answer_messages, needs_more_tools
from runtime.agent.guarded import GuardedBackend
from runtime.agent.planner import plan_with_model
from runtime.broker.queues import AGENT
from runtime.cache.prompt_cache import PromptCache
from runtime.config import Settings
from runtime.errors import BudgetExceeded, CeleragentError, RetryableError
from runtime.guard import degrade, metrics
from runtime.guard.budget import JobLedger
from runtime.job import dag, events, orchestrator, store
from runtime.llm.base import Completion, get_backend
from runtime.llm.router import ModelProfile, Router, get_profile
from runtime.llm.tokens import fit_messages
from runtime.schemas import EventType, JobSpec, JobStatus, Plan, StepResult, Usage
from runtime.tools.registry import all_tools

PLAN_TASK = "celeragent.llm.plan"
SYNTHESIZE_TASK = "celeragent.llm.synthesize"
ANSWER_MAX_TOKENS = 160
PLAN_MAX_TOKENS = 200  # a plan is short JSON; a small model rambles on after it


@dataclass
class ModelStep:
    job_id: str
    profile: ModelProfile
    round: int


_prompt_caches: dict[int, PromptCache] = {}


def prompt_cache(r: redis.Redis, settings: Settings) -> PromptCache | None:
    """One per process and Redis client: its in-process LRU is only useful when shared."""
    if not settings.cache_enabled:
        return None
    cache = _prompt_caches.get(id(r))
    if cache is None:
        cache = PromptCache(
            r,
            settings.prompt_cache_ttl_s,
            settings.prompt_cache_lru_size,
            settings.prompt_cache_any_temperature,
        )
        _prompt_caches[id(r)] = cache
    return cache


def guarded(
    r: redis.Redis, step: ModelStep, spec: JobSpec, settings: Settings, steps: int = 1
) -> GuardedBackend:
    """The step's backend behind the prompt cache and the job's budget; `steps` reserved."""
    ledger = JobLedger.from_settings(r, step.job_id, spec.budget, spec.tenant)
    if steps:
        ledger.reserve(steps=steps)
    level = degrade.get_level(r)
    return GuardedBackend(
        get_backend(step.profile),
        step.profile,
        ledger=ledger,
        prompt_cache=prompt_cache(r, settings),
        max_tokens_factor=degrade.effects(level).max_tokens_factor,
    )


def route(spec: JobSpec, settings: Settings, degradation_level: int = 0) -> ModelProfile:
    requested = spec.model or settings.default_model
    return Router().select(
        spec.query,
        requested=requested,
        remaining_budget_usd=spec.budget.max_cost_usd,
        degradation_level=degradation_level,
    )


def send_model_task(
    app: Celery, task: str, job_id: str, profile: ModelProfile, round_: int, priority: int
) -> None:
    app.send_task(
        task,
        args=[job_id, profile.name, round_],
        queue=profile.queue,
        priority=9 - priority,
    )


def record_completions(
    r: redis.Redis,
    step: ModelStep,
    kind: str,
    completions: list[Completion],
    started: float,
    output: Any,
    settings: Settings,
    error: str | None = None,
) -> None:
    paid = [c for c in completions if not c.cached]  # a cache hit spends nothing
    usage = Usage(
        prompt_tokens=sum(c.usage.prompt_tokens for c in paid),
        completion_tokens=sum(c.usage.completion_tokens for c in paid),
        llm_calls=len(paid),
        cost_usd=sum(step.profile.cost_usd(c.usage) for c in paid),
    )
    finished = time.time()
    result = StepResult(
        id=f"{kind}_{step.round}",
        tool=step.profile.name,
        kind=kind,
        started_at=started,
        finished_at=finished,
        duration_ms=(finished - started) * 1000,
        cached=bool(completions) and all(c.cached for c in completions),
        output=output,
        error=error,
    )
    pipe = r.pipeline(transaction=False)
    store.add_usage(pipe, step.job_id, usage, step.profile.name)
    store.record_step(pipe, step.job_id, result, settings.job_ttl_s)
    for c in completions:
        metrics.record_step(
            pipe,
            kind="llm",
            name=step.profile.name,
            queue_wait_ms=None,
            run_ms=c.latency_ms,
            tokens=0 if c.cached else c.usage.total_tokens,
            cost_usd=0.0 if c.cached else step.profile.cost_usd(c.usage),
            cached=c.cached,
            job_id=step.job_id,
        )
    pipe.execute()


def spent_rounds(state: orchestrator.JobState) -> tuple[int, int]:
    """(model steps so far, tool steps so far)."""
    model_steps = sum(1 for s in state.steps.values() if s.kind in ("plan", "answer"))
    return model_steps, sum(1 for s in state.steps.values() if s.kind == "tool")


def plan(r: redis.Redis, app: Celery, step: ModelStep, settings: Settings) -> bool:
    """Ask the model for a plan and adopt it. True: there are tools to run (the caller
    dispatches layer 0); False: no tools are needed and the answer step was sent."""
    state = orchestrator.load_state(r, step.job_id)
    spec = state.spec
    tools = all_tools(spec.tools)
    started = time.time()
    _announce(r, step, "plan")

    def validate(candidate: Plan) -> None:
        dag.validate_plan(
            candidate,
            allowlist=spec.tools,
            max_calls=settings.max_plan_calls,
            max_depth=settings.max_plan_depth,
            max_argument_bytes=settings.max_argument_bytes,
        )

    previous = [_step_view(s) for s in state.steps.values() if s.kind == "tool"]
    query = spec.query
    if previous:
        query += "\n\nAlready done (do not repeat):\n" + json.dumps(previous)[:4000]
    backend = guarded(r, step, spec, settings)
    outcome = plan_with_model(backend, step.profile, query, tools, validate, PLAN_MAX_TOKENS)
    output = {"source": outcome.source, "calls": len(outcome.plan.calls) if outcome.plan else 0}
    record_completions(
        r, step, "plan", outcome.completions, started, output, settings, error=outcome.error
    )
    if outcome.plan is None:
        send_model_task(app, SYNTHESIZE_TASK, step.job_id, step.profile, step.round, spec.priority)
        return False
    # Later rounds get fresh ids so their steps never overwrite earlier ones.
    new_plan = dag.suffix_ids(outcome.plan, f"_r{step.round}") if step.round > 1 else outcome.plan
    orchestrator.adopt_plan(r, step.job_id, spec, new_plan, settings, source=outcome.source)
    return True


def _announce(r: redis.Redis, step: ModelStep, purpose: str) -> None:
    data = {"purpose": purpose, "model": step.profile.name, "round": step.round}
    events.emit(r, step.job_id, EventType.llm_started, data)


def _step_view(s: StepResult) -> dict[str, Any]:
    return {"id": s.id, "tool": s.tool, "output": s.output, "error": s.error}


def synthesize(
    r: redis.Redis,
    app: Celery,
    step: ModelStep,
    settings: Settings,
    max_tokens: int = ANSWER_MAX_TOKENS,
) -> None:
    """Write the answer (streamed as `token` events) and finish the job; or, when the model
    asks for more tools and the budget allows another round, plan again."""
    state = orchestrator.load_state(r, step.job_id)
    spec = state.spec
    tool_steps = [_step_view(s) for s in state.steps.values() if s.kind == "tool"]
    messages = build_answer_messages(spec.query, tool_steps)
    backend = guarded(r, step, spec, settings)
    messages = fit_messages(messages, backend.count_tokens, step.profile.context_window, max_tokens)
    started = time.time()
    _announce(r, step, "answer")

    def on_token(text: str) -> None:
        events.emit(r, step.job_id, EventType.token, {"text": text})

    def ask(profile: ModelProfile, guarded_backend: GuardedBackend) -> Completion:
        return guarded_backend.complete(
            messages,
            model=profile.wire_model,
            max_tokens=max_tokens,
            temperature=0.0,
            on_token=on_token,
        )

    # The source's chain for a failing model step: the model times out or fails, the
    # fastest other model tries once, and if that fails too the job gets a canned reply.
    output: dict[str, Any] = {}
    try:
        completion = ask(step.profile, backend)
    except RetryableError as exc:
        fallback = fastest_other(step.profile)
        output["fallback_from"] = {"model": step.profile.name, "error": str(exc)}
        if fallback is None:
            return _canned(r, step, started, output, settings)
        step = ModelStep(step.job_id, fallback, step.round)
        _announce(r, step, "answer")
        try:
            completion = ask(fallback, guarded(r, step, spec, settings, steps=0))
        except RetryableError as again:
            output["fallback_error"] = str(again)
            return _canned(r, step, started, output, settings)
    wanted = needs_more_tools(completion.text)
    output["need_tools"] = wanted
    record_completions(r, step, "answer", [completion], started, output, settings)
    model_steps, _ = spent_rounds(state)
    budget = spec.budget
    if wanted and model_steps + 2 < budget.max_steps and step.round < budget.max_llm_calls:
        send_model_task(app, PLAN_TASK, step.job_id, step.profile, step.round + 1, spec.priority)
        return
    store.finalize(r, step.job_id, JobStatus.done, answer=completion.text, ttl_s=settings.job_ttl_s)
    if reuse.eligible(spec):
        app.send_task(reuse.REMEMBER_TASK, args=[step.job_id], queue=AGENT)


def shed_if_degraded(r: redis.Redis, job_id: str, spec: JobSpec, settings: Settings) -> bool:
    """At degradation level 2 a low-priority job gets a canned reply instead of a model
    call. True when the job was shed."""
    level = degrade.get_level(r)
    below = degrade.effects(level).canned_for_priority_below
    if below is None or spec.priority >= below:
        return False
    store.finalize(
        r,
        job_id,
        JobStatus.degraded,
        answer=degrade.canned_reply(job_id),
        error=f"shed at degradation level {level}: priority {spec.priority} is below {below}",
        ttl_s=settings.job_ttl_s,
        extra_event={"level": level},
    )
    return True


def fail_job(r: redis.Redis, job_id: str, exc: BaseException, settings: Settings) -> None:
    """A model step that cannot succeed ends the job with the reason, never a hang."""
    message = str(exc) if isinstance(exc, CeleragentError) else f"{type(exc).__name__}: {exc}"
    state = orchestrator.load_state(r, job_id)
    store.finalize(
        r,
        job_id,
        JobStatus.failed,
        answer=orchestrator.outputs_answer(state),
        error=f"model step failed: {message}",
        ttl_s=settings.job_ttl_s,
    )


def fastest_other(profile: ModelProfile) -> ModelProfile | None:
    """The quickest available model other than `profile` (the retry in the chain)."""
    others = [
        p
        for p in Router().profiles.values()
        if p.name != profile.name and p.routable and p.available()
    ]
    return min(others, key=lambda p: (p.typical_latency_s, p.name), default=None)


def _canned(
    r: redis.Redis, step: ModelStep, started: float, output: dict[str, Any], settings: Settings
) -> None:
    record_completions(r, step, "answer", [], started, output, settings, error="no model answered")
    store.finalize(
        r,
        step.job_id,
        JobStatus.degraded,
        answer=degrade.canned_reply(step.job_id),
        error="no model could answer: " + json.dumps(output, ensure_ascii=False),
        ttl_s=settings.job_ttl_s,
    )


def exhaust_job(r: redis.Redis, job_id: str, exc: BudgetExceeded, settings: Settings) -> None:
    """The budget ran out: end with the best answer the job has, and say which limit."""
    state = orchestrator.load_state(r, job_id)
    store.finalize(
        r,
        job_id,
        JobStatus.budget_exhausted,
        answer=orchestrator.outputs_answer(state),
        error=str(exc),
        ttl_s=settings.job_ttl_s,
        extra_event={"limit": exc.limit},
    )


def get_step(job_id: str, model_name: str, round_: int) -> ModelStep:
    return ModelStep(job_id, get_profile(model_name), round_)
