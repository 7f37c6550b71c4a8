"""The model's steps of a job: plan (question -> tool DAG) and synthesize (tool results ->
answer, or a request for more tools). Runs in `llm` or `gpu` workers.

Each step records what it did (a `plan_N` or `answer_N` step with its usage and cost) and
returns an outcome; what the job does next is decided by runtime/job/lifecycle.py.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import redis

from runtime.agent import answer_check
from runtime.agent.answer_prompt import build_answer_messages, context_turns, needs_more_tools
from runtime.agent.guarded import GuardedBackend
from runtime.agent.plan_prompt import build_planner_messages
from runtime.agent.planner import PlanOutcome, plan_with_model
from runtime.cache.prompt_cache import PromptCache
from runtime.config import Settings
from runtime.conversation import context, recall
from runtime.errors import ConfigError, RetryableError
from runtime.guard import degrade, limits, metrics
from runtime.guard.budget import JobLedger
from runtime.job import dag, events, fence, store
from runtime.job.state import JobState
from runtime.job.validation import plan_layers
from runtime.llm.base import Completion
from runtime.llm.profiles import ModelProfile, get_profile
from runtime.llm.registry import get_backend
from runtime.llm.router import Router
from runtime.llm.tokens import fit_messages
from runtime.recovery.liveness import Served
from runtime.schemas import EventType, JobSpec, StepResult, Usage
from runtime.tools.registry import all_tools

ANSWER_MAX_TOKENS = 160
PLAN_MAX_TOKENS = 200  # a plan is short JSON; a small model rambles on after it


@dataclass
class ModelStep:
    job_id: str
    profile: ModelProfile
    round: int
    # This run's claim on the step (`plan_N` / `answer_N`); see runtime/job/fence.py.
    lease: fence.Lease | None = None


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
        # Between tokens the call stops once the job ends or the step is taken over.
        stop_check=fence.throttled_check(r, step.job_id, step.lease),
        gate=limits.model_gate(r, step.profile, settings),
        wait_s=settings.llm_timeout_s,
    )


def route(
    spec: JobSpec,
    settings: Settings,
    degradation_level: int = 0,
    served: Served | None = None,
) -> ModelProfile:
    """The job's model: the one it names, or the router's choice; with `served`, only a
    model some live worker serves, or failing that one whose worker beat within the grace
    (it is restarting: the step waits in its queue). Refused (ConfigError) when neither."""
    requested = spec.model or settings.default_model

    def select(queues: set[str] | None) -> ModelProfile:
        return Router().select(
            spec.query,
            requested=requested,
            remaining_budget_usd=spec.budget.max_cost_usd,
            degradation_level=degradation_level,
            live_queues=queues,
        )

    if served is None:
        return select(None)
    try:
        return select(set(served.live))
    except ConfigError as refused:
        if served.recent <= served.live:
            raise
        try:
            return select(set(served.recent))
        except ConfigError:
            raise refused from None  # the live routing's error: it names what to start


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
    fence.commit(r, pipe, step.job_id, step.lease, ttl_s=settings.job_ttl_s)


def plan(r: redis.Redis, step: ModelStep, state: JobState, settings: Settings) -> PlanOutcome:
    """Ask the model for a plan, validated once (its layers come back with it). In later
    rounds the plan's ids get a `_rN` suffix so its steps never overwrite earlier ones."""
    spec = state.spec
    started = time.time()
    _announce(r, step, "plan", settings)
    previous = [_step_view(s) for s in state.steps.values() if s.kind == "tool"]
    backend = guarded(r, step, spec, settings)
    query, conversation = _plan_query(r, step, spec, backend, settings)
    if previous:
        query += "\n\nAlready done (do not repeat):\n" + json.dumps(previous)[:4000]
    outcome = plan_with_model(
        backend,
        step.profile,
        query,
        all_tools(spec.tools),
        lambda candidate: plan_layers(candidate, spec.tools, settings),
        PLAN_MAX_TOKENS,
        settings.max_plan_calls,
        tool_gate=settings.planner_tool_similarity,
        tool_margin=settings.planner_tool_margin,
        tool_unnamed=settings.planner_tool_similarity_unnamed,
    )
    output: dict[str, Any] = {
        "source": outcome.source,
        "calls": len(outcome.plan.calls) if outcome.plan else 0,
    }
    if conversation:
        output["conversation"] = conversation
    record_completions(
        r, step, "plan", outcome.completions, started, output, settings, error=outcome.error
    )
    if outcome.plan is not None and step.round > 1:
        suffix = f"_r{step.round}"
        outcome.plan = dag.suffix_ids(outcome.plan, suffix)
        outcome.layers = [[i + suffix for i in layer] for layer in outcome.layers or []]
    return outcome


# --- conversations (runtime/conversation/context.py) ------------------------------------


def _plan_query(
    r: redis.Redis, step: ModelStep, spec: JobSpec, backend: GuardedBackend, settings: Settings
) -> tuple[str, dict[str, Any]]:
    """The planner's question, with the job's conversation fitted after it. Not for the
    local model: its tool gate and plan grammar read the question alone, and a 135M model
    copies values from whatever text it is shown (the answer step sees the conversation)."""
    if spec.conversation_id is None or step.profile.backend == "local":
        return spec.query, {}
    own = build_planner_messages(spec.query, all_tools(spec.tools))
    window = step.profile.context_window
    return context.plan_query(r, spec, own, backend.count_tokens, window, PLAN_MAX_TOKENS, settings)


def _announce(r: redis.Redis, step: ModelStep, purpose: str, settings: Settings) -> None:
    """Take the step's lease and say the model call starts, in one fenced write."""
    data = {"purpose": purpose, "model": step.profile.name, "round": step.round}
    pipe = r.pipeline(transaction=False)
    events.emit(pipe, step.job_id, EventType.llm_started, data)
    fence.commit(r, pipe, step.job_id, step.lease, mode="take", ttl_s=settings.job_ttl_s)


def _step_view(s: StepResult) -> dict[str, Any]:
    return {"id": s.id, "tool": s.tool, "output": s.output, "error": s.error}


@dataclass
class Answer:
    """What the answer step produced. `text` is None when no model could answer (the routed
    one and its fallback both failed); `tried` then says what failed."""

    text: str | None
    profile: ModelProfile  # the model that answered: the routed one or its fallback
    need_tools: str | None = None
    tried: dict[str, Any] = field(default_factory=dict)


def synthesize(
    r: redis.Redis,
    step: ModelStep,
    state: JobState,
    settings: Settings,
    max_tokens: int = ANSWER_MAX_TOKENS,
) -> Answer:
    """Write the answer (streamed as `token` events) from the job's tool steps."""
    spec = state.spec
    tool_steps = [_step_view(s) for s in state.steps.values() if s.kind == "tool"]
    # The plan's leaves hold the answer ("area, then double it": the doubling, not the area),
    # looking through a last call that only gathers results (echo of the area and its double).
    plan = state.plan
    final_ids = dag.leaves(plan, answer_check.GATHERING_TOOLS) if plan is not None else None
    checked = answer_check.checks(step.profile.backend)
    chat_turns = context_turns(spec.metadata)  # earlier messages sent to the gateway's chat
    messages = build_answer_messages(
        spec.query, tool_steps, final_ids=final_ids, local=checked, context=chat_turns
    )
    started = time.time()
    _announce(r, step, "answer", settings)  # the lease first: a duplicate reserves nothing
    backend = guarded(r, step, spec, settings)
    window = step.profile.context_window
    # The local model gets a lean context for a question one stored fact answers (context.py).
    fitted = context.for_step(
        r, spec, messages, backend.count_tokens, window, max_tokens, settings, lean=checked
    )
    messages = fit_messages(fitted.messages, backend.count_tokens, window, max_tokens)

    def on_token(text: str) -> None:
        # Fenced: no token after the job ended; fence.Stopped ends the model call here.
        pipe = r.pipeline(transaction=False)
        events.emit(pipe, step.job_id, EventType.token, {"text": text})
        fence.commit(r, pipe, step.job_id, step.lease, ttl_s=settings.job_ttl_s)

    def ask(profile: ModelProfile, guarded_backend: GuardedBackend) -> Completion:
        return guarded_backend.complete(
            messages,
            model=profile.wire_model,
            max_tokens=max_tokens,
            temperature=0.0,
            on_token=on_token,
        )

    # A failing model step: the model times out or fails, the fastest other model tries
    # once, and if that fails too the job gets a canned reply (runtime/job/endings.py).
    output: dict[str, Any] = {"conversation": fitted.info} if fitted.info else {}
    try:
        completion = ask(step.profile, backend)
    except RetryableError as exc:
        fallback = fastest_other(step.profile)
        output["fallback_from"] = {"model": step.profile.name, "error": str(exc)}
        if fallback is None:
            return _no_answer(r, step, started, output, settings)
        step = ModelStep(step.job_id, fallback, step.round, step.lease)
        _announce(r, step, "answer", settings)
        try:
            completion = ask(fallback, guarded(r, step, spec, settings, steps=0))
        except RetryableError as again:
            output["fallback_error"] = str(again)
            return _no_answer(r, step, started, output, settings)
    text = completion.text
    wanted = needs_more_tools(text)
    output["need_tools"] = wanted
    if wanted is None and answer_check.checks(step.profile.backend):
        # The small model may drop or garble the tool's number; the answer then starts with
        # it. The streamed tokens lack this line; the step output says it was added.
        text, lead = answer_check.ensure_result(text, tool_steps, final_ids)
        if lead is not None:
            output["result_lead"] = lead
        elif not tool_steps:
            # Likewise a fact the user stated that the answer does not state (recall.py).
            text, lead = recall.ensure_fact(text, spec.query, fitted.known)
            if lead is not None:
                output["memory_lead"] = lead
    record_completions(r, step, "answer", [completion], started, output, settings)
    return Answer(text, step.profile, need_tools=wanted)


def _no_answer(
    r: redis.Redis, step: ModelStep, started: float, tried: dict[str, Any], settings: Settings
) -> Answer:
    record_completions(r, step, "answer", [], started, tried, settings, error="no model answered")
    return Answer(None, step.profile, tried=tried)


def fastest_other(profile: ModelProfile) -> ModelProfile | None:
    """The quickest available model other than `profile` (the retry in the chain)."""
    others = [
        p
        for p in Router().profiles.values()
        if p.name != profile.name and p.routable and p.available()
    ]
    return min(others, key=lambda p: (p.typical_latency_s, p.name), default=None)


def get_step(job_id: str, model_name: str, round_: int, kind: str) -> ModelStep:
    """A run of the job's `kind` ("plan" or "answer") step of this round, with its lease."""
    return ModelStep(
        job_id, get_profile(model_name), round_, fence.new_lease(job_id, f"{kind}_{round_}")
    )
