"""A job's progress, live: Server-Sent Events (`GET /v1/jobs/{id}/events`, every event with
its stream id, `Last-Event-ID` resumes after it) and a WebSocket (`/v1/jobs/{id}/stream`:
`plan`, `step`, `chunk`, `done` messages).

Both read the job's Redis stream through the process's `EventHub` (runtime/gateway/hub.py:
one XREAD for every open stream, each served from the last id it was sent), so a reconnect
from the last id it saw gets exactly what came after: nothing lost, nothing repeated.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as aioredis
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from runtime import keys
from runtime.errors import CeleragentError, SpecError
from runtime.gateway import metrics
from runtime.gateway.http import caller_of, error_body, error_response, owned_job
from runtime.gateway.hub import EventHub
from runtime.schemas import Event, EventType, JobResult, JobStatus

_STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")


def resume_from(value: str | None) -> str | None:
    """A `Last-Event-ID` (or `after`) value, checked: a stream id such as `1712345678901-0`."""
    if value is None or value == "":
        return None
    if not _STREAM_ID.match(value):
        raise SpecError(f"{value[:40]!r} is not an event id; ids look like 1712345678901-0.")
    return value


async def follow(app_state: State, job_id: str, after: str | None) -> AsyncIterator[Event | None]:
    """The job's events after `after`, up to its terminal one (through the process's
    `EventHub`); None after every `gateway_keepalive_s` of quiet (the caller sends a ping).
    A job that ended before the reader came ends its stream once nothing follows `after`."""
    hub: EventHub = app_state.hub
    r: aioredis.Redis = app_state.redis
    async for event in hub.watch(job_id, after, app_state.settings.gateway_keepalive_s):
        if event is not None:
            yield event
            if event.type.terminal:
                return
            continue
        status = await r.hget(keys.job(job_id), "status")  # type: ignore[misc]
        if status is None or JobStatus(str(status)).terminal:
            return
        yield None


def sse_frame(event: Event) -> str:
    return f"id: {event.id}\nevent: {event.type.value}\ndata: {event.model_dump_json()}\n\n"


async def events_sse(request: Request) -> StreamingResponse:
    caller = await caller_of(request)
    job_id = request.path_params["job_id"]
    await owned_job(request.app.state.redis, caller, job_id)
    after = resume_from(
        request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    )

    async def frames() -> AsyncIterator[str]:
        with metrics.open_stream("sse"):
            async for event in follow(request.app.state, job_id, after):
                yield ": ping\n\n" if event is None else sse_frame(event)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(frames(), media_type="text/event-stream", headers=headers)


def ws_message(event: Event, result: JobResult | None = None) -> dict[str, Any] | None:
    """The WebSocket contract: one message per event that shows progress, None for the
    others (`submitted`, `llm_started`, `recovered`)."""
    data, base = event.data, {"event_id": event.id, "ts": event.ts}
    if event.type is EventType.planned:
        return {"type": "plan", **base, "layers": data.get("layers"), "source": data.get("source")}
    if event.type is EventType.step_started:
        return {"type": "step", **base, "id": data.get("id"), "tool": data.get("tool"),
                "state": "running"}  # fmt: skip
    if event.type is EventType.step_finished:
        state = "failed" if data.get("error") else "done"
        keep = ("id", "tool", "kind", "duration_ms", "cached", "error")
        return {"type": "step", **base, **{k: data.get(k) for k in keep}, "state": state}
    if event.type is EventType.approval_required:
        return {"type": "step", **base, "id": data.get("id"), "tool": data.get("tool"),
                "state": "awaiting_approval"}  # fmt: skip
    if event.type is EventType.token:
        return {"type": "chunk", **base, "text": data.get("text", "")}
    if event.type.terminal:
        body = result.model_dump(mode="json") if result is not None else None
        return {"type": "done", **base, "status": event.type.value, "result": body}
    return None


def _offered_bearer(ws: WebSocket) -> str | None:
    """The `bearer.KEY` subprotocol a browser offered, echoed back on accept (a browser
    refuses a handshake that ignores the subprotocol it asked for)."""
    for proto in ws.headers.get("sec-websocket-protocol", "").split(","):
        if proto.strip().startswith("bearer."):
            return proto.strip()
    return None


async def stream_ws(ws: WebSocket) -> None:
    """`WS /v1/jobs/{id}/stream[?after=EVENT_ID]`: plan, step, chunk, done; then close. A
    refused request gets one `error` message (the HTTP error's body) and a 4xxx close code."""
    await ws.accept(subprotocol=_offered_bearer(ws))
    job_id = ws.path_params["job_id"]
    try:
        caller = await caller_of(ws)
        await owned_job(ws.app.state.redis, caller, job_id)
        after = resume_from(ws.query_params.get("after"))
    except CeleragentError as exc:
        response = error_response(exc)
        await ws.send_json({"type": "error", **error_body(type(exc).__name__, str(exc),
                                                           response.status_code)})  # fmt: skip
        await ws.close(code=4000 + response.status_code)
        return
    try:
        with metrics.open_stream("websocket"):
            async for event in follow(ws.app.state, job_id, after):
                if event is None:
                    await ws.send_json({"type": "ping"})
                    continue
                result = None
                if event.type.terminal:  # written with the terminal event, in one transaction
                    raw = await ws.app.state.redis.hget(keys.job(job_id), "result")  # type: ignore[misc]
                    result = JobResult.model_validate_json(raw) if raw else None
                message = ws_message(event, result)
                if message is not None:
                    await ws.send_json(message)
        await ws.close(code=1000)
    except WebSocketDisconnect:
        return
