"""Writes that hold only while the job is live and the writer still owns its step.

Two rules make a job's record trustworthy when workers are slow, paused or duplicated:

- A terminal status is final. `endings.end` sets the job's `final` key first; after that no
  event is appended and no step, plan or usage is recorded by anyone but `end` itself.
- One run per step. Each execution of a step (a tool call, a plan, an answer) holds a lease:
  a Redis string `keys.step_lease(job, step)` whose value names the holding worker process
  and the run. A run records its step only while the lease still holds its value; a second
  delivery of the same step may take the lease over only when the holder's heartbeat has
  expired (runtime/recovery/liveness.py), so a busy-but-alive worker keeps its step and a
  paused one loses it. When the paused one wakes up, its late result is refused here.

Both checks and the writes happen in one Lua script (`commit`), so there is no moment
between "still live?" and "write" in which the job can end or the lease can move: this is
the compare-and-set. Callers build their writes on an ordinary redis-py pipeline, exactly as
before, and hand it to `commit` instead of calling `execute()`; the queued commands travel to
the script as JSON. A refused commit raises `Stopped`, and the run stops there.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

import redis
from redis.commands.core import Script

from runtime import keys
from runtime.errors import CeleragentError
from runtime.recovery import liveness

Mode = Literal["none", "hold", "take"]

# KEYS: final flag, lease (or the final flag again when there is no lease).
# ARGV: mode, lease value, lease TTL, alive-key prefix and suffix, commands as JSON; then,
# optionally, n and more commands as JSON: those run (their replies appended) only when
# the first reply is 0 and the next n - 1 are not (a layer's join, executor.run_call).
# Returns the commands' replies as JSON, or a one-word reason for refusing.
_COMMIT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 'ended' end
local mode = ARGV[1]
if mode == 'hold' then
  if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 'lost' end
elseif mode == 'take' then
  local current = redis.call('GET', KEYS[2])
  if current and current ~= ARGV[2] then
    local holder = string.match(current, '^(%S+)')
    if redis.call('EXISTS', ARGV[4] .. holder .. ARGV[5]) == 1 then return 'held' end
  end
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
end
local replies = {}
for i, command in ipairs(cjson.decode(ARGV[6])) do
  replies[i] = redis.call(unpack(command))
end
local n = tonumber(ARGV[7] or '0')
if n > 0 and replies[1] == 0 then
  for i = 2, n do
    if replies[i] == 0 then return cjson.encode(replies) end
  end
  for _, command in ipairs(cjson.decode(ARGV[8])) do
    replies[#replies + 1] = redis.call(unpack(command))
  end
end
return cjson.encode(replies)
"""

# KEYS: final flag, lease. ARGV: lease value ('' for none). Returns '' or the reason.
_CHECK = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 'ended' end
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return 'lost' end
return ''
"""

# KEYS: lease. ARGV: lease value. Deletes the lease only if this run still holds it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# Bytes, so no client is needed to hash them; each call runs by EVALSHA (a token's event is
# one of these, so the script text must not travel with every call).
_commit_script = Script(None, _COMMIT.encode())  # type: ignore[arg-type]
_check_script = Script(None, _CHECK.encode())  # type: ignore[arg-type]
_release_script = Script(None, _RELEASE.encode())  # type: ignore[arg-type]

REASONS = {
    "ended": "the job has already ended",
    "lost": "another worker took this step over while this one was stalled",
    "held": "another live worker is running this step",
}


class Stopped(CeleragentError):
    """This run must stop: the job ended, or the step belongs to another run. Nothing of
    it was recorded; the worker drops it (the step's result comes from the other run)."""

    def __init__(self, reason: str, job_id: str, step: str | None = None) -> None:
        where = f"step {step!r} of job {job_id}" if step else f"job {job_id}"
        super().__init__(f"{where} stopped: {REASONS.get(reason, reason)}.")
        self.reason = reason


@dataclass(frozen=True)
class Lease:
    """One run's claim on one step. `value` is "holder nonce": the holder (worker process,
    `liveness.holder_id`) lets another run decide whether it may take the step over; the
    nonce tells two runs of one process apart."""

    job_id: str
    step: str
    value: str

    @property
    def key(self) -> str:
        return keys.step_lease(self.job_id, self.step)


def new_lease(job_id: str, step: str) -> Lease:
    return Lease(job_id, step, f"{liveness.current_holder()} {secrets.token_hex(6)}")


_ALIVE_PREFIX, _ALIVE_SUFFIX = keys.worker_alive("\0").split("\0")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def commit(
    r: redis.Redis,
    pipe: redis.client.Pipeline,
    job_id: str,
    lease: Lease | None = None,
    *,
    mode: Mode = "hold",
    ttl_s: int = 86_400,
    then: tuple[int, list[list[str]]] | None = None,
) -> list[Any]:
    """Run the commands queued on `pipe` atomically, only if the job has not ended and,
    with a lease, only if this run holds it (`hold`) or may take it (`take`). Returns their
    replies (None for a nil reply) or raises `Stopped`. The pipeline is left empty.
    `then=(n, commands)`: in the same script, these commands (each a list of words) run too
    (their replies follow) only when the first reply is 0 and the next n - 1 are not:
    whether a record completed its layer, and the reads that only the completing run needs."""
    commands = [[_text(a) for a in args] for args, _options in pipe.command_stack]
    pipe.reset()
    extra = [str(then[0]), json.dumps(then[1], ensure_ascii=False)] if then else []
    final = keys.job_finalized(job_id)
    use = mode if lease is not None else "none"
    reply = _commit_script(
        [final, lease.key if lease is not None else final],
        [
            use,
            lease.value if lease is not None else "",
            str(ttl_s),
            _ALIVE_PREFIX,
            _ALIVE_SUFFIX,
            json.dumps(commands, ensure_ascii=False),
            *extra,
        ],
        client=r,
    )
    text = reply.decode() if isinstance(reply, bytes) else str(reply)
    if text in REASONS:
        raise Stopped(text, job_id, lease.step if lease else None)
    replies = json.loads(text)
    if isinstance(replies, dict):  # Lua's empty table encodes as an object
        return []
    return [None if v is False else v for v in cast(list[Any], replies)]


def check(r: redis.Redis, job_id: str, lease: Lease | None = None) -> None:
    """Raise `Stopped` when the job has ended or this run lost its step (one round trip)."""
    final = keys.job_finalized(job_id)
    lease_key, value = (lease.key, lease.value) if lease else (final, "")
    reply = _check_script([final, lease_key], [value], client=r)
    reason = reply.decode() if isinstance(reply, bytes) else str(reply)
    if reason:
        raise Stopped(reason, job_id, lease.step if lease else None)


def release(r: redis.Redis, lease: Lease | None) -> None:
    """Give the step up without recording it (the task retries): the retry, a new run in
    this same live process, must be able to take it."""
    if lease is not None:
        _release_script([lease.key], [lease.value], client=r)


def throttled_check(
    r: redis.Redis, job_id: str, lease: Lease | None, every_s: float = 0.25
) -> Callable[[], None]:
    """`check` at most every `every_s`: for loops that run per token, where a round trip
    each time would cost more than the model step it guards."""
    last = [0.0]

    def maybe_check() -> None:
        now = time.monotonic()
        if now - last[0] >= every_s:
            last[0] = now
            check(r, job_id, lease)

    return maybe_check
