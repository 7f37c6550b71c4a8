"""Tools that misbehave on purpose, for tests/unit/test_tool_isolation.py and the isolation
benchmark: they ignore their timeout (spin, hold), meet other calls (to prove how many run
at once without timing anything), fail in the ways a child process must report faithfully.

The same function is registered twice: `stubborn` runs in a thread lane, `stubborn_process`
in a child process, which imports this module to find it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from runtime.errors import RetryableError
from runtime.tools.registry import tool

TIMEOUT_S = 2.0  # long enough that a loaded machine still starts the call
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


for _name, _isolation in (("stubborn", "thread"), ("stubborn_process", "process")):
    tool(
        _name,
        args=StubbornArgs,
        description="Misbehaves on purpose (tests).",
        cacheable=False,
        timeout_s=TIMEOUT_S,
        isolation=_isolation,
    )(behave)
