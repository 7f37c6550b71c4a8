"""Degradation level and its event stream, and the monitor tick, against a real Valkey."""

from __future__ import annotations

import pytest

from runtime import keys
from runtime.guard.budget import PerformanceBudget
from runtime.guard.degrade import DegradationPolicy, evaluate, get_level, set_level
from runtime.guard.metrics import JobStats, MetricsSnapshot

SLOW = MetricsSnapshot(window_s=60, jobs=JobStats(count=5, e2e_p95_ms=16_000))
HEALTHY = MetricsSnapshot(window_s=60, jobs=JobStats(count=5, e2e_p95_ms=1_000))


def test_level_defaults_to_normal_and_ignores_garbage(redis):
    assert get_level(redis) == 0
    redis.set(keys.DEGRADATION_LEVEL, "seven")
    assert get_level(redis) == 0
    redis.set(keys.DEGRADATION_LEVEL, "9")
    assert get_level(redis) == 0


def test_set_level_writes_an_event_only_on_change(raw_redis):
    assert set_level(raw_redis, 1, "llm p95 high") == 0
    assert set_level(raw_redis, 1, "still high") == 1
    assert get_level(raw_redis) == 1
    events = raw_redis.xrange(keys.SYSTEM_EVENTS)
    assert len(events) == 1
    fields = {k.decode(): v.decode() for k, v in events[0][1].items()}
    assert fields["type"] == "degradation" and fields["level"] == "1"
    assert fields["previous"] == "0" and fields["reason"] == "llm p95 high"
    with pytest.raises(ValueError, match="0, 1 or 2"):
        set_level(raw_redis, 3, "no")


def test_evaluate_keeps_streaks_in_redis_between_ticks(redis):
    policy = DegradationPolicy(up_after=2, down_after=2)
    perf = PerformanceBudget()
    depths = {"llm": 0}
    # Each tick builds a fresh policy object, as a beat task in a new process would.
    assert evaluate(redis, SLOW, depths, perf, DegradationPolicy(up_after=2, down_after=2)) == 0
    assert evaluate(redis, SLOW, depths, perf, policy) == 1
    assert get_level(redis) == 1
    assert evaluate(redis, HEALTHY, depths, perf, policy) == 1
    assert evaluate(redis, HEALTHY, depths, perf, policy) == 0
    reasons = [f["reason"] for _id, f in redis.xrange(keys.SYSTEM_EVENTS)]
    assert len(reasons) == 2
    assert "job e2e p95" in reasons[0] and "down" in reasons[1]
