"""runtime/llm/response_format.py: which schemas go out strict, what is sent at each level, and
which server refusals step down to which level (messages as the real servers word them)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from runtime.agent.plan_schema import plan_schema
from runtime.llm.response_format import (
    NONE,
    OBJECT,
    SCHEMA,
    STRICT,
    build,
    next_level,
    rejects_format,
    strict_schema,
)
from runtime.tools.registry import all_tools

# Tools whose arguments are all required and typed: their plan schema can go out strict.
STRICT_TOOLS = ["calculator", "http_get", "notify", "sleep"]


def objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every object schema in `node` (property names are not schemas: a property may be
    called "$ref")."""
    if isinstance(node, list):
        for v in node:
            yield from objects(v)
    elif isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for key, value in node.items():
            if key in ("properties", "$defs"):
                yield from objects(list(value.values()))
            elif key in ("items", "anyOf"):
                yield from objects(value)


def closed(**props: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def test_plan_schema_of_typed_required_arguments_becomes_strict() -> None:
    schema = plan_schema(all_tools(STRICT_TOOLS), max_calls=8)
    before = copy.deepcopy(schema)
    out = strict_schema(schema)
    assert out is not None
    assert schema == before  # a copy: the caller's schema is untouched
    found = list(objects(out))
    assert len(found) > 1 + 2 * len(STRICT_TOOLS)  # root, calls, arguments, $ref alternatives
    for obj in found:
        assert obj["additionalProperties"] is False
        assert sorted(obj.get("required", [])) == sorted(obj.get("properties", {}))
    text = json.dumps(out)
    assert "minLength" not in text and "maxLength" not in text  # checked by the tools instead
    variants = out["properties"]["calls"]["items"]["anyOf"]
    assert [v["properties"]["name"] for v in variants] == [
        {"const": name, "type": "string"} for name in STRICT_TOOLS
    ]
    sleep = variants[-1]["properties"]["arguments"]["properties"]["ms"]["anyOf"][0]
    assert sleep == {
        "description": "Milliseconds to sleep.",
        "maximum": 600000,
        "minimum": 0,
        "type": "integer",
    }
    url = variants[1]["properties"]["arguments"]["properties"]["url"]["anyOf"][0]
    assert url["pattern"] == "^https?://"  # what strict mode supports is kept


@pytest.mark.parametrize(
    "tool", ["current_date", "fail", "echo"]
)  # optional arguments; echo's value takes any JSON
def test_plan_schema_that_strict_mode_would_change_stays_non_strict(tool: str) -> None:
    assert strict_schema(plan_schema(all_tools(["calculator", tool]), max_calls=8)) is None


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
        closed(a={"type": "object", "additionalProperties": True}),
        closed(a={"description": "anything"}),
        closed(a={"allOf": [{"type": "string"}]}),
        closed(a={"type": "array"}),
        closed(a={"$ref": "#/$defs/x", "minimum": 1}),
        {"anyOf": [closed(a={"type": "string"})]},
        {"type": "array", "items": {"type": "string"}},
    ],
    ids=[
        "optional",
        "open",
        "nested-open",
        "untyped",
        "allOf",
        "array-any",
        "ref-sibling",
        "root-anyOf",
        "root-array",
    ],
)
def test_schemas_strict_mode_cannot_take_unchanged(schema: dict[str, Any]) -> None:
    assert strict_schema(schema) is None


def test_meaning_preserving_edits() -> None:
    schema = closed(
        a={"$ref": "#/$defs/x", "description": "doc beside a ref"},
        b={"enum": ["x", None]},
        c={"type": "string", "format": "uri", "title": "C", "default": "u"},
        d={"type": "string", "format": "date"},
    )
    schema["$defs"] = {"x": closed(n={"type": "integer"})}
    assert strict_schema(schema) == {
        **closed(
            a={"$ref": "#/$defs/x"},
            b={"enum": ["x", None], "type": ["null", "string"]},
            c={"type": "string"},
            d={"type": "string", "format": "date"},
        ),
        "$defs": {"x": closed(n={"type": "integer"})},
    }


def test_build_at_each_level() -> None:
    schema = closed(a={"type": "string"})
    assert build(schema, STRICT) == (
        STRICT,
        {
            "type": "json_schema",
            "json_schema": {"name": "response", "schema": schema, "strict": True},
        },
    )
    plain = {"type": "json_schema", "json_schema": {"name": "response", "schema": schema}}
    assert build(schema, SCHEMA) == (SCHEMA, plain)
    assert build(schema, OBJECT) == (OBJECT, {"type": "json_object"})
    assert build(schema, NONE) == (NONE, None)
    optional = {"type": "object", "properties": {"a": {"type": "string"}}}
    level, fmt = build(optional, STRICT)  # strict unavailable: the schema goes out as given
    assert level == SCHEMA and fmt == {
        "type": "json_schema",
        "json_schema": {"name": "response", "schema": optional},
    }


def test_build_keeps_a_callers_wrapper_and_its_strict_false() -> None:
    schema = closed(a={"type": "string"})
    wrapper = {"name": "plan", "schema": schema, "strict": False}
    assert build(wrapper, STRICT) == (
        SCHEMA,
        {"type": "json_schema", "json_schema": {"name": "plan", "schema": schema}},
    )
    assert build({"name": "plan", "schema": schema}, STRICT)[1] == {
        "type": "json_schema",
        "json_schema": {"name": "plan", "schema": schema, "strict": True},
    }


OPENAI_MODEL = (
    "Error code: 400 - {'error': {'message': \"Invalid parameter: 'response_format' of type "
    "'json_schema' is not supported with this model.\", 'type': 'invalid_request_error', "
    "'param': 'response_format', 'code': None}}"
)
OPENAI_SCHEMA = (
    "Invalid schema for response_format 'response': In context=('properties', 'value'), "
    "schema must have a 'type' key."
)
LLAMA_CPP = 'response_format type must be one of "text" or "json_object", but got: json_schema'
PROXY_STRICT = (
    "[{'type': 'extra_forbidden', 'loc': ('body', 'response_format', 'json_schema', "
    "'strict'), 'msg': 'Extra inputs are not permitted', 'input': True}]"
)
XGRAMMAR = "The provided JSON schema contains features not supported by xgrammar."
JSON_OBJECT = "Invalid parameter: 'response_format' of type 'json_object' is not supported."


@pytest.mark.parametrize(
    ("level", "text", "lower"),
    [
        (STRICT, OPENAI_MODEL, OBJECT),
        (STRICT, OPENAI_SCHEMA, SCHEMA),
        (STRICT, PROXY_STRICT, SCHEMA),
        (STRICT, LLAMA_CPP, OBJECT),
        (SCHEMA, LLAMA_CPP, OBJECT),
        (SCHEMA, XGRAMMAR, OBJECT),
        (STRICT, "response_format not supported", NONE),
        (OBJECT, JSON_OBJECT, NONE),
        (SCHEMA, OPENAI_SCHEMA, NONE),
    ],
)
def test_refusals_step_down(level: str, text: str, lower: str) -> None:
    assert rejects_format(400, text)
    assert next_level(level, text) == lower


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (400, "'max_tokens' is not supported with this model. Use 'max_completion_tokens'."),
        (400, "This model's maximum context length is 8192 tokens."),
        (400, "scripted failure 400"),
        (404, "response_format not supported"),  # a wrong route, not a refused field
        (500, LLAMA_CPP),  # server errors are retried as they are
    ],
)
def test_other_errors_are_not_about_the_format(status: int, text: str) -> None:
    assert not rejects_format(status, text)


def test_422_counts_as_a_refusal() -> None:
    assert rejects_format(422, PROXY_STRICT)
