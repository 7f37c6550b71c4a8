"""`celeragent metrics-server` (Prometheus /metrics) and `celeragent diagnose` (what to tune).

Both read the live numbers the workers write to Redis (`--redis-url`, else
Settings.resolve_redis_url()); neither needs a worker to be running.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
from typing import Any

from rich.console import Console
from rich.table import Table

from runtime.cli.options import JSON_OUTPUT, REDIS_URL
from runtime.config import get_settings
from runtime.errors import ConfigError

err = Console(stderr=True)
out = Console()


def _url(args: argparse.Namespace) -> str:
    return str(args.redis_url or get_settings().resolve_redis_url())


# --- metrics-server ------------------------------------------------------------------------
def _stop_on_sigterm(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt  # `kill` stops the exporter as cleanly as Ctrl-C does


def cmd_metrics_server(args: argparse.Namespace) -> int:
    from runtime.guard.prometheus import serve

    if not 0 <= args.port < 65536:
        raise ConfigError(f"--port must be between 0 (any free port) and 65535, got {args.port}.")
    url = _url(args)
    window = args.window if args.window is not None else get_settings().metrics_window_s
    # Installed before the server starts, so a SIGTERM at any moment stops it cleanly.
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        try:
            server = serve(args.port, url, addr=args.addr, window_s=window, block=False)
        except OSError as exc:
            raise ConfigError(
                f"cannot serve metrics on {args.addr}:{args.port} ({exc.strerror or exc}); "
                "choose another --port or stop what holds it."
            ) from exc
        try:
            host = "localhost" if args.addr in ("0.0.0.0", "::") else args.addr  # noqa: S104
            # The URL goes to stdout (one line) so a script can wait for it; chatter to stderr.
            print(f"http://{host}:{server.server_port}/metrics", flush=True)
            err.print(f"serving Prometheus metrics over a {window:g} s window; Ctrl-C stops.")
            _wait_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
            server.server_close()
            err.print("metrics server stopped.")
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def _wait_forever() -> None:
    if hasattr(signal, "pause"):
        while True:
            signal.pause()  # wakes on any signal; SIGINT/SIGTERM raise KeyboardInterrupt
    import threading  # pragma: no cover - platforms without signal.pause

    threading.Event().wait()  # pragma: no cover


# --- diagnose ------------------------------------------------------------------------------
def diagnosis(redis: Any, window_s: float) -> dict[str, Any]:
    """The live numbers the rules look at, and the recommendations they give."""
    from runtime.guard.metrics import diagnose, snapshot

    snap = snapshot(redis, window_s)
    llm, tool = snap.kinds.get("llm"), snap.kinds.get("tool")
    return {
        "window_s": window_s,
        "jobs": snap.jobs.count,
        "steps": snap.step_count,
        "numbers": {
            "llm_mean_s": llm.mean_ms / 1000 if llm else None,
            "tool_mean_s": tool.mean_ms / 1000 if tool else None,
            "llm_share_of_e2e": snap.llm_share_of_e2e,
            "avg_steps_per_job": snap.avg_steps_per_job,
            "tokens_per_request": snap.tokens_per_request,
            "e2e_p95_s": snap.jobs.e2e_p95_ms / 1000 if snap.jobs.count else None,
            "cost_per_minute_usd": snap.cost_per_minute_usd,
        },
        "recommendations": [dataclasses.asdict(r) for r in diagnose(snap)],
    }


def cmd_diagnose(args: argparse.Namespace) -> int:
    from runtime.broker.connection import get_redis

    window = args.window if args.window is not None else get_settings().metrics_window_s
    if window <= 0:
        raise ConfigError(f"--window must be a positive number of seconds, got {window:g}.")
    data = diagnosis(get_redis(_url(args)), window)
    if args.json:
        print(json.dumps(data))
        return 0
    seen = f"{data['jobs']} jobs and {data['steps']} steps in the last {window:g} s"
    if not data["recommendations"]:
        out.print(f"no problems found ({seen}).")
        return 0
    table = Table(title=f"recommendations from {seen}")
    table.add_column("rule")
    table.add_column("observed", justify="right")
    table.add_column("threshold", justify="right")
    table.add_column("advice")
    for rec in data["recommendations"]:
        table.add_row(rec["rule"], f"{rec['observed']:.3g}", f"{rec['threshold']:g}", rec["advice"])
    out.print(table)
    return 0


def cmd_dead_letters(args: argparse.Namespace) -> int:
    """List poison steps, or resubmit one (`--retry INDEX`) as a new one-call job."""
    from runtime.job.client import Client
    from runtime.recovery.redelivery import dead_letters

    client = Client(_url(args))
    entries = dead_letters(client.redis, limit=args.limit)
    if args.retry is None:
        if args.json:
            print(json.dumps(entries, indent=2, ensure_ascii=False))
            return 0
        table = Table(title=f"dead letters ({len(entries)})")
        for column in ("index", "job", "call", "tool", "error"):
            table.add_column(column)
        for e in entries:
            call = e["call"]
            table.add_row(str(e["index"]), e["job_id"], call["id"], call["name"], e["error"])
        Console().print(table)
        return 0
    chosen = [e for e in entries if e["index"] == args.retry]
    if not chosen:
        raise ConfigError(
            f"no dead letter at index {args.retry}; `celeragent dead-letters` lists them."
        )
    call = chosen[0]["call"]
    handle = client.submit(
        {
            "plan": {
                "calls": [{"id": call["id"], "name": call["name"], "arguments": call["arguments"]}]
            },
            "metadata": {"retry_of": chosen[0]["job_id"]},
        }
    )
    print(handle.id)
    return 0


def cmd_degrade(args: argparse.Namespace) -> int:
    """Force a degradation level (an operator's decision): it holds, the monitor leaving it
    alone, until `--release` or the end of `--for`; then the monitor decides again."""
    from runtime.broker.connection import get_redis
    from runtime.guard import degrade

    r = get_redis(_url(args))
    if args.release:
        if degrade.release(r, args.reason or "released by an operator"):
            print(f"released: the monitor sets the level again (now {degrade.get_level(r)})")
            return 0
        print(f"no forced level to release (level {degrade.get_level(r)})")
        return 1
    if args.level is None or args.reason is None:
        raise ConfigError("give --level N and --reason TEXT to force a level, or --release.")
    if args.level not in (degrade.NORMAL, degrade.FAST, degrade.CANNED):
        raise ConfigError(f"level must be 0, 1 or 2, not {args.level}.")
    if args.for_s is not None and args.for_s <= 0:
        raise ConfigError(f"--for must be a positive number of seconds, not {args.for_s:g}.")
    previous = degrade.force_level(r, args.level, args.reason, args.for_s)
    held = "until `celeragent degrade --release`" if args.for_s is None else f"for {args.for_s:g} s"
    print(f"degradation level {previous} -> {args.level} ({args.reason}), held {held}")
    return 0


def add_ops_commands(subparsers: Any) -> None:
    dg_level = subparsers.add_parser(
        "degrade",
        parents=[REDIS_URL],
        help="force the degradation level (0, 1, 2) until released, or --release it",
    )
    dg_level.add_argument("--level", type=int, default=None)
    dg_level.add_argument("--reason", default=None, help="recorded in the system events")
    dg_level.add_argument(
        "--for",
        dest="for_s",
        type=float,
        default=None,
        metavar="SECONDS",
        help="hold the level this long (default: until --release)",
    )
    dg_level.add_argument(
        "--release", action="store_true", help="end a forced level: the monitor decides again"
    )
    dg_level.set_defaults(fn=cmd_degrade)

    dl = subparsers.add_parser(
        "dead-letters",
        parents=[REDIS_URL, JSON_OUTPUT],
        help="poison steps; --retry INDEX resubmits one",
    )
    dl.add_argument("--retry", type=int, default=None, metavar="INDEX")
    dl.add_argument("--limit", type=int, default=100)
    dl.set_defaults(fn=cmd_dead_letters)

    ms = subparsers.add_parser(
        "metrics-server",
        parents=[REDIS_URL],
        help="serve Prometheus /metrics read live from Redis (blocks)",
    )
    ms.add_argument("--port", type=int, required=True)
    ms.add_argument(
        "--addr",
        default="0.0.0.0",  # noqa: S104 - an exporter is scraped from other hosts
        help="address to bind (default: all interfaces)",
    )
    ms.add_argument(
        "--window", type=float, default=None, help="seconds of metrics the quantiles cover"
    )
    ms.set_defaults(fn=cmd_metrics_server)

    dg = subparsers.add_parser(
        "diagnose",
        parents=[REDIS_URL, JSON_OUTPUT],
        help="recommendations from the live numbers",
    )
    dg.add_argument(
        "--window",
        type=float,
        default=None,
        metavar="S",
        help="seconds of metrics to judge (default: CELERAGENT_METRICS_WINDOW_S)",
    )
    dg.set_defaults(fn=cmd_diagnose)
