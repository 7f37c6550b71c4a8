"""A real gateway process (`celeragent gateway`) on the session's stack, and API keys."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def gateway(stack: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a gateway process started with the CLI, as an operator runs it."""
    port = free_port()
    log = (tmp_path_factory.mktemp("gateway") / "gateway.log").open("wb")
    env = {**os.environ, "CELERAGENT_GATEWAY_KEEPALIVE_S": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtime.cli.main", "gateway", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            raise RuntimeError(f"the gateway did not start; see {log.name}")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)
    log.close()


@pytest.fixture(scope="session")
def make_key(redis_url: str) -> Callable[..., str]:
    """make_key(tenant, rate_per_min=10_000) -> a new API key for that tenant."""
    from runtime.broker.connection import get_redis
    from runtime.config import get_settings
    from runtime.gateway.auth import create_key

    def make(tenant: str, rate_per_min: int = 10_000) -> str:
        return create_key(get_redis(redis_url, get_settings()), tenant, rate_per_min)[1]

    return make


@pytest.fixture
def api(gateway: str, make_key: Callable[..., str]) -> Iterator[httpx.Client]:
    """An HTTP client of a fresh tenant, its key in the Authorization header."""
    tenant = f"t{os.urandom(4).hex()}"
    key = make_key(tenant)
    with httpx.Client(
        base_url=gateway, headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as c:
        c.tenant = tenant  # type: ignore[attr-defined]
        c.key = key  # type: ignore[attr-defined]
        yield c
