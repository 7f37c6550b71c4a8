"""`current_date(timezone=None)`: the current date and time, in UTC or an IANA time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from runtime.tools.registry import tool


def _iana_shape(schema: dict[str, Any]) -> None:
    """The shape of every IANA name (Europe/Paris, America/Argentina/Salta, Etc/GMT+5, UTC)
    in the published schema only: a model decoding under the plan schema cannot write
    "UTC," then, while validation keeps its own clearer message (`_known_zone`)."""
    for branch in schema.get("anyOf", []):
        if branch.get("type") == "string":
            branch.update(pattern=r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$", maxLength=64)


class CurrentDateArgs(BaseModel):
    timezone: str | None = Field(
        default=None, description="IANA name, e.g. Europe/Paris.", json_schema_extra=_iana_shape
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {value!r}; use an IANA name like 'Asia/Shanghai'"
            raise ValueError(msg) from None
        return value


@tool(
    "current_date",
    args=CurrentDateArgs,
    description="Current date and time (UTC unless `timezone` is given).",
    ttl_s=1,  # A date goes stale; caching it longer would serve yesterday.
)
def current_date(args: CurrentDateArgs) -> dict[str, str]:
    zone = ZoneInfo(args.timezone) if args.timezone else UTC
    now = datetime.now(zone)
    return {
        "date": now.strftime("%Y-%m-%d"),
        "time": now.strftime("%H:%M:%S"),
        "timezone": args.timezone or "UTC",
        "iso": now.isoformat(timespec="seconds"),
    }
