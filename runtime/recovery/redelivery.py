"""What happens when a step's message comes back after its worker died (acks_late): count
the deliveries and stop a poison step after `max_deliveries`, and never start a side effect
twice for one step.

A poison step is recorded as failed and copied to the dead-letter list with its error, so
the layer still joins and the job finishes; `celeragent dead-letters` lists and retries it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, cast

import redis

from runtime import keys
from runtime.schemas import StepResult

DEAD_LETTERS_MAX = 10_000


@dataclass
class Admission:
    run: bool  # False: do not run the tool, use `error` or `previous` instead
    error: str | None = None
    previous: StepResult | None = None
    deliveries: int = 1


def track(
    pipe: redis.client.Pipeline,
    job_id: str,
    call: dict[str, Any],
    attempt: int,
    *,
    side_effecting: bool,
    ttl_s: int,
) -> None:
    """Queue the records of this delivery on the step's first pipeline (no extra round
    trip); `decide` reads the replies, in this order."""
    pipe.hincrby(keys.job_deliveries(job_id), f"{call['id']}:{attempt}", 1)
    pipe.expire(keys.job_deliveries(job_id), ttl_s)
    if side_effecting:
        pipe.hsetnx(keys.job_effects(job_id), call["id"], repr(time.time()))
        pipe.expire(keys.job_effects(job_id), ttl_s)
        pipe.hget(keys.job_steps(job_id), call["id"])


def decide(replies: list[Any], *, side_effecting: bool, max_deliveries: int) -> Admission:
    """Whether this delivery of the step may run, from the replies `track` queued."""
    deliveries = int(replies[0])
    if deliveries > max_deliveries:
        return Admission(
            run=False,
            deliveries=deliveries,
            error=f"poison step: its worker died {deliveries - 1} times running it; moved to "
            "the dead-letter list (see `celeragent dead-letters`).",
        )
    if side_effecting and not replies[2]:
        recorded = replies[4]
        if recorded:
            return Admission(run=False, previous=StepResult.model_validate_json(recorded))
        return Admission(
            run=False,
            deliveries=deliveries,
            error="not repeated: this side-effecting step had already started when its worker "
            "died, so its effect may have happened; check it, then retry it from the "
            "dead-letter list if it did not.",
        )
    return Admission(run=True, deliveries=deliveries)


def dead_letter(r: redis.Redis, job_id: str, call: dict[str, Any], error: str) -> None:
    entry = {"job_id": job_id, "call": call, "error": error, "at": time.time()}
    pipe = r.pipeline(transaction=False)
    pipe.lpush(keys.DEAD_LETTERS, json.dumps(entry, ensure_ascii=False, default=str))
    pipe.ltrim(keys.DEAD_LETTERS, 0, DEAD_LETTERS_MAX - 1)
    pipe.execute()


def dead_letters(r: redis.Redis, limit: int = 100) -> list[dict[str, Any]]:
    """Newest first; each entry's `index` is what `celeragent dead-letters --retry` takes."""
    raw = cast(list[str], r.lrange(keys.DEAD_LETTERS, 0, limit - 1))
    return [{"index": i, **json.loads(item)} for i, item in enumerate(raw)]
