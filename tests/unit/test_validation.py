"""runtime/job/validation.py: every bad input is refused before anything is queued, with a
sentence that names what was wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runtime.config import Settings
from runtime.errors import PlanError, SpecError, ToolArgumentError
from runtime.job.validation import validate_spec
from runtime.schemas import JobSpec, Plan


@pytest.fixture
def settings() -> Settings:
    return Settings(max_query_chars=50, max_plan_calls=5, max_plan_depth=3, max_argument_bytes=256)


def call(cid: str, name: str = "echo", args: Any = None, deps: tuple = ()) -> dict[str, Any]:
    return {
        "id": cid,
        "name": name,
        "arguments": {"value": cid} if args is None else args,
        "depends_on": list(deps),
    }


def spec(*calls: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"plan": {"calls": list(calls)}, **fields}


def refused(bad: Any, settings: Settings, kind: type[Exception] = SpecError) -> str:
    with pytest.raises(kind) as exc:
        validate_spec(bad, settings)
    message = str(exc.value)
    assert message.endswith("."), f"not a sentence: {message!r}"
    return message


# --- accepted ------------------------------------------------------------------------------


def test_dict_input_is_parsed(settings: Settings) -> None:
    parsed = validate_spec(spec(call("a"), call("b", deps=("a",))), settings)
    assert isinstance(parsed, JobSpec)
    assert [c.id for c in parsed.plan.calls] == ["a", "b"]


def test_json_text_input_is_parsed(settings: Settings) -> None:
    text = json.dumps({"query": "what is 2+2?", "tools": ["calculator"], "priority": 8})
    parsed = validate_spec(text, settings)
    assert (parsed.query, parsed.tools, parsed.priority) == ("what is 2+2?", ["calculator"], 8)


def test_model_input_is_returned_as_a_fresh_copy(settings: Settings) -> None:
    original = JobSpec(query="hello")
    parsed = validate_spec(original, settings)
    assert parsed == original and parsed is not original


def test_refs_between_ancestors_are_accepted(settings: Settings) -> None:
    good = spec(
        call("a", "calculator", {"expression": "6*7"}),
        call("b", "echo", {"value": {"$ref": "a.result"}}, ("a",)),
    )
    assert validate_spec(good, settings).plan is not None


# --- refused -------------------------------------------------------------------------------


def test_cycle(settings: Settings) -> None:
    message = refused(spec(call("a", deps=("b",)), call("b", deps=("a",))), settings, PlanError)
    assert "dependency cycle among calls: a, b" in message


def test_unknown_tool(settings: Settings) -> None:
    message = refused(spec(call("a", name="teleport")), settings, PlanError)
    assert "call 'a': unknown tool 'teleport'; known tools:" in message


def test_unknown_tool_in_the_allowlist(settings: Settings) -> None:
    message = refused({"query": "q", "tools": ["echo", "teleport"]}, settings, PlanError)
    assert "unknown tool 'teleport'" in message


def test_tool_outside_the_allowlist(settings: Settings) -> None:
    bad = spec(call("c", "calculator", {"expression": "1"}), tools=["echo", "sleep"])
    message = refused(bad, settings, PlanError)
    assert "call 'c': tool 'calculator' is not in this job's allowlist (echo, sleep)." in message


def test_empty_allowlist_refuses_every_tool(settings: Settings) -> None:
    message = refused(spec(call("a"), tools=[]), settings, PlanError)
    assert "allowlist (empty)" in message


def test_dangling_dependency(settings: Settings) -> None:
    message = refused(spec(call("a", deps=("nowhere",))), settings, PlanError)
    assert "call 'a' depends on 'nowhere', which is not a call in the plan." in message


@pytest.mark.parametrize(
    ("arguments", "deps", "expected"),
    [
        ({"value": {"$ref": "a..x"}}, ("a",), "$ref 'a..x' has an empty path segment"),
        ({"value": {"$ref": 7}}, ("a",), "a $ref must be a string"),
        ({"value": {"$ref": "ghost.x"}}, ("a",), "names 'ghost', which is not a call"),
        ({"value": {"$ref": "a.value"}}, (), "add 'a' to depends_on"),
    ],
)
def test_bad_ref(settings: Settings, arguments: Any, deps: tuple, expected: str) -> None:
    message = refused(spec(call("a"), call("b", args=arguments, deps=deps)), settings, PlanError)
    assert expected in message
    assert "call 'b'" in message


def test_arguments_failing_the_schema(settings: Settings) -> None:
    message = refused(spec(call("s", "sleep", {"ms": "later"})), settings, ToolArgumentError)
    assert message.startswith("call 's': arguments for tool 'sleep' are invalid (ms:")


def test_unknown_time_zone_argument(settings: Settings) -> None:
    bad = spec(call("d", "current_date", {"timezone": "Atlantis/Capital"}))
    message = refused(bad, settings, ToolArgumentError)
    assert "unknown time zone 'Atlantis/Capital'" in message


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_and_no_plan(settings: Settings, query: str) -> None:
    message = refused({"query": query}, settings)
    assert message == (
        "invalid job spec: spec: the job has an empty query and no plan: give a query for "
        "the planner, or a plan of tool calls."
    )


def test_no_fields_at_all(settings: Settings) -> None:
    assert "empty query and no plan" in refused({}, settings)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_steps", 0),
        ("max_steps", -1),
        ("max_llm_calls", 0),
        ("max_tokens", -100),
        ("max_cost_usd", 0),
        ("max_cost_usd", -0.5),
        ("deadline_s", 0.0),
        ("deadline_s", -1),
    ],
)
def test_zero_or_negative_budget(settings: Settings, field: str, value: float) -> None:
    message = refused({"query": "q", "budget": {field: value}}, settings)
    assert f"budget.{field}: Input should be greater than 0" in message


def test_budget_broken_after_construction_is_caught(settings: Settings) -> None:
    # Models are mutable; validate_spec re-validates rather than trusting the object.
    spec_model = JobSpec(query="q")
    spec_model.budget.max_steps = 0
    assert "budget.max_steps" in refused(spec_model, settings)


def test_query_over_the_limit(settings: Settings) -> None:
    message = refused({"query": "x" * 51}, settings)
    assert message == ("the query is 51 characters; the limit is 50 (CELERAGENT_MAX_QUERY_CHARS).")
    assert validate_spec({"query": "x" * 50}, settings).query == "x" * 50


def test_plan_limits_come_from_settings(settings: Settings) -> None:
    too_many = spec(*(call(f"c{i}") for i in range(6)))
    assert "the plan has 6 calls; the limit is 5." in refused(too_many, settings, PlanError)
    too_deep = spec(
        call("a"), call("b", deps=("a",)), call("c", deps=("b",)), call("d", deps=("c",))
    )
    assert "4 layers deep; the limit is 3." in refused(too_deep, settings, PlanError)
    too_big = spec(call("a", args={"value": "y" * 300}))
    assert "the limit is 256." in refused(too_big, settings, PlanError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "invalid job spec: spec: Invalid JSON"),
        ('{"query": "q", "priority": 12}', "invalid job spec: priority:"),
        ('{"query": "q", "surprise": 1}', "surprise: Extra inputs are not permitted"),
        ('["query"]', "invalid job spec:"),
    ],
)
def test_bad_json_text(settings: Settings, text: str, expected: str) -> None:
    assert expected in refused(text, settings)


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"query": "q", "priority": "urgent"}, "priority:"),
        ({"query": "q", "tenant": ""}, "tenant:"),
        (spec({"id": "1bad", "name": "echo"}), "plan.calls.0.id: call id '1bad'"),
        ({"plan": {"calls": []}}, "plan.calls:"),
        ({"query": 5}, "query:"),
    ],
)
def test_bad_dict(settings: Settings, bad: dict[str, Any], expected: str) -> None:
    message = refused(bad, settings)
    assert message.startswith("invalid job spec: ")
    assert expected in message


def test_spec_errors_are_value_errors(settings: Settings) -> None:
    # Callers that only know ValueError still catch a refusal.
    with pytest.raises(ValueError):
        validate_spec({"query": ""}, settings)


def test_plan_model_input(settings: Settings) -> None:
    model = JobSpec(plan=Plan.model_validate({"calls": [call("a", deps=("a",))]}))
    assert "depends on itself" in refused(model, settings, PlanError)


# --- specs that their own budget cannot run --------------------------------------------------


def test_a_plan_with_more_calls_than_max_steps_is_refused(settings: Settings) -> None:
    calls = [call(f"c{i}") for i in range(4)]
    message = refused(spec(*calls, budget={"max_steps": 3}), settings)
    assert "needs 4 steps" in message and "max_steps is 3" in message
    validate_spec(spec(*calls, budget={"max_steps": 4}), settings)  # exactly enough


def test_the_answer_step_counts_against_max_steps(settings: Settings) -> None:
    calls = [call("a"), call("b")]
    message = refused(spec(*calls, query="sum them", budget={"max_steps": 2}), settings)
    assert "needs 3 steps" in message and "the answer step" in message
    validate_spec(
        spec(*calls, query="sum them", synthesize=False, budget={"max_steps": 2}), settings
    )


def test_a_deadline_shorter_than_the_plans_fixed_waits_is_refused(settings: Settings) -> None:
    # Two sleeps in a row (3 s) beside one of 2.5 s: the longest path waits 3 s.
    calls = [
        call("a", "sleep", {"ms": 1000}),
        call("b", "sleep", {"ms": 2000}, ("a",)),
        call("c", "sleep", {"ms": 2500}),
    ]
    message = refused(spec(*calls, budget={"deadline_s": 3}), settings)
    assert "take 3 s on its longest path" in message and "deadline_s is 3" in message
    validate_spec(spec(*calls, budget={"deadline_s": 3.5}), settings)
