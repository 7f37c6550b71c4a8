"""What every gateway endpoint shares: errors as JSON (the sentence the Python client raises,
under the status its class maps to), the size limits, the caller, and job ownership.

Every error body reads `{"error": {"type": ..., "message": ..., "code": ...}}`, the shape the
OpenAI SDKs read, so one shape serves `/v1/jobs` and `/v1/chat/completions` alike.
"""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime import keys
from runtime.config import Settings
from runtime.errors import (
    AuthError,
    BudgetExceeded,
    CeleragentError,
    ConfigError,
    JobNotFound,
    Overloaded,
    RateLimited,
    RetryableError,
    SpecError,
)
from runtime.gateway.auth import Caller, authenticate

# Most specific first: RateLimited is a RetryableError, JobNotFound has no parent but the base.
# Overloaded (admission control refused the job: it would wait past its deadline) is a 503
# with Retry-After, as RFC 9110 has it for a server that is temporarily overloaded.
STATUS_OF: list[tuple[type[BaseException], int]] = [
    (RateLimited, 429),
    (Overloaded, 503),
    (AuthError, 401),
    (JobNotFound, 404),
    (SpecError, 400),
    (BudgetExceeded, 402),
    (ConfigError, 503),
    (RetryableError, 503),
    (TimeoutError, 504),
    (CeleragentError, 500),
]


class TooLarge(CeleragentError):
    """A request body or query string past the gateway's limits."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def error_body(kind: str, message: str, code: int) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, "code": code}}


REDIS_DOWN = (
    "the gateway cannot reach Redis ({problem}); retry shortly. Operators: see "
    "ops/runbooks/redis-down.md."
)
INTERNAL = "the gateway failed on this request ({kind}); its log says more. Retry, or report it."


def error_response(exc: BaseException) -> JSONResponse:
    if isinstance(exc, RedisError):
        problem = type(exc).__name__
        exc = ConfigError(REDIS_DOWN.format(problem=problem))
    elif not isinstance(exc, CeleragentError | TimeoutError):
        exc = CeleragentError(INTERNAL.format(kind=type(exc).__name__))
    status = exc.status if isinstance(exc, TooLarge) else 500
    if not isinstance(exc, TooLarge):
        status = next(code for cls, code in STATUS_OF if isinstance(exc, cls))
    headers = {}
    if isinstance(exc, RateLimited | Overloaded):
        headers["Retry-After"] = str(int(exc.retry_after_s))
    if isinstance(exc, AuthError):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        error_body(type(exc).__name__, str(exc), status), status_code=status, headers=headers
    )


class SizeLimits:
    """ASGI middleware: a query string or a declared body past the limit answers at once
    (414, 413); a body sent without a length is counted as it arrives and refused (413)
    when it passes the limit, before the endpoint ever holds it whole."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_body = settings.gateway_max_body_bytes
        self.max_query = settings.gateway_max_query_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query:
            message = f"the query string is longer than {self.max_query} bytes; shorten it."
            await self._refuse(scope, send, TooLarge(message, 414))
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await self._refuse(scope, send, self._body_error())
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise self._body_error()
            return message

        await self.app(scope, counted if scope["type"] == "http" else receive, send)

    def _body_error(self) -> TooLarge:
        return TooLarge(
            f"the request body is larger than {self.max_body} bytes "
            "(CELERAGENT_GATEWAY_MAX_BODY_BYTES); send a smaller one.",
            413,
        )

    async def _refuse(self, scope: Scope, send: Send, exc: TooLarge) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1009, "reason": str(exc)[:120]})
            return
        await error_response(exc)(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def read_json(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or SpecError saying what is wrong with it."""
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise SpecError(
            f"the request body is not valid JSON ({exc}); send a JSON object."
        ) from None
    if not isinstance(data, dict):
        raise SpecError("the request body must be a JSON object.")
    return data


async def caller_of(conn: HTTPConnection) -> Caller:
    """The authenticated caller (AuthError, RateLimited otherwise). A WebSocket from a
    browser, which cannot set headers, may send the key as the subprotocol `bearer.KEY`."""
    header = conn.headers.get("authorization")
    if header is None and conn.scope["type"] == "websocket":
        for proto in conn.headers.get("sec-websocket-protocol", "").split(","):
            if proto.strip().startswith("bearer."):
                header = "Bearer " + proto.strip()[len("bearer.") :]
    return await authenticate(conn.app.state.redis, header)


async def owned_job(r: aioredis.Redis, caller: Caller, job_id: str) -> None:
    """Raise JobNotFound unless the job exists and belongs to the caller's tenant: another
    tenant's job reads exactly like one that never existed (404, the same sentence)."""
    tenant = await r.hget(keys.job(job_id), "tenant")  # type: ignore[misc]
    if tenant is None or tenant != caller.tenant:
        raise job_not_found(job_id)


def job_not_found(job_id: str) -> JobNotFound:
    """The error `Client.job` raises for an unknown id, word for word."""
    return JobNotFound(f"job {job_id!r} does not exist or its record has expired.")
