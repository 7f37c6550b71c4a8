"""The tool registry: `@tool` registers a function; built-ins and `CELERAGENT_TOOL_MODULES`
are imported on first use, in the client and in every worker alike, so both see the same set.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from runtime.errors import ConfigError, PlanError
from runtime.tools.base import DEFAULT_TTL_S, RetryPolicy, Tool

BUILTIN_MODULES = (
    "runtime.tools.sleep",
    "runtime.tools.echo",
    "runtime.tools.calculator",
    "runtime.tools.current_date",
    "runtime.tools.http_get",
    "runtime.tools.fail",
    "runtime.tools.notify",
)

_TOOLS: dict[str, Tool] = {}
_loaded = False
_lock = threading.Lock()


def register(t: Tool) -> Tool:
    existing = _TOOLS.get(t.name)
    if existing is not None and existing.fn is not t.fn:
        raise ConfigError(f"two tools are named {t.name!r}; tool names must be unique.")
    _TOOLS[t.name] = t
    return t


def tool(
    name: str,
    *,
    args: type[BaseModel],
    description: str = "",
    cacheable: bool = True,
    ttl_s: int = DEFAULT_TTL_S,
    side_effecting: bool = False,
    requires_approval: bool = False,
    timeout_s: float | None = None,
    isolation: str | None = None,
    version: str = "1",
    fixed_wait: Callable[[Any], float] | None = None,
    max_concurrency: int = 0,
    max_calls_per_s: float = 0.0,
    rate_burst: int = 1,
    retry: RetryPolicy | None = None,
) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Register the decorated function as a tool taking an instance of `args`."""

    def decorate(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        register(
            Tool(
                name=name,
                description=description or (fn.__doc__ or "").strip(),
                args_model=args,
                fn=fn,
                cacheable=cacheable,
                ttl_s=ttl_s,
                side_effecting=side_effecting,
                requires_approval=requires_approval,
                timeout_s=timeout_s,
                isolation=isolation,
                version=version,
                fixed_wait=fixed_wait,
                max_concurrency=max_concurrency,
                max_calls_per_s=max_calls_per_s,
                rate_burst=rate_burst,
                retry=retry or RetryPolicy(),
            )
        )
        return fn

    return decorate


def load_tools(extra_modules: list[str] | None = None) -> None:
    """Import the built-in tool modules and the configured extra ones (once)."""
    global _loaded
    with _lock:
        if _loaded and not extra_modules:
            return
        if extra_modules is None:
            from runtime.config import get_settings

            extra_modules = get_settings().tool_modules
        for module in (*BUILTIN_MODULES, *extra_modules):
            try:
                importlib.import_module(module)
            except ImportError as exc:
                raise ConfigError(
                    f"tool module {module!r} could not be imported ({exc}); "
                    "check CELERAGENT_TOOL_MODULES."
                ) from exc
        _loaded = True


def get_tool(name: str, call_id: str | None = None) -> Tool:
    load_tools()
    try:
        return _TOOLS[name]
    except KeyError:
        known = ", ".join(sorted(_TOOLS))
        where = f"call {call_id!r}: " if call_id else ""
        raise PlanError(
            f"{where}unknown tool {name!r}; known tools: {known}.", call_id=call_id
        ) from None


def all_tools(allowlist: list[str] | None = None) -> list[Tool]:
    load_tools()
    tools = sorted(_TOOLS.values(), key=lambda t: t.name)
    if allowlist is None:
        return tools
    allowed = set(allowlist)
    return [t for t in tools if t.name in allowed]
