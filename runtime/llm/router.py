"""Model profiles (from a TOML table) and the router that picks one per request.

The rule, from the source material: route each request to the cheapest model that meets
its quality and latency need, within the money left. Under load (degradation level >= 1)
prefer the fast tier. A remote model is usable only when its API key is in the environment
(or it is served on loopback); with none usable, the local model serves.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import threading
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from runtime.errors import ConfigError, SpecError
from runtime.llm.base import LLMUsage

Complexity = Literal["simple", "medium", "complex"]
BACKENDS = ("openai", "local", "fake")
QUEUES = ("llm", "gpu")
TIERS = ("fast", "strong")
# Quality a query of each complexity needs (profiles carry a 0..1 quality score).
QUALITY_NEED: dict[str, float] = {"simple": 0.6, "medium": 0.75, "complex": 0.85}
# A typical request, for comparing what models would cost before we know the real size.
TYPICAL_PROMPT_TOKENS = 1_500
TYPICAL_COMPLETION_TOKENS = 400


def is_loopback_url(url: str | None) -> bool:
    if not url:
        return False
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ModelProfile:
    name: str
    backend: str
    queue: str = "llm"
    context_window: int = 8192
    input_per_m: float = 0.0
    output_per_m: float = 0.0
    typical_latency_s: float = 1.0
    quality: float = 0.5
    base_url: str | None = None
    api_key_env: str | None = None
    encoding: str | None = None
    tier: str = "fast"
    model_id: str | None = None  # the name sent to the server; defaults to `name`
    routable: bool = True  # False: only used when asked for by name
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def wire_model(self) -> str:
        return self.model_id or self.name

    @property
    def is_remote(self) -> bool:
        return self.backend == "openai"

    def available(self) -> bool:
        """Whether this process could call the model now (remote: key present or loopback)."""
        if not self.is_remote:
            return True
        if is_loopback_url(self.base_url):
            return True
        return bool(self.api_key_env and os.environ.get(self.api_key_env))

    def cost_usd(self, usage: LLMUsage) -> float:
        return (
            usage.prompt_tokens * self.input_per_m + usage.completion_tokens * self.output_per_m
        ) / 1_000_000

    def typical_cost_usd(self) -> float:
        return self.cost_usd(LLMUsage(TYPICAL_PROMPT_TOKENS, TYPICAL_COMPLETION_TOKENS))


_FIELDS = {f.name for f in dataclasses.fields(ModelProfile)} - {"name", "params"}


def _profile(name: str, table: dict[str, Any], source: Path | str) -> ModelProfile:
    known = {k: v for k, v in table.items() if k in _FIELDS}
    params = {k: v for k, v in table.items() if k not in _FIELDS}
    where = f"model profile {name!r} in {source}"
    if known.get("backend") not in BACKENDS:
        raise ConfigError(f"{where}: backend must be one of {', '.join(BACKENDS)}.")
    if known.get("queue", "llm") not in QUEUES:
        raise ConfigError(f"{where}: queue must be one of {', '.join(QUEUES)}.")
    if known.get("tier", "fast") not in TIERS:
        raise ConfigError(f"{where}: tier must be one of {', '.join(TIERS)}.")
    if known["backend"] == "openai" and not known.get("base_url"):
        raise ConfigError(f"{where}: an openai profile needs base_url.")
    try:
        profile = ModelProfile(name=name, params=params, **known)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}.") from None
    if profile.context_window <= 0 or profile.input_per_m < 0 or profile.output_per_m < 0:
        raise ConfigError(f"{where}: context_window must be positive and prices not negative.")
    return profile


def default_models_file() -> Path:
    return Path(str(resources.files("runtime.llm") / "models.toml"))


def load_profiles(path: Path | None = None) -> dict[str, ModelProfile]:
    """Profiles by name from `path`, else CELERAGENT_MODELS_FILE, else the shipped table."""
    if path is None:
        from runtime.config import get_settings

        path = get_settings().models_file or default_models_file()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"model profiles file {path} does not exist; fix CELERAGENT_MODELS_FILE."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"model profiles file {path} is not valid TOML ({exc}).") from None
    models = data.get("models")
    if not isinstance(models, dict) or not models:
        raise ConfigError(f"model profiles file {path} has no [models.<name>] tables.")
    return {name: _profile(name, table, path) for name, table in models.items()}


_cached: dict[str, ModelProfile] | None = None
_cache_lock = threading.Lock()


def profiles() -> dict[str, ModelProfile]:
    """The configured profiles, loaded once per process."""
    global _cached
    with _cache_lock:
        if _cached is None:
            _cached = load_profiles()
        return _cached


def reset_profiles() -> None:
    global _cached
    with _cache_lock:
        _cached = None


def get_profile(name: str) -> ModelProfile:
    table = profiles()
    if name not in table:
        raise SpecError(f"unknown model {name!r}; known models: {', '.join(sorted(table))}.")
    return table[name]


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
    ) -> ModelProfile:
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
            return chosen

        candidates = [p for p in self.profiles.values() if p.routable and p.available()]
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
