"""The JSON schema of a plan for one request, built from the tools the job may use.

A model that decodes under this schema (the local model through runtime/llm/local/grammar.py,
a remote one through `response_format`) can only write a plan of the right shape: each
call's `name` is one of the allowed tools, its `arguments` that tool's own schema (no
unknown fields), its `id` and `depends_on` entries match the call-id rule. What a schema
cannot say (that `depends_on` names an earlier call, that a `$ref` reads an ancestor) is
still checked by validation, and the planner's repair round covers it.

An argument may also be `{"$ref": "<call id>.<path>"}` in place of its value, so a plan can
feed one call's output into another.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from runtime.schemas import CALL_ID_PATTERN

if TYPE_CHECKING:
    from runtime.tools.base import Tool

CALL_ID = {"type": "string", "pattern": CALL_ID_PATTERN}
REF = {
    "type": "object",
    "properties": {"$ref": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_-]*(\.[^.]+)*$"}},
    "required": ["$ref"],
    "additionalProperties": False,
}
# Noise for a decoder: pydantic's titles repeat the field name; examples and defaults are
# documentation. Dropping them keeps the grammar small and the remote schema strict-mode safe.
_DROP = ("title", "examples", "default")


def plan_schema(tools: Sequence[Tool], max_calls: int, *, refs: bool = True) -> dict[str, Any]:
    """{"calls": [one object per call, its shape fixed by the tool it names]}. Without
    `refs`, arguments are plain values only."""
    defs: dict[str, Any] = {}
    variants = [_call_schema(t.name, t.json_schema(), defs, refs) for t in tools]
    calls: dict[str, Any] = {"type": "array", "maxItems": max_calls}
    if variants:
        calls["items"] = variants[0] if len(variants) == 1 else {"anyOf": variants}
    else:
        calls["maxItems"] = 0
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"calls": calls},
        "required": ["calls"],
        "additionalProperties": False,
    }
    if defs:
        schema["$defs"] = defs
    return schema


def _call_schema(
    name: str, arguments: dict[str, Any], defs: dict[str, Any], refs: bool
) -> dict[str, Any]:
    args = strict(copy.deepcopy(arguments), prefix=name, defs=defs)
    props = args.get("properties")
    if refs and isinstance(props, dict):
        args["properties"] = {k: {"anyOf": [v, REF]} for k, v in props.items()}
    return {
        "type": "object",
        "properties": {
            "id": CALL_ID,
            "name": {"const": name},
            "arguments": args,
            "depends_on": {"type": "array", "items": CALL_ID},
        },
        "required": ["id", "name", "arguments", "depends_on"],
        "additionalProperties": False,
    }


def strict(schema: Any, *, prefix: str, defs: dict[str, Any]) -> Any:
    """A tool's argument schema made closed and portable: objects allow no unknown fields,
    documentation keys are dropped, and its `$defs` move to the plan's root under
    `<prefix>__<name>` (a `$ref` inside a nested schema resolves against the root)."""
    if isinstance(schema, list):
        return [strict(v, prefix=prefix, defs=defs) for v in schema]
    if not isinstance(schema, dict):
        return schema
    for name, definition in schema.pop("$defs", {}).items():
        defs[f"{prefix}__{name}"] = strict(definition, prefix=prefix, defs=defs)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROP:
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
            out[key] = f"#/$defs/{prefix}__{value.removeprefix('#/$defs/')}"
        elif key == "properties" and isinstance(value, dict):
            out[key] = {k: strict(v, prefix=prefix, defs=defs) for k, v in value.items()}
        else:
            out[key] = strict(value, prefix=prefix, defs=defs)
    if out.get("type") == "object" and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out
