"""The degradation policy's hysteresis, the effects of each level, and the canned reply."""

from __future__ import annotations

import pytest

from runtime.guard.budget import PerformanceBudget
from runtime.guard.degrade import CANNED, FAST, NORMAL, DegradationPolicy, canned_reply, effects
from runtime.guard.metrics import JobStats, MetricsSnapshot

PERF = PerformanceBudget()
HEALTHY = MetricsSnapshot(window_s=60, jobs=JobStats(count=5, e2e_p95_ms=2_000))
SLOW = MetricsSnapshot(window_s=60, jobs=JobStats(count=5, e2e_p95_ms=16_000))  # > 15 s
VERY_SLOW = MetricsSnapshot(window_s=60, jobs=JobStats(count=5, e2e_p95_ms=30_000))  # > 1.5x
QUIET = {"agent": 0, "llm": 0, "tools": 0, "gpu": 0}


def run(policy, level, snaps, depths=QUIET):
    levels = []
    for snap in snaps:
        level = policy.next_level(level, snap, depths, PERF)
        levels.append(level)
    return levels


def test_severity():
    p = DegradationPolicy()
    assert p.severity(HEALTHY, QUIET, PERF) == NORMAL
    assert p.severity(MetricsSnapshot(window_s=60), QUIET, PERF) == NORMAL  # no data
    assert p.severity(SLOW, QUIET, PERF) == FAST
    assert p.severity(VERY_SLOW, QUIET, PERF) == CANNED
    assert p.severity(HEALTHY, {"llm": 60, "tools": 50}, PERF) == FAST
    assert p.severity(HEALTHY, {"llm": 1000}, PERF) == CANNED


def test_steps_up_only_after_n_consecutive_bad_evaluations():
    p = DegradationPolicy(up_after=3, down_after=5)
    assert run(p, NORMAL, [SLOW, SLOW, HEALTHY, SLOW, SLOW]) == [0, 0, 0, 0, 0]
    assert run(p, NORMAL, [SLOW]) == [1]  # third in a row after the two above


def test_steps_up_one_level_at_a_time_even_when_critical():
    p = DegradationPolicy(up_after=2, down_after=5)
    assert run(p, NORMAL, [VERY_SLOW] * 4) == [0, 1, 1, 2]
    assert run(p, CANNED, [VERY_SLOW] * 3) == [2, 2, 2]  # capped


def test_steps_down_after_m_healthy_and_never_two_at_once():
    p = DegradationPolicy(up_after=2, down_after=3)
    assert run(p, CANNED, [HEALTHY] * 6) == [2, 2, 1, 1, 1, 0]


def test_a_bad_evaluation_resets_the_healthy_streak():
    p = DegradationPolicy(up_after=5, down_after=3)
    assert run(p, FAST, [HEALTHY, HEALTHY, SLOW, HEALTHY, HEALTHY, HEALTHY]) == [1, 1, 1, 1, 1, 0]


def test_staying_at_the_needed_level_clears_streaks():
    p = DegradationPolicy(up_after=2, down_after=2)
    run(p, FAST, [HEALTHY])
    assert p.good_streak == 1
    run(p, FAST, [SLOW])
    assert p.good_streak == 0 and p.bad_streak == 0


def test_state_round_trips():
    p = DegradationPolicy(up_after=4, bad_streak=2)
    assert DegradationPolicy.from_dict({**p.to_dict(), "unknown": 1}) == p


def test_effects_per_level():
    assert effects(NORMAL).prefer_fast_models is False
    assert effects(NORMAL).max_tokens_factor == 1.0
    assert effects(NORMAL).canned_for_priority_below is None
    assert effects(FAST).prefer_fast_models is True
    assert 0 < effects(FAST).max_tokens_factor < 1
    assert effects(FAST).canned_for_priority_below is None
    assert effects(CANNED).canned_for_priority_below == 5
    assert effects(CANNED).prefer_fast_models is True


@pytest.mark.parametrize("job_id", ["job-123", "4f1c2e"])
def test_canned_reply_carries_the_job_id(job_id):
    reply = canned_reply(job_id)
    assert job_id in reply and "retry" in reply


def test_a_relapse_doubles_the_healthy_streak_needed_to_step_down_again() -> None:
    policy = DegradationPolicy(up_after=1, down_after=2)
    budget = PERF
    calm, busy = {"agent": 0}, {"agent": 150}  # depth >= queue_depth_high: wants level 1
    snap = HEALTHY
    level = policy.next_level(0, snap, busy, budget)
    assert level == 1
    level = policy.next_level(level, snap, calm, budget)
    level = policy.next_level(level, snap, calm, budget)
    assert level == 0  # two healthy evaluations
    level = policy.next_level(level, snap, busy, budget)
    assert level == 1 and policy.down_penalty == 2  # relapse right after stepping down
    for _ in range(3):
        level = policy.next_level(level, snap, calm, budget)
    assert level == 1  # now four healthy evaluations are needed
    level = policy.next_level(level, snap, calm, budget)
    assert level == 0


def test_the_penalty_survives_while_still_degraded_and_relaxes_when_calm_at_normal() -> None:
    policy = DegradationPolicy(up_after=1, down_after=1, relapse_window=3)
    calm, busy = {"agent": 0}, {"agent": 150}
    level = policy.next_level(0, HEALTHY, busy, PERF)  # up to 1
    level = policy.next_level(level, HEALTHY, calm, PERF)  # down to 0
    level = policy.next_level(level, HEALTHY, busy, PERF)  # relapse: up, penalty 2
    assert (level, policy.down_penalty) == (1, 2)
    for _ in range(5):  # degraded and still busy past the relapse window
        level = policy.next_level(level, HEALTHY, busy, PERF)
    assert policy.down_penalty == 2
    level = policy.next_level(level, HEALTHY, calm, PERF)
    level = policy.next_level(level, HEALTHY, calm, PERF)
    assert level == 0  # two healthy evaluations at penalty 2
    for _ in range(4):  # calm at normal past the window: relaxed
        level = policy.next_level(level, HEALTHY, calm, PERF)
    assert (level, policy.down_penalty) == (0, 1)
