"""Predict a job's tool calls from similar earlier jobs, so they can start before planning ends.

A finished job's query is remembered with its plan's calls; a new query that is semantically
close (same threshold and verification as the semantic cache, so "weather in Paris" never
prefetches London's) gets those calls back. Only safe calls are predicted: cacheable tools
without side effects (a prefetch is a speculative run; a side effect must never be
speculative), allowed for this job, and with literal arguments (a `$ref` depends on an output
that does not exist yet). The prefetched results land in the tool cache, where the compiled
plan finds them; counters record what was issued, used and wasted.
"""

from __future__ import annotations

from typing import Any

from runtime import keys
from runtime.cache.semantic import SemanticCache
from runtime.errors import PlanError

NAME = "prefetch"
DEFAULT_TTL_S = 86_400


def _has_ref(value: Any) -> bool:
    if isinstance(value, dict):
        return "$ref" in value or any(_has_ref(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_ref(v) for v in value)
    return False


class PrefetchPredictor:
    def __init__(
        self,
        redis: Any,
        embedder: Any,
        threshold: float = 0.85,
        ttl_s: int = DEFAULT_TTL_S,
        max_calls: int = 8,
    ) -> None:
        self.redis = getattr(redis, "redis", redis)
        self.max_calls = max_calls
        # Its lookups count under their own prefix so they never mix with issued/hit/waste.
        self._memory = SemanticCache(self.redis, embedder, threshold, ttl_s, name=f"{NAME}_lookup")

    @staticmethod
    def scope(tenant: str) -> str:
        # Plans are remembered per tenant: one tenant's queries never steer another's tools.
        return f"prefetch-{tenant}"

    def remember(self, query: str, plan_calls: list[dict[str, Any]], tenant: str) -> str | None:
        calls = [
            {"name": c["name"], "arguments": c.get("arguments", {})}
            for c in plan_calls
            if c.get("name") and not _has_ref(c.get("arguments", {}))
        ]
        if not calls:
            return None
        return self._memory.store(query, calls, self.scope(tenant))

    def predict(
        self, query: str, tenant: str, allowed_tools: list[str] | None = None
    ) -> list[dict[str, Any]]:
        hit = self._memory.lookup(query, self.scope(tenant))
        if hit is None:
            return []
        from runtime.tools.registry import get_tool

        allowed = None if allowed_tools is None else set(allowed_tools)
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for call in hit.answer or []:
            name, arguments = call.get("name"), call.get("arguments", {})
            if not isinstance(name, str) or (allowed is not None and name not in allowed):
                continue
            try:
                tool = get_tool(name)
            except PlanError:
                continue  # The tool was removed since; nothing to prefetch.
            if tool.side_effecting or not tool.cacheable or _has_ref(arguments):
                continue
            marker = f"{name}:{sorted(arguments.items())!r}"
            if marker in seen:
                continue
            seen.add(marker)
            out.append({"name": name, "arguments": arguments})
            if len(out) >= self.max_calls:
                break
        return out

    # --- accounting: the caller reports what happened to its prefetches ----------------
    def record(self, issued: int = 0, used: int = 0, wasted: int = 0) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for field, n in (("issued", issued), ("hit", used), ("waste", wasted)):
            if n:
                pipe.hincrby(keys.CACHE_COUNTERS, f"{NAME}:{field}", n)
        pipe.execute()

    def stats(self) -> dict[str, Any]:
        raw = self._memory.stats()
        return {
            "issued": self._counter("issued"),
            "hit": self._counter("hit"),
            "waste": self._counter("waste"),
            "predictions": raw.get("hit", 0),
            "no_prediction": raw.get("miss", 0) + raw.get("refused", 0),
            "remembered": raw.get("store", 0),
        }

    def _counter(self, field: str) -> int:
        value = self.redis.hget(keys.CACHE_COUNTERS, f"{NAME}:{field}")
        return int(value or 0)
