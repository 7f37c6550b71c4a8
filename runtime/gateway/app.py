"""The gateway's ASGI app: routes, error handlers, middleware, and the Redis clients it holds.

Stateless: everything a request needs (keys, rate counters, jobs, events) is in Redis, so
any number of processes can run behind a load balancer. `celeragent gateway` serves
`create_app` with uvicorn (`factory=True`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from runtime.broker.connection import redis_client_kwargs
from runtime.config import Settings, get_settings
from runtime.errors import CeleragentError
from runtime.gateway import chat, jobs, metrics, streams
from runtime.gateway.http import SizeLimits, error_response
from runtime.gateway.hub import EventHub
from runtime.job.client import AsyncClient

log = logging.getLogger(__name__)


async def healthz(request: Request) -> JSONResponse:
    """200 when Redis answers, 503 (with the reason) when it does not."""
    try:
        await request.app.state.redis.ping()
    except Exception as exc:  # any failure to reach Redis is "not healthy"
        return JSONResponse({"ok": False, "redis": str(exc)[:200]}, status_code=503)
    return JSONResponse({"ok": True})


def _page() -> str:
    return resources.files("runtime.gateway").joinpath("static/index.html").read_text()


async def page(_request: Request) -> HTMLResponse:
    return HTMLResponse(_page())


async def _celeragent_error(_request: Request, exc: Exception) -> Response:
    return error_response(exc)


async def _unexpected(_request: Request, exc: Exception) -> Response:
    """Anything else (Redis unreachable included) still answers JSON: 503 or 500."""
    log.exception("gateway: request failed", exc_info=exc)
    return error_response(exc)


def routes() -> list[Route | WebSocketRoute]:
    return [
        Route("/", page),
        Route("/healthz", healthz),
        Route("/metrics", metrics.metrics_endpoint),
        Route("/v1/jobs", jobs.submit, methods=["POST"]),
        Route("/v1/jobs", jobs.list_jobs, methods=["GET"]),
        Route("/v1/jobs/{job_id}", jobs.get_job, methods=["GET"]),
        Route("/v1/jobs/{job_id}/cancel", jobs.cancel, methods=["POST"]),
        Route("/v1/jobs/{job_id}/approvals/{step}", jobs.approve, methods=["POST"]),
        Route("/v1/jobs/{job_id}/events", streams.events_sse, methods=["GET"]),
        WebSocketRoute("/v1/jobs/{job_id}/stream", streams.stream_ws),
        Route("/v1/chat/completions", chat.chat_completions, methods=["POST"]),
    ]


def create_app(settings: Settings | None = None, redis_url: str | None = None) -> Starlette:
    """The app for one process; it connects to Redis (and Celery's broker) on startup."""
    conf = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client = AsyncClient(redis_url, settings=conf)
        url = redis_url or conf.resolve_redis_url()
        tls = redis_client_kwargs(url, conf)
        # Requests wait for a free connection rather than fail: a burst larger than the
        # pool (redis-py's default pool raises past its size) queues for a few ms instead.
        pool = aioredis.BlockingConnectionPool.from_url(
            url, decode_responses=True, max_connections=conf.gateway_redis_connections,
            timeout=10, **tls,
        )  # fmt: skip
        app.state.client = client
        app.state.redis = aioredis.Redis(connection_pool=pool)
        app.state.settings = conf
        app.state.hub = EventHub(app.state.redis, url, **tls)
        try:
            yield
        finally:
            await app.state.hub.close()
            await app.state.redis.aclose()
            await pool.aclose()
            await client.close()

    return Starlette(
        routes=routes(),
        middleware=[Middleware(metrics.RequestMetrics), Middleware(SizeLimits, settings=conf)],
        exception_handlers={
            CeleragentError: _celeragent_error,
            TimeoutError: _celeragent_error,
            RedisError: _unexpected,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
