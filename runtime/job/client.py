"""Submit jobs and follow them: `Client` (sync) and `AsyncClient` (asyncio), same shape.

A finished job is noticed through its event stream (a blocking XREAD), never by polling.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

import redis
import redis.asyncio as aioredis

from runtime import keys
from runtime.broker import tasks
from runtime.broker.app import create_app
from runtime.broker.connection import get_redis, redis_client_kwargs
from runtime.broker.queues import AGENT
from runtime.config import Settings, get_settings
from runtime.conversation import store as conversation_store
from runtime.errors import JobNotFound
from runtime.job import admission, approval, endings, events, lifecycle, revoke, store
from runtime.job.canvas import brief, broker_priority
from runtime.job.state import JobState
from runtime.job.validation import check_spec
from runtime.schemas import Event, JobResult, JobSpec, JobStatus


class Client:
    """`Client(redis_url=None)`: the URL defaults to CELERAGENT_REDIS_URL, then to the one
    `celeragent up` wrote to `.celeragent/redis-url`."""

    def __init__(self, redis_url: str | None = None, *, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.redis_url = redis_url or self.settings.resolve_redis_url()
        self.redis: redis.Redis = get_redis(self.redis_url, self.settings)
        self._app = create_app(self.redis_url, include_tasks=False)

    def submit(self, spec: JobSpec | dict[str, Any] | str) -> JobHandle:
        """Validate, record and queue a job. A bad spec raises SpecError; nothing is queued."""
        parsed, layer_ids = check_spec(spec, self.settings)
        admitted = admission.admit(self.redis, parsed, self.settings)
        job_id = uuid.uuid4().hex
        once_key = None
        if parsed.idempotency_key:
            once_key = keys.idempotency(parsed.tenant, parsed.idempotency_key)
        # An explicit plan is adopted with the record, so START need not write it again, and
        # its first layer leaves from here as START would send it: one Celery message and one
        # worker hop fewer per job. That costs this process the layer's sending (a submit
        # took 3 ms of CPU with one call, 6 ms with a chord of 3, 13 ms with 16; START's was
        # 2.3 ms) and saves the agent worker START's whole task (9 ms with a chord of 3):
        # less CPU per job in all (ops/bench/orchestration.py). A crash before the layer is sent
        # leaves a job with no message, which the monitor re-drives like a lost START
        # (recovery/stalls.py).
        begin = parsed.plan is not None and bool(layer_ids)
        try:
            submitted_at = store.create(
                self.redis,
                job_id,
                parsed,
                layer_ids,
                self.settings.job_ttl_s,
                admitted.level_floor,
                adopt_plan=True,
                once_key=once_key,
            )
        except store.AlreadySubmitted as exc:
            return JobHandle(self, exc.job_id)
        if begin:
            state = JobState(
                job_id=job_id,
                spec=parsed,
                plan=parsed.plan,
                layer_ids=layer_ids or [],
                submitted_at=submitted_at,
                steps={},
                cancelled=False,
                level_floor=admitted.level_floor,
            )
            lifecycle.begin(self.redis, self._app, state, self.settings)
            return JobHandle(self, job_id)
        self._app.send_task(
            tasks.START,
            args=[job_id],
            queue=AGENT,
            priority=broker_priority(parsed.priority),
            task_id=tasks.job_task_id(job_id, "start"),
            **brief(job_id),
        )
        return JobHandle(self, job_id)

    def conversation(
        self, conversation_id: str | None = None, *, tenant: str = "default", **spec: Any
    ) -> Conversation:
        """A conversation of `tenant` (a new id when none is given): `ask(query)` submits a
        job in it, with `spec`'s other fields (model, budget, ...) as defaults."""
        return Conversation(self, conversation_id or uuid.uuid4().hex, tenant, spec)

    def job(self, job_id: str) -> JobHandle:
        store.status(self.redis, job_id)  # raises JobNotFound for an unknown id
        return JobHandle(self, job_id)

    def recent_jobs(self, limit: int = 20) -> list[str]:
        return [
            str(j) for j in cast(list[str], self.redis.zrevrange(keys.JOBS_INDEX, 0, limit - 1))
        ]

    def close(self) -> None:
        self._app.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Conversation:
    """Carries the conversation id (and tenant) from one job to the next."""

    def __init__(self, client: Client, conversation_id: str, tenant: str, spec: dict[str, Any]):
        self.client = client
        self.id = conversation_id
        self.tenant = tenant
        self.defaults = spec
        self._last: JobHandle | None = None

    def __repr__(self) -> str:
        return f"Conversation({self.id!r}, tenant={self.tenant!r})"

    def ask(self, query: str, **spec: Any) -> JobHandle:
        """Submit the next turn; its answer becomes part of the conversation once it ends
        `done`. Wait for it (`.result()`) before asking the next one."""
        self.settle()
        fields = {**self.defaults, **spec, "query": query}
        fields.update(conversation_id=self.id, tenant=self.tenant)
        self._last = self.client.submit(fields)
        return self._last

    def history(self) -> conversation_store.History:
        self.settle()
        return conversation_store.load(self.client.redis, self.tenant, self.id)

    def settle(self, timeout: float = 5.0) -> None:
        """Wait (briefly) until the last turn's round is stored: a job's result is visible
        a moment before its worker appends the round, and the next turn must see it."""
        last, self._last = self._last, None
        if last is None:
            return
        until = time.monotonic() + timeout
        while time.monotonic() < until and not self._stored(last.id):
            status = last.status()
            if status.terminal and status != JobStatus.done:
                return  # it did not end done: no round is coming
            time.sleep(0.01)

    def _stored(self, job_id: str) -> bool:
        """The job's round is in the list (and its facts with it: one transaction). Not
        `keys.conversation_appended`: the job joins that set a moment before its round is
        pushed, and a turn asked in that moment missed the round (a flaky tenants test)."""
        rounds = keys.conversation_rounds(self.tenant, self.id)
        tail = cast(list[str], self.client.redis.lrange(rounds, -8, -1))
        return any(json.loads(x).get("j") == job_id for x in tail)


class JobHandle:
    def __init__(self, client: Client, job_id: str):
        self.client = client
        self.id = job_id

    def __repr__(self) -> str:
        return f"JobHandle({self.id!r})"

    def status(self) -> JobStatus:
        return store.status(self.client.redis, self.id)

    def events(
        self, from_id: str | None = None, *, follow: bool = True, timeout: float | None = None
    ) -> Iterator[Event]:
        """The job's events in order, from after `from_id`. With `follow`, block for new ones
        until the terminal event (or `timeout` seconds)."""
        if not follow:
            yield from events.read(self.client.redis, self.id, from_id)
            return
        yield from events.follow(self.client.redis, self.id, from_id, timeout)

    def result(self, timeout: float | None = None) -> JobResult:
        """Wait for the job to finish and return its result. Never waits past the job's
        deadline (plus the watchdog's interval): raises TimeoutError instead."""
        wait, found = self._bounded_wait_or_result(timeout)
        if found is not None:
            return found
        wait_done(self.client.redis, self.id, wait)
        found = store.get_result(self.client.redis, self.id)
        if found is None:
            raise TimeoutError(
                f"job {self.id} has not finished after {wait:.1f} s; its status is "
                f"{self.status().value}. Call result() again or cancel() it."
            )
        return found

    def _bounded_wait(self, timeout: float | None) -> float:
        return self._bounded_wait_or_result(timeout)[0]

    def _bounded_wait_or_result(self, timeout: float | None) -> tuple[float, JobResult | None]:
        """How long to wait at most, and the result when the job has one already: one
        round trip for both."""
        r = self.client.redis
        fields = ["spec", "submitted_at", "result"]
        spec_raw, submitted, result_raw = r.hmget(keys.job(self.id), fields)
        if spec_raw is None:
            raise JobNotFound(f"job {self.id!r} does not exist or its record has expired.")
        if result_raw is not None:
            return 0.0, JobResult.model_validate_json(result_raw)
        deadline_s = json.loads(spec_raw)["budget"]["deadline_s"]
        grace = 2 * self.client.settings.monitor_interval_s + 5
        until_deadline = float(cast(str, submitted)) + deadline_s + grace - time.time()
        bound = max(0.1, until_deadline)
        return (bound if timeout is None else max(0.0, min(timeout, bound))), None

    def approve(self, step: str, *, approve: bool = True) -> None:
        """Approve (or deny) a side-effecting step that waits for approval; the job goes on."""
        decision = approval.APPROVED if approve else approval.DENIED
        layer = approval.decide(self.client.redis, self.id, step, decision)
        approval.resume(self.client._app, self.id, layer)

    def cancel(self) -> bool:
        """End the job now, `cancelled`, with what it has. Work in flight stops at its next
        check (a model call between tokens, a tool step before and after it runs) and
        records nothing more; queued messages are revoked. Returns False when the job had
        already ended."""
        r = self.client.redis
        r.set(keys.job_cancelled(self.id), "1", ex=self.client.settings.job_ttl_s)
        if endings.cancelled(r, self.id, self.client.settings) is None:
            return False
        revoke.revoke_queued(r, self.client._app, self.id)
        return True


def wait_done(r: redis.Redis, job_id: str, wait_s: float) -> bool:
    """Block until the job has ended (`keys.job_done`), at most `wait_s`: one wake-up at
    the end, where following the event stream wakes at every event. BLMOVE onto the same
    list leaves the status there for every other waiter."""
    done, until = keys.job_done(job_id), time.monotonic() + wait_s
    while (left := until - time.monotonic()) > 0:
        if r.blmove(done, done, _seconds(left), "LEFT", "RIGHT"):
            return True
    return False


def _seconds(left: float) -> int:
    # At most a second per call, as events.follow blocks. BLMOVE takes a decimal timeout
    # (Redis 6+); redis-py's annotation says int.
    return cast(int, max(0.001, round(min(1.0, left), 3)))  # 0 would block forever


class AsyncClient:
    """The asyncio twin of `Client`: `await submit(spec)`, `async for e in handle.events()`,
    `await handle.result()`."""

    def __init__(self, redis_url: str | None = None, *, settings: Settings | None = None):
        self._sync = Client(redis_url, settings=settings)
        url = self._sync.redis_url
        self.redis: aioredis.Redis = aioredis.Redis.from_url(
            url, decode_responses=True, **redis_client_kwargs(url, self._sync.settings)
        )

    async def submit(self, spec: JobSpec | dict[str, Any] | str) -> AsyncJobHandle:
        handle = await asyncio.to_thread(self._sync.submit, spec)
        return AsyncJobHandle(self, handle)

    def job(self, job_id: str) -> AsyncJobHandle:
        """A handle on a job by id, unchecked (the caller knows it exists: the gateway checks
        the job's tenant first)."""
        return AsyncJobHandle(self, JobHandle(self._sync, job_id))

    async def close(self) -> None:
        await self.redis.aclose()
        self._sync.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class AsyncJobHandle:
    def __init__(self, client: AsyncClient, handle: JobHandle):
        self.client = client
        self._handle = handle
        self.id = handle.id

    async def status(self) -> JobStatus:
        return await asyncio.to_thread(self._handle.status)

    async def events(
        self, from_id: str | None = None, timeout: float | None = None
    ) -> AsyncIterator[Event]:
        stream = keys.job_events(self.id)
        last = from_id or "0-0"
        deadline = None if timeout is None else time.monotonic() + timeout
        while deadline is None or time.monotonic() < deadline:
            raw = await self.client.redis.xread({stream: last}, block=1_000, count=500)
            for _stream, entries in cast(events.StreamReply, raw or []):
                for entry_id, fields in entries:
                    last = entry_id
                    event = events.decode(entry_id, fields)
                    yield event
                    if event.type.terminal:
                        return

    async def result(self, timeout: float | None = None) -> JobResult:
        wait, found = await asyncio.to_thread(self._handle._bounded_wait_or_result, timeout)
        if found is not None:
            return found
        done, until = keys.job_done(self.id), time.monotonic() + wait
        while (left := until - time.monotonic()) > 0:
            if await self.client.redis.blmove(done, done, _seconds(left), "LEFT", "RIGHT"):
                break
        return await asyncio.to_thread(self._handle.result, 0.0)

    async def approve(self, step: str, *, approve: bool = True) -> None:
        await asyncio.to_thread(self._handle.approve, step, approve=approve)

    async def cancel(self) -> bool:
        return await asyncio.to_thread(self._handle.cancel)
