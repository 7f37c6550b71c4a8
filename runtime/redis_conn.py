"""One Redis client per (process, URL), built to survive a Redis restart: pooled
connections, health checks, and retries with backoff on connection errors."""

from __future__ import annotations

import os
import threading

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

_clients: dict[tuple[int, str], redis.Redis] = {}
_lock = threading.Lock()


def get_redis(url: str) -> redis.Redis:
    """A shared client decoding responses to str; re-created after fork."""
    key = (os.getpid(), url)
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
                    retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=8),
                    retry_on_error=[RedisConnectionError, RedisTimeoutError],
                    max_connections=128,
                )
                _clients[key] = client
    return client
