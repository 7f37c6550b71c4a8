"""The service-level budget: p95 latencies, tokens, cost and steps per request, in the style
of pydantic-ai's `UsageLimits` (a dataclass whose `check_*` methods raise), and the limits the
degradation monitor compares the live numbers with.

Latency budgets are per model. A model's own speed is not an overload: the local model on a
CPU takes tens of seconds a call when it is working normally, and holding it to a remote
model's 8 s would degrade the whole stack the moment it answers anything. So each model has
its own LLM p95 budget:

- `p95_budget_s` in its profile (runtime/llm/models.toml), when set;
- else `LATENCY_HEADROOM` times its `typical_latency_s`, and never below
  `CELERAGENT_PERF_LLM_P95_S` (the default for fast remote models).

A job's end-to-end p95 budget scales with the slowest model it used: `CELERAGENT_PERF_E2E_P95_S`
times (that model's LLM budget / `CELERAGENT_PERF_LLM_P95_S`), and never below the setting.
Jobs that used no model keep the setting's budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runtime.config import Settings, get_settings
from runtime.errors import BudgetExceeded

if TYPE_CHECKING:
    from runtime.guard.metrics import MetricsSnapshot
    from runtime.llm.profiles import ModelProfile

# p95 under normal load stays within this many times a model's typical latency (queueing in
# the model's own batcher included); beyond it the model is overloaded, not merely slow.
LATENCY_HEADROOM = 4.0


def _setting_default(name: str) -> Any:
    return Settings.model_fields[name].default


def model_llm_budget_s(profile: ModelProfile, settings: Settings) -> float:
    """A model's LLM-call p95 budget (see the module docstring)."""
    if profile.p95_budget_s is not None:
        return profile.p95_budget_s
    return max(settings.perf_llm_p95_s, LATENCY_HEADROOM * profile.typical_latency_s)


@dataclass(frozen=True)
class PerformanceBudget:
    """Service-level budget per request. Its defaults are the `CELERAGENT_PERF_*` settings'
    defaults (runtime/config.py), so the numbers live in one place. `llm_p95_by_model` holds
    each model's own budget; a model not in it gets `llm_p95_s`."""

    e2e_p95_s: float = _setting_default("perf_e2e_p95_s")
    llm_p95_s: float = _setting_default("perf_llm_p95_s")
    tool_p95_s: float = _setting_default("perf_tool_p95_s")
    max_tokens: int = _setting_default("perf_max_tokens")
    max_cost_usd: float = _setting_default("perf_max_cost_usd")
    max_steps: int = _setting_default("perf_max_steps")
    llm_p95_by_model: dict[str, float] = field(default_factory=dict, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> PerformanceBudget:
        from runtime.llm.profiles import profiles

        settings = settings or get_settings()
        return cls(
            e2e_p95_s=settings.perf_e2e_p95_s,
            llm_p95_s=settings.perf_llm_p95_s,
            tool_p95_s=settings.perf_tool_p95_s,
            max_tokens=settings.perf_max_tokens,
            max_cost_usd=settings.perf_max_cost_usd,
            max_steps=settings.perf_max_steps,
            llm_p95_by_model={
                name: model_llm_budget_s(p, settings) for name, p in profiles().items()
            },
        )

    def llm_budget_s(self, model: str) -> float:
        return self.llm_p95_by_model.get(model, self.llm_p95_s)

    def e2e_budget_s(self, models: str) -> float:
        """The e2e budget of jobs that used `models` (comma-separated; "" for none)."""
        slowest = max((self.llm_budget_s(m) for m in models.split(",") if m), default=0.0)
        return self.e2e_p95_s * max(1.0, slowest / self.llm_p95_s)

    def check_tokens(self, tokens: int) -> None:
        if tokens > self.max_tokens:
            raise BudgetExceeded(
                f"The request used {tokens} tokens, over the performance budget of "
                f"{self.max_tokens}; trim the context or lower max_tokens.",
                limit="max_tokens",
            )

    def check_cost(self, cost_usd: float) -> None:
        if cost_usd > self.max_cost_usd:
            raise BudgetExceeded(
                f"The request cost ${cost_usd:.4f}, over the performance budget of "
                f"${self.max_cost_usd:.4f}; route it to a cheaper model or cache more.",
                limit="max_cost_usd",
            )

    def check_steps(self, steps: int) -> None:
        if steps > self.max_steps:
            raise BudgetExceeded(
                f"The request took {steps} steps, over the performance budget of "
                f"{self.max_steps}; improve the plan or raise the step limit.",
                limit="max_steps",
            )

    def check_usage(self, *, tokens: int = 0, cost_usd: float = 0.0, steps: int = 0) -> None:
        """All per-request checks at once (the first broken limit raises)."""
        self.check_tokens(tokens)
        self.check_cost(cost_usd)
        self.check_steps(steps)

    def e2e_over(self, snapshot: MetricsSnapshot, factor: float = 1.0) -> list[str]:
        """Job groups (by the models they used) whose e2e p95 is over `factor` times their
        budget, as sentences."""
        groups = snapshot.jobs_by_model or ({"": snapshot.jobs} if snapshot.jobs.count else {})
        out = []
        for models, stats in sorted(groups.items()):
            limit = self.e2e_budget_s(models) * factor
            if stats.count and stats.e2e_p95_ms / 1000 > limit:
                on = f" on {models}" if models else ""
                out.append(
                    f"job e2e p95{on} is {stats.e2e_p95_ms / 1000:.3g} s, over the budget of "
                    f"{limit:.3g} s"
                )
        return out

    def violations(self, snapshot: MetricsSnapshot, scale: float = 1.0) -> list[str]:
        """Which limits (each times `scale`) the rolling metrics break, as sentences; empty
        when within budget. `scale` < 1 asks "well within?", for stepping down."""
        out = self.e2e_over(snapshot, scale)

        def over(label: str, observed: float | None, limit: float, unit: str) -> None:
            if observed is not None and observed > limit * scale:
                out.append(
                    f"{label} is {observed:.3g}{unit}, over the budget of {limit * scale:.3g}{unit}"
                )

        by_model = snapshot.names.get("llm", {})
        for model, stats in sorted(by_model.items()):
            over(f"llm p95 of {model}", stats.p95_ms / 1000, self.llm_budget_s(model), " s")
        if not by_model and "llm" in snapshot.kinds:
            over("llm p95", snapshot.kinds["llm"].p95_ms / 1000, self.llm_p95_s, " s")
        tool = snapshot.kinds.get("tool")
        over("tool p95", tool.p95_ms / 1000 if tool else None, self.tool_p95_s, " s")
        over("tokens per request", snapshot.tokens_per_request, self.max_tokens, "")
        over("cost per request", snapshot.cost_per_request_usd, self.max_cost_usd, " USD")
        over("steps per job", snapshot.avg_steps_per_job, self.max_steps, "")
        return out
