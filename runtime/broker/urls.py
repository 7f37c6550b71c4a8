"""Redis URLs for people and for probes: `redact_url` (what may be printed or written) and
`is_listening` (is anything there). No secret leaves through them."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit

# What `redact_url` puts where a password was. A URL holding it is for people, not for
# connecting: `resolve_redis_url` refuses one read back from `up`'s file.
REDACTED = "***"


def redact_url(url: str) -> str:
    """The URL with its password replaced by `REDACTED`: what may be printed or written."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:{REDACTED}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def is_listening(url: str, timeout_s: float = 1.0) -> bool:
    """Whether something accepts connections at a redis:// or rediss:// URL's host and port."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        return True  # a Unix socket or an unknown scheme: let the client report it
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout_s):
            return True
    except OSError:
        return False
