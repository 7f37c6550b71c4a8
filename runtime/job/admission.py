"""Admission at submit: refuse a job that cannot run, or that would wait past its deadline,
before it is queued; serve a job at a lower level when that keeps it inside its budget.

1. Served at all. A job that needs a model (it has no plan, or wants a model's answer) is
   routed once against the queues that live workers consume (their heartbeats mark them,
   runtime/recovery/heartbeat.py). A model named by the spec whose queue has no live worker,
   or no usable model with a live worker at all, is refused with a sentence that says what to
   start, unless a worker of its queue beat within `liveness.QUEUE_GRACE_S`: a worker that
   is restarting is coming back, and the job waits for it in the queue.
2. Served in time. The monitor records, every tick, what each model queue served lately: how
   many model calls a second it completed and each model's p50 (`record_service`). A new
   job's time is predicted as (queue depth / that rate + the model's p50) per model step
   (two without a plan: plan and answer; one with), the rate taken as at least one call per
   p50 of the queue's slowest model (`_capacity`). When the prediction breaks the routed
   model's e2e budget (runtime/guard/performance.py), the job is served at degradation level
   1 (fast models, shorter answers) if that fits; when even that breaks the job's deadline, it
   is refused with `Overloaded` and a retry-after: better a clear "later" now than a
   `timed_out` after the whole deadline. Without data (no calls completed lately) nothing is
   predicted and the job is admitted.

The job is routed again when its model step is sent (runtime/job/lifecycle.py), with the
queues live then and at least the level admission chose (`keys.job` field `level_floor`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, cast

import redis

from runtime import keys
from runtime.agent import model_steps
from runtime.broker.queues import priority_lists, queue_depths
from runtime.config import Settings
from runtime.errors import ConfigError, Overloaded, SpecError
from runtime.guard import degrade
from runtime.guard.metrics import snapshot
from runtime.guard.performance import PerformanceBudget
from runtime.llm.profiles import QUEUES as MODEL_QUEUES
from runtime.llm.profiles import ModelProfile, profiles
from runtime.recovery import liveness
from runtime.schemas import JobSpec

SERVICE_WINDOW_S = 60.0  # how far back "served lately" looks


@dataclass(frozen=True)
class Admission:
    level_floor: int  # the least degradation level the job's model steps are routed at
    predicted_s: float | None  # the predicted time of its model steps; None: no data


def admit(r: redis.Redis, spec: JobSpec, settings: Settings) -> Admission:
    """Raise SpecError (cannot run) or Overloaded (not in time); else how to serve it."""
    if spec.plan is not None and not spec.wants_model_answer:
        return Admission(0, None)  # tools only: the tools queue is shared and never refused
    pipe = r.pipeline(transaction=False)
    pipe.mget(liveness.served_keys(MODEL_QUEUES))
    pipe.hgetall(keys.SERVICE_ESTIMATES)
    pipe.get(keys.DEGRADATION_LEVEL)
    alive, raw_estimates, raw_level = pipe.execute()
    live = liveness.served(MODEL_QUEUES, alive)
    level = degrade.parse_level(raw_level)
    profile = _route(spec, settings, level, live)
    estimates = {q: json.loads(v) for q, v in cast(dict[str, str], raw_estimates).items()}
    if not estimates:
        return Admission(0, None)
    depths = queue_depths(r, MODEL_QUEUES)
    auto = spec.model in (None, "auto") and level < degrade.FAST
    faster = _route(spec, settings, degrade.FAST, live) if auto else None
    perf = PerformanceBudget.from_settings(settings)
    return judge(spec, profile, faster, depths, estimates, perf)


def judge(
    spec: JobSpec,
    profile: ModelProfile,
    faster: ModelProfile | None,
    depths: dict[str, int],
    estimates: dict[str, Any],
    perf: PerformanceBudget,
) -> Admission:
    """The decision, pure: admit as routed, admit at level 1 (`faster`), or refuse."""
    steps = 1 if spec.plan is not None else 2
    predicted = _predict(profile, steps, depths, estimates)
    if predicted is None or predicted <= perf.e2e_budget_s(profile.name):
        return Admission(0, predicted)
    if faster is not None:
        quicker = _predict(faster, steps, depths, estimates)
        if quicker is not None and quicker <= spec.budget.deadline_s:
            return Admission(degrade.FAST, quicker)
    if predicted <= spec.budget.deadline_s:
        return Admission(0, predicted)
    retry = max(1.0, predicted - spec.budget.deadline_s)
    raise Overloaded(
        f"the service is overloaded: model {profile.name!r} would take about {predicted:.0f} s "
        f"for this job (queue {profile.queue!r} holds {depths.get(profile.queue, 0)} waiting "
        f"steps), past its deadline of {spec.budget.deadline_s:g} s; retry in "
        f"{math.ceil(retry)} s or give it a longer deadline.",
        retry_after_s=float(math.ceil(retry)),
    )


def too_slow_now(
    r: redis.Redis, profile: ModelProfile, elapsed_s: float, settings: Settings
) -> bool:
    """Whether one more model step on `profile`, queued now, would take the job (already
    `elapsed_s` old) past that model's e2e budget: then the step is routed as at level 1.
    Admission control again for each model step, since the queue may have grown since the
    job was admitted. False without data."""
    pipe = r.pipeline(transaction=False)
    pipe.hget(keys.SERVICE_ESTIMATES, profile.queue)
    for name in priority_lists(profile.queue):
        pipe.llen(name)
    raw, *lengths = pipe.execute()
    if not raw:
        return False
    estimates = {profile.queue: json.loads(raw)}
    predicted = _predict(profile, 1, {profile.queue: sum(lengths)}, estimates)
    budget = PerformanceBudget.from_settings(settings).e2e_budget_s(profile.name)
    return predicted is not None and elapsed_s + predicted > budget


def _route(
    spec: JobSpec, settings: Settings, level: int, live: liveness.Served
) -> ModelProfile:
    try:
        return model_steps.route(spec, settings, level, live)
    except ConfigError as exc:
        raise SpecError(f"the job cannot run now: {exc}") from None


def _predict(
    profile: ModelProfile, steps: int, depths: dict[str, int], estimates: dict[str, Any]
) -> float | None:
    service = estimates.get(profile.queue)
    if not service or service["rate_per_s"] <= 0:
        return None
    p50 = service["p50_s"].get(profile.name, profile.typical_latency_s)
    wait = depths.get(profile.queue, 0) / _capacity(service)
    return steps * (wait + p50)


def _capacity(service: dict[str, Any]) -> float:
    """Model calls a second the queue can complete. What it completed over the window is
    that only while it was busy all the window: after a quiet minute, 7 calls in 60 s read
    as 0.12/s for a model answering in 0.25 s, and a burst of 14 was predicted 120 s. A live
    queue completes at least one call per p50 of its slowest model (one worker slot), so the
    estimate never falls below that."""
    slowest = max(service["p50_s"].values(), default=0.0)
    floor = 1.0 / slowest if slowest > 0 else 0.0
    return max(service["rate_per_s"], floor)


def record_service(r: redis.Redis, window_s: float = SERVICE_WINDOW_S) -> dict[str, Any]:
    """What each model queue served over the last `window_s` (the monitor, every tick)."""
    llm = snapshot(r, window_s).names.get("llm", {})
    queue_of = {name: p.queue for name, p in profiles().items()}
    out: dict[str, dict[str, Any]] = {}
    for model, stats in llm.items():
        queue = queue_of.get(model)
        if queue is None:
            continue
        entry = out.setdefault(queue, {"rate_per_s": 0.0, "p50_s": {}})
        entry["rate_per_s"] += stats.count / window_s
        entry["p50_s"][model] = stats.p50_ms / 1000
    pipe = r.pipeline(transaction=True)
    pipe.delete(keys.SERVICE_ESTIMATES)
    if out:
        pipe.hset(keys.SERVICE_ESTIMATES, mapping={q: json.dumps(v) for q, v in out.items()})
    pipe.execute()
    return out
