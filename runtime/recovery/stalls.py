"""Lost-message recovery: a running job that no message on any queue or worker will ever
advance is driven on again from its recorded state.

Why this exists: kombu's Redis transport takes a message off its queue with BRPOP and only
then, in the worker process, writes it to `unacked`. A worker killed between the two (or
before it reads the BRPOP reply) loses that message: it is in no list, so neither the
visibility timeout nor dead-worker detection (runtime/recovery/liveness.py) can bring it back, and
its job would wait for its deadline. The same holds for any write lost with a Redis that
restarts without the last second of its append-only file.

A job is *lost* when it has made no progress (no event) for `stall_after_s`, is not waiting
for an approval, and no message naming it is in any queue list or in `unacked` — seen in two
checks a few seconds apart, since a message may be between the two places for an instant.
Every job message (start, tool steps, joins, model steps, resume) carries the job id in its
arguments, which is what the scan looks for. Re-driving runs whatever the job waits on again:
recorded steps are never rerun (prepare_layer skips them) and side effects are guarded by
their own idempotency record, so a re-drive repeats no effect.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, cast

import redis
from celery import Celery

from runtime import keys
from runtime.broker import tasks
from runtime.broker.queues import AGENT, QUEUES, priority_lists
from runtime.config import Settings
from runtime.recovery.liveness import UNACKED

log = logging.getLogger(__name__)

# Above this many waiting messages the scan (~20 us a message, on an agent worker) would cost
# more than it saves; the deadline watchdog still ends any job that is really lost.
MAX_SCANNED_MESSAGES = 5_000
# Client.submit names jobs uuid4().hex; Celery's own ids (task, root, parent) have dashes.
_JOB_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
CHECK_LOCK_KEY = f"{keys.PREFIX}stalls:lock"


@dataclass
class StallCheck:
    candidates: int = 0  # running jobs quiet for longer than stall_after_s
    suspects: int = 0  # of those, with no message anywhere (first sighting)
    lost: list[str] | None = None  # absent on two checks: to re-drive


def quiet_jobs(r: redis.Redis, stall_after_s: float, limit: int = 500) -> list[str]:
    """Running jobs whose latest event is older than `stall_after_s` (Redis clock)."""
    running = cast(list[str], r.zrange(keys.DEADLINES, 0, limit - 1))
    if not running:
        return []
    seconds, micros = cast(tuple[int, int], r.time())
    now_ms = seconds * 1000 + micros // 1000
    pipe = r.pipeline(transaction=False)
    for job_id in running:
        pipe.xrevrange(keys.job_events(job_id), count=1)
    quiet = []
    for job_id, last in zip(running, pipe.execute(), strict=True):
        # A stream id is "<ms>-<seq>", the Redis time the event was added.
        last_ms = int(str(last[0][0]).split("-")[0]) if last else 0
        if now_ms - last_ms > stall_after_s * 1000:
            quiet.append(job_id)
    return quiet


def awaiting_approval(r: redis.Redis) -> set[str]:
    members = cast(list[str], r.zrange(keys.APPROVALS_PENDING, 0, -1))
    return {m.split("/", 1)[0] for m in members}


def broker_messages(r: redis.Redis, queues: tuple[str, ...] = QUEUES) -> list[str] | None:
    """Every waiting and delivered-but-unacknowledged message, read in one transaction so a
    message moving from a queue to `unacked` on the server is seen in one of the two.
    None when there are too many to scan."""
    lists = [name for queue in queues for name in priority_lists(queue)]
    pipe = r.pipeline(transaction=False)
    for name in lists:
        pipe.llen(name)
    if sum(pipe.execute()) > MAX_SCANNED_MESSAGES:
        return None
    pipe = r.pipeline(transaction=True)
    for name in lists:
        pipe.lrange(name, 0, -1)
    pipe.hvals(UNACKED)
    replies = pipe.execute()
    messages = [m for reply in replies[:-1] for m in reply]
    # An unacked entry is [message, exchange, routing_key].
    messages += replies[-1]
    return messages


def message_text(raw: str) -> str:
    """The searchable text of a message: its headers plus its decoded body (the arguments
    are base64 in the body; `argsrepr` in the headers may be truncated)."""
    try:
        payload: Any = json.loads(raw)
        if isinstance(payload, list):  # an unacked entry
            payload = payload[0]
        body = payload.get("body", "")
        if payload.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body).decode("utf-8", "replace")
        return f"{raw}\n{body}"
    except (ValueError, AttributeError, TypeError):
        return raw


def absent(job_ids: list[str], messages: list[str]) -> list[str]:
    """The jobs no message mentions. One pass over the messages (linear in their size, not
    in messages x jobs: under a backlog both are in the thousands)."""
    found: set[str] = set()
    for raw in messages:
        found.update(_JOB_ID.findall(message_text(raw)))
    others = [j for j in job_ids if not _JOB_ID.fullmatch(j) and j not in found]
    if others:  # an id of another shape (not made by Client.submit): plain substring search
        texts = [message_text(raw) for raw in messages]
        found.update(j for j in others if any(j in t for t in texts))
    return [j for j in job_ids if j not in found]


def check(
    r: redis.Redis, *, stall_after_s: float, confirm_after_s: float, every_s: float
) -> StallCheck:
    """One pass, at most once per `every_s` across all monitor processes."""
    result = StallCheck(lost=[])
    if not r.set(CHECK_LOCK_KEY, "1", nx=True, px=max(1, int(every_s * 1000))):
        return result
    waiting = awaiting_approval(r)
    candidates = [j for j in quiet_jobs(r, stall_after_s) if j not in waiting]
    result.candidates = len(candidates)
    if not candidates:
        return result
    messages = broker_messages(r)
    if messages is None:
        log.warning(
            "lost-message check skipped: more than %d messages queued", MAX_SCANNED_MESSAGES
        )
        return result
    missing = absent(candidates, messages)
    missing_set = set(missing)
    present = [j for j in candidates if j not in missing_set]
    seconds, _ = cast(tuple[int, int], r.time())
    pipe = r.pipeline(transaction=False)
    for job_id in present:
        pipe.delete(keys.job_suspect(job_id))
    for job_id in missing:
        pipe.set(keys.job_suspect(job_id), seconds, nx=True, ex=3600)
        pipe.get(keys.job_suspect(job_id))
    replies = pipe.execute()[len(present) :]
    for job_id, first_seen in zip(missing, replies[1::2], strict=True):
        if seconds - int(first_seen) >= confirm_after_s:
            assert result.lost is not None
            result.lost.append(job_id)
        else:
            result.suspects += 1
    return result


def claim_redrive(r: redis.Redis, job_id: str, max_redrives: int) -> int | None:
    """Count a re-drive of this job; None when it has had `max_redrives` already."""
    pipe = r.pipeline(transaction=True)
    pipe.delete(keys.job_suspect(job_id))
    pipe.hincrby(keys.job(job_id), "redrives", 1)
    count = int(pipe.execute()[1])
    return None if count > max_redrives else count


def redrive_lost(r: redis.Redis, app: Celery, settings: Settings) -> int:
    """One check (see `check`); every lost job found goes on from its recorded state on an
    agent worker (runtime/job/lifecycle.py `redrive`). Returns how many were sent."""
    found = check(
        r,
        stall_after_s=settings.stall_after_s,
        confirm_after_s=settings.stall_confirm_s,
        every_s=settings.stall_check_every_s,
    )
    for job_id in found.lost or []:
        app.send_task(tasks.REDRIVE, args=[job_id], queue=AGENT)
    return len(found.lost or [])
