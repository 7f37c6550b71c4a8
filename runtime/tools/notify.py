"""`notify(channel, message)`: append a message to an outbox in Redis (`ca:outbox:<channel>`).

The built-in side-effecting tool: never cached, never prefetched, never run twice for one
step (see runtime/recovery/redelivery.py). Real deployments register their own (email, webhooks).
"""

from __future__ import annotations

import json
import time

from pydantic import BaseModel, Field

from runtime import keys
from runtime.broker.connection import get_redis
from runtime.config import get_settings
from runtime.tools.registry import tool


class NotifyArgs(BaseModel):
    channel: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    message: str = Field(min_length=1, max_length=4_000)


@tool(
    "notify",
    args=NotifyArgs,
    description="Send `message` to the outbox `channel` (a side effect).",
    side_effecting=True,
)
def notify(args: NotifyArgs) -> dict[str, int | str]:
    r = get_redis(get_settings().resolve_redis_url())
    entry = json.dumps({"message": args.message, "at": time.time()})
    length = r.rpush(keys.outbox(args.channel), entry)
    return {"channel": args.channel, "position": int(length)}  # type: ignore[arg-type]
