"""The `response_format` a schema-bound request sends to an OpenAI-compatible server, and what
to send instead when the server refuses it.

Four levels, strongest first:
  strict  json_schema with "strict": true; OpenAI compiles the schema into a decoding
          constraint only in this mode (without it the schema is a hint);
  schema  json_schema without "strict"; vLLM, llama.cpp and Ollama enforce it either way;
  object  json_object: some JSON object;
  none    no response_format: the prompt alone asks for JSON.
The planner validates (and repairs once) whatever comes back, so every level still yields a
plan; a stronger one only saves repair rounds.
"""

from __future__ import annotations

import copy
import re
from typing import Any

STRICT, SCHEMA, OBJECT, NONE = "strict", "schema", "object", "none"
LEVELS = (STRICT, SCHEMA, OBJECT, NONE)

# Keys a decoder never needs.
_DOC = frozenset({"title", "examples", "default", "$comment"})
# Value constraints strict mode may refuse. Dropping one only loosens what the server
# enforces: every reply valid before stays valid, and the planner still checks the tool's own
# argument model, so a too-long string is caught there (and repaired) instead.
_LOOSER = frozenset(
    {"minLength", "maxLength", "uniqueItems", "minProperties", "maxProperties", "contentEncoding"}
)
# OpenAI's strict subset (https://platform.openai.com/docs/guides/structured-outputs).
_KEPT = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "items", "anyOf", "enum",
        "const", "$ref", "$defs", "description", "pattern", "format", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems",
    }
)  # fmt: skip
_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
_JSON_TYPES = (
    (bool, "boolean"),  # before int: True is an int to Python
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (type(None), "null"),
    (list, "array"),
    (dict, "object"),
)


class _NotStrict(Exception):
    pass


def strict_schema(schema: dict[str, Any]) -> dict[str, Any] | None:
    """A copy of `schema` that strict mode accepts, or None where that would change what the
    schema means.

    Only meaning-preserving edits are made (documentation keys and loosening-only constraints
    dropped, a `const`/`enum` given its implied `type`). Anything else returns None and the
    schema goes out non-strict, in particular:
    - an optional property. Strict mode wants every property in `required`; the usual trick
      (required, plus a `null` alternative) would make the model write `"retryable": null`
      where the tool means "absent, use the default", and the tool's argument model rejects
      a null for a non-nullable field: each such plan would cost a repair round;
    - an untyped value (a tool argument that takes any JSON) or an open object
      (`additionalProperties` not false): strict mode has no way to say either.
    """
    if schema.get("type") != "object":
        return None  # the root of a strict schema must be an object
    try:
        return _node(schema)
    except _NotStrict:
        return None


def _node(node: Any) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise _NotStrict
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DOC or key in _LOOSER or (key == "format" and value not in _FORMATS):
            continue
        if key not in _KEPT:
            raise _NotStrict  # allOf, oneOf, not, prefixItems, ...: no strict equivalent
        if key in ("properties", "$defs"):
            out[key] = {name: _node(sub) for name, sub in value.items()}
        elif key == "items":
            out[key] = _node(value)
        elif key == "anyOf":
            out[key] = [_node(sub) for sub in value]
        else:
            out[key] = copy.deepcopy(value)
    if "$ref" in out:
        out.pop("description", None)
        if len(out) > 1:
            raise _NotStrict  # strict mode allows no keyword beside a $ref
        return out
    if "type" not in out and "anyOf" not in out:
        values = [out["const"]] if "const" in out else out.get("enum")
        if not values:
            raise _NotStrict  # an untyped schema: any JSON value
        found = sorted({next(n for t, n in _JSON_TYPES if isinstance(v, t)) for v in values})
        out["type"] = found[0] if len(found) == 1 else found
    types = out.get("type")
    types = types if isinstance(types, list) else [types]
    if "object" in types:
        props = out.get("properties", {})
        if out.get("additionalProperties") is not False or set(out.get("required", [])) != set(
            props
        ):
            raise _NotStrict
    if "array" in types and "items" not in out:
        raise _NotStrict
    return out


def build(json_schema: dict[str, Any], level: str) -> tuple[str, dict[str, Any] | None]:
    """(the level actually used, the `response_format` to send; None: send none). At `strict`
    a schema that strict mode cannot take goes out at `schema`."""
    if level == NONE:
        return NONE, None
    if level == OBJECT:
        return OBJECT, {"type": "json_object"}
    # A caller may pass the OpenAI wrapper itself ({"name", "schema", "strict"?}).
    prewrapped = "schema" in json_schema and "name" in json_schema
    wrapped: dict[str, Any] = (
        dict(json_schema) if prewrapped else {"name": "response", "schema": json_schema}
    )
    asked = wrapped.pop("strict", None)
    strict = strict_schema(wrapped["schema"]) if level == STRICT and asked is not False else None
    if strict is None:
        return SCHEMA, {"type": "json_schema", "json_schema": wrapped}
    wrapped.update(schema=strict, strict=True)
    return STRICT, {"type": "json_schema", "json_schema": wrapped}


# What the servers say (the HTTP status is 400, or 422 from FastAPI-style validation):
#   OpenAI    "Invalid parameter: 'response_format' of type 'json_schema' is not supported
#             with this model." / "Invalid schema for response_format 'response': ..."
#   llama.cpp 'response_format type must be one of "text" or "json_object", but got: json_schema'
#   vLLM      "The provided JSON schema contains features not supported by xgrammar." (or, before
#             json_schema support, a validation error on body.response_format.type)
#   proxies   "Extra inputs are not permitted" at response_format.json_schema.strict
# A bare "not supported" is not enough: OpenAI also says "'max_tokens' is not supported with
# this model", and dropping response_format would not fix that request.
_ABOUT_FORMAT = re.compile(
    r"response[_ ]format|json[_ ]schema|json_object|structured output|\bstrict\b", re.I
)
_ABOUT_STRICT = re.compile(r"\bstrict\b|invalid schema|invalid_json_schema|not permitted", re.I)
_ABOUT_SCHEMA = re.compile(r"json[_ ]schema|structured output", re.I)


def rejects_format(status: int, text: str) -> bool:
    """Whether an HTTP error on a request that carried a response_format is about it."""
    return status in (400, 422) and _ABOUT_FORMAT.search(text) is not None


def next_level(level: str, text: str) -> str:
    """The level to retry at after the server refused `level` with `text` (never `level`):
    strict -> schema when strict mode itself was the problem; -> object when the server knows
    no json_schema; otherwise -> none."""
    if level == STRICT and _ABOUT_STRICT.search(text):
        return SCHEMA
    if level in (STRICT, SCHEMA) and _ABOUT_SCHEMA.search(text):
        return OBJECT
    return NONE
