"""Refuse a bad job spec before anything is queued, with one clear sentence per problem."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from runtime import dag
from runtime.config import Settings
from runtime.errors import SpecError
from runtime.schemas import JobSpec
from runtime.tools.registry import get_tool


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "spec"
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def validate_spec(spec: JobSpec | dict[str, Any] | str, settings: Settings) -> JobSpec:
    """Parse (from a model, a dict or JSON text) and check everything checkable up front."""
    try:
        if isinstance(spec, str):
            parsed = JobSpec.model_validate_json(spec)
        elif isinstance(spec, JobSpec):
            parsed = JobSpec.model_validate(spec.model_dump())
        else:
            parsed = JobSpec.model_validate(spec)
    except ValidationError as exc:
        raise SpecError(f"invalid job spec: {_describe(exc)}.") from None
    if len(parsed.query) > settings.max_query_chars:
        raise SpecError(
            f"the query is {len(parsed.query)} characters; the limit is "
            f"{settings.max_query_chars} (CELERAGENT_MAX_QUERY_CHARS)."
        )
    if parsed.model and parsed.model != "auto":
        from runtime.llm.router import profiles

        known = profiles()
        if parsed.model not in known:
            raise SpecError(
                f"unknown model {parsed.model!r}; known models: {', '.join(sorted(known))} "
                "(or leave it unset to let the router choose)."
            )
    if parsed.tools is not None:
        for name in parsed.tools:
            get_tool(name)  # raises PlanError naming the unknown tool and the known ones
    if parsed.plan is not None:
        dag.validate_plan(
            parsed.plan,
            allowlist=parsed.tools,
            max_calls=settings.max_plan_calls,
            max_depth=settings.max_plan_depth,
            max_argument_bytes=settings.max_argument_bytes,
        )
    return parsed
