"""Limits shared by every worker, in Redis: concurrent calls and calls per second for one
model (or a group of profiles on one provider account) or one tool, and a provider's
"cool down until" after a 429.

A `Gate` guards one scope (`model:<name>`, `tool:<name>`). `Gate.acquire` runs one Lua
script that, atomically and on Redis's clock (so workers on other machines agree):

1. refuses while the scope cools down (`keys.limit_cooldown`, set by `cool_down` from a
   provider's 429 and its Retry-After);
2. takes a concurrency slot (`keys.limit_slots`, a sorted set of "holder nonce" by hard
   expiry) when fewer than `max_concurrency` are held;
3. takes a token from the bucket (`keys.limit_bucket`: `rate_burst` tokens, refilled at
   `max_calls_per_s`); with the default burst of 1, grants are spaced
   (1 s + SEND_SLACK_S) / rate apart, so no 1 s window holds more than `max_calls_per_s`
   starts, even as the provider sees them: a granted call reaches the provider some
   milliseconds after its grant, and by a different delay each time.

Nothing is taken unless everything is granted. A refused caller sleeps for the hint the
script returns (the next token, the end of the cool-down, or a short poll for a slot), with
jitter, and asks again until its own bound (the call's timeout; for model steps also the
job's end, through `check`), then raises `LimitTimeout`, a RetryableError.

Leases: a slot names the worker process that holds it (`liveness.current_holder()`). When
the set is full, the script frees slots whose holder's heartbeat key has expired: a worker
killed mid-call gives its slots back within `liveness.HEARTBEAT_TTL_S`, through the same
GIL-independent heartbeat process that recovers its messages, and with no refresher thread
per call. Every slot also has a hard expiry (`hold_s`, sized past the longest call): it frees
slots of processes without a heartbeat (clients, benchmarks: "client@" holders) and any slot
a bug would leak.

Waits are visible: each is counted in `keys.LIMIT_STATS` (waits, wait_ms, timeouts and
cool-downs per scope) and logged.
"""

from __future__ import annotations

import contextvars
import logging
import random
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis
from redis.commands.core import Script

from runtime import keys
from runtime.errors import LimitTimeout
from runtime.recovery import liveness

if TYPE_CHECKING:
    from runtime.config import Settings
    from runtime.llm.profiles import ModelProfile
    from runtime.tools.base import Tool

log = logging.getLogger(__name__)

POLL_S = 0.05  # a full semaphore: ask again after about this long (with jitter)
MAX_PAUSE_S = 1.0  # never sleep longer between checks (a cancel is seen within this)
COOLDOWN_CAP_S = 300.0  # a Retry-After longer than this is treated as this
CLIENT_PREFIX = "client@"  # holders with no heartbeat process (liveness.current_holder)
# A granted call reaches the provider later than Redis granted it: the thread must be
# scheduled and the request sent. Measured up to 36 ms on a loaded 2-core box
# (ops/bench/limits.py). If the first call of a window is late by more than the last one,
# grants exactly 1/rate apart put rate + 1 calls in one 1 s window at the provider, so the
# rate's window is stretched by this slack: rate 10/s grants 105 ms apart.
SEND_SLACK_S = 0.05

# KEYS: slots, bucket, cooldown. ARGV: member, max_concurrency (0: none), rate (0: none),
# burst, hold_ms, alive-key prefix, alive-key suffix, client prefix.
# Returns {granted 0/1, wait hint in ms (-1: unknown, poll), reason}.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cool = tonumber(redis.call('GET', KEYS[3]) or '0')
if cool > now then return {0, cool - now, 'cooldown'} end
local max = tonumber(ARGV[2])
if max > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= max then
    for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
      local holder = string.match(m, '^(%S+)')
      if string.sub(holder, 1, #ARGV[8]) ~= ARGV[8]
          and redis.call('EXISTS', ARGV[6] .. holder .. ARGV[7]) == 0 then
        redis.call('ZREM', KEYS[1], m)
      end
    end
    if redis.call('ZCARD', KEYS[1]) >= max then return {0, -1, 'concurrency'} end
  end
end
local rate = tonumber(ARGV[3])
if rate > 0 then
  local burst = tonumber(ARGV[4])
  local b = redis.call('HMGET', KEYS[2], 'tokens', 'ts')
  local tokens = tonumber(b[1]) or burst
  local ts = tonumber(b[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
  if tokens < 1 then return {0, math.ceil((1 - tokens) * 1000 / rate), 'rate'} end
  redis.call('HSET', KEYS[2], 'tokens', tostring(tokens - 1), 'ts', now)
  redis.call('PEXPIRE', KEYS[2], math.ceil(burst * 1000 / rate) + 1000)
end
if max > 0 then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]) + 1000)
end
return {1, 0, 'ok'}
"""

# KEYS: cooldown. ARGV: milliseconds. Only ever extends; returns the wait in force (ms).
_COOL_DOWN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wanted = now + tonumber(ARGV[1])
local cool = tonumber(redis.call('GET', KEYS[1]) or '0')
if cool >= wanted then return cool - now end
redis.call('SET', KEYS[1], wanted, 'PX', tonumber(ARGV[1]))
return tonumber(ARGV[1])
"""


@dataclass(frozen=True)
class Limit:
    """What one scope allows; 0 means no cap of that kind."""

    max_concurrency: int = 0
    max_calls_per_s: float = 0.0
    rate_burst: int = 1

    @classmethod
    def of(cls, owner: Any, override: dict[str, Any] | None = None) -> Limit:
        """From an object with the three fields (a ModelProfile, a Tool), then `override`."""
        values = {
            "max_concurrency": getattr(owner, "max_concurrency", 0) or 0,
            "max_calls_per_s": getattr(owner, "max_calls_per_s", 0.0) or 0.0,
            "rate_burst": getattr(owner, "rate_burst", 1) or 1,
        }
        values.update({k: v for k, v in (override or {}).items() if k in values})
        return cls(
            int(values["max_concurrency"]),
            float(values["max_calls_per_s"]),
            max(1, int(values["rate_burst"])),
        )

    @property
    def capped(self) -> bool:
        return self.max_concurrency > 0 or self.max_calls_per_s > 0


@dataclass(frozen=True)
class Slot:
    member: str | None  # None: the scope caps no concurrency, nothing to give back
    waited_s: float


class Gate:
    """The limits of one scope, shared through Redis by every process that uses it."""

    def __init__(self, r: redis.Redis, scope: str, limit: Limit, *, hold_s: float) -> None:
        self.r = r
        self.scope = scope
        self.limit = limit
        self.hold_ms = int(hold_s * 1000)
        self._acquire = _script(r, _ACQUIRE)
        self._keys = [
            keys.limit_slots(scope),
            keys.limit_bucket(scope),
            keys.limit_cooldown(scope),
        ]

    def _ask(self, member: str, concurrency: bool) -> tuple[bool, float, str]:
        alive_prefix, alive_suffix = keys.worker_alive("\0").split("\0")
        granted, wait_ms, reason = self._acquire(
            keys=self._keys,
            args=[
                member,
                self.limit.max_concurrency if concurrency else 0,
                self.limit.max_calls_per_s / (1 + SEND_SLACK_S),
                self.limit.rate_burst,
                self.hold_ms,
                alive_prefix,
                alive_suffix,
                CLIENT_PREFIX,
            ],
        )
        return bool(granted), float(wait_ms) / 1000, _s(reason)

    def acquire(
        self,
        timeout_s: float,
        *,
        check: Callable[[], None] | None = None,
        concurrency: bool = True,
    ) -> Slot:
        """Wait (at most `timeout_s`) for the cool-down to end, a slot and a token. `check`
        runs between waits and may raise to give up (a job that ended); `concurrency=False`
        takes only a token (a retried attempt of a call that already holds its slot)."""
        member = f"{liveness.current_holder()} {secrets.token_hex(6)}"
        started = time.monotonic()
        reasons: set[str] = set()
        while True:
            granted, hint_s, reason = self._ask(member, concurrency)
            if granted:
                break
            reasons.add(reason)
            left = started + timeout_s - time.monotonic()
            if left <= 0:
                self._record(time.monotonic() - started, reasons, timed_out=True)
                raise LimitTimeout(
                    f"{self.scope}: no free call within {timeout_s:g} s "
                    f"(limited by {', '.join(sorted(reasons))}); retry later."
                )
            if check is not None:
                check()
            # Jitter spreads the waiters that the same grant would otherwise wake together.
            pause = (hint_s if hint_s >= 0 else POLL_S) + random.uniform(0, POLL_S)
            time.sleep(min(pause, left, MAX_PAUSE_S))
        waited = time.monotonic() - started
        if reasons:
            self._record(waited, reasons, timed_out=False)
        has_slot = concurrency and self.limit.max_concurrency > 0
        return Slot(member if has_slot else None, waited)

    def release(self, slot: Slot) -> None:
        if slot.member is not None:
            self.r.zrem(keys.limit_slots(self.scope), slot.member)

    @contextmanager
    def held(self, timeout_s: float, check: Callable[[], None] | None = None) -> Iterator[Slot]:
        slot = self.acquire(timeout_s, check=check)
        try:
            yield slot
        finally:
            self.release(slot)

    def cool_down(self, seconds: float) -> float:
        """Every caller of this scope waits `seconds` from now (a provider's Retry-After);
        an earlier, longer cool-down stands. Returns the seconds in force."""
        ms = max(1, int(min(seconds, COOLDOWN_CAP_S) * 1000))
        in_force = _script(self.r, _COOL_DOWN)(keys=[keys.limit_cooldown(self.scope)], args=[ms])
        self.r.hincrby(keys.LIMIT_STATS, f"{self.scope}:cooldowns", 1)
        log.warning(
            "%s: cooling down %.2f s (the provider asked to slow down)", self.scope, ms / 1000
        )
        return float(in_force) / 1000

    def _record(self, waited_s: float, reasons: set[str], *, timed_out: bool) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.hincrby(keys.LIMIT_STATS, f"{self.scope}:waits", 1)
        pipe.hincrby(keys.LIMIT_STATS, f"{self.scope}:wait_ms", int(waited_s * 1000))
        for reason in reasons:
            pipe.hincrby(keys.LIMIT_STATS, f"{self.scope}:by_{reason}", 1)
        if timed_out:
            pipe.hincrby(keys.LIMIT_STATS, f"{self.scope}:timeouts", 1)
        pipe.execute()
        log.info(
            "%s: waited %.2f s for %s%s",
            self.scope,
            waited_s,
            ", ".join(sorted(reasons)),
            " and gave up" if timed_out else "",
        )


_scripts: dict[tuple[int, str], Script] = {}


def _script(r: redis.Redis, body: str) -> Script:
    key = (id(r), body)
    script = _scripts.get(key)
    if script is None:
        script = _scripts[key] = r.register_script(body)
    return script


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def stats(r: redis.Redis) -> dict[str, dict[str, int]]:
    """LIMIT_STATS by scope: {"model:gpt-4o": {"waits": 3, "wait_ms": 812, ...}}."""
    out: dict[str, dict[str, int]] = {}
    for field, value in r.hgetall(keys.LIMIT_STATS).items():  # type: ignore[union-attr]
        scope, _, name = _s(field).rpartition(":")
        out.setdefault(scope, {})[name] = int(_s(value))
    return out


# --- models --------------------------------------------------------------------------------

_current: contextvars.ContextVar[Gate | None] = contextvars.ContextVar("limit_gate", default=None)


def model_gate(r: redis.Redis, profile: ModelProfile, settings: Settings) -> Gate:
    """The gate of a model's scope (`limit_scope`, default its name). Always a gate, even
    uncapped: a 429 from the provider cools every worker's calls to it down."""
    override = settings.model_limits.get(profile.name)
    scope = f"model:{profile.limit_scope or profile.name}"
    return Gate(r, scope, Limit.of(profile, override), hold_s=_hold_s(settings))


@contextmanager
def calling(gate: Gate | None) -> Iterator[None]:
    """Within the block, `current()` is `gate`: the backend's own retries take a token from it
    and report a 429 to it, without the LLMBackend contract knowing about Redis."""
    token = _current.set(gate)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> Gate | None:
    return _current.get()


# --- tools ---------------------------------------------------------------------------------


def tool_gate(r: redis.Redis, tool: Tool, settings: Settings) -> Gate | None:
    """The gate of a tool, or None when it has no cap (then a call costs no round trip)."""
    limit = Limit.of(tool, settings.tool_limits.get(tool.name))
    if not limit.capped:
        return None
    return Gate(r, f"tool:{tool.name}", limit, hold_s=_hold_s(settings))


def run_limited(r: redis.Redis, tool: Tool, settings: Settings, fn: Callable[[], Any]) -> Any:
    """`fn()` inside the tool's limits; the wait counts against the tool's timeout."""
    gate = tool_gate(r, tool, settings)
    if gate is None:
        return fn()
    with gate.held(tool.timeout_s or settings.tool_timeout_s):
        return fn()


def _hold_s(settings: Settings) -> float:
    # Past the longest call a worker can make (the same bound as broker redelivery).
    return float(settings.effective_visibility_timeout_s)
