"""`celeragent`: run the stack, submit jobs, watch them, inspect the system."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from rich.console import Console

from runtime.broker.urls import redact_url
from runtime.cli.cache import add_cache_commands
from runtime.cli.chat import add_chat_command
from runtime.cli.gateway import add_gateway_commands
from runtime.cli.ops import add_ops_commands
from runtime.cli.options import JSON_OUTPUT, REDIS_URL
from runtime.config import get_settings
from runtime.errors import CeleragentError

err = Console(stderr=True)
out = Console()


def cmd_up(args: argparse.Namespace) -> int:
    from runtime.cli.stack import Stack

    if args.flower_port and not get_settings().flower_basic_auth:
        raise CeleragentError(
            "Flower shows every job's arguments: set CELERAGENT_FLOWER_BASIC_AUTH=user:password."
        )
    stack = Stack(
        redis_url=args.redis_url or get_settings().redis_url,
        flower_port=args.flower_port,
        persist=True,
    )
    stopping = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        url = stack.start(wait=True)
        # Redacted: a password given to `up` stays in the environment it came from.
        print(f"CELERAGENT_REDIS_URL={redact_url(url)}", flush=True)
        err.print(
            f"stack up: workers for {', '.join(stack.queues)}, beat; logs in "
            f"{stack.data_dir / 'logs'}. Ctrl-C stops everything."
        )
        while not stopping:
            for name in stack.supervise_once():
                err.print(f"[yellow]restarted {name} worker[/yellow]")
            time.sleep(0.5)
    finally:
        err.print("stopping ...")
        stack.stop()
    return 0


def _load_spec(args: argparse.Namespace) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if args.plan:
        raw = json.loads(Path(args.plan).read_text())
        # A plan file may hold a whole JobSpec or just {"calls": [...]}.
        spec = raw if "plan" in raw or "query" in raw else {"plan": raw}
    if args.query:
        spec["query"] = args.query
    if args.model:
        spec["model"] = args.model
    return spec


def cmd_submit(args: argparse.Namespace) -> int:
    from runtime.cli.progress import follow_job, print_result
    from runtime.job.client import Client

    client = Client(args.redis_url)
    handle = client.submit(_load_spec(args))
    if args.no_wait:
        print(handle.id)
        return 0
    if args.json:
        result = handle.result(timeout=args.timeout)
        print(result.model_dump_json(indent=2))
    else:
        result = follow_job(handle, err, timeout=args.timeout)
        print_result(result, out)
    return 0 if result.status.value in ("done", "degraded") else 1


def cmd_status(args: argparse.Namespace) -> int:
    from runtime.cli.status import job_status, system_status
    from runtime.job.client import Client

    client = Client(args.redis_url)
    data = job_status(client, args.job) if args.job else system_status(client)
    if args.json:
        print(json.dumps(data, indent=2, default=str))
    else:
        out.print_json(json.dumps(data, default=str))
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from runtime.job.client import Client

    Client(args.redis_url).job(args.job).approve(args.step, approve=not args.deny)
    print(f"{'denied' if args.deny else 'approved'}: job {args.job} step {args.step}")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    from runtime.job.client import Client

    handle = Client(args.redis_url).job(args.job)
    if handle.cancel():
        print(f"cancelled: job {args.job}")
        return 0
    print(f"not cancelled: job {args.job} had already ended ({handle.status().value})")
    return 1


def cmd_demo(args: argparse.Namespace) -> int:
    from runtime.cli.demo import run_demo

    return run_demo(out, err, redis_url=args.redis_url)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="celeragent", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    # For `up` and `demo` an unset Redis URL means "start an embedded Valkey"; the shared
    # option help cannot say that for every command, so these two descriptions do.
    up = sub.add_parser(
        "up",
        parents=[REDIS_URL],
        help="run the stack in the foreground",
        description="Run the stack in the foreground. --redis-url (else CELERAGENT_REDIS_URL) "
        "uses that Redis instead of an embedded Valkey.",
    )
    up.add_argument("--flower-port", type=int, default=None, help="also run Flower")
    up.set_defaults(fn=cmd_up)

    submit = sub.add_parser(
        "submit", parents=[REDIS_URL, JSON_OUTPUT], help="submit a job and follow it"
    )
    submit.add_argument("--query", help="the question or instruction")
    submit.add_argument("--plan", help="JSON file: a plan {calls: [...]} or a whole JobSpec")
    submit.add_argument("--model", help="model profile name (default: routed)")
    submit.add_argument("--no-wait", action="store_true", help="print the job id and exit")
    submit.add_argument("--timeout", type=float, default=None)
    submit.set_defaults(fn=cmd_submit)

    status = sub.add_parser(
        "status", parents=[REDIS_URL, JSON_OUTPUT], help="a job's status, or the system's"
    )
    status.add_argument("job", nargs="?")
    status.set_defaults(fn=cmd_status)

    approve = sub.add_parser(
        "approve", parents=[REDIS_URL], help="approve (or --deny) a step waiting for approval"
    )
    approve.add_argument("job")
    approve.add_argument("step")
    approve.add_argument("--deny", action="store_true")
    approve.set_defaults(fn=cmd_approve)

    cancel = sub.add_parser(
        "cancel",
        parents=[REDIS_URL],
        help="end a job now, cancelled, with what it has",
        description="End the job now with status `cancelled` and the results it has. Work in "
        "flight stops at its next check (a model call between tokens, a tool step before and "
        "after it runs) and records nothing more; queued messages are revoked. Exit code 1 "
        "when the job had already ended.",
    )
    cancel.add_argument("job")
    cancel.set_defaults(fn=cmd_cancel)

    demo = sub.add_parser(
        "demo",
        parents=[REDIS_URL],
        help="start the stack, run sample jobs, stop",
        description="Start the stack, run sample jobs, stop. --redis-url uses that Redis "
        "instead of an embedded Valkey.",
    )
    demo.set_defaults(fn=cmd_demo)
    add_cache_commands(sub)
    add_chat_command(sub)
    add_ops_commands(sub)
    add_gateway_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.fn(args))
    except CeleragentError as exc:
        err.print(f"[red]error:[/red] {exc}")
        return 2
    except TimeoutError as exc:
        err.print(f"[red]timeout:[/red] {exc}")
        return 3
    except (RedisConnectionError, OperationalError) as exc:
        # A stack that went away between commands: one sentence, not a traceback.
        url = getattr(args, "redis_url", None) or get_settings().redis_url or "Redis"
        err.print(f"[red]error:[/red] cannot reach {redact_url(url)}: {_first_line(exc)}")
        return 4


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
