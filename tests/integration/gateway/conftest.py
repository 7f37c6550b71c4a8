"""A real gateway process (`celeragent gateway`) on the session's stack, and API keys."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.gateway import start_gateway


@pytest.fixture(scope="session")
def gateway(stack: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's gateway process."""
    with start_gateway(tmp_path_factory.mktemp("gateway") / "gateway.log") as url:
        yield url


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
