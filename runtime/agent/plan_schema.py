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
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from runtime.agent.call_split import Number, Split
from runtime.agent.number_slots import labelled
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
    split: Split | None = None,
    fixed: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """{"calls": [one object per call, its shape fixed by the tool it names]}. Without
    `refs`, arguments are plain values only; `min_calls` 1 makes the model call a tool; with
    `query`, values are `grounded` in it (for a small local model), and a `split` of two or
    more calls (call_split.py) makes exactly that many, each with its share of the values.
    A `fixed` value (tool -> argument -> the value the question writes whole) is the only
    one offered to that argument of a grounded call."""
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
    per_call: list[Any] = []
    if query is not None:
        numbers = question_numbers(query)
        marked, wholes = percents(query)
        if split is not None and 2 <= split.count <= max_calls:
            per_call = [
                _nth_call(variants, split, n, numbers, marked, wholes, query)
                for n in range(split.count)
            ]
        longest = max(MAX_STRING, 2 * len(query))
        variants = grounded(variants, numbers, wholes, longest)
        labels = [labelled(query, t.json_schema()) for t in tools]
        per_call = [_to_labels(call, labels) for call in per_call]
        variants = _to_labels(variants, labels)
        for variant in variants:
            name = variant["properties"]["name"]["const"]
            props = variant["properties"]["arguments"].get("properties", {})
            for arg, value in (fixed or {}).get(name, {}).items():
                if arg in props:
                    props[arg] = {"type": "string", "enum": [value]}
        defs = {k: grounded(v, numbers, wholes, longest) for k, v in defs.items()}
    calls: dict[str, Any] = {"type": "array", "maxItems": max_calls}
    if per_call:
        # One schema per position: a small model told "several" still writes one call, or
        # copies the first call's values into the next.
        calls.update(prefixItems=per_call, minItems=len(per_call), maxItems=len(per_call))
    elif variants:
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


def _to_labels(calls: Any, labels: list[dict[str, list[Number]]]) -> Any:
    """Grounded call variants (one per tool, or an `anyOf` of them) with each labelled
    number argument (number_slots.py) offered only its labelled numbers, or their fractions
    ("4%" -> 0.04), where that leaves any."""
    variants = calls["anyOf"] if isinstance(calls, dict) and "anyOf" in calls else calls
    rows = variants if isinstance(variants, list) else [variants]
    for variant, label in zip(rows, labels, strict=True):
        props = variant["properties"]["arguments"].get("properties", {})
        for name, values in label.items():
            spec = props.get(name, {})
            wanted = {v for n in values for v in (n, n / 100)}
            kept = [v for v in spec.get("enum", []) if any(_same(v, w) for w in wanted)]
            if kept:
                spec["enum"] = kept
    return calls


def _nth_call(
    variants: list[Any],
    split: Split,
    n: int,
    numbers: list[Number],
    marked: set[Number],
    wholes: set[Number],
    query: str,
) -> Any:
    """Call `n` of a split: its own numbers only (a number of the question that belongs to
    another call is not offered), and the split's name in the free-text argument."""
    own = numbers
    if split.numbers is not None:
        mine = split.numbers[n]
        # "5%" is offered as 0.05 too, as grounded() does for the whole question.
        own = [
            v
            for v in numbers
            if any(_same(v, m) or _same(v * 100, m) and m in marked for m in mine)
        ]
    shaped = []
    for variant in grounded(variants, own, wholes, max(MAX_STRING, 2 * len(query))):
        args = variant["properties"]["arguments"]
        if split.texts is not None and split.text_arg in args.get("properties", {}):
            args["properties"][split.text_arg] = {"type": "string", "enum": [split.texts[n]]}
            if split.text_arg not in args.setdefault("required", []):
                args["required"].append(split.text_arg)
        shaped.append(variant)
    return shaped[0] if len(shaped) == 1 else {"anyOf": shaped}


def _same(a: Number, b: Number) -> bool:
    return abs(a - b) < 1e-9


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


def percents(query: str) -> tuple[set[Number], set[Number]]:
    """(the numbers the question writes as percentages, those it writes only so: "5%" and
    never a bare 5)."""
    marked: set[Number] = set()
    bare: set[Number] = set()
    for match in _NUMBER.finditer(query):
        value = float(match.group(0).rstrip("%").replace(",", ""))
        number = int(value) if value.is_integer() else value
        (marked if match.group(1) else bare).add(number)
    return marked, marked - bare


def question_numbers(query: str) -> list[Number]:
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


def grounded(
    schema: Any,
    numbers: Sequence[Number],
    wholes: Collection[Number] = (),
    longest: int | None = None,
) -> Any:
    """An argument schema for a small model: numeric values limited to the question's own
    numbers (a 135M model invents numbers otherwise: 250 bedrooms for "3 bedroom"), strings
    and lists bounded. A value the question does not write (no numbers at all) is a bounded
    integer. Enums, consts and patterns stay as they are: they are already finite. A
    `wholes` value (written only as "5%") is offered to a number argument as 0.05 alone: on
    BFCL's tuning categories the answer is the fraction for 43 percents, the whole for 6.
    """
    if isinstance(schema, list):
        return [grounded(v, numbers, wholes, longest) for v in schema]
    if not isinstance(schema, dict) or "enum" in schema or "const" in schema:
        return schema
    out = {k: grounded(v, numbers, wholes, longest) for k, v in schema.items() if k != "properties"}
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {
            k: grounded(v, numbers, wholes, longest) for k, v in schema["properties"].items()
        }
    kind = schema.get("type")
    if kind in ("integer", "number"):
        picks = [
            n for n in numbers if (isinstance(n, int) if kind == "integer" else n not in wholes)
        ]
        if picks:
            return {"type": kind, "enum": picks}
        return {"type": "integer", "minimum": -MAX_INTEGER, "maximum": MAX_INTEGER}
    if kind == "string" and not {"pattern", "format", "maxLength"} & schema.keys():
        out["maxLength"] = MAX_STRING
    elif kind == "string" and longest is not None:
        # A value with its own pattern or bound (the calculator's expression, 1000) is still
        # written from this question: a 135M model looping inside it ("480 * 0.85 * 0.85…")
        # ran to the token limit and left no plan (ops/bench/answers.py, tuning split).
        out["maxLength"] = min(schema.get("maxLength", longest), longest)
    if kind == "array" and "maxItems" not in schema:
        out["maxItems"] = MAX_ITEMS
    return out
