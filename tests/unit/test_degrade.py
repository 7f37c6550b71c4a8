"""The degradation policy's hysteresis, the effects of each level, and the canned reply."""

from __future__ import annotations

import pytest

from runtime.guard.degrade import CANNED, FAST, NORMAL, DegradationPolicy, canned_reply, effects
from runtime.guard.metrics import JobStats, MetricsSnapshot
from runtime.guard.performance import PerformanceBudget

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


def test_steps_up_straight_to_the_level_the_numbers_call_for():
    p = DegradationPolicy(up_after=2, down_after=5)
    assert run(p, NORMAL, [VERY_SLOW] * 3) == [0, 2, 2]  # one change, not two
    assert run(p, CANNED, [VERY_SLOW] * 3) == [2, 2, 2]  # capped


def test_steps_down_after_m_healthy_straight_to_normal():
    p = DegradationPolicy(up_after=2, down_after=3, min_dwell_s=0)
    assert run(p, CANNED, [HEALTHY] * 4) == [2, 2, 0, 0]
    assert run(p, CANNED, [SLOW] * 10) == [2] * 10  # level 1 would do: no partial step


def test_no_step_down_within_the_dwell_time_of_the_last_change():
    p = DegradationPolicy(up_after=1, down_after=2, min_dwell_s=30)
    assert p.next_level(NORMAL, SLOW, QUIET, PERF, now=1000.0) == FAST  # changed at 1000
    levels = [p.next_level(FAST, HEALTHY, QUIET, PERF, now=1000.0 + t) for t in (5, 10, 20)]
    assert levels == [FAST, FAST, FAST]  # healthy long enough, but too soon
    assert p.next_level(FAST, HEALTHY, QUIET, PERF, now=1031.0) == NORMAL


def test_hysteresis_just_under_the_budget_is_not_healthy_enough_to_step_down():
    near = MetricsSnapshot(window_s=60, jobs=JobStats(count=5, e2e_p95_ms=14_000))  # < 15 s
    p = DegradationPolicy(up_after=1, down_after=2, min_dwell_s=0)
    assert run(p, FAST, [near] * 10) == [FAST] * 10  # over 0.7 x budget: stays degraded
    assert run(p, NORMAL, [near] * 10) == [NORMAL] * 10  # under budget: no reason to degrade
    assert run(p, FAST, [HEALTHY] * 2) == [FAST, NORMAL]


def test_one_overload_episode_changes_the_level_at_most_twice():
    """Calm, a critical surge, a long tail just under the budget (the degraded service looks
    healthy because it is degraded), then calm: up once, down once. (A surge that worsens
    after the first step up escalates 0 -> 1 -> 2: three changes.)"""
    mid = MetricsSnapshot(window_s=60, jobs=JobStats(count=5, e2e_p95_ms=12_000))
    timeline = [HEALTHY] * 10 + [VERY_SLOW] * 10 + [SLOW] * 10 + [mid] * 40 + [HEALTHY] * 60
    p = DegradationPolicy()
    level, changes = NORMAL, []
    for t, snap in enumerate(timeline):
        new = p.next_level(level, snap, QUIET, PERF, now=float(t))
        if new != level:
            changes.append((t, new))
        level = new
    assert len(changes) <= 2 and changes[-1][1] == NORMAL, changes
    assert run(DegradationPolicy(), NORMAL, [HEALTHY] * 50) == [NORMAL] * 50  # calm: none


def test_a_bad_evaluation_resets_the_healthy_streak():
    p = DegradationPolicy(up_after=5, down_after=3, min_dwell_s=0)
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
    policy = DegradationPolicy(up_after=1, down_after=2, min_dwell_s=0)
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
    policy = DegradationPolicy(up_after=1, down_after=1, relapse_window=3, min_dwell_s=0)
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


def test_healthy_numbers_under_the_same_demand_do_not_end_the_overload() -> None:
    """Degraded, the service looks healthy because it is degraded: with jobs still arriving
    as fast as when it went up, it stays up; once they fall to half, it comes down."""
    p = DegradationPolicy(up_after=1, down_after=2, min_dwell_s=10, probe_after_s=300)
    level = p.next_level(NORMAL, SLOW, QUIET, PERF, now=0.0, arrivals_per_s=5.0)
    assert level == FAST
    for t in range(1, 60):
        level = p.next_level(level, HEALTHY, QUIET, PERF, now=float(t), arrivals_per_s=5.0)
    assert level == FAST
    # Healthy all along: the first evaluation with the demand halved steps down.
    assert p.next_level(FAST, HEALTHY, QUIET, PERF, now=60.0, arrivals_per_s=2.0) == NORMAL


def test_a_long_degraded_spell_probes_a_step_down_even_under_the_same_demand() -> None:
    p = DegradationPolicy(up_after=1, down_after=1, min_dwell_s=10, probe_after_s=120)
    p.next_level(NORMAL, SLOW, QUIET, PERF, now=0.0, arrivals_per_s=5.0)
    assert p.next_level(FAST, HEALTHY, QUIET, PERF, now=100.0, arrivals_per_s=5.0) == FAST
    assert p.next_level(FAST, HEALTHY, QUIET, PERF, now=121.0, arrivals_per_s=5.0) == NORMAL


def test_no_escalation_before_level_one_had_time_to_work() -> None:
    p = DegradationPolicy(up_after=1, escalate_after_s=10)
    assert p.next_level(NORMAL, SLOW, QUIET, PERF, now=0.0) == FAST
    assert p.next_level(FAST, VERY_SLOW, QUIET, PERF, now=5.0) == FAST
    assert p.next_level(FAST, VERY_SLOW, QUIET, PERF, now=11.0) == CANNED


def test_no_escalation_while_the_backlog_drains() -> None:
    p = DegradationPolicy(up_after=1, escalate_after_s=10)
    assert p.next_level(NORMAL, SLOW, {"llm": 40}, PERF, now=0.0) == FAST
    assert p.next_level(FAST, VERY_SLOW, {"llm": 25}, PERF, now=12.0) == FAST  # draining
    assert p.next_level(FAST, VERY_SLOW, {"llm": 45}, PERF, now=13.0) == CANNED  # growing
