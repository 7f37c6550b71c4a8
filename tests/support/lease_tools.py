"""A tool for the lease tests (loaded through CELERAGENT_TOOL_MODULES): it holds its worker
process's GIL and a CPU for a while, the way a long C call that never releases the GIL does."""

from __future__ import annotations

import sys
import time

from pydantic import BaseModel, Field

from runtime.tools.registry import tool


class HogArgs(BaseModel):
    seconds: float = Field(gt=0, le=120)


@tool(
    "gil_hog",
    args=HogArgs,
    description="Spin holding the GIL for `seconds`.",
    cacheable=False,
    timeout_s=180,
)
def gil_hog(args: HogArgs) -> dict[str, float]:
    # With a switch interval longer than the spin, no other thread of this process is
    # handed the GIL until the spin ends: the worker's own threads all starve.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(args.seconds * 4)
    spins = 0
    try:
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            spins += 1
    finally:
        sys.setswitchinterval(previous)
    return {"spins": float(spins)}


class NapArgs(BaseModel):
    ms: int = Field(ge=0, le=60_000)


@tool("nap", args=NapArgs, description="Sleep `ms`, undeclared (a slow API).", cacheable=False)
def nap(args: NapArgs) -> dict[str, int]:
    # Unlike `sleep`, no fixed_wait: submit cannot know it outlasts a deadline.
    time.sleep(args.ms / 1000)
    return {"napped_ms": args.ms}
