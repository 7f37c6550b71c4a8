"""Wire models: what a user submits and what a job returns. JSON only, validated on entry."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CALL_ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$"
_CALL_ID = re.compile(CALL_ID_PATTERN)
CONVERSATION_ID_PATTERN = r"^[A-Za-z0-9_\-.]{1,128}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class ToolCall(_Model):
    """One node of the plan: call tool `name` with `arguments` after `depends_on` finish.

    An argument value may be `{"$ref": "other_call.path.to.field"}`: it is replaced by that
    part of an earlier call's output before the tool runs.
    """

    id: str = Field(description="Unique within the plan: letters, digits, _ and -.")
    name: str = Field(min_length=1, max_length=128)
    arguments: dict[str, Any] = Field(default_factory=dict)
    depends_on: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _CALL_ID.match(value):
            raise ValueError(
                f"call id {value!r} must start with a letter or _ and contain only letters, "
                "digits, _ and - (at most 64 characters), because $refs address it by name"
            )
        return value


class Plan(_Model):
    calls: list[ToolCall] = Field(min_length=1)


class Budget(_Model):
    """Per-job limits. Every limit must be positive: a job with nothing to spend cannot run."""

    max_steps: int = Field(default=15, gt=0, description="Tool steps plus model steps.")
    max_llm_calls: int = Field(default=10, gt=0)
    max_tokens: int = Field(default=50_000, gt=0)
    max_cost_usd: float = Field(default=0.50, gt=0)
    deadline_s: float = Field(default=120.0, gt=0)


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"
    timed_out = "timed_out"
    degraded = "degraded"
    budget_exhausted = "budget_exhausted"

    @property
    def terminal(self) -> bool:
        return self not in (JobStatus.queued, JobStatus.running)


class JobSpec(_Model):
    query: str = Field(default="", description="The user's question or instruction.")
    plan: Plan | None = Field(default=None, description="Explicit tool DAG; else the planner.")
    tools: list[str] | None = Field(default=None, description="Allowlist; None means all.")
    budget: Budget = Field(default_factory=Budget)
    priority: int = Field(default=5, ge=0, le=9, description="0 lowest, 9 highest.")
    tenant: str = Field(default="default", min_length=1, max_length=128)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=256)
    model: str | None = Field(default=None, description="Model profile name; None: route.")
    synthesize: bool | None = Field(
        default=None,
        description="Ask a model for the final answer. None: only when there is a query.",
    )
    conversation_id: str | None = Field(
        default=None,
        pattern=CONVERSATION_ID_PATTERN,
        description="Conversation of this tenant the job belongs to: it sees the turns so far "
        "and its question and answer become the next ones (runtime/conversation/).",
    )
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _something_to_run(self) -> JobSpec:
        if not self.query.strip() and self.plan is None:
            raise ValueError(
                "the job has an empty query and no plan: give a query for the planner, "
                "or a plan of tool calls"
            )
        return self

    @property
    def wants_model_answer(self) -> bool:
        if self.synthesize is not None:
            return self.synthesize
        return bool(self.query.strip())


class StepResult(_Model):
    id: str
    tool: str
    started_at: float | None = None
    finished_at: float | None = None
    duration_ms: float = 0.0
    queue_wait_ms: float | None = None
    cached: bool = False
    error: str | None = None
    output: Any = None
    attempts: int = 1
    kind: str = "tool"  # tool | plan | answer
    substituted: bool = False  # answered in-process by a lightweight substitute

    @property
    def ok(self) -> bool:
        return self.error is None


class Usage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0
    tool_calls: int = 0
    cost_usd: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            llm_calls=self.llm_calls + other.llm_calls,
            tool_calls=self.tool_calls + other.tool_calls,
            cost_usd=self.cost_usd + other.cost_usd,
        )


class Timings(_Model):
    submitted_at: float
    finished_at: float | None = None
    e2e_ms: float | None = None


class JobResult(_Model):
    job_id: str
    status: JobStatus
    answer: str | None = None
    steps: list[StepResult] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    timings: Timings
    error: str | None = None
    models: list[str] = Field(default_factory=list, description="Models that served calls.")


class EventType(StrEnum):
    submitted = "submitted"
    planned = "planned"
    step_started = "step_started"
    step_finished = "step_finished"
    token = "token"  # noqa: S105 - an event name, not a secret
    llm_started = "llm_started"
    llm_finished = "llm_finished"
    approval_required = "approval_required"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"
    timed_out = "timed_out"
    degraded = "degraded"
    budget_exhausted = "budget_exhausted"
    recovered = "recovered"  # a lost message was replaced (runtime/recovery/stalls.py)

    @property
    def terminal(self) -> bool:
        return self.value in {s.value for s in JobStatus if s.terminal}


class Event(_Model):
    id: str = Field(description="Redis stream id; pass it to events(from_id=...) to resume.")
    type: EventType
    ts: float
    data: dict[str, Any] = Field(default_factory=dict)
