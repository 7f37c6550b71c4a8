"""runtime/agent/plan_schema.py: the per-request plan schema, checked with jsonschema-free
assertions on its structure and with pydantic on plans it admits."""

from __future__ import annotations

from pydantic import BaseModel

from runtime.agent.plan_schema import (
    MAX_STRING,
    REF,
    grounded,
    plan_schema,
    question_numbers,
    strict,
)
from runtime.tools.registry import all_tools


class Inner(BaseModel):
    city: str


class Outer(BaseModel):
    where: Inner
    days: int = 1


def test_each_call_is_tied_to_one_allowed_tool() -> None:
    tools = all_tools(["calculator", "sleep"])
    schema = plan_schema(tools, max_calls=4)
    calls = schema["properties"]["calls"]
    assert calls["maxItems"] == 4
    variants = calls["items"]["anyOf"]
    assert [v["properties"]["name"] for v in variants] == [
        {"const": "calculator"},
        {"const": "sleep"},
    ]
    for v in variants:
        assert v["additionalProperties"] is False
        assert v["required"] == ["id", "name", "arguments", "depends_on"]
        args = v["properties"]["arguments"]
        assert args["additionalProperties"] is False  # no invented fields
        assert "title" not in args


def test_refs_are_an_alternative_to_each_argument_only_when_asked() -> None:
    tool = all_tools(["calculator"])
    with_refs = plan_schema(tool, 2)["properties"]["calls"]["items"]
    expression = with_refs["properties"]["arguments"]["properties"]["expression"]
    assert expression["anyOf"][1] == REF and expression["anyOf"][0]["type"] == "string"
    plain = plan_schema(tool, 2, refs=False)["properties"]["calls"]["items"]
    assert plain["properties"]["arguments"]["properties"]["expression"]["type"] == "string"


def test_nested_definitions_move_to_the_root_under_the_tool_name() -> None:
    defs: dict = {}
    out = strict(Outer.model_json_schema(), prefix="trip", defs=defs)
    assert out["properties"]["where"] == {"$ref": "#/$defs/trip__Inner"}
    assert defs["trip__Inner"]["additionalProperties"] is False
    assert "default" not in out["properties"]["days"]


def test_no_tools_means_no_calls() -> None:
    assert plan_schema([], 5)["properties"]["calls"]["maxItems"] == 0


def test_question_numbers_reads_lists_thousands_signs_and_percents() -> None:
    assert question_numbers("factorial of 5,10 and 15") == [5, 10, 15]
    assert question_numbers("from $300,000 to $1,400,000") == [300000, 1400000]
    assert question_numbers("c = -25 at 4.5% on 2024-03-01") == [-25, 4.5, 0.045, 2024, 3, 1]
    assert question_numbers("no digits here") == []


def test_grounded_values_come_from_the_question_and_are_bounded() -> None:
    schema = {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "rate": {"type": "number"},
            "name": {"type": "string"},
            "unit": {"type": "string", "enum": ["cm", "in"]},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    out = grounded(schema, [3, 0.5])
    props = out["properties"]
    assert props["count"] == {"type": "integer", "enum": [3]}  # 0.5 is no integer
    assert props["rate"] == {"type": "number", "enum": [3, 0.5]}
    assert props["name"]["maxLength"] == MAX_STRING
    assert props["unit"] == {"type": "string", "enum": ["cm", "in"]}  # already finite
    assert props["tags"]["maxItems"] and props["tags"]["items"]["maxLength"] == MAX_STRING
    # Without numbers in the question, a number is a bounded integer, never an endless one.
    bounded = grounded(schema, [])["properties"]["rate"]
    assert bounded["type"] == "integer" and bounded["maximum"] < 10**12


def test_a_grounded_call_is_a_name_and_arguments_and_may_be_required() -> None:
    tools = all_tools(["calculator"])
    schema = plan_schema(tools, 4, refs=False, min_calls=1, query="what is 2 + 3")
    calls = schema["properties"]["calls"]
    assert calls["minItems"] == 1
    call = calls["items"]
    assert set(call["properties"]) == {"name", "arguments"} == set(call["required"])
    # The calculator's own length limit (1000) shrinks to what this question could need.
    expression = call["properties"]["arguments"]["properties"]["expression"]
    assert expression["maxLength"] == MAX_STRING > 2 * len("what is 2 + 3")
    assert "minItems" not in plan_schema(tools, 4)["properties"]["calls"]


def test_percents_go_to_number_arguments_as_fractions_and_strings_are_bounded() -> None:
    from runtime.agent.plan_schema import percents

    assert percents("5% of 200, then 5 more at 7.5%") == ({5, 7.5}, {7.5})
    tool = all_tools(["calculator"])
    query = "What is 7.5% of 880?"
    calls = plan_schema(tool, 4, refs=False, query=query)["properties"]["calls"]
    expression = calls["items"]["properties"]["arguments"]["properties"]["expression"]
    # The calculator's own bound (1000) shrinks to what this question could need.
    assert expression["maxLength"] == 2 * len(query) and "pattern" in expression
    rate = grounded({"type": "number"}, question_numbers(query), percents(query)[1])
    assert rate == {"type": "number", "enum": [0.075, 880]}
