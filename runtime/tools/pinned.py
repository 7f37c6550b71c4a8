"""Connections to the address that was checked: `resolve` once, `pinned` to connect there.

`http_get` resolves a host, refuses it unless every address is public, and must then connect
to one of those same addresses. Letting the HTTP client resolve the name a second time would
open a DNS-rebinding hole: a name that answers a public address to the check and 127.0.0.1
(or 169.254.169.254) to the connect. So the client's connection pool runs on `PinnedBackend`,
which never resolves anything: it connects only to the addresses `pinned(...)` set for the
request's host in the calling thread, and refuses any other connection.

Why a network backend and not "URL host = IP, Host header = name, `sni_hostname` = name":
httpcore pools connections by origin, so with IP URLs two names served from one address
(any CDN) would share a TLS connection whose certificate was checked for the first name
only. Here the URL keeps its name: the pool is keyed by name, TLS sends the name as SNI and
verifies the certificate against it, exactly as without pinning. A kept-alive connection
that the pool reuses was itself opened to an address checked when it was opened.

httpx 0.28 has no public hook for a network backend (encode/httpx#3180), so
`PinnedTransport` replaces the connection pool that `httpx.HTTPTransport` builds with one
built the same way plus the backend; tests/unit/test_http_pinning.py fails if it stops
taking effect.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import ssl
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx


@dataclass(frozen=True)
class Pin:
    host: str  # as httpcore sees it: lower case, IDNA-encoded, IPv6 without brackets
    port: int
    addresses: tuple[str, ...]


_pin: contextvars.ContextVar[Pin | None] = contextvars.ContextVar("celeragent_pin", default=None)


def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address `host` resolves to, in the resolver's order, each once (raises
    socket.gaierror). The one resolution a fetch gets: the check and the connect use it."""
    seen: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in seen:
            seen.append(address)
    return seen


@contextmanager
def pinned(pin: Pin) -> Iterator[None]:
    """Within this block, connections from this thread to `pin.host` go to its addresses."""
    token = _pin.set(pin)
    try:
        yield
    finally:
        _pin.reset(token)


class PinnedBackend(httpcore.SyncBackend):
    """httpcore's sync backend, connecting only to the pinned addresses of the pinned host."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        pin = _pin.get()
        if pin is None or pin.host != host.lower() or pin.port != port:
            # Fail closed: a connection nobody checked (a proxy, a bug) is not made.
            raise httpcore.ConnectError(f"refused: {host}:{port} is not the checked address.")
        last: Exception | None = None
        for address in pin.addresses:  # in the resolver's order, as create_connection tries
            try:
                return super().connect_tcp(
                    address, port, timeout, local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or httpcore.ConnectError(f"{host} has no address to connect to.")


class PinnedTransport(httpx.HTTPTransport):
    """`httpx.HTTPTransport` (no proxy) whose pool connects through `PinnedBackend`."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        limits: httpx.Limits = httpx.Limits(max_connections=64, max_keepalive_connections=16),
    ) -> None:
        super().__init__(verify=verify, limits=limits, trust_env=False)
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(),
        )
