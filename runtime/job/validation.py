"""Refuse a bad job spec before anything is queued, with one clear sentence per problem."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from runtime.config import Settings
from runtime.errors import SpecError
from runtime.job import dag
from runtime.schemas import JobSpec, Plan
from runtime.tools.registry import get_tool


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "spec"
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


NOT_JSON = (
    "the job spec is not JSON data ({problem}); use only strings (valid Unicode), numbers, "
    "booleans, null, lists and objects with string keys."
)


def _as_json_text(spec: JobSpec | dict[str, Any] | str) -> str:
    """Everything a job carries travels and is stored as JSON, so it is checked as JSON:
    a set, an object, NaN, a lone surrogate or a structure nested too deep is refused here,
    not later in a worker or in the middle of storing the job."""
    if isinstance(spec, str):
        return spec
    data = spec.model_dump(mode="python") if isinstance(spec, JobSpec) else spec
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
        text.encode("utf-8")
    except (TypeError, ValueError, RecursionError, UnicodeEncodeError) as exc:
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise SpecError(NOT_JSON.format(problem=problem)) from None
    return text


def plan_layers(plan: Plan, allowlist: list[str] | None, settings: Settings) -> list[list[str]]:
    """Check a plan against the tools and the limits in settings; return its layers' call
    ids. The one check every plan passes, wherever it comes from (the user or a model)."""
    ordered = dag.validate_plan(
        plan,
        allowlist=allowlist,
        max_calls=settings.max_plan_calls,
        max_depth=settings.max_plan_depth,
        max_argument_bytes=settings.max_argument_bytes,
    )
    return [[c.id for c in layer] for layer in ordered]


def validate_spec(spec: JobSpec | dict[str, Any] | str, settings: Settings) -> JobSpec:
    """Parse (from a model, a dict or JSON text) and check everything checkable up front."""
    return check_spec(spec, settings)[0]


def check_spec(
    spec: JobSpec | dict[str, Any] | str, settings: Settings
) -> tuple[JobSpec, list[list[str]] | None]:
    """`validate_spec`, also returning the layers of the spec's plan (None without one)."""
    try:
        parsed = JobSpec.model_validate_json(_as_json_text(spec))
    except ValidationError as exc:
        raise SpecError(f"invalid job spec: {_describe(exc)}.") from None
    try:
        parsed.model_dump_json().encode("utf-8")  # JSON text may still carry "\ud800"
    except (ValueError, UnicodeEncodeError) as exc:
        raise SpecError(NOT_JSON.format(problem=str(exc)[:200])) from None
    if len(parsed.query) > settings.max_query_chars:
        raise SpecError(
            f"the query is {len(parsed.query)} characters; the limit is "
            f"{settings.max_query_chars} (CELERAGENT_MAX_QUERY_CHARS)."
        )
    if parsed.model and parsed.model != "auto":
        from runtime.llm.profiles import profiles

        known = profiles()
        if parsed.model not in known:
            raise SpecError(
                f"unknown model {parsed.model!r}; known models: {', '.join(sorted(known))} "
                "(or leave it unset to let the router choose)."
            )
    if parsed.tools is not None:
        for name in parsed.tools:
            get_tool(name)  # raises PlanError naming the unknown tool and the known ones
    if parsed.plan is None:
        return parsed, None
    layer_ids = plan_layers(parsed.plan, parsed.tools, settings)
    _check_fits_budget(parsed, parsed.plan, layer_ids)
    return parsed, layer_ids


def _check_fits_budget(spec: JobSpec, plan: Plan, layer_ids: list[list[str]]) -> None:
    """Refuse a plan its own budget cannot run: more calls than steps, or fixed waits that
    outlast the deadline. Accepted, such a job would only end early, having done nothing."""
    budget = spec.budget
    steps = len(plan.calls) + (1 if spec.wants_model_answer else 0)
    if steps > budget.max_steps:
        answer = " and the answer step" if spec.wants_model_answer else ""
        raise SpecError(
            f"the plan needs {steps} steps ({len(plan.calls)} calls{answer}) but "
            f"budget.max_steps is {budget.max_steps}: raise max_steps to {steps} or more, or "
            "split the job."
        )
    calls = {c.id: c for c in plan.calls}
    finish: dict[str, float] = {}  # the earliest each call can end, layer by layer
    for layer in layer_ids:
        for cid in layer:
            call = calls[cid]
            start = max((finish[d] for d in call.depends_on), default=0.0)
            finish[cid] = start + get_tool(call.name).min_duration_s(call.arguments)
    waits = max(finish.values(), default=0.0)
    if waits >= budget.deadline_s:
        raise SpecError(
            f"the plan's fixed waits alone take {waits:g} s on its longest path, but "
            f"budget.deadline_s is {budget.deadline_s:g}: raise the deadline above {waits:g} s "
            "or shorten the waits."
        )
