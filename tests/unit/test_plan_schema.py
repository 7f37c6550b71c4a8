"""runtime/agent/plan_schema.py: the per-request plan schema, checked with jsonschema-free
assertions on its structure and with pydantic on plans it admits."""

from __future__ import annotations

from pydantic import BaseModel

from runtime.agent.plan_schema import REF, plan_schema, strict
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
