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
import re
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


def plan_schema(
    tools: Sequence[Tool],
    max_calls: int,
    *,
    refs: bool = True,
    min_calls: int = 0,
    query: str | None = None,
) -> dict[str, Any]:
    """{"calls": [one object per call, its shape fixed by the tool it names]}. Without
    `refs`, arguments are plain values only; `min_calls` 1 makes the model call a tool; with
    `query`, values are `grounded` in it (for a small local model)."""
    defs: dict[str, Any] = {}
    variants = [_call_schema(t.name, t.json_schema(), defs, refs) for t in tools]
    if query is not None:
        # A grounded call is only its name and arguments; the planner numbers the calls
        # (planner.parse_plan). Without $refs a dependency only orders calls, and a small
        # model spent tokens on ids ("delete_employees_by_email_…") and filled depends_on
        # with ids that do not exist; a copied call now is an exact copy, which the decoder
        # stops at (runtime/llm/local/json_repeat.py).
        for variant in variants:
            for key in ("id", "depends_on"):
                del variant["properties"][key]
                variant["required"].remove(key)
    if query is not None:
        numbers = question_numbers(query)
        variants = grounded(variants, numbers)
        defs = {k: grounded(v, numbers) for k, v in defs.items()}
    calls: dict[str, Any] = {"type": "array", "maxItems": max_calls}
    if variants:
        calls["items"] = variants[0] if len(variants) == 1 else {"anyOf": variants}
        if min_calls:
            calls["minItems"] = min(min_calls, max_calls)
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


# Bounds for a small model's values: it can loop inside a string or a number until the token
# limit (seen on BFCL: "Apex_Apex_Apex…", 1000000000…), and a grammar can only stop that by
# bounding the value. 40 characters hold the names and phrases BFCL's tuning categories ask
# for; a tool that needs longer strings says so with its own maxLength (the calculator's
# expression: 1000), which is kept.
MAX_STRING = 40
MAX_ITEMS = 4
MAX_INTEGER = 10**9
# A comma inside a number only groups thousands ("300,000"); "5,10 and 15" is a list.
_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(%?)")


def question_numbers(query: str) -> list[int | float]:
    """The numbers a question writes, in order, once each; "5%" also gives 0.05."""
    found: list[int | float] = []
    for match in _NUMBER.finditer(query):
        text = match.group(0).rstrip("%").replace(",", "")
        try:
            value = float(text)
        except ValueError:
            continue
        values = [value, value / 100] if match.group(1) else [value]
        for v in values:
            number = int(v) if v.is_integer() else v
            if number not in found:
                found.append(number)
    return found


def grounded(schema: Any, numbers: Sequence[int | float]) -> Any:
    """An argument schema for a small model: numeric values limited to the question's own
    numbers (a 135M model invents numbers otherwise: 250 bedrooms for "3 bedroom"), strings
    and lists bounded. A value the question does not write (no numbers at all) is a bounded
    integer. Enums, consts and patterns stay as they are: they are already finite."""
    if isinstance(schema, list):
        return [grounded(v, numbers) for v in schema]
    if not isinstance(schema, dict) or "enum" in schema or "const" in schema:
        return schema
    out = {k: grounded(v, numbers) for k, v in schema.items() if k != "properties"}
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {k: grounded(v, numbers) for k, v in schema["properties"].items()}
    kind = schema.get("type")
    if kind in ("integer", "number"):
        picks = [n for n in numbers if kind == "number" or isinstance(n, int)]
        if picks:
            return {"type": kind, "enum": picks}
        return {"type": "integer", "minimum": -MAX_INTEGER, "maximum": MAX_INTEGER}
    if kind == "string" and not {"pattern", "format", "maxLength"} & schema.keys():
        out["maxLength"] = MAX_STRING
    if kind == "array" and "maxItems" not in schema:
        out["maxItems"] = MAX_ITEMS
    return out
