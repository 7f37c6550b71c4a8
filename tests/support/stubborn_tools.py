"""Tools that misbehave on purpose, for tests/unit/test_tool_isolation.py and the isolation
benchmark: they ignore their timeout (spin, hold), meet other calls (to prove how many run
at once without timing anything), fail in the ways a child process must report faithfully.

The same function is registered four times: `stubborn` (thread lane) and `stubborn_process`
(child process, which imports this module to find it) with a short timeout, and `patient`,
`patient_process` with a long one.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from runtime.errors import RetryableError
from runtime.tools import registry
from runtime.tools.base import Tool
from runtime.tools.registry import register

TIMEOUT_S = 2.0  # long enough that a loaded machine still starts the call
PATIENT_S = 60.0
MEET_WITHIN_S = 30.0
RELEASE = threading.Event()  # in-thread `hold` calls return once it is set


class StubbornArgs(BaseModel):
    mode: Literal["ok", "spin", "hold", "meet", "retry", "value", "exit", "print"] = "ok"
    folder: str = ""  # meet: where each call leaves a file; spin: where it writes its pid
    n: int = 1  # meet: how many calls must be running at once


def _meet(folder: Path, n: int) -> bool:
    """Leave a file, then wait until `n` are there: True only if n calls overlapped."""
    (folder / f"{os.getpid()}-{uuid.uuid4().hex}").touch()
    give_up = time.monotonic() + MEET_WITHIN_S
    while time.monotonic() < give_up:
        if len(list(folder.iterdir())) >= n:
            return True
        time.sleep(0.01)
    return False


def behave(args: StubbornArgs) -> dict[str, Any]:
    if args.mode == "spin":  # holds the CPU and ignores every timeout (bounded for safety)
        if args.folder:
            (Path(args.folder) / f"spin-{os.getpid()}").touch()
        end = time.monotonic() + 120
        while time.monotonic() < end:
            pass
    elif args.mode == "hold":
        RELEASE.wait(60)
    elif args.mode == "meet":
        return {"met": _meet(Path(args.folder), args.n), "pid": os.getpid()}
    elif args.mode == "retry":
        raise RetryableError("try again later")
    elif args.mode == "value":
        raise ValueError("bad value")
    elif args.mode == "exit":
        os._exit(3)
    elif args.mode == "print":
        print("noise on stdout")
        sys.stdout.flush()
    return {"pid": os.getpid()}


TOOLS = [
    Tool(
        name=name,
        description="Misbehaves on purpose (tests).",
        args_model=StubbornArgs,
        fn=behave,
        cacheable=False,
        timeout_s=timeout,
        isolation=where,
    )
    for name, where, timeout in (
        ("stubborn", "thread", TIMEOUT_S),
        ("stubborn_process", "process", TIMEOUT_S),
        # Same function, a timeout a rendezvous on a loaded machine fits in.
        ("patient", "thread", PATIENT_S),
        ("patient_process", "process", PATIENT_S),
    )
]
if "pytest" not in sys.modules:
    # A tool process imports this module to find its tool: register at import there. The
    # test process registers them only within `registered()`, since it imports every test
    # module at collection and other tests list all registered tools.
    for _tool in TOOLS:
        register(_tool)


@contextmanager
def registered() -> Iterator[None]:
    """The tools registered for a test and gone afterwards, so that tests listing every
    registered tool (planner prompts, schemas) never see them."""
    for each in TOOLS:
        register(each)
    try:
        yield
    finally:
        for each in TOOLS:
            registry._TOOLS.pop(each.name, None)
