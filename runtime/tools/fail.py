"""`fail(message, retryable)`: always fails. Exercises the failure paths of the runtime."""

from __future__ import annotations

from pydantic import BaseModel, Field

from runtime.errors import RetryableError, ToolError
from runtime.tools.registry import tool


class FailArgs(BaseModel):
    message: str = Field(default="failed on purpose", max_length=2_000)
    retryable: bool = Field(default=False, description="Raise a retryable error instead.")


@tool("fail", args=FailArgs, description="Fail with `message`.", cacheable=False)
def fail(args: FailArgs) -> None:
    if args.retryable:
        raise RetryableError(args.message)
    raise ToolError(args.message)
