"""Warm the local planner before its first question, not inside it.

The first plan on a fresh gpu worker took 23-29 s in `./ops/demo` against 2.7 s warm
(ops/bench/demo_plan.py): besides loading the model, it loaded the relevance gate's
embedder, compiled the grammar machinery, and prefilled the planner prompt's fixed part
(738 of the demo question's 839 tokens), which the prefix cache
(runtime/llm/local/prefix_cache.py) keeps only once two prompts have shared it. So the
warm-up plans two unrelated questions through the production path (`plan_with_model`
with every built-in tool, the gate and the grammar): the second leaves the fixed part in
the prefix cache for every later plan. Nothing is recorded: no job, no cache entry.
"""

from __future__ import annotations

import logging
import time

import redis

from runtime import keys
from runtime.agent.model_steps import PLAN_MAX_TOKENS
from runtime.agent.planner import plan_with_model
from runtime.config import Settings
from runtime.job.validation import plan_layers
from runtime.llm.base import LLMBackend
from runtime.llm.profiles import ModelProfile, profiles
from runtime.llm.registry import get_backend
from runtime.tools.registry import all_tools

log = logging.getLogger(__name__)

# Two questions that share nothing after the prompt's fixed part (different tools pass
# the gate), so what the prefix cache keeps is the fixed part, not either question.
WARM_QUESTIONS = ("What is 12 * 12?", "What is the date today?")


def warm_planner(backend: LLMBackend, profile: ModelProfile, settings: Settings) -> None:
    for question in WARM_QUESTIONS:
        outcome = plan_with_model(
            backend,
            profile,
            question,
            all_tools(),
            lambda plan: plan_layers(plan, None, settings),
            PLAN_MAX_TOKENS,
            settings.max_plan_calls,
            fallback=False,
            tool_gate=settings.planner_tool_similarity,
            tool_margin=settings.planner_tool_margin,
            tool_unnamed=settings.planner_tool_similarity_unnamed,
        )
        log.debug("warm-up plan for %r: %s", question, outcome.source)


def warm_local_models(r: redis.Redis, settings: Settings) -> None:
    """Load every local model and warm its planner; then `keys.model_warm` says so."""
    for profile in profiles().values():
        if profile.backend != "local":
            continue
        started = time.monotonic()
        backend = get_backend(profile)
        backend.warm()  # type: ignore[attr-defined]
        loaded = time.monotonic() - started
        try:
            warm_planner(backend, profile, settings)
        except Exception:  # noqa: BLE001 - a failed warm-up only leaves the planner cold
            log.exception("warming the planner on %s failed", profile.name)
        took = time.monotonic() - started
        r.set(keys.model_warm(profile.name), f"{took:.1f}", ex=86400)
        # Operators (and tests/integration/test_deploy_run.py) wait for this line.
        log.info("local model %s warm in %.1f s (loaded in %.1f s)", profile.name, took, loaded)
