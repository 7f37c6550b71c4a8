"""Degradation level and its event stream, and the monitor tick, against a real Valkey."""

from __future__ import annotations

import time

import pytest

from runtime import keys
from runtime.config import Settings
from runtime.guard import degrade
from runtime.guard.degrade import DegradationPolicy, evaluate, get_level, set_level
from runtime.guard.metrics import JobStats, MetricsSnapshot
from runtime.guard.performance import PerformanceBudget

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
    policy = DegradationPolicy(up_after=2, down_after=2, min_dwell_s=0)
    perf = PerformanceBudget()
    depths = {"llm": 0}
    # Each tick builds a fresh policy object, as a beat task in a new process would.
    assert (
        evaluate(
            redis, SLOW, depths, perf, DegradationPolicy(up_after=2, down_after=2, min_dwell_s=0)
        )
        == 0
    )
    assert evaluate(redis, SLOW, depths, perf, policy) == 1
    assert get_level(redis) == 1
    assert evaluate(redis, HEALTHY, depths, perf, policy) == 1
    assert evaluate(redis, HEALTHY, depths, perf, policy) == 0
    reasons = [f["reason"] for _id, f in redis.xrange(keys.SYSTEM_EVENTS)]
    assert len(reasons) == 2
    assert "job e2e p95" in reasons[0] and "down" in reasons[1]


def _reasons(redis) -> list[str]:
    return [f["reason"] for _id, f in redis.xrange(keys.SYSTEM_EVENTS)]


def test_a_forced_level_holds_against_the_monitor_until_released(redis):
    settings = Settings(metrics_window_s=60)
    degrade.force_level(redis, 2, "launch traffic")
    for _ in range(3):  # a calm system: the monitor would step down at once
        assert degrade.tick(redis, settings) == 2
    assert get_level(redis) == 2
    assert degrade.release(redis, "launch over")
    assert not degrade.release(redis, "again")  # nothing left to release
    degrade.tick(redis, settings)  # the monitor decides again (streaks start afresh)
    reasons = _reasons(redis)
    assert reasons[0] == "forced (until released): launch traffic"
    assert reasons[1] == "forced level released: launch over"


def test_a_timed_force_expires_and_says_so(redis):
    settings = Settings(metrics_window_s=60)
    degrade.force_level(redis, 1, "drill", for_s=0.2)
    assert degrade.tick(redis, settings) == 1
    time.sleep(0.3)
    degrade.tick(redis, settings)
    assert degrade.forced_level(redis) is None
    assert "forced level expired" in _reasons(redis)[-1]
