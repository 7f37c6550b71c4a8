"""`http_get(url)`: fetch a web page with one pooled client per worker process.

Refuses private, loopback, link-local and other non-public addresses unless
`CELERAGENT_HTTP_ALLOW_PRIVATE=true`: checked after DNS resolution and again at every
redirect hop (redirects are followed here, not by httpx, for that reason). Each hop's name is
resolved once: the connection goes to an address that was checked (runtime/tools/pinned.py),
never to a second answer of the resolver, while TLS still verifies the certificate against
the name. Environment proxies are not used (a proxy would resolve the name itself). Bodies
are cut at `CELERAGENT_HTTP_MAX_BYTES` while streaming, so a huge response cannot fill memory.
"""

from __future__ import annotations

import os
import socket
import ssl
import threading
from typing import Any
from urllib.parse import urljoin

import httpx
from pydantic import BaseModel, Field

from runtime.config import get_settings
from runtime.errors import RetryableError, ToolError
from runtime.tools.pinned import Pin, PinnedTransport, pinned, resolve
from runtime.tools.registry import tool

MAX_REDIRECTS = 5
_client: httpx.Client | None = None
_client_pid: int | None = None
_client_lock = threading.Lock()


class HttpGetArgs(BaseModel):
    url: str = Field(min_length=8, max_length=2_048, pattern=r"^https?://")


def build_client(verify: ssl.SSLContext | bool = True) -> httpx.Client:
    """The client fetch uses: pinned connections, no redirects or proxies of its own."""
    return httpx.Client(
        transport=PinnedTransport(verify=verify),
        timeout=httpx.Timeout(get_settings().http_timeout_s),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": "celeragent-http_get/0.1"},
    )


def _http_client() -> httpx.Client:
    """One pooled client per process (re-created after a fork, whose sockets are shared)."""
    global _client, _client_pid
    with _client_lock:
        if _client is None or _client_pid != os.getpid():
            _client = build_client()
            _client_pid = os.getpid()
        return _client


def check(url: str) -> Pin:
    """Resolve the URL's host once; raise ToolError unless every address is public (or
    private hosts are allowed). The returned pin is where the connection may go."""
    try:
        parts = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ToolError(f"http_get: {url!r} is not a valid URL ({exc}).") from None
    host = parts.host
    if not host:
        raise ToolError(f"http_get: {url!r} has no host.")
    # httpcore connects by the encoded name (IDNA, no IPv6 brackets): pin the same spelling.
    name = parts.raw_host.decode("ascii").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(name, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise ToolError(f"http_get: cannot resolve {host!r} ({exc}).") from None
    if not get_settings().http_allow_private:
        for address in addresses:
            if not address.is_global:
                raise ToolError(
                    f"http_get: {host!r} resolves to the non-public address {address}; "
                    "set CELERAGENT_HTTP_ALLOW_PRIVATE=true to allow private hosts."
                )
    return Pin(name, port, tuple(str(a) for a in addresses))


def _certificate_refused(exc: BaseException) -> bool:
    """True when the cause chain (httpx -> httpcore -> ssl) holds a certificate refusal."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def fetch(url: str) -> dict[str, Any]:
    settings = get_settings()
    client = _http_client()
    for _ in range(MAX_REDIRECTS + 1):
        pin = check(url)
        try:
            with pinned(pin), client.stream("GET", url) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code == 429 or response.status_code >= 500:
                    raise RetryableError(f"http_get: {url} answered {response.status_code}.")
                body = bytearray()
                truncated = False
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > settings.http_max_bytes:
                        del body[settings.http_max_bytes :]
                        truncated = True
                        break
                return {
                    "url": str(response.url),
                    "status": response.status_code,
                    "content_type": response.headers.get("content-type", ""),
                    "text": body.decode(response.encoding or "utf-8", errors="replace"),
                    "truncated": truncated,
                }
        except httpx.TimeoutException:
            raise RetryableError(f"http_get: {url} timed out.") from None
        except httpx.TransportError as exc:
            if _certificate_refused(exc):
                # A certificate that does not cover the name will not on the next try either.
                raise ToolError(f"http_get: {url} failed the certificate check ({exc}).") from None
            raise RetryableError(f"http_get: {url} failed ({exc}).") from None
    raise ToolError(f"http_get: more than {MAX_REDIRECTS} redirects.")


@tool(
    "http_get",
    args=HttpGetArgs,
    description="Fetch a public web page (GET) and return its status and text.",
    ttl_s=300,
)
def http_get(args: HttpGetArgs) -> dict[str, Any]:
    return fetch(args.url)
