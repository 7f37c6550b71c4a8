"""`sleep(ms)`: waits, then returns how long it slept. For demos, tests and benchmarks."""

from __future__ import annotations

import time

from pydantic import BaseModel, Field

from runtime.tools.registry import tool


class SleepArgs(BaseModel):
    ms: int = Field(ge=0, le=600_000, description="Milliseconds to sleep.")


@tool(
    "sleep",
    args=SleepArgs,
    description="Sleep for `ms` milliseconds.",
    cacheable=False,
    fixed_wait=lambda args: args.ms / 1000,
)
def sleep(args: SleepArgs) -> dict[str, int]:
    time.sleep(args.ms / 1000)
    return {"slept_ms": args.ms}
