"""http_get connects to the address it checked: a resolver that answers a public address to
the check and 127.0.0.1 afterwards (DNS rebinding) never gets the private server reached, on
the first hop or after a redirect; over TLS the certificate is still verified for the name.

The "internet" here is a local server: connections to PUBLIC_IP are sent to it by a stub of
socket.create_connection, so a fetch that connects where it checked gets its page, and one
that resolves the name again lands on the private server, which counts every request.
"""

from __future__ import annotations

import http.server
import os
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import runtime.tools.http_get as http_get_module
from runtime.config import reset_settings
from runtime.errors import RetryableError, ToolError
from runtime.tools.pinned import Pin, PinnedBackend, pinned
from runtime.tools.registry import get_tool
from tests.support.env import restored_env
from tests.support.tls_proxy import issue, make_ca, openssl_available

PUBLIC_IP = "93.184.216.34"
REBIND = "rebind.celeragent.test"
REBIND_2 = "rebind2.celeragent.test"


class _Server:
    """A loopback HTTP(S) server answering `body` on every path but /redirect, counting hits."""

    def __init__(self, body: bytes, redirect_to: str = "", tls: ssl.SSLContext | None = None):
        self.hits = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                outer.hits += 1
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def fresh_client() -> Iterator[Callable[..., None]]:
    """Settings from the environment, and a client built for each test."""
    names = ("CELERAGENT_HTTP_ALLOW_PRIVATE",)

    def use(verify: ssl.SSLContext | bool = True, **env: str) -> None:
        for key, value in env.items():
            os.environ[f"CELERAGENT_{key.upper()}"] = value
        reset_settings()
        http_get_module._client = http_get_module.build_client(verify=verify)
        http_get_module._client_pid = os.getpid()

    with restored_env(names):
        os.environ.pop("CELERAGENT_HTTP_ALLOW_PRIVATE", None)
        try:
            yield use
        finally:
            if http_get_module._client is not None:
                http_get_module._client.close()
            http_get_module._client = None


class _Dns:
    """Stub answers: each name maps to a list, one answer per call (the last one repeats)."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}
        self.asked: dict[str, int] = {}

    def __setitem__(self, name: str, answers: list[str]) -> None:
        self.answers[name] = answers


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> _Dns:
    """socket.getaddrinfo answering the stubbed names; IP literals resolve as usual."""
    dns = _Dns()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in dns.answers:
            return real(host, port, *args, **kwargs)
        n = dns.asked.get(name, 0)
        dns.asked[name] = n + 1
        address = dns.answers[name][min(n, len(dns.answers[name]) - 1)]
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return dns


class _Net:
    """Where connections went, and which local port stands in for PUBLIC_IP."""

    def __init__(self) -> None:
        self.public_port = 0
        self.connected: list[Any] = []


@pytest.fixture
def net(monkeypatch: pytest.MonkeyPatch) -> _Net:
    """Connections to PUBLIC_IP (any port) reach the local port `public_port`; others go
    where they say. Every address connected to is recorded."""
    state = _Net()
    real = socket.create_connection

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        state.connected.append(tuple(address))
        if address[0] == PUBLIC_IP:
            return real(("127.0.0.1", state.public_port), *args, **kwargs)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return state


@pytest.fixture
def private() -> Iterator[_Server]:
    """The loopback server a rebinding name would reach: it must see no request."""
    server = _Server(b"private secret")
    yield server
    server.close()


def test_a_name_that_rebinds_to_loopback_is_fetched_from_the_checked_address(
    fresh_client: Callable[..., None], resolver: _Dns, net: _Net, private: _Server
) -> None:
    public = _Server(b"public page")
    net.public_port = public.port
    try:
        fresh_client()
        resolver[REBIND] = [PUBLIC_IP, "127.0.0.1"]
        out = get_tool("http_get").run({"url": f"http://{REBIND}:{private.port}/page"})
    finally:
        public.close()
    assert (out["status"], out["text"]) == (200, "public page")
    assert private.hits == 0 and public.hits == 1
    assert resolver.asked[REBIND] == 1  # resolved once
    assert net.connected == [(PUBLIC_IP, private.port)]


def test_every_redirect_hop_connects_where_it_was_checked(
    fresh_client: Callable[..., None], resolver: _Dns, net: _Net, private: _Server
) -> None:
    # Both names answer PUBLIC_IP, then 127.0.0.1. The "public" server redirects /redirect
    # to the second name and serves its page on any other path.
    public = _Server(b"public page", redirect_to=f"http://{REBIND_2}:{private.port}/next")
    net.public_port = public.port
    try:
        fresh_client()
        resolver[REBIND] = [PUBLIC_IP, "127.0.0.1"]
        resolver[REBIND_2] = [PUBLIC_IP, "127.0.0.1"]
        out = get_tool("http_get").run({"url": f"http://{REBIND}:{private.port}/redirect"})
    finally:
        public.close()
    assert (out["url"], out["text"]) == (f"http://{REBIND_2}:{private.port}/next", "public page")
    assert private.hits == 0 and public.hits == 2
    assert resolver.asked == {REBIND: 1, REBIND_2: 1}
    assert net.connected == [(PUBLIC_IP, private.port), (PUBLIC_IP, private.port)]


def test_a_redirect_to_a_name_that_resolves_privately_is_refused(
    fresh_client: Callable[..., None], resolver: _Dns, net: _Net
) -> None:
    public = _Server(b"", redirect_to=f"http://{REBIND_2}/admin")
    net.public_port = public.port
    try:
        fresh_client()
        resolver[REBIND] = [PUBLIC_IP]
        resolver[REBIND_2] = ["127.0.0.1"]
        with pytest.raises(ToolError, match=f"'{REBIND_2}' resolves to the non-public address"):
            get_tool("http_get").run({"url": f"http://{REBIND}/redirect"})
    finally:
        public.close()
    assert net.connected == [(PUBLIC_IP, 80)]  # the private hop was never connected to


def test_the_backend_refuses_a_connection_nobody_checked() -> None:
    import httpcore

    backend = PinnedBackend()
    with pytest.raises(httpcore.ConnectError, match="not the checked address"):
        backend.connect_tcp("example.com", 80)  # no pin at all
    with (
        pinned(Pin("example.com", 80, ("127.0.0.1",))),
        pytest.raises(httpcore.ConnectError, match="not the checked address"),
    ):
        backend.connect_tcp("other.example", 80)  # a pin for another name


# --- TLS: the name is still the one verified -------------------------------------------

TLS_NAME = "tls.celeragent.test"


@pytest.fixture(scope="module")
def site_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    if not openssl_available():
        pytest.skip("needs the `openssl` CLI to make test certificates")
    folder = tmp_path_factory.mktemp("pki")
    ca = make_ca(folder, "http-ca")
    cert, key = issue(
        folder,
        "site",
        ca,
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        f"subjectAltName=DNS:{TLS_NAME}\n",
        serial=7,
    )
    return ca[0], cert, key


def test_tls_verifies_the_certificate_for_the_name_not_the_address(
    fresh_client: Callable[..., None],
    resolver: _Dns,
    site_cert: tuple[Path, Path, Path],
) -> None:
    ca, cert, key = site_cert
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    seen_sni: list[str | None] = []
    server_ctx.sni_callback = lambda sock, name, ctx: seen_sni.append(name)  # type: ignore[assignment,func-returns-value]
    server = _Server(b"over tls", tls=server_ctx)
    try:
        fresh_client(verify=ssl.create_default_context(cafile=str(ca)), http_allow_private="true")
        resolver[TLS_NAME] = ["127.0.0.1"]
        resolver["other.celeragent.test"] = ["127.0.0.1"]
        out = get_tool("http_get").run({"url": f"https://{TLS_NAME}:{server.port}/x"})
        assert (out["status"], out["text"]) == (200, "over tls")
        assert seen_sni == [TLS_NAME]
        # Same address, same certificate, another name: the certificate does not cover it.
        with pytest.raises(ToolError, match="certificate") as refused:
            get_tool("http_get").run({"url": f"https://other.celeragent.test:{server.port}/x"})
        assert "other.celeragent.test" in str(refused.value)
    finally:
        server.close()
    assert server.hits == 1


def test_transport_failures_other_than_certificates_stay_retryable(
    fresh_client: Callable[..., None], resolver: _Dns
) -> None:
    fresh_client(http_allow_private="true")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    resolver["down.celeragent.test"] = ["127.0.0.1"]
    with pytest.raises(RetryableError, match="failed"):
        get_tool("http_get").run({"url": f"http://down.celeragent.test:{port}/"})
