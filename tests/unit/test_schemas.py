"""runtime/schemas.py: the wire models refuse what cannot run."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from runtime.schemas import (
    Budget,
    EventType,
    JobSpec,
    JobStatus,
    Plan,
    StepResult,
    ToolCall,
    Usage,
)

PLAN = {"calls": [{"id": "a", "name": "echo", "arguments": {"value": 1}}]}


@pytest.mark.parametrize(
    "field", ["max_steps", "max_llm_calls", "max_tokens", "max_cost_usd", "deadline_s"]
)
@pytest.mark.parametrize("value", [0, -1])
def test_budget_rejects_zero_and_negative(field: str, value: int) -> None:
    with pytest.raises(ValidationError) as exc:
        Budget(**{field: value})
    [error] = exc.value.errors()
    assert error["loc"] == (field,)
    assert error["type"] == "greater_than"


def test_budget_defaults_are_positive() -> None:
    b = Budget()
    assert min(b.max_steps, b.max_llm_calls, b.max_tokens, b.max_cost_usd, b.deadline_s) > 0
    assert Budget(max_cost_usd=0.001).max_cost_usd == 0.001


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_jobspec_refuses_empty_query_without_plan(query: str) -> None:
    with pytest.raises(ValidationError, match="empty query and no plan"):
        JobSpec(query=query)


def test_jobspec_accepts_plan_without_query_and_query_without_plan() -> None:
    assert JobSpec(plan=Plan.model_validate(PLAN)).query == ""
    assert JobSpec(query="what time is it?").plan is None


def test_jobspec_forbids_unknown_fields_and_bounds_priority() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        JobSpec.model_validate({"query": "q", "prority": 3})
    for bad in (-1, 10):
        with pytest.raises(ValidationError):
            JobSpec(query="q", priority=bad)
    assert JobSpec(query="q", priority=9).priority == 9


def test_plan_needs_at_least_one_call() -> None:
    with pytest.raises(ValidationError):
        Plan(calls=[])


@pytest.mark.parametrize("cid", ["a", "_x", "search_1", "call-2", "A9", "x" * 64, "_"])
def test_call_id_pattern_accepts(cid: str) -> None:
    assert ToolCall(id=cid, name="echo").id == cid


@pytest.mark.parametrize("cid", ["", "1a", "-a", "a.b", "a b", "a/b", "x" * 65, "é", "a$"])
def test_call_id_pattern_refuses(cid: str) -> None:
    with pytest.raises(ValidationError, match="because \\$refs address it by name"):
        ToolCall(id=cid, name="echo")


def test_tool_name_must_not_be_empty() -> None:
    with pytest.raises(ValidationError):
        ToolCall(id="a", name="")


@pytest.mark.parametrize(
    ("query", "synthesize", "expected"),
    [
        ("question", None, True),
        ("  ", None, False),
        ("", None, False),
        ("question", False, False),
        ("", True, True),
    ],
)
def test_wants_model_answer(query: str, synthesize: bool | None, expected: bool) -> None:
    spec = JobSpec(query=query, plan=Plan.model_validate(PLAN), synthesize=synthesize)
    assert spec.wants_model_answer is expected


def test_job_status_terminal() -> None:
    assert not JobStatus.queued.terminal
    assert not JobStatus.running.terminal
    terminal = {s for s in JobStatus if s.terminal}
    assert terminal == {
        JobStatus.done,
        JobStatus.failed,
        JobStatus.cancelled,
        JobStatus.timed_out,
        JobStatus.degraded,
        JobStatus.budget_exhausted,
    }


def test_event_type_terminal_matches_terminal_statuses() -> None:
    terminal = {e.value for e in EventType if e.terminal}
    assert terminal == {"done", "failed", "cancelled", "timed_out", "degraded", "budget_exhausted"}
    for name in (
        "submitted",
        "planned",
        "step_started",
        "step_finished",
        "token",
        "llm_started",
        "llm_finished",
        "approval_required",
    ):
        assert not EventType(name).terminal
    # Every terminal job status has an event that ends the stream.
    assert {s.value for s in JobStatus if s.terminal} <= {e.value for e in EventType}


def test_usage_add_and_total() -> None:
    a = Usage(prompt_tokens=10, completion_tokens=5, llm_calls=1, tool_calls=2, cost_usd=0.25)
    b = Usage(prompt_tokens=1, completion_tokens=2, llm_calls=3, tool_calls=4, cost_usd=0.5)
    total = a.add(b)
    assert (total.prompt_tokens, total.completion_tokens, total.llm_calls, total.tool_calls) == (
        11,
        7,
        4,
        6,
    )
    assert total.cost_usd == pytest.approx(0.75)
    assert total.total_tokens == 18
    assert a.total_tokens == 15  # add() returns a new object


def test_step_result_ok() -> None:
    assert StepResult(id="a", tool="echo").ok
    assert not StepResult(id="a", tool="echo", error="boom").ok


def test_jobspec_json_round_trip() -> None:
    spec = JobSpec(query="q", plan=Plan.model_validate(PLAN), tools=["echo"], priority=7)
    assert JobSpec.model_validate_json(spec.model_dump_json()) == spec
