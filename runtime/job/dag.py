"""Pure DAG logic: validate a plan, split it into parallel layers, resolve `$ref`s.

No Redis, no Celery. A plan that fails here is refused before anything is queued: a cycle,
an unknown or disallowed tool, a duplicate id, a dangling dependency, a `$ref` to a call that
is not an ancestor, or arguments that fail the tool's schema are errors, never "force-run".
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from typing import Any

from runtime.errors import PlanError
from runtime.schemas import Plan, ToolCall
from runtime.tools.base import Tool, raise_argument_error
from runtime.tools.registry import get_tool

REF = "$ref"


def is_ref(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {REF}


def iter_refs(value: Any) -> Iterator[str]:
    """Every `$ref` string inside an argument value, however deeply nested."""
    if is_ref(value):
        yield value[REF]
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_refs(item)


def split_ref(ref: Any, call_id: str = "?") -> tuple[str, list[str]]:
    if not isinstance(ref, str) or not ref.strip():
        raise PlanError(
            f"call {call_id!r}: a $ref must be a string like 'search_1.items.0.url'.", call_id
        )
    target, *path = ref.split(".")
    if not target or any(part == "" for part in path):
        raise PlanError(f"call {call_id!r}: $ref {ref!r} has an empty path segment.", call_id)
    return target, path


def layers(plan: Plan) -> list[list[ToolCall]]:
    """Kahn's algorithm: each layer holds the calls whose dependencies are all in earlier
    layers. Order within a layer follows the plan, so results are deterministic."""
    by_id = {c.id: c for c in plan.calls}
    remaining = {c.id: set(c.depends_on) for c in plan.calls}
    result: list[list[ToolCall]] = []
    done: set[str] = set()
    while remaining:
        ready = [cid for cid in by_id if cid in remaining and remaining[cid] <= done]
        if not ready:
            stuck = ", ".join(sorted(remaining))
            raise PlanError(f"the plan has a dependency cycle among calls: {stuck}.")
        result.append([by_id[cid] for cid in ready])
        for cid in ready:
            del remaining[cid]
        done.update(ready)
    return result


def ancestors(plan: Plan, ordered: list[list[ToolCall]] | None = None) -> dict[str, set[str]]:
    """Every call's ancestors; `ordered` is the plan's layers when the caller has them."""
    deps = {c.id: set(c.depends_on) for c in plan.calls}
    memo: dict[str, set[str]] = {}
    for layer in ordered or layers(plan):  # Topological order: parents are memoised first.
        for call in layer:
            found: set[str] = set()
            for parent in deps[call.id]:
                found |= {parent} | memo[parent]
            memo[call.id] = found
    return memo


def validate_plan(
    plan: Plan,
    *,
    allowlist: list[str] | None = None,
    max_calls: int | None = None,
    max_depth: int | None = None,
    max_argument_bytes: int | None = None,
) -> list[list[ToolCall]]:
    """Check everything that can be checked before running; return the layers."""
    if max_calls is not None and len(plan.calls) > max_calls:
        raise PlanError(f"the plan has {len(plan.calls)} calls; the limit is {max_calls}.")
    seen: set[str] = set()
    for call in plan.calls:
        if call.id in seen:
            raise PlanError(f"call id {call.id!r} appears twice; ids must be unique.", call.id)
        seen.add(call.id)
    for call in plan.calls:
        tool = get_tool(call.name, call.id)
        if allowlist is not None and call.name not in allowlist:
            raise PlanError(
                f"call {call.id!r}: tool {call.name!r} is not in this job's allowlist "
                f"({', '.join(allowlist) or 'empty'}).",
                call.id,
            )
        for dep in call.depends_on:
            if dep == call.id:
                raise PlanError(f"call {call.id!r} depends on itself (a cycle).", call.id)
            if dep not in seen:
                raise PlanError(
                    f"call {call.id!r} depends on {dep!r}, which is not a call in the plan.",
                    call.id,
                )
        if max_argument_bytes is not None:
            size = len(json.dumps(call.arguments, ensure_ascii=False).encode())
            if size > max_argument_bytes:
                raise PlanError(
                    f"call {call.id!r}: arguments are {size} bytes; the limit is "
                    f"{max_argument_bytes}.",
                    call.id,
                )
        _validate_arguments_without_refs(call, tool)
    ordered = layers(plan)
    if max_depth is not None and len(ordered) > max_depth:
        raise PlanError(f"the plan is {len(ordered)} layers deep; the limit is {max_depth}.")
    parents = ancestors(plan, ordered)
    for call in plan.calls:
        for ref in iter_refs(call.arguments):
            target, _ = split_ref(ref, call.id)
            if target not in seen:
                raise PlanError(
                    f"call {call.id!r}: $ref {ref!r} names {target!r}, which is not a call.",
                    call.id,
                )
            if target not in parents[call.id]:
                raise PlanError(
                    f"call {call.id!r}: $ref {ref!r} reads {target!r}, which is not one of "
                    f"its ancestors; add {target!r} to depends_on.",
                    call.id,
                )
    return ordered


def _validate_arguments_without_refs(call: ToolCall, tool: Tool) -> None:
    """Validate what is known now; fields filled by a `$ref` are checked when resolved."""
    ref_fields = {
        name for name, value in call.arguments.items() if next(iter_refs(value), None) is not None
    }
    known = {k: v for k, v in call.arguments.items() if k not in ref_fields}
    problems = [
        (where, msg)
        for where, msg in tool.argument_problems(known)
        if where.split(".")[0] not in ref_fields
    ]
    if problems:
        raise_argument_error(tool.name, call.id, problems)


def resolve_refs(arguments: Any, outputs: dict[str, Any], call_id: str = "?") -> Any:
    """Replace each `{"$ref": "call.path"}` by the value it points at in `outputs`."""
    if is_ref(arguments):
        return _lookup(arguments[REF], outputs, call_id)
    if isinstance(arguments, dict):
        return {k: resolve_refs(v, outputs, call_id) for k, v in arguments.items()}
    if isinstance(arguments, list):
        return [resolve_refs(v, outputs, call_id) for v in arguments]
    return arguments


def _lookup(ref: str, outputs: dict[str, Any], call_id: str) -> Any:
    target, path = split_ref(ref, call_id)
    if target not in outputs:
        raise PlanError(f"call {call_id!r}: $ref {ref!r}: {target!r} has no output.", call_id)
    value = outputs[target]
    walked = [target]
    for part in path:
        walked.append(part)
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif (
            isinstance(value, list)
            and part.lstrip("-").isdigit()
            and -len(value) <= int(part) < len(value)
        ):
            value = value[int(part)]
        else:
            raise PlanError(
                f"call {call_id!r}: $ref {ref!r}: {'.'.join(walked)} does not exist in the "
                "output of the call it reads.",
                call_id,
            )
    return value


def leaves(plan: Plan, transparent: Collection[str] = ()) -> list[str]:
    """Calls nothing depends on: their outputs are the job's answer when no model writes one.
    Calls to a `transparent` tool (one that only hands other calls' outputs on, as `echo`
    does) are looked through: the calls they gather stand in their place."""
    kept = [c for c in plan.calls if c.name not in transparent] or plan.calls
    needed = {dep for c in kept for dep in c.depends_on}
    return [c.id for c in kept if c.id not in needed]


def suffix_ids(plan: Plan, suffix: str) -> Plan:
    """The same plan with every call id (and every reference to one) renamed id+suffix."""
    rename = {c.id: f"{c.id}{suffix}" for c in plan.calls}

    def fix(value: Any) -> Any:
        if is_ref(value):
            target, path = split_ref(value[REF])
            return {REF: ".".join([rename.get(target, target), *path])}
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    return Plan(
        calls=[
            ToolCall(
                id=rename[c.id],
                name=c.name,
                arguments=fix(c.arguments),
                depends_on=[rename.get(d, d) for d in c.depends_on],
            )
            for c in plan.calls
        ]
    )
