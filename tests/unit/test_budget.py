"""Pure parts of runtime.guard.budget: PerformanceBudget checks and violations, money rounding,
periods, reservation encoding. The Lua ledger is tested against Valkey in
tests/integration/budget/."""

from __future__ import annotations

import pytest

from runtime.config import Settings
from runtime.errors import BudgetExceeded
from runtime.guard.budget import (
    NANO,
    Reservation,
    _to_nano,
    current_period,
)
from runtime.guard.metrics import JobStats, LatencyStats, MetricsSnapshot
from runtime.guard.performance import PerformanceBudget


def _lat(mean_ms: float, p95_ms: float | None = None) -> LatencyStats:
    p95 = p95_ms if p95_ms is not None else mean_ms
    return LatencyStats(
        count=10,
        errors=0,
        cached=0,
        mean_ms=mean_ms,
        p50_ms=mean_ms,
        p95_ms=p95,
        p99_ms=p95,
        wait_p50_ms=None,
        wait_p95_ms=None,
        tokens=0,
        cost_usd=0.0,
    )


def test_defaults_are_the_chapters():
    b = PerformanceBudget()
    assert (b.e2e_p95_s, b.llm_p95_s, b.tool_p95_s) == (15.0, 8.0, 3.0)
    assert (b.max_tokens, b.max_cost_usd, b.max_steps) == (50_000, 0.50, 15)


def test_from_settings_reads_every_field():
    s = Settings(
        perf_e2e_p95_s=9,
        perf_llm_p95_s=4,
        perf_tool_p95_s=1,
        perf_max_tokens=123,
        perf_max_cost_usd=0.2,
        perf_max_steps=7,
    )
    assert PerformanceBudget.from_settings(s) == PerformanceBudget(9, 4, 1, 123, 0.2, 7)


@pytest.mark.parametrize(
    ("kwargs", "limit"),
    [
        ({"tokens": 50_001}, "max_tokens"),
        ({"cost_usd": 0.51}, "max_cost_usd"),
        ({"steps": 16}, "max_steps"),
    ],
)
def test_check_usage_raises_with_the_limit_name(kwargs, limit):
    with pytest.raises(BudgetExceeded) as info:
        PerformanceBudget().check_usage(**kwargs)
    assert info.value.limit == limit


def test_check_usage_at_the_limit_passes():
    PerformanceBudget().check_usage(tokens=50_000, cost_usd=0.50, steps=15)


def test_violations_empty_when_within_budget_or_no_data():
    b = PerformanceBudget()
    assert b.violations(MetricsSnapshot(window_s=60)) == []
    healthy = MetricsSnapshot(
        window_s=60,
        kinds={"llm": _lat(1000), "tool": _lat(200)},
        jobs=JobStats(count=3, e2e_p95_ms=5000),
        tokens_per_request=2000,
        cost_per_request_usd=0.01,
        avg_steps_per_job=4,
    )
    assert b.violations(healthy) == []


def test_violations_name_each_broken_limit():
    snap = MetricsSnapshot(
        window_s=60,
        kinds={"llm": _lat(1000, p95_ms=9000), "tool": _lat(100, p95_ms=3500)},
        jobs=JobStats(count=3, e2e_p95_ms=20_000),
        tokens_per_request=60_000,
        cost_per_request_usd=0.75,
        avg_steps_per_job=16,
    )
    found = PerformanceBudget().violations(snap)
    assert len(found) == 6
    joined = " | ".join(found)
    for label in ("job e2e p95", "llm p95", "tool p95", "tokens per request", "cost", "steps"):
        assert label in joined


def test_money_rounds_reservations_up_and_settlements_to_nearest():
    assert _to_nano(0.1, up=True) == 100_000_000
    assert _to_nano(0.1, up=False) == 100_000_000
    assert _to_nano(1.0000000001, up=True) == NANO + 1
    assert _to_nano(1e-12, up=True) == 1  # a tiny ask still reserves something
    assert _to_nano(1e-12, up=False) == 0
    with pytest.raises(ValueError, match="finite"):
        _to_nano(-0.01, up=True)
    with pytest.raises(ValueError, match="finite"):
        _to_nano(float("nan"), up=False)


def test_period_is_the_utc_day():
    assert current_period(0) == "1970-01-01"
    assert current_period(86_399) == "1970-01-01"
    assert current_period(86_400) == "1970-01-02"


def test_reservation_round_trips_through_a_dict():
    r = Reservation("abc", "job-1", 1, 1, 500, 0.02, tenant="acme", period="2024-01-01")
    assert Reservation.from_dict(r.to_dict()) == r
