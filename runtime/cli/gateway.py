"""`celeragent gateway` (the HTTP, SSE and WebSocket API, runtime/gateway/) and
`celeragent keys create | list | revoke` (its tenants' API keys)."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime

from rich.console import Console

from runtime.cli.options import JSON_OUTPUT, REDIS_URL
from runtime.config import get_settings
from runtime.errors import ConfigError

err = Console(stderr=True)


def _url(args: argparse.Namespace) -> str:
    return str(args.redis_url or get_settings().resolve_redis_url())


def cmd_gateway(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    # Every uvicorn worker process builds its own app from the environment: the URL goes
    # there rather than into an argument the factory cannot receive.
    os.environ["CELERAGENT_REDIS_URL"] = _url(args)
    host = args.host or settings.gateway_host
    port = settings.gateway_port if args.port is None else args.port
    workers = args.workers or settings.gateway_workers
    if workers < 1:
        raise ConfigError("--workers must be at least 1.")
    err.print(f"gateway on http://{host}:{port} ({workers} process{'es' * (workers > 1)})")
    uvicorn.run(
        "runtime.gateway.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # The gateway's own limits (runtime/gateway/http.py) answer oversized requests with
        # JSON; uvicorn's defaults stay as a floor below them.
        timeout_graceful_shutdown=5,
    )
    return 0


def _redis(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from runtime.broker.connection import get_redis

    return get_redis(_url(args), get_settings())


def cmd_keys_create(args: argparse.Namespace) -> int:
    from runtime.gateway.auth import create_key

    rate = args.rate_per_min or get_settings().gateway_rate_per_min
    key_id, key = create_key(_redis(args), args.tenant, rate)
    err.print(
        f"key {key_id} for tenant {args.tenant!r}, {rate} requests a minute. It is shown "
        "once, here; only its hash is kept."
    )
    print(key, flush=True)  # alone on the last line, for scripts: KEY=$(... | tail -1)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    from runtime.gateway.auth import list_keys

    found = list_keys(_redis(args))
    if args.json:
        print(json.dumps(found, indent=2))
        return 0
    for k in found:
        created = datetime.fromtimestamp(k["created_at"], UTC).strftime("%Y-%m-%d %H:%M")
        state = "revoked" if k["revoked_at"] else "active"
        print(f"{k['id']}  {k['tenant']:<20} {k['rate_per_min']:>6}/min  {created}  {state}")
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from runtime.gateway.auth import revoke_key

    if not revoke_key(_redis(args), args.id):
        raise ConfigError(f"no API key has the id {args.id!r}; `celeragent keys list` shows them.")
    print(f"revoked: {args.id}")
    return 0


def add_gateway_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    gateway = sub.add_parser(
        "gateway", parents=[REDIS_URL], help="serve the HTTP/SSE/WebSocket API and the job page"
    )
    gateway.add_argument("--host", default=None, help="default CELERAGENT_GATEWAY_HOST")
    gateway.add_argument("--port", type=int, default=None, help="default CELERAGENT_GATEWAY_PORT")
    gateway.add_argument("--workers", type=int, default=None, help="processes (default 1)")
    gateway.set_defaults(fn=cmd_gateway)

    keys = sub.add_parser("keys", help="the gateway's API keys: create, list, revoke")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser(
        "create", parents=[REDIS_URL], help="a new key for a tenant (printed once)"
    )
    create.add_argument("--tenant", required=True)
    create.add_argument("--rate-per-min", type=int, default=None)
    create.set_defaults(fn=cmd_keys_create)
    listing = keys_sub.add_parser("list", parents=[REDIS_URL, JSON_OUTPUT], help="every key")
    listing.set_defaults(fn=cmd_keys_list)
    revoke = keys_sub.add_parser("revoke", parents=[REDIS_URL], help="refuse a key from now on")
    revoke.add_argument("id")
    revoke.set_defaults(fn=cmd_keys_revoke)
