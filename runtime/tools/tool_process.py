"""The child interpreter of process-isolated tool calls: `python -m runtime.tools.tool_process`.

Started by runtime/tools/process_pool.py. It loads the same tools as its worker (the
environment, CELERAGENT_TOOL_MODULES included, is inherited), says `{"ready": pid}`, then
answers one JSON line per JSON line on stdin: `{"tool", "module", "arguments"}` ->
`{"output": ...}` or `{"error": {"type", "message"}}`. Only JSON crosses the pipe: nothing
is pickled, and a reply is a plain value the worker checks like any tool output.

The replies go out on a private copy of the original stdout; fd 1 is pointed at stderr so a
tool that prints cannot corrupt them. The child exits when stdin closes, and when its
parent dies (a watchdog thread), so a killed worker leaves no tool process behind.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import time
from typing import IO, Any

from runtime.errors import CeleragentError, PlanError
from runtime.tools.base import Tool
from runtime.tools.registry import get_tool, load_tools

PARENT_CHECK_S = 1.0


def find_tool(name: str, module: str | None) -> Tool:
    """The registered tool; a tool registered outside the configured modules is found by
    importing the module that defines its function."""
    try:
        return get_tool(name)
    except PlanError:
        if not module or module == "__main__":
            raise
    importlib.import_module(module)
    return get_tool(name)


def answer(request: dict[str, Any]) -> dict[str, Any]:
    try:
        tool = find_tool(request["tool"], request.get("module"))
        return {"output": tool.run(request["arguments"])}
    except Exception as exc:  # noqa: BLE001 - every failure goes back as data
        kind = type(exc).__name__ if isinstance(exc, CeleragentError) else ""
        return {"error": {"type": type(exc).__name__, "celeragent": kind, "message": str(exc)}}


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_S)
        if os.getppid() != parent:
            os._exit(1)  # the worker is gone: so is the reason to finish this call


def _send(out: IO[str], message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    load_tools()
    _send(replies, {"ready": os.getpid()})
    for line in sys.stdin:
        if line.strip():
            _send(replies, answer(json.loads(line)))


if __name__ == "__main__":
    main()
