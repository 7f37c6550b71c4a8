"""What a tool is: a named function with a pydantic argument model, a caching policy, its
shared limits and its retry policy."""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError

from runtime.errors import ToolArgumentError

# How long a tool's result stays cached unless the tool sets `ttl_s` (or TOOL_CACHE_TTLS
# overrides it): five minutes, short enough for most live data to be fresh.
DEFAULT_TTL_S = 300


def raise_argument_error(tool: str, call_id: str, problems: list[tuple[str, str]]) -> NoReturn:
    listed = "; ".join(f"{where}: {msg}" for where, msg in problems)
    raise ToolArgumentError(
        f"call {call_id!r}: arguments for tool {tool!r} are invalid ({listed}).",
        call_id=call_id,
    )


@dataclass(frozen=True)
class RetryPolicy:
    """How a failed call of a tool is tried again: at most `attempts` runs in all, the n-th
    retry after about `backoff_s * 2**(n-1)` (capped, with jitter), and only for exceptions
    whose class, or a base class, is named in `retry_on` (names, so JSON settings can list
    them). Anything else fails the step at once."""

    attempts: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    retry_on: tuple[str, ...] = ("RetryableError",)

    def retries(self, exc: BaseException, attempt: int) -> bool:
        """Whether the run numbered `attempt` (from 1) that raised `exc` is tried again."""
        names = {cls.__name__ for cls in type(exc).__mro__}
        return attempt < self.attempts and not names.isdisjoint(self.retry_on)

    def delay_s(self, attempt: int) -> float:
        """Seconds before the run after `attempt`: half fixed, half jitter, so workers that
        failed together do not retry together."""
        full = min(self.max_backoff_s, self.backoff_s * 2 ** max(0, attempt - 1))
        return full / 2 + random.uniform(0, full / 2)

    def updated(self, override: dict[str, Any] | None) -> RetryPolicy:
        """This policy with the fields of `override` (Settings.tool_retry) replaced."""
        if not override:
            return self
        known = {f.name for f in dataclasses.fields(self)}
        changes = {k: v for k, v in override.items() if k in known}
        if "retry_on" in changes:
            changes["retry_on"] = tuple(changes["retry_on"])
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Tool:
    """A tool the planner may call.

    `fn` takes the validated argument model and returns JSON-serialisable data.
    `cacheable` tools have results stored for `ttl_s`; `side_effecting` tools are never
    cached, prefetched or run twice for one step. A call that passes `timeout_s` fails its
    step then; `isolation="process"` also stops it there (runtime/tools/isolation.py).
    """

    name: str
    description: str
    args_model: type[BaseModel]
    fn: Callable[[Any], Any]
    cacheable: bool = True
    ttl_s: int = DEFAULT_TTL_S
    side_effecting: bool = False
    requires_approval: bool = False  # side-effecting only: wait for `celeragent approve`
    timeout_s: float | None = None  # None: CELERAGENT_TOOL_TIMEOUT_S
    # Where a call runs (runtime/tools/isolation.py): "thread" (the tool's own thread lane) or
    # "process" (a child interpreter killed at the timeout: for tools that may ignore it).
    # None: CELERAGENT_TOOL_ISOLATION.
    isolation: str | None = None
    version: str = "1"
    tags: tuple[str, ...] = field(default_factory=tuple)
    # Seconds a call takes at the least, from its validated arguments (`sleep`'s ms): lets
    # a spec whose deadline cannot cover its own waits be refused at submit.
    fixed_wait: Callable[[Any], float] | None = None
    # Shared by every worker (runtime/guard/limits.py); 0: no cap. Settings.tool_limits
    # overrides them.
    max_concurrency: int = 0
    max_calls_per_s: float = 0.0
    rate_burst: int = 1
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if self.isolation not in (None, "thread", "process"):
            raise ValueError(f"tool {self.name!r}: isolation must be 'thread' or 'process'.")
        if self.side_effecting and self.cacheable:
            # A side effect must happen each time it is asked for; a cache would skip it.
            object.__setattr__(self, "cacheable", False)

    def argument_problems(self, arguments: dict[str, Any]) -> list[tuple[str, str]]:
        """(field path, message) for each way `arguments` fails the schema; empty if valid."""
        try:
            self.args_model.model_validate(arguments)
        except ValidationError as exc:
            return [
                (".".join(str(p) for p in err["loc"]) or "arguments", err["msg"])
                for err in exc.errors()
            ]
        return []

    def validate_arguments(self, arguments: dict[str, Any], call_id: str = "?") -> BaseModel:
        try:
            return self.args_model.model_validate(arguments)
        except ValidationError:
            raise_argument_error(self.name, call_id, self.argument_problems(arguments))

    def min_duration_s(self, arguments: dict[str, Any]) -> float:
        if self.fixed_wait is None or self.argument_problems(arguments):
            return 0.0
        return float(self.fixed_wait(self.args_model.model_validate(arguments)))

    def json_schema(self) -> dict[str, Any]:
        return self.args_model.model_json_schema()

    def describe(self) -> dict[str, Any]:
        """The tool as the planner's prompt lists it."""
        return {
            "name": self.name,
            "description": self.description,
            "parameters": self.json_schema(),
        }

    def run(self, arguments: dict[str, Any]) -> Any:
        args = self.validate_arguments(arguments)
        result = self.fn(args)
        # Fail here, in the tool's step, rather than later in a JSON encoder.
        json.dumps(result)
        return result
