"""One Redis client per (process, URL), built to survive a Redis restart: pooled
connections, health checks, and retries with backoff on connection errors.

A `rediss://` URL gets the TLS options of `Settings.redis_tls_options` (server certificate
and host name always verified, optional client certificate); every redis-py client in the
runtime is built through `redis_client_kwargs` so none of them connects differently."""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from runtime.config import Settings, get_settings

T = TypeVar("T")


def _is_certificate_refusal(error: BaseException) -> bool:
    """A TLS certificate that failed verification (unknown CA, wrong host name, expired):
    redis-py wraps it in a ConnectionError whose context is the ssl error."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


RETRIES = 8
BACKOFF_BASE_S = 0.05
BACKOFF_CAP_S = 2.0

# How many `_Retry.call_with_retry` loops this thread is inside (shared by the copies of
# the retry object that redis-py gives each connection pool).
_nesting = threading.local()


class _Retry(Retry):
    """Retries connection errors with backoff, with two exceptions.

    - Only the outermost loop of a thread retries. redis-py nests them: a command's loop
      runs connect, whose own loop runs the connection handshake. Retrying at every level
      multiplied the attempts: one PING to a server that drops each connection took 91 s
      and 81 connections instead of failing after RETRIES attempts (~8 s). An inner
      failure goes up to the outer loop, which closes the connection and tries again.
    - A certificate that failed verification is a configuration error: reported at once.
    """

    def call_with_retry(
        self,
        do: Callable[[], T],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        depth: int = getattr(_nesting, "depth", 0)

        def retryable(error: Exception) -> bool:
            if depth > 0 or _is_certificate_refusal(error):
                return False
            return is_retryable(error) if is_retryable is not None else True

        _nesting.depth = depth + 1
        try:
            return super().call_with_retry(do, fail, retryable, with_failure_count)
        finally:
            _nesting.depth = depth


_clients: dict[tuple[int, str, tuple[tuple[str, str], ...]], redis.Redis] = {}
_lock = threading.Lock()


def redis_client_kwargs(url: str, settings: Settings | None = None) -> dict[str, Any]:
    """Keyword arguments for `redis.Redis.from_url(url, ...)` (sync or asyncio) that the URL
    alone does not carry: the TLS options of a `rediss://` URL, `{}` for any other."""
    tls = (settings or get_settings()).redis_tls_options(url)
    if tls:
        tls["ssl_check_hostname"] = True
    return tls


def get_redis(url: str, settings: Settings | None = None) -> redis.Redis:
    """A shared client decoding responses to str; re-created after fork."""
    tls = redis_client_kwargs(url, settings)
    key = (os.getpid(), url, tuple(sorted((k, str(v)) for k, v in tls.items())))
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = redis.Redis.from_url(
                    url,
                    decode_responses=True,
                    health_check_interval=15,
                    socket_keepalive=True,
                    retry=_Retry(
                        ExponentialBackoff(cap=BACKOFF_CAP_S, base=BACKOFF_BASE_S),
                        retries=RETRIES,
                    ),
                    retry_on_error=[RedisConnectionError, RedisTimeoutError],
                    max_connections=128,
                    **tls,
                )
                _clients[key] = client
    return client
