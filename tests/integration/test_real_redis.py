"""The real-Redis run: ./ops/test runs the broker-touching subset a second time on Debian's
redis-server 7 (CELERAGENT_TEST_REDIS_SERVER=redis-server). This checks that the session stack
really is on that server, so a green run is not the embedded Valkey twice."""

from __future__ import annotations

import os

import pytest

from runtime.broker.connection import get_redis

pytestmark = pytest.mark.integration


@pytest.mark.skipif(
    not os.environ.get("CELERAGENT_TEST_REDIS_SERVER"),
    reason="the real-Redis run only (ops/test sets CELERAGENT_TEST_REDIS_SERVER)",
)
def test_the_session_stack_runs_on_redis_server(redis_url: str) -> None:
    info = get_redis(redis_url).info("server")
    assert "valkey_version" not in info, info  # Valkey also reports a redis_version
    assert str(info["redis_version"]).split(".")[0] >= "7", info["redis_version"]
    assert info["executable"].endswith("redis-server") or info.get("server_name") != "valkey"
