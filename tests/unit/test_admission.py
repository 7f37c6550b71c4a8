"""runtime/job/admission.py judge: admit as routed, admit degraded, or refuse with a retry."""

from __future__ import annotations

import pytest

from runtime.errors import Overloaded
from runtime.guard.performance import PerformanceBudget
from runtime.job.admission import judge
from runtime.llm.profiles import ModelProfile
from runtime.schemas import JobSpec

SLOW = ModelProfile(name="slow", backend="fake", queue="llm", typical_latency_s=2.0)
FAST = ModelProfile(name="fast", backend="fake", queue="llm", typical_latency_s=0.2)
PERF = PerformanceBudget(e2e_p95_s=10, llm_p95_s=5, llm_p95_by_model={"slow": 5, "fast": 5})
# The llm queue completed 2 model calls a second lately; p50s as measured.
SERVED = {"llm": {"rate_per_s": 2.0, "p50_s": {"slow": 2.0, "fast": 0.2}}}


def spec(deadline_s: float = 60.0) -> JobSpec:
    return JobSpec(query="what now?", budget={"deadline_s": deadline_s})


def test_a_short_queue_is_admitted_as_routed() -> None:
    admitted = judge(spec(), SLOW, FAST, {"llm": 2}, SERVED, PERF)
    # Two model steps (plan, answer), each waiting 2 / 2 s and taking 2 s.
    assert admitted.level_floor == 0 and admitted.predicted_s == pytest.approx(6.0)


def test_no_data_admits_without_a_prediction() -> None:
    assert judge(spec(), SLOW, FAST, {"llm": 500}, {}, PERF).predicted_s is None


def test_a_long_queue_is_served_at_level_one_when_that_fits_the_deadline() -> None:
    admitted = judge(spec(deadline_s=60), SLOW, FAST, {"llm": 20}, SERVED, PERF)
    assert admitted.level_floor == 1  # slow: 2 x (10 + 2) = 24 s > 10 s budget; fast fits
    assert admitted.predicted_s == pytest.approx(2 * (10 + 0.2))


def test_a_wait_past_the_deadline_is_refused_with_a_retry_after() -> None:
    with pytest.raises(Overloaded) as info:
        judge(spec(deadline_s=15), SLOW, FAST, {"llm": 20}, SERVED, PERF)
    assert "past its deadline of 15 s" in str(info.value)
    assert info.value.retry_after_s == 9.0  # ceil(24 - 15)


def test_a_named_model_is_not_swapped_but_still_admitted_within_its_deadline() -> None:
    admitted = judge(spec(deadline_s=60), SLOW, None, {"llm": 20}, SERVED, PERF)
    assert admitted.level_floor == 0 and admitted.predicted_s == pytest.approx(24.0)


def test_a_quiet_minute_does_not_read_as_a_slow_queue() -> None:
    # 7 calls in the last 60 s of a model answering in 0.25 s: the queue was idle, not slow.
    # A burst of 14 waits about 14 x 0.25 s, not 14 / (7 / 60) = 120 s.
    quiet = {"llm": {"rate_per_s": 7 / 60, "p50_s": {"fast": 0.25}}}
    fast = ModelProfile(name="fast", backend="fake", queue="llm", typical_latency_s=0.25)
    admitted = judge(spec(deadline_s=120), fast, None, {"llm": 14}, quiet, PERF)
    assert admitted.level_floor == 0
    assert admitted.predicted_s == pytest.approx(2 * (14 * 0.25 + 0.25))
    # The floor is one call per p50 of the queue's slowest model: a slow one queued too.
    mixed = {"llm": {"rate_per_s": 0.01, "p50_s": {"fast": 0.25, "slow": 2.0}}}
    admitted = judge(spec(deadline_s=120), fast, None, {"llm": 14}, mixed, PERF)
    assert admitted.predicted_s == pytest.approx(2 * (14 * 2.0 + 0.25))
