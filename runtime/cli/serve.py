"""One stack process per call, for process managers and containers: the Procfile's and
docker-compose.yml's entry point.

    python -m runtime.cli.serve worker tools     # celery worker for one queue
    python -m runtime.cli.serve beat              # the one beat
    python -m runtime.cli.serve flower [--port N] # Flower, refused without basic auth
    python -m runtime.cli.serve health worker tools  # a container's health check (exit 0/1)
    python -m runtime.cli.serve env-example > celeragent.env.example  # every setting and key

It builds the same command `celeragent up` runs (runtime/cli/stack.py), with this
interpreter, so it works from a virtualenv that is not on PATH (the Procfile calls
`${CELERAGENT_PYTHON:-.venv/bin/python} -m runtime.cli.serve ...`), reads concurrency from the
`CELERAGENT_*_CONCURRENCY` settings, and then replaces itself with Celery (exec), so the
process manager's signals reach Celery directly.

Node names are unique per process: honcho and foreman give every process they start its own
`$PORT` (`honcho start -c tools=4` starts four), so a worker is named `tools-$PORT@host`; in a
container (no `$PORT`) the host name is already the container's own, so `tools@host`.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import sys
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from runtime.broker.queues import QUEUES
from runtime.cli.stack import beat_command, flower_command, flower_env, worker_command
from runtime.config import Settings, get_settings
from runtime.errors import ConfigError

DEFAULT_FLOWER_PORT = 5555


def node_name(queue: str, env: Mapping[str, str], name: str | None = None) -> str:
    if name:
        return name if "@" in name else f"{name}@%h"
    port = env.get("PORT", "").strip()
    return f"{queue}-{port}@%h" if port.isdigit() else f"{queue}@%h"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m runtime.cli.serve", description=__doc__)
    sub = parser.add_subparsers(dest="process", required=True)
    worker = sub.add_parser("worker", help="a Celery worker consuming one queue")
    worker.add_argument("queue", choices=QUEUES)
    worker.add_argument("--name", help="node name (default <queue>[-$PORT]@host), e.g. tools2")
    sub.add_parser("beat", help="the periodic monitor (run exactly one)")
    flower = sub.add_parser("flower", help="Flower, behind CELERAGENT_FLOWER_BASIC_AUTH")
    flower.add_argument("--port", type=int, default=DEFAULT_FLOWER_PORT)
    health = sub.add_parser("health", help="exit 0 when this host's process is healthy")
    health.add_argument("what", choices=("worker", "beat", "flower"))
    health.add_argument("queue", nargs="?", choices=QUEUES)
    health.add_argument("--port", type=int, default=DEFAULT_FLOWER_PORT)
    sub.add_parser("env-example", help="print celeragent.env.example")
    return parser


ENV_HEADER = """\
# Every celeragent setting and provider key, for docker compose (env_file) or honcho (.env).
# Copy to celeragent.env (compose) or .env (honcho), uncomment what you change, and keep the
# copy out of version control: it holds keys. Defaults are shown; README's table explains each.
# Made by `python -m runtime.cli.serve env-example`; tests/unit/test_deploy_files.py checks it.
"""


def _env_value(default: object) -> str:
    if default is None:
        return ""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, list):
        return ",".join(map(str, default))
    if isinstance(default, dict):
        return json.dumps(default) if default else ""
    return str(default)


def env_example() -> str:
    """Every Settings field as CELERAGENT_<NAME>=<default>, and every shipped profile's key."""
    from runtime.llm.profiles import load_profiles

    shipped = Path(__file__).resolve().parents[1] / "llm" / "models.toml"
    keys = sorted({p.api_key_env for p in load_profiles(shipped).values() if p.api_key_env})
    lines = [ENV_HEADER, "# --- provider keys (api_key_env in runtime/llm/models.toml) ---"]
    lines += [f"# {key}=" for key in keys]
    lines += ["", "# --- settings (runtime/config.py Settings) ---"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        lines.append(f"# CELERAGENT_{name.upper()}={_env_value(default)}")
    return "\n".join(lines) + "\n"


def healthy(args: argparse.Namespace, settings: Settings) -> bool:
    """A worker answers a ping addressed to its own node name on this host; beat's Redis
    answers (beat has no control channel); Flower's /healthcheck answers behind its auth."""
    url = settings.resolve_redis_url()
    if args.what == "worker":
        from runtime.broker.app import create_app

        node = node_name(args.queue, os.environ).replace("%h", socket.gethostname())
        app = create_app(url, include_tasks=False)
        try:
            return bool(app.control.ping(destination=[node], timeout=3.0))
        finally:
            app.close()
    if args.what == "beat":
        from runtime.broker.connection import get_redis

        return bool(get_redis(url).ping())
    request = urllib.request.Request(f"http://127.0.0.1:{args.port}/healthcheck")
    auth = settings.flower_basic_auth or ""
    request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    with urllib.request.urlopen(request, timeout=3.0) as response:  # noqa: S310 - loopback
        return bool(response.status == 200)


def command(argv: list[str], settings: Settings, env: Mapping[str, str]) -> list[str]:
    """The process's command line; raises ConfigError for one that must not start."""
    args = build_parser().parse_args(argv)
    if args.process in ("health", "env-example"):
        raise ValueError(f"`{args.process}` runs no process")
    if args.process == "worker":
        name = node_name(args.queue, env, args.name)
        return worker_command(args.queue, settings, hostname=name)
    if args.process == "beat":
        return beat_command(settings.data_dir)
    if not settings.flower_basic_auth:
        raise ConfigError(
            "Flower shows every job's arguments: set CELERAGENT_FLOWER_BASIC_AUTH=user:password."
        )
    return flower_command(args.port)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = get_settings()
    args = build_parser().parse_args(argv)
    if args.process == "env-example":
        print(env_example(), end="")
        return 0
    if args.process == "health":
        try:
            return 0 if healthy(args, settings) else 1
        except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy", said in one line
            print(f"unhealthy: {exc}", file=sys.stderr)
            return 1
    try:
        cmd = command(argv, settings, os.environ)
        settings.resolve_redis_url()  # no URL: say so in one line, not from deep in Celery
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if argv[0] == "beat":
        settings.data_dir.mkdir(parents=True, exist_ok=True)  # beat keeps its schedule there
    if argv[0] == "worker":
        os.environ["CELERAGENT_WORKER_QUEUE"] = argv[1]  # the gpu worker warms its model
    os.environ.update(flower_env(settings) if argv[0] == "flower" else {})
    os.execv(cmd[0], cmd)  # noqa: S606 - our own interpreter, argv built above
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
