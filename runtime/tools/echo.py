"""`echo(value)`: returns its argument unchanged; handy for wiring `$ref`s together."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from runtime.tools.registry import tool


class EchoArgs(BaseModel):
    value: Any = Field(description="Any JSON value; returned as is.")


@tool("echo", args=EchoArgs, description="Return `value` unchanged.", ttl_s=300)
def echo(args: EchoArgs) -> dict[str, Any]:
    return {"value": args.value}
