"""Graceful degradation: three levels, a policy that moves between them and settles, and
what each level changes.

    0 normal
    1 prefer faster/cheaper models and shrink max_tokens
    2 as 1, and low-priority jobs are answered from caches or a canned reply

The policy is pure (no Redis): the beat monitor feeds it a metrics snapshot and queue depths
every `monitor_interval_s`. It is built so that one overload episode costs at most two
changes, up once and down once, and calm costs none:

- Up: after `up_after` bad evaluations in a row, straight to the level the numbers call for
  (0 -> 2 when critical), not one level per streak: every extra step is time over budget.
- Hysteresis: stepping down needs the numbers well inside the budget (`down_margin` of every
  limit), not just under it; the degraded service looks healthy *because* it is degraded.
- Dwell: no step down within `min_dwell_s` of the last change, and only after `down_after`
  healthy evaluations in a row; then straight to normal (never 2 -> 1: that extra change is
  what a long overload tail makes, and the next relapse undoes). No escalation (1 -> 2)
  within `escalate_after_s` of the last change, nor while the queues are shorter than when
  the level went up: level 1 is working, and the p95 still rising comes from jobs that
  waited before the change.
- Demand: the degraded service looks healthy *because* it is degraded, so healthy numbers
  alone do not end an overload that is still arriving. A step down also needs the job
  arrival rate to have fallen to `down_arrival_share` of what it was when the level went
  up, or `probe_after_s` to have passed (the cause may have been a slow provider, which the
  arrival rate says nothing about: then the step down is a probe).
- Relapse backoff: stepping back up soon after a step down doubles the healthy streak the
  next step down needs (up to `max_penalty` times); a calm window halves it again.

An operator can force a level (`celeragent degrade --level N [--for S]`); it holds until
`celeragent degrade --release` or its expiry, and the monitor leaves it alone meanwhile.
Every change is a `degradation` event in `keys.SYSTEM_EVENTS` with its reason. The policy's
streaks are state; `to_dict`/`from_dict` let the monitor keep them in Redis, because beat
tasks may land on different worker processes.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping
from typing import Any

from runtime import keys
from runtime.broker.queues import queue_depths
from runtime.config import Settings
from runtime.guard.metrics import MetricsSnapshot, snapshot
from runtime.guard.performance import PerformanceBudget

NORMAL, FAST, CANNED = 0, 1, 2
MAX_LEVEL = CANNED
SYSTEM_EVENTS_MAXLEN = 10_000


@dataclasses.dataclass
class DegradationPolicy:
    """Decides the next level from how bad things are now (see the module docstring)."""

    up_after: int = 2
    down_after: int = 6
    queue_depth_high: int = 100  # total queued tasks that means "falling behind"
    queue_depth_critical: int = 1_000
    critical_factor: float = 1.5  # e2e p95 this many times the budget is critical
    down_margin: float = 0.7  # to step down, every number within this share of its limit
    min_dwell_s: float = 30.0  # no step down sooner than this after the last change
    escalate_after_s: float = 10.0  # no 1 -> 2 sooner than this after the last change
    down_arrival_share: float = 0.5  # step down once arrivals fell to this share ...
    probe_after_s: float = 300.0  # ... or after this long degraded
    relapse_window: int = 30
    max_penalty: int = 16
    # state, kept between ticks (STATE_FIELDS)
    bad_streak: int = 0
    good_streak: int = 0
    down_penalty: int = 1
    since_down: int = -1  # evaluations since the last step down; -1: none recently
    changed_at: float = 0.0  # time of the last change
    up_arrivals: float = -1.0  # jobs/s arriving when the level went up; -1: unknown
    changed_depth: int = 0  # total queue depth when the level last went up

    def severity(
        self,
        snapshot: MetricsSnapshot,
        queue_depths: Mapping[str, int],
        perf_budget: PerformanceBudget,
        scale: float = 1.0,
    ) -> int:
        """The level the current numbers call for against every limit times `scale`."""
        depth = sum(queue_depths.values())
        if depth >= self.queue_depth_critical * scale or perf_budget.e2e_over(
            snapshot, self.critical_factor * scale
        ):
            return CANNED
        if depth >= self.queue_depth_high * scale or perf_budget.violations(snapshot, scale):
            return FAST
        return NORMAL

    def next_level(
        self,
        current: int,
        snapshot: MetricsSnapshot,
        queue_depths: Mapping[str, int],
        perf_budget: PerformanceBudget,
        now: float | None = None,
        arrivals_per_s: float | None = None,
    ) -> int:
        """One evaluation: returns the level to run at next and updates the streaks.
        `arrivals_per_s`: jobs submitted per second lately (None: unknown)."""
        now = time.time() if now is None else now
        current = min(max(int(current), NORMAL), MAX_LEVEL)
        wanted = self.severity(snapshot, queue_depths, perf_budget)
        allowed = self.severity(snapshot, queue_depths, perf_budget, self.down_margin)
        if self.since_down >= 0:
            self.since_down += 1
            if self.since_down > self.relapse_window:
                self.since_down = -1
                # Relax only after a calm window back at normal: while still degraded the
                # load that caused the relapse may still be there.
                if current == NORMAL and wanted == NORMAL:
                    self.down_penalty = max(1, self.down_penalty // 2)
        if wanted > current:
            self.bad_streak += 1
            self.good_streak = 0
            depth = sum(queue_depths.values())
            # Escalate only when level 1 is not working: too soon, or the backlog it found
            # is draining (the p95 then still rises from jobs that waited before the change).
            escalating = current > NORMAL and (
                now - self.changed_at < self.escalate_after_s or depth < self.changed_depth
            )
            if self.bad_streak >= self.up_after and not escalating:
                self.bad_streak = 0
                if current == NORMAL:
                    self.up_arrivals = -1.0 if arrivals_per_s is None else arrivals_per_s
                self.changed_depth = depth
                if self.since_down >= 0:  # a relapse: be slower to step down next time
                    self.down_penalty = min(self.max_penalty, self.down_penalty * 2)
                self.changed_at = now
                return wanted
        elif allowed == NORMAL and current > NORMAL:
            # Down only all the way: a partial step (2 -> 1) is a change that the same
            # episode's tail usually undoes, or follows with another.
            self.good_streak += 1
            self.bad_streak = 0
            dwelt = now - self.changed_at >= self.min_dwell_s
            demand_fell = (
                arrivals_per_s is None
                or self.up_arrivals < 0
                or arrivals_per_s <= self.down_arrival_share * self.up_arrivals
                or now - self.changed_at >= self.probe_after_s
            )
            if dwelt and demand_fell and self.good_streak >= self.down_after * self.down_penalty:
                self.good_streak = 0
                self.since_down = 0
                self.changed_at = now
                return NORMAL
        else:
            self.bad_streak = self.good_streak = 0
        return current

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DegradationPolicy:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def get_level(redis: Any) -> int:
    """The current level; 0 when unset or unreadable (never degrade by accident)."""
    return parse_level(redis.get(keys.DEGRADATION_LEVEL))


def parse_level(raw: Any) -> int:
    """The level from the stored value (for callers that read it in their own pipeline)."""
    try:
        level = int(_text(raw)) if raw is not None else NORMAL
    except ValueError:
        return NORMAL
    return level if NORMAL <= level <= MAX_LEVEL else NORMAL


def set_level(redis: Any, level: int, reason: str) -> int:
    """Set the level; on a change, append an event to SYSTEM_EVENTS. Returns the previous one."""
    if not NORMAL <= level <= MAX_LEVEL:
        raise ValueError(f"degradation level must be 0, 1 or 2, got {level}")
    raw = redis.set(keys.DEGRADATION_LEVEL, level, get=True)  # SET ... GET: atomic swap
    try:
        previous = int(_text(raw)) if raw is not None else NORMAL
    except ValueError:
        previous = NORMAL
    if previous != level:
        redis.xadd(
            keys.SYSTEM_EVENTS,
            {
                "type": "degradation",
                "level": level,
                "previous": previous,
                "reason": reason,
                "ts": repr(time.time()),
            },
            maxlen=SYSTEM_EVENTS_MAXLEN,
            approximate=True,
        )
    return previous


# What evaluate() keeps in Redis between ticks (beat ticks may run in different processes).
STATE_FIELDS = (
    "bad_streak",
    "good_streak",
    "down_penalty",
    "since_down",
    "changed_at",
    "up_arrivals",
    "changed_depth",
)


def evaluate(
    redis: Any,
    snapshot: MetricsSnapshot,
    queue_depths: Mapping[str, int],
    perf_budget: PerformanceBudget,
    policy: DegradationPolicy | None = None,
    arrivals_per_s: float | None = None,
) -> int:
    """The monitor's tick: load the policy's streaks, decide, store streaks and level.

    `policy` supplies thresholds; its streaks are replaced by the ones stored in Redis. Meant
    for one beat monitor at a time (beat schedules one); two concurrent ticks could both count.
    """
    base = policy or DegradationPolicy()
    stored = redis.get(keys.DEGRADATION_STATE)
    state = json.loads(_text(stored)) if stored else {}
    defaults = DegradationPolicy()
    thresholds = {k: v for k, v in base.to_dict().items() if k not in STATE_FIELDS}
    policy = DegradationPolicy.from_dict(
        {**thresholds, **{k: state.get(k, getattr(defaults, k)) for k in STATE_FIELDS}}
    )
    current = get_level(redis)
    level = policy.next_level(
        current, snapshot, queue_depths, perf_budget, arrivals_per_s=arrivals_per_s
    )
    redis.set(keys.DEGRADATION_STATE, json.dumps({k: getattr(policy, k) for k in STATE_FIELDS}))
    if level != current:
        problems = perf_budget.violations(snapshot)
        depth = sum(queue_depths.values())
        why = "; ".join(problems) if problems else f"queue depth {depth}"
        if level > current:
            set_level(redis, level, f"step up to {level}: {why}")
        else:
            set_level(redis, level, f"step down to {level}: healthy ({why})")
    return level


def policy_from_settings(settings: Settings) -> DegradationPolicy:
    return DegradationPolicy(
        up_after=settings.degrade_up_after,
        down_after=settings.degrade_down_after,
        min_dwell_s=settings.degrade_min_dwell_s,
    )


def tick(redis: Any, settings: Settings) -> int:
    """The beat monitor's step: the level from the live window's p95s, spend and queue
    depths against the performance budget in settings; NORMAL while degradation is off; the
    forced level while an operator's force holds."""
    forced = forced_level(redis)
    if forced is not None:
        if get_level(redis) != forced["level"]:
            set_level(redis, forced["level"], f"forced: {forced['reason']}")
        return int(forced["level"])
    if _was_forced(redis):
        _system_event(redis, "forced level expired: the monitor decides again")
    if not settings.degradation_enabled:
        if get_level(redis) != NORMAL:
            set_level(redis, NORMAL, "degradation disabled by settings")
        return NORMAL
    window = snapshot(redis, settings.metrics_window_s)
    perf = PerformanceBudget.from_settings(settings)
    policy = policy_from_settings(settings)
    arrivals = arrival_rate(redis, min(settings.metrics_window_s, ARRIVALS_WINDOW_S))
    return evaluate(redis, window, queue_depths(redis), perf, policy, arrivals)


ARRIVALS_WINDOW_S = 30.0


def arrival_rate(redis: Any, window_s: float) -> float:
    """Jobs submitted per second over the last `window_s` (from the jobs index)."""
    now = time.time()
    return int(redis.zcount(keys.JOBS_INDEX, now - window_s, now)) / window_s


# --- a level forced by an operator ----------------------------------------------------------


def force_level(redis: Any, level: int, reason: str, for_s: float | None = None) -> int:
    """Hold `level` until `release` (or for `for_s` seconds); returns the previous level."""
    if not NORMAL <= level <= MAX_LEVEL:
        raise ValueError(f"degradation level must be 0, 1 or 2, got {level}")
    until = None if for_s is None else time.time() + for_s
    record = json.dumps({"level": level, "reason": reason, "until": until})
    pipe = redis.pipeline(transaction=True)
    pipe.set(keys.DEGRADATION_FORCED, record, px=None if for_s is None else int(for_s * 1000))
    pipe.set(keys.DEGRADATION_FORCED_SEEN, "1")
    pipe.execute()
    held = "until released" if for_s is None else f"for {for_s:g} s"
    return set_level(redis, level, f"forced ({held}): {reason}")


def release(redis: Any, reason: str) -> bool:
    """End a forced level; the monitor decides again from its next tick. False if none."""
    pipe = redis.pipeline(transaction=True)
    pipe.delete(keys.DEGRADATION_FORCED)
    pipe.delete(keys.DEGRADATION_FORCED_SEEN)
    pipe.delete(keys.DEGRADATION_STATE)  # fresh streaks: the forced period says nothing
    released = bool(pipe.execute()[0])
    if released:
        _system_event(redis, f"forced level released: {reason}")
    return released


def forced_level(redis: Any) -> dict[str, Any] | None:
    raw = redis.get(keys.DEGRADATION_FORCED)
    return json.loads(_text(raw)) if raw else None


def _was_forced(redis: Any) -> bool:
    """True once after a timed force expired (its marker outlives it by design)."""
    return bool(redis.delete(keys.DEGRADATION_FORCED_SEEN))


def _system_event(redis: Any, reason: str) -> None:
    redis.xadd(
        keys.SYSTEM_EVENTS,
        {
            "type": "degradation",
            "level": get_level(redis),
            "reason": reason,
            "ts": repr(time.time()),
        },
        maxlen=SYSTEM_EVENTS_MAXLEN,
        approximate=True,
    )


def shed_below(level: int, priority: int) -> int | None:
    """The priority a job must reach not to be shed at `level`; None when it is not shed."""
    below = effects(level).canned_for_priority_below
    return None if below is None or priority >= below else below


@dataclasses.dataclass(frozen=True)
class Effects:
    prefer_fast_models: bool
    max_tokens_factor: float
    canned_for_priority_below: int | None  # jobs with priority < this get cache or canned


LOW_PRIORITY_BELOW = 5  # the default priority is 5: only jobs marked lower are shed


def effects(level: int) -> Effects:
    """What a level changes, for the router (models, max_tokens) and the client (shedding)."""
    if level <= NORMAL:
        return Effects(
            prefer_fast_models=False, max_tokens_factor=1.0, canned_for_priority_below=None
        )
    if level == FAST:
        return Effects(
            prefer_fast_models=True, max_tokens_factor=0.5, canned_for_priority_below=None
        )
    return Effects(
        prefer_fast_models=True, max_tokens_factor=0.5, canned_for_priority_below=LOW_PRIORITY_BELOW
    )


def canned_reply(job_id: str) -> str:
    """The answer a shed job gets: honest about why, and carrying its id for follow-up."""
    return (
        f"The service is under heavy load, so request {job_id} was not run in full and has no "
        "model answer. Please retry in a few minutes, or resubmit it with a higher priority; "
        f"quote job id {job_id} if you contact support."
    )
