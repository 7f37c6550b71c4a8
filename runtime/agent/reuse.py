"""Reusing earlier jobs: a question already answered in other words is served from the
semantic cache; tool calls that similar questions needed are prefetched into the tool cache
while the planner thinks; finished jobs are remembered for both.

All of it runs on `agent` workers, so the embedding model is loaded there and never next to
the local LLM on `gpu` (the embedder pins torch to one thread per process).

Shadow verification (runtime/cache/shadow.py): a sampled share of hits is also answered by
the model in a background thread here and the answers compared. A model served by `gpu`
workers is never loaded here: for those, the sampled hit is withheld instead and becomes a
probe, like every would-be hit of a suspended scope: the job runs as on a miss, and
`remember` compares its answer with the withheld one.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import redis
from celery import Celery

from runtime import keys
from runtime.agent.answer_prompt import build_answer_messages, context_turns
from runtime.broker import tasks
from runtime.broker.queues import TOOLS
from runtime.cache.prefetch import PrefetchPredictor
from runtime.cache.semantic import Scope, SemanticCache, SemanticHit
from runtime.cache.shadow import Budget, ShadowVerifier
from runtime.config import Settings
from runtime.job import store
from runtime.job.canvas import broker_priority
from runtime.job.state import load_state
from runtime.llm.profiles import ModelProfile
from runtime.schemas import JobSpec, JobStatus, StepResult
from runtime.tools.registry import all_tools, get_tool

_semantic: dict[int, SemanticCache] = {}
_shadow: dict[int, ShadowVerifier] = {}
SHADOW_MAX_TOKENS = 512
_prefetch: dict[int, PrefetchPredictor] = {}


def _answer_prompt_hash() -> str:
    system = build_answer_messages("", [])[0]["content"]
    return hashlib.sha256(system.encode()).hexdigest()[:16]


def scope_for(spec: JobSpec, model: str) -> Scope:
    """Answers are shared only between jobs with the same model, prompt, tools and tenant."""
    tools = ",".join(f"{t.name}@{t.version}" for t in all_tools(spec.tools))
    return Scope(
        model=model,
        system_prompt_hash=_answer_prompt_hash(),
        toolset_version=hashlib.sha256(tools.encode()).hexdigest()[:16],
        tenant=spec.tenant,
    )


def semantic_cache(r: redis.Redis, settings: Settings) -> SemanticCache | None:
    if not (settings.cache_enabled and settings.semantic_enabled):
        return None
    cache = _semantic.get(id(r))
    if cache is None:
        from runtime.cache.embedder import get_embedder

        cache = SemanticCache(
            r,
            get_embedder(),
            settings.semantic_threshold,
            settings.semantic_ttl_s,
            zh_threshold=settings.semantic_threshold_zh,
        )
        _semantic[id(r)] = cache
    return cache


def shadow_verifier(r: redis.Redis, settings: Settings) -> ShadowVerifier:
    found = _shadow.get(id(r))
    if found is None:
        from runtime.cache.embedder import get_embedder

        found = ShadowVerifier(
            r, get_embedder(), Budget.from_settings(settings), ttl_s=settings.semantic_ttl_s
        )
        _shadow[id(r)] = found
    return found


def _asker(profile: ModelProfile) -> Callable[[str], str] | None:
    """The model, asked the bare question; None for a model that lives on `gpu` workers."""
    if profile.queue == "gpu":
        return None

    def ask(question: str) -> str:
        from runtime.llm.registry import get_backend

        completion = get_backend(profile).complete(
            build_answer_messages(question, []),
            model=profile.wire_model,
            max_tokens=SHADOW_MAX_TOKENS,
            temperature=0.0,
        )
        return completion.text

    return ask


def _probe_key(scope: Scope, query: str) -> str:
    digest = hashlib.sha256(f"{scope.id}\n{query.strip()}".encode()).hexdigest()[:32]
    return keys.semantic_probe(digest)


def _keep_probe(r: redis.Redis, scope: Scope, query: str, hit: SemanticHit, ttl_s: int) -> None:
    probe = {"sid": scope.id, "entry": hit.entry_id, "sim": hit.similarity, "answer": hit.answer}
    r.set(_probe_key(scope, query), json.dumps(probe, ensure_ascii=False), ex=ttl_s)


def predictor(r: redis.Redis, settings: Settings) -> PrefetchPredictor | None:
    if not (settings.cache_enabled and settings.prefetch_enabled):
        return None
    found = _prefetch.get(id(r))
    if found is None:
        from runtime.cache.embedder import get_embedder

        found = PrefetchPredictor(r, get_embedder(), threshold=settings.semantic_threshold)
        _prefetch[id(r)] = found
    return found


def eligible(spec: JobSpec) -> bool:
    """Only a plain question reuses answers: an explicit plan asks for those tools to run,
    and a question asked inside a conversation (a `conversation_id`, or chat turns in its
    metadata) means what the turns before it make it mean."""
    plain = spec.plan is None and spec.wants_model_answer and bool(spec.query.strip())
    return plain and spec.conversation_id is None and not context_turns(spec.metadata)


def cached_answer(
    r: redis.Redis, spec: JobSpec, profile: ModelProfile, settings: Settings
) -> tuple[str, StepResult] | None:
    """The answer an equivalent, earlier question got (from the semantic cache), with the
    step that records where it came from; None on a miss."""
    cache = semantic_cache(r, settings) if eligible(spec) else None
    if cache is None:
        return None
    started = time.time()
    scope = scope_for(spec, profile.name)
    withheld: list[SemanticHit] = []
    hit = cache.lookup(spec.query, scope, withheld=withheld.append)
    if hit is None:
        if withheld:  # The scope is suspended: compare this hit with the job's own answer.
            _keep_probe(r, scope, spec.query, withheld[0], settings.job_ttl_s)
        return None
    shadow = shadow_verifier(r, settings)
    if shadow.sampled():
        ask = _asker(profile)
        if ask is None:
            _keep_probe(r, scope, spec.query, hit, settings.job_ttl_s)
            return None
        shadow.check_in_background(scope.id, hit, spec.query, ask)
    step = StepResult(
        id="semantic_cache",
        tool="semantic",
        kind="answer",
        started_at=started,
        finished_at=time.time(),
        duration_ms=(time.time() - started) * 1000,
        cached=True,
        output={"similarity": round(hit.similarity, 4), "cached_question": hit.cached_question},
    )
    return str(hit.answer), step


def start_prefetch(r: redis.Redis, app: Celery, spec: JobSpec, settings: Settings) -> int:
    """Send the tool calls similar earlier questions needed, at the lowest priority."""
    found = predictor(r, settings) if eligible(spec) else None
    if found is None:
        return 0
    calls = found.predict(spec.query, spec.tenant, spec.tools)
    for call in calls:
        app.send_task(
            tasks.PREFETCH,
            args=[call["name"], call["arguments"]],
            queue=TOOLS,
            priority=broker_priority(0),
        )
    if calls:
        found.record(issued=len(calls))
    return len(calls)


def remember(r: redis.Redis, job_id: str, settings: Settings) -> dict[str, Any]:
    """Store a finished job's answer (semantic cache) and its plan (prefetch memory).

    An answer is stored only when nothing in it can go stale sooner than the semantic TTL:
    every tool it used must be cacheable for at least that long. A question about today's
    date must never be served tomorrow."""
    state = load_state(r, job_id)
    result = store.get_result(r, job_id)
    stored: dict[str, Any] = {"answer": False, "plan": False}
    if result is None or result.status is not JobStatus.done or not eligible(state.spec):
        return stored
    tool_steps = [s for s in result.steps if s.kind == "tool"]
    answered_by = [s.tool for s in result.steps if s.kind == "answer" and not s.error]
    durable = all(
        get_tool(s.tool).cacheable and get_tool(s.tool).ttl_s >= settings.semantic_ttl_s
        for s in tool_steps
    )
    cache = semantic_cache(r, settings)
    if cache is not None and answered_by and result.answer:
        stored["probe"] = _resolve_probe(r, state.spec, answered_by[-1], result.answer, settings)
    if cache is not None and durable and answered_by and result.answer:
        cache.store(state.spec.query, result.answer, scope_for(state.spec, answered_by[-1]))
        stored["answer"] = True
    found = predictor(r, settings)
    if found is not None and state.plan is not None:
        calls = [c.model_dump() for c in state.plan.calls]
        stored["plan"] = found.remember(state.spec.query, calls, state.spec.tenant) is not None
    return stored


def _resolve_probe(
    r: redis.Redis, spec: JobSpec, model: str, answer: Any, settings: Settings
) -> bool | None:
    """A hit withheld from this job (suspended scope, or a sampled hit on a `gpu` model):
    compare it with the answer the job got. None when there was none."""
    raw = r.getdel(_probe_key(scope_for(spec, model), spec.query))
    if raw is None:
        return None
    probe = json.loads(raw)
    return shadow_verifier(r, settings).compare(
        probe["sid"], probe["entry"], float(probe["sim"]), probe["answer"], answer
    )
