"""`http_get(url)`: fetch a web page with one pooled client per worker process.

Refuses private, loopback, link-local and other non-public addresses unless
`CELERAGENT_HTTP_ALLOW_PRIVATE=true`: checked after DNS resolution and again at every
redirect hop (redirects are followed here, not by httpx, for that reason). Bodies are cut
at `CELERAGENT_HTTP_MAX_BYTES` while streaming, so a huge response cannot fill memory.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import BaseModel, Field

from runtime.config import get_settings
from runtime.errors import RetryableError, ToolError
from runtime.tools.registry import tool

MAX_REDIRECTS = 5
_client: httpx.Client | None = None
_client_pid: int | None = None
_client_lock = threading.Lock()


class HttpGetArgs(BaseModel):
    url: str = Field(min_length=8, max_length=2_048, pattern=r"^https?://")


def _http_client() -> httpx.Client:
    """One pooled client per process (re-created after a fork, whose sockets are shared)."""
    global _client, _client_pid
    with _client_lock:
        if _client is None or _client_pid != os.getpid():
            settings = get_settings()
            _client = httpx.Client(
                timeout=httpx.Timeout(settings.http_timeout_s),
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
                follow_redirects=False,
                headers={"User-Agent": "celeragent-http_get/0.1"},
            )
            _client_pid = os.getpid()
        return _client


def check_public(url: str) -> None:
    """Raise ToolError unless every address the URL's host resolves to is public."""
    if get_settings().http_allow_private:
        return
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise ToolError(f"http_get: {url!r} has no host.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ToolError(f"http_get: cannot resolve {host!r} ({exc}).") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ToolError(
                f"http_get: {host!r} resolves to the non-public address {address}; "
                "set CELERAGENT_HTTP_ALLOW_PRIVATE=true to allow private hosts."
            )


def fetch(url: str) -> dict[str, Any]:
    settings = get_settings()
    client = _http_client()
    for _ in range(MAX_REDIRECTS + 1):
        check_public(url)
        try:
            with client.stream("GET", url) as response:
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
