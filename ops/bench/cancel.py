"""How fast a cancel stops a job that is streaming its answer, on the local model and on a
streaming fake, on an embedded stack.

Each run submits a one-call plan whose answer streams, cancels at the third token, and
measures: how long `cancel()` took; how long tokens kept reaching the job's stream after the
cancel began; and when the worker's model call stopped (the worker logs the stop, and its log
line's time is compared with the moment of the cancel, both on this machine's clock).
Writes ops/bench/results/cancel.json and cancel.png.

    .venv/bin/python ops/bench/cancel.py [--runs 8] [--models local,fake-slow]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from runtime.cli.bench import percentile, plot, write_report
from runtime.cli.stack import Stack
from runtime.job import events
from runtime.job.client import Client
from runtime.llm.profiles import get_profile
from runtime.schemas import EventType

QUESTION = "Describe, in several sentences, what the echo tool returned and why it matters."
_LOG_TIME = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): INFO")


def stop_logged_at(log: Path, job_id: str, timeout_s: float = 10.0) -> float | None:
    """Wall-clock time of the worker's log line saying the job's model step stopped."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if f"of job {job_id} stopped" in line and (m := _LOG_TIME.match(line)):
                return datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
        time.sleep(0.1)
    return None


def one_run(client: Client, model: str, log: Path) -> dict[str, Any] | None:
    spec = {
        "query": QUESTION,
        "plan": {"calls": [{"id": "e", "name": "echo", "arguments": {"value": "42 apples"}}]},
        "model": model,
        "budget": {"deadline_s": 300},
    }
    handle = client.submit(spec)
    seen = 0
    for event in handle.events(timeout=240):
        if event.type is EventType.token:
            seen += 1
            if seen == 3:
                break
        elif event.type.terminal:
            return None  # answered before its third token: nothing to cancel
    cancel_at = time.time()
    handle.cancel()
    call_ms = (time.time() - cancel_at) * 1000
    stopped = stop_logged_at(log, handle.id)
    trail = events.read(client.redis, handle.id)
    late = [e for e in trail if e.type is EventType.token and e.ts >= cancel_at]
    return {
        "job": handle.id,
        "cancel_call_ms": round(call_ms, 1),
        "tokens_after_cancel": len(late),
        "stream_ms_after_cancel": round(max((e.ts - cancel_at) * 1000 for e in late), 1)
        if late
        else 0.0,
        "model_stopped_ms": None if stopped is None else round((stopped - cancel_at) * 1000, 1),
        "terminal_last": trail[-1].type is EventType.cancelled,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--models", default="local,fake-slow")
    args = parser.parse_args()
    stack = Stack(data_dir=Path(tempfile.mkdtemp()), beat=False)
    stack.start(wait=True, timeout_s=180)
    report: dict[str, Any] = {}
    try:
        with Client(stack.redis_url) as client:
            for model in args.models.split(","):
                log = stack.data_dir / "logs" / f"{get_profile(model).queue}.log"
                one_run(client, model, log)  # warm-up: model load, prefix cache
                runs = [r for r in (one_run(client, model, log) for _ in range(args.runs)) if r]
                stops = [r["model_stopped_ms"] for r in runs if r["model_stopped_ms"] is not None]
                report[model] = {
                    "runs": runs,
                    "cancel_call_ms_p50": percentile([r["cancel_call_ms"] for r in runs], 50),
                    "model_stopped_ms_p50": percentile(stops, 50) if stops else None,
                    "model_stopped_ms_max": max(stops) if stops else None,
                    "stops_logged": f"{len(stops)}/{len(runs)}",
                    "tokens_after_cancel_max": max(r["tokens_after_cancel"] for r in runs),
                }
                print(model, {k: v for k, v in report[model].items() if k != "runs"}, flush=True)
    finally:
        stack.stop()
    out = Path(__file__).parent / "results"
    path = write_report("cancel", report, out)
    series = {
        f"{m}: model stops": [
            r["model_stopped_ms"] / 1000 for r in v["runs"] if r["model_stopped_ms"] is not None
        ]
        for m, v in report.items()
    }
    plot("cancel", series, out_dir=out, title="cancel -> model call stopped", ylabel="seconds")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
