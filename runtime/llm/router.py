"""The router: picks one model profile per request.

The rule: route each request to the cheapest model that meets its quality and latency
need, within the money left. Under load (degradation level >= 1) prefer the fast tier. A
remote model is usable only when its API key is in the environment (or it is served on
loopback); with none usable, the local model serves. What a profile is, and where the
profiles come from, lives in profiles.py.
"""

from __future__ import annotations

import re
from typing import Literal

from runtime.errors import ConfigError, SpecError
from runtime.llm.profiles import ModelProfile, profiles

Complexity = Literal["simple", "medium", "complex"]
# Quality a query of each complexity needs (profiles carry a 0..1 quality score).
QUALITY_NEED: dict[str, float] = {"simple": 0.6, "medium": 0.75, "complex": 0.85}


_COMPLEX = re.compile(
    r"\b(analy[sz]e|analysis|compare|comparison|contrast|design|architect\w*|prove|proof|"
    r"derive|evaluate|trade-?offs?|strateg\w*|step[- ]by[- ]step|in detail|explain why|"
    r"pros and cons|optimi[sz]e|debug|refactor|plan)\b"
    r"|分析|比较|对比|设计|架构|证明|推导|评估|权衡|策略|详细|为什么|优化|调试|重构|规划",
    re.IGNORECASE,
)
_SIMPLE = re.compile(
    r"\b(what is|what's|who is|when is|define|translate|convert|hello|hi|thanks|"
    r"how many|how much|what time|what day)\b"
    r"|是什么|是谁|翻译|换算|你好|谢谢|几点|多少|哪天|今天",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def complexity(query: str) -> Complexity:
    """A cheap guess at how hard a query is, from keywords (English and Chinese) and length."""
    cjk = len(_CJK.findall(query))
    words = len(_CJK.sub(" ", query).split())
    size = words + cjk / 1.5  # about 1.5 Chinese characters carry what one English word does
    hard = len(_COMPLEX.findall(query))
    easy = bool(_SIMPLE.search(query))
    if size > 80 or hard >= 2 or (hard and size > 15):
        return "complex"
    if not hard and (size <= 8 or (easy and size <= 25)):
        return "simple"
    return "medium"


class Router:
    def __init__(self, profiles_by_name: dict[str, ModelProfile] | None = None) -> None:
        self.profiles = profiles_by_name if profiles_by_name is not None else profiles()

    def latency(self, p: ModelProfile, live_p95_s: dict[str, float] | None) -> float:
        if live_p95_s and p.name in live_p95_s:
            return live_p95_s[p.name]
        return p.typical_latency_s

    def select(
        self,
        query: str,
        *,
        remaining_budget_usd: float | None = None,
        latency_limit_s: float | None = None,
        degradation_level: int = 0,
        live_p95_s: dict[str, float] | None = None,
        requested: str | None = None,
        live_queues: set[str] | None = None,
    ) -> ModelProfile:
        """`live_queues`, when given, are the queues some live worker consumes: a model on
        any other queue would wait for a worker until the job's deadline, so it is never
        chosen, and asking for it by name is an error."""
        if requested and requested != "auto":
            if requested not in self.profiles:
                raise SpecError(
                    f"unknown model {requested!r}; known models: "
                    f"{', '.join(sorted(self.profiles))} (or 'auto' to let the router choose)."
                )
            chosen = self.profiles[requested]
            if not chosen.available():
                raise ConfigError(
                    f"model {requested!r} needs an API key: set the environment variable "
                    f"{chosen.api_key_env} or choose another model."
                )
            if live_queues is not None and chosen.queue not in live_queues:
                raise ConfigError(
                    f"model {requested!r} runs on queue {chosen.queue!r} and no live worker "
                    f"consumes it: start one (`celeragent up`, or a worker with -Q "
                    f"{chosen.queue}) or choose another model."
                )
            return chosen

        candidates = [p for p in self.profiles.values() if p.routable and p.available()]
        if candidates and live_queues is not None:
            served = [p for p in candidates if p.queue in live_queues]
            if not served:
                queues = ", ".join(sorted({p.queue for p in candidates}))
                raise ConfigError(
                    f"no live worker serves a usable model (their queues: {queues}): start "
                    "the workers (`celeragent up`) or wait until they are back."
                )
            candidates = served
        if not candidates:
            raise ConfigError(
                "no model is available: set an API key named by a profile's api_key_env "
                "(for example OPENAI_API_KEY) or keep a `local` profile in the models file."
            )
        need = QUALITY_NEED[complexity(query)]
        if degradation_level >= 1:
            fast = [p for p in candidates if p.tier == "fast"]
            candidates = fast or candidates
            need = QUALITY_NEED["simple"]  # under load good enough beats best

        def lat(p: ModelProfile) -> float:
            return self.latency(p, live_p95_s)

        if degradation_level >= 2:
            return min(candidates, key=lambda p: (lat(p), p.typical_cost_usd(), p.name))
        if latency_limit_s is not None:
            quick = [p for p in candidates if lat(p) <= latency_limit_s]
            candidates = quick or [min(candidates, key=lat)]
        if remaining_budget_usd is not None:
            affordable = [p for p in candidates if p.typical_cost_usd() <= remaining_budget_usd]
            candidates = affordable or [min(candidates, key=lambda p: p.typical_cost_usd())]
        good = [p for p in candidates if p.quality >= need]
        if good:
            return min(good, key=lambda p: (p.typical_cost_usd(), lat(p), p.name))
        # Nothing is good enough: the best we have, cheapest among equals.
        return max(candidates, key=lambda p: (p.quality, -p.typical_cost_usd(), p.name))
