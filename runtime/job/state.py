"""A job's state as the lifecycle sees it: spec, plan, layers and recorded steps, read from
Redis in one round trip."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import redis

from runtime import keys
from runtime.errors import JobNotFound
from runtime.schemas import JobSpec, Plan, StepResult


@dataclass
class JobState:
    job_id: str
    spec: JobSpec
    plan: Plan | None
    layer_ids: list[list[str]]
    submitted_at: float
    steps: dict[str, StepResult]
    cancelled: bool
    finalized: bool = False  # the job has ended (runtime/job/endings.py): nothing more to do
    level_floor: int = 0  # its model steps run at least at this degradation level (admission)

    @property
    def deadline(self) -> float:
        return self.submitted_at + self.spec.budget.deadline_s

    def first_open_layer(self) -> int:
        """The first layer with a call not yet recorded (len(layers) when all are)."""
        for index, ids in enumerate(self.layer_ids):
            if any(i not in self.steps for i in ids):
                return index
        return len(self.layer_ids)

    def model_rounds(self) -> int:
        """Model steps (plans and answers) so far: each counts against `max_steps`."""
        return sum(1 for s in self.steps.values() if s.kind in ("plan", "answer"))


_FIELDS = ["spec", "plan", "layers", "submitted_at", "level_floor"]


def read_commands(job_id: str) -> list[list[str]]:
    """The reads of a job's state as command words (three replies, for `from_replies`). A
    write that ends one hop (a tool step's record, fence.commit's `then`) carries them, so
    the next hop reads the state in the same round trip instead of another."""
    return [
        ["HMGET", keys.job(job_id), *_FIELDS],
        ["HGETALL", keys.job_steps(job_id)],
        ["EXISTS", keys.job_cancelled(job_id)],
    ]


def queue_reads(pipe: redis.client.Pipeline, job_id: str) -> None:
    """Queue `read_commands` on `pipe` (redis-py parses each reply by its command name)."""
    for command in read_commands(job_id):
        pipe.execute_command(*command)


def from_replies(job_id: str, replies: list[Any], finalized: bool = False) -> JobState:
    """The state from the three replies of `read_commands`, from a pipeline or from a
    fence.commit script (where a missing field is `false` and a hash a flat list)."""
    record, steps_raw, cancelled = replies
    spec_raw, plan_raw, layers_raw, submitted, floor = (v or None for v in record)
    if isinstance(steps_raw, list):
        steps_raw = dict(zip(steps_raw[::2], steps_raw[1::2], strict=True))
    if spec_raw is None:
        raise JobNotFound(f"job {job_id!r} has no record; it expired or never existed.")
    return JobState(
        job_id=job_id,
        spec=JobSpec.model_validate_json(spec_raw),
        plan=Plan.model_validate_json(plan_raw) if plan_raw else None,
        layer_ids=json.loads(layers_raw) if layers_raw else [],
        submitted_at=float(cast(str, submitted)),
        steps={k: StepResult.model_validate_json(v) for k, v in steps_raw.items()},
        cancelled=bool(cancelled),
        finalized=finalized,
        level_floor=int(floor or 0),
    )


def load_state(r: redis.Redis, job_id: str) -> JobState:
    pipe = r.pipeline(transaction=False)
    queue_reads(pipe, job_id)
    pipe.exists(keys.job_finalized(job_id))
    replies = pipe.execute()
    return from_replies(job_id, replies[:3], finalized=bool(replies[3]))
