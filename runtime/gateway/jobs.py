"""The job endpoints: submit, read, list, cancel, approve. Each calls the Python client
(`AsyncClient.submit`, `AsyncJobHandle.cancel` and `approve`, which run `Client.submit`,
`JobHandle.cancel` and `approve` in a thread); reads go straight to Redis, asynchronously.

The API key decides the tenant: a body naming another tenant is refused, and every job id
is checked against the caller's tenant first (`owned_job`).
"""

from __future__ import annotations

import json
from typing import Any, cast

import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.responses import JSONResponse

from runtime import keys
from runtime.errors import SpecError
from runtime.gateway.auth import Caller
from runtime.gateway.http import caller_of, owned_job, read_json
from runtime.job.client import AsyncClient
from runtime.schemas import JobStatus

MAX_PAGE = 100


def spec_for(caller: Caller, body: dict[str, Any], idempotency_key: str | None) -> dict[str, Any]:
    """The body as the caller's JobSpec: its tenant is the key's, its idempotency key the
    header's (either may be repeated in the body, never contradicted)."""
    spec = dict(body)
    named = spec.get("tenant")
    if named is not None and named != caller.tenant:
        raise SpecError(
            f"the job spec names tenant {named!r}, but this API key belongs to tenant "
            f"{caller.tenant!r}; leave `tenant` out: the key decides it."
        )
    spec["tenant"] = caller.tenant
    if idempotency_key is not None:
        named_key = spec.get("idempotency_key")
        if named_key is not None and named_key != idempotency_key:
            raise SpecError(
                "the Idempotency-Key header and the spec's idempotency_key differ; send one."
            )
        spec["idempotency_key"] = idempotency_key
    return spec


async def submit_spec(client: AsyncClient, spec: dict[str, Any]) -> str:
    """`Client.submit` (validation, idempotency, record, queue) in a thread; the job id."""
    return (await client.submit(spec)).id


async def job_view(r: aioredis.Redis, job_id: str) -> dict[str, Any]:
    status, submitted, result = await r.hmget(  # type: ignore[misc]
        keys.job(job_id), ["status", "submitted_at", "result"]
    )
    view: dict[str, Any] = {"job_id": job_id, "status": status}
    view["submitted_at"] = float(submitted) if submitted else None
    view["result"] = json.loads(result) if result else None
    return view


async def submit(request: Request) -> JSONResponse:
    caller = await caller_of(request)
    body = await read_json(request)
    spec = spec_for(caller, body, request.headers.get("idempotency-key"))
    job_id = await submit_spec(request.app.state.client, spec)
    view = await job_view(request.app.state.redis, job_id)
    return JSONResponse(view, status_code=202, headers={"Location": f"/v1/jobs/{job_id}"})


async def get_job(request: Request) -> JSONResponse:
    caller = await caller_of(request)
    job_id = request.path_params["job_id"]
    await owned_job(request.app.state.redis, caller, job_id)
    return JSONResponse(await job_view(request.app.state.redis, job_id))


def _page_args(request: Request) -> tuple[int, float | None, set[str] | None]:
    params = request.query_params
    try:
        limit = int(params.get("limit", "20"))
        cursor = float(params["cursor"]) if "cursor" in params else None
    except ValueError:
        raise SpecError("`limit` must be an integer and `cursor` a number.") from None
    if not 1 <= limit <= MAX_PAGE:
        raise SpecError(f"`limit` must be between 1 and {MAX_PAGE}.")
    wanted = None
    if "status" in params:
        wanted = {s.strip() for s in params["status"].split(",") if s.strip()}
        unknown = wanted - {s.value for s in JobStatus}
        if unknown:
            raise SpecError(
                f"unknown status {', '.join(sorted(unknown))}; known: "
                f"{', '.join(s.value for s in JobStatus)}."
            )
    return limit, cursor, wanted


async def list_jobs(request: Request) -> JSONResponse:
    """The caller's jobs, newest first: `?status=done,failed&limit=20&cursor=...`, where
    `cursor` is the `next_cursor` of the previous page (a submission time, exclusive)."""
    caller = await caller_of(request)
    limit, cursor, wanted = _page_args(request)
    r: aioredis.Redis = request.app.state.redis
    index = keys.tenant_jobs(caller.tenant)
    found: list[dict[str, Any]] = []
    top: str = "+inf" if cursor is None else f"({cursor!r}"
    next_cursor = None
    while len(found) < limit:
        batch = cast(
            list[tuple[str, float]],
            await r.zrevrangebyscore(index, top, "-inf", start=0, num=limit, withscores=True),
        )
        if not batch:
            next_cursor = None
            break
        pipe = r.pipeline(transaction=False)
        for job_id, _ in batch:
            pipe.hmget(keys.job(job_id), ["status", "submitted_at"])
        rows = await pipe.execute()
        for (job_id, score), (status, submitted) in zip(batch, rows, strict=True):
            top = f"({score!r}"
            if status is None:  # the record expired: drop it from the index too
                await r.zrem(index, job_id)
                continue
            if wanted is None or status in wanted:
                found.append({"job_id": job_id, "status": status, "submitted_at": float(submitted)})
                next_cursor = score
                if len(found) == limit:
                    break
    more = len(found) == limit
    return JSONResponse({"jobs": found, "next_cursor": next_cursor if more else None})


async def cancel(request: Request) -> JSONResponse:
    caller = await caller_of(request)
    job_id = request.path_params["job_id"]
    client: AsyncClient = request.app.state.client
    await owned_job(request.app.state.redis, caller, job_id)
    cancelled = await client.job(job_id).cancel()
    view = await job_view(request.app.state.redis, job_id)
    return JSONResponse({**view, "cancelled": cancelled})


async def approve(request: Request) -> JSONResponse:
    """Approve the waiting step, or deny it with `{"approve": false}` (an empty body approves)."""
    caller = await caller_of(request)
    job_id, step = request.path_params["job_id"], request.path_params["step"]
    client: AsyncClient = request.app.state.client
    await owned_job(request.app.state.redis, caller, job_id)
    body = await read_json(request) if await request.body() else {}
    decision = body.get("approve", True)
    if not isinstance(decision, bool):
        raise SpecError("`approve` must be true or false.")
    await client.job(job_id).approve(step, approve=decision)
    return JSONResponse({"job_id": job_id, "step": step, "approved": decision})
