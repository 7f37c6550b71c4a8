"""Lightweight local substitutes: tool calls answered in-process instead of as a tool task.

A substitute applies only when its condition on the arguments holds; it must return exactly
what the real tool would (same shape), since callers cannot tell which one answered. The
obvious case: `current_date` with no time zone is a clock read, cheaper than any queue hop.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

Substitute = Callable[[], Any]
Condition = Callable[[dict[str, Any]], bool]
Factory = Callable[[dict[str, Any]], Any]

_SUBSTITUTES: dict[str, list[tuple[Condition, Factory]]] = {}


def register_substitute(tool_name: str, when: Condition, run: Factory) -> None:
    """Answer `tool_name` locally with `run(arguments)` whenever `when(arguments)` holds."""
    _SUBSTITUTES.setdefault(tool_name, []).append((when, run))


def substitute_for(tool_name: str, arguments: dict[str, Any]) -> Substitute | None:
    """A zero-argument callable answering this call locally, or None to run the real tool."""
    for when, run in _SUBSTITUTES.get(tool_name, []):
        try:
            applies = when(arguments)
        except Exception:  # A malformed argument is the real tool's to reject.  # noqa: BLE001
            applies = False
        if applies:
            return functools.partial(run, arguments)
    return None


def _utc_date_wanted(arguments: dict[str, Any]) -> bool:
    return set(arguments) <= {"timezone"} and arguments.get("timezone") in (None, "", "UTC")


def _current_date_utc(arguments: dict[str, Any]) -> Any:
    # Imported lazily: the tool module registers itself on import, and substitutes must not
    # pull the whole tool set into processes that never use them. Calling the tool's own
    # function guarantees the same output format.
    from runtime.tools.current_date import CurrentDateArgs, current_date

    return current_date(CurrentDateArgs(timezone=None))


register_substitute("current_date", _utc_date_wanted, _current_date_utc)
