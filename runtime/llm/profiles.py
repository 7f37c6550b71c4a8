"""Model profiles: what each configured model is, what it costs, and whether it is usable.

A profile is one `[models.<name>]` table of the TOML file `load_profiles` reads
(CELERAGENT_MODELS_FILE, else the models.toml shipped beside this module). Backends read
their settings from a profile and the router compares profiles, so both import this
module; it imports neither of them (only the contract in base.py), which is what keeps
runtime.llm free of import cycles.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import threading
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from runtime.errors import ConfigError, SpecError
from runtime.llm.base import LLMUsage

BACKENDS = ("openai", "local", "fake")
QUEUES = ("llm", "gpu")
TIERS = ("fast", "strong")
# A typical request, for comparing what models would cost before we know the real size.
TYPICAL_PROMPT_TOKENS = 1_500
TYPICAL_COMPLETION_TOKENS = 400


def is_loopback_url(url: str | None) -> bool:
    """Whether `url` points at this machine: such a server needs no API key to be usable."""
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
    # Its LLM-call p95 budget; None: derived from typical_latency_s (guard/performance.py).
    p95_budget_s: float | None = None
    # Shared by every worker (runtime/guard/limits.py); 0: no cap. Profiles with the same
    # `limit_scope` (e.g. one provider account) share slots, tokens and 429 cool-downs.
    max_concurrency: int = 0
    max_calls_per_s: float = 0.0
    rate_burst: int = 1
    limit_scope: str | None = None
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
    if profile.max_concurrency < 0 or profile.max_calls_per_s < 0 or profile.rate_burst < 1:
        raise ConfigError(
            f"{where}: max_concurrency and max_calls_per_s must not be negative, rate_burst >= 1."
        )
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
