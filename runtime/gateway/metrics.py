"""Prometheus metrics of the gateway process itself (`GET /metrics`): requests by route,
method and status, their latency, and the SSE and WebSocket streams open now.

They live in this process, unlike runtime/guard/prometheus.py (which reads the jobs' figures
from Redis at scrape time): with `--workers K` each process counts its own requests, so
scrape every process (or run one process a port behind the balancer).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "celeragent_gateway_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "celeragent_gateway_request_seconds",
    "Time to the response's first byte (a stream's opening, not its whole life), by route.",
    ["route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
STREAMS = Gauge(
    "celeragent_gateway_open_streams",
    "Event streams open now, by kind (sse, websocket, chat).",
    ["kind"],
    registry=REGISTRY,
)


@contextmanager
def open_stream(kind: str) -> Iterator[None]:
    STREAMS.labels(kind).inc()
    try:
        yield
    finally:
        STREAMS.labels(kind).dec()


class RequestMetrics:
    """ASGI middleware counting every HTTP request under its route's template (so job ids
    never become label values)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                route = getattr(scope.get("route"), "path", "unmatched")
                LATENCY.labels(route).observe(time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(route, scope["method"], str(status)).inc()


async def metrics_endpoint(_request: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type="text/plain; version=0.0.4")
