"""get_redis retries a dropped connection a bounded number of times, at one level only."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest
import redis

from runtime.broker import connection
from runtime.broker.connection import get_redis
from tests.support.flaky_proxy import FlakyProxy


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(connection, "RETRIES", 3)
    monkeypatch.setattr(connection, "BACKOFF_BASE_S", 0.01)
    monkeypatch.setattr(connection, "BACKOFF_CAP_S", 0.05)


def test_a_server_that_drops_every_connection_fails_after_the_retries(quick_retries):
    with FlakyProxy() as proxy:
        client = get_redis(f"redis://127.0.0.1:{proxy.port}/0")
        for attempt in (1, 2):  # the second call retries as fully as the first
            before = proxy.accepted
            started = time.monotonic()
            with pytest.raises(redis.ConnectionError):
                client.ping()
            # One connection per try: 1 + RETRIES. Retrying at each nested level as well
            # (command -> connect -> handshake) made it 81 with the default 8 retries.
            assert proxy.accepted - before == 1 + connection.RETRIES, attempt
            assert time.monotonic() - started < 10


def test_a_server_that_drops_a_few_connections_is_reached_by_retrying(quick_retries, redis_url):
    upstream = urlparse(redis_url)
    with FlakyProxy(upstream_port=upstream.port, drop=2) as proxy:
        client = get_redis(f"redis://127.0.0.1:{proxy.port}{upstream.path or '/0'}")
        assert client.ping() is True
        assert proxy.accepted == 3
        client.connection_pool.disconnect()
