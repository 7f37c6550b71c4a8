"""`celeragent demo`: start the embedded stack, run sample jobs with parallel layers, show
each one's progress live and its result with per-step timings, then stop everything."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from runtime.client import Client
from runtime.progress import follow_job, print_result
from runtime.stack import Stack


def sample_jobs() -> list[tuple[str, dict[str, Any]]]:
    fan_out = {
        "plan": {
            "calls": [
                {"id": "tokyo", "name": "current_date", "arguments": {"timezone": "Asia/Tokyo"}},
                {"id": "paris", "name": "current_date", "arguments": {"timezone": "Europe/Paris"}},
                {"id": "area", "name": "calculator", "arguments": {"expression": "pi * 3 ** 2"}},
                {"id": "slow_a", "name": "sleep", "arguments": {"ms": 400}},
                {"id": "slow_b", "name": "sleep", "arguments": {"ms": 400}},
                {
                    "id": "double",
                    "name": "calculator",
                    "arguments": {"expression": "2 * 28.274333882308138"},
                    "depends_on": ["area"],
                },
                {
                    "id": "report",
                    "name": "echo",
                    "arguments": {
                        "value": {
                            "tokyo": {"$ref": "tokyo.iso"},
                            "paris": {"$ref": "paris.iso"},
                            "double_area": {"$ref": "double.result"},
                        }
                    },
                    "depends_on": ["tokyo", "paris", "double", "slow_a", "slow_b"],
                },
            ]
        }
    }
    with_failure = {
        "plan": {
            "calls": [
                {"id": "ok", "name": "calculator", "arguments": {"expression": "2 ** 10"}},
                {"id": "broken", "name": "fail", "arguments": {"message": "upstream is down"}},
                {
                    "id": "after",
                    "name": "echo",
                    "arguments": {"value": {"$ref": "ok.result"}},
                    "depends_on": ["ok"],
                },
            ]
        }
    }
    return [
        ("fan-out of 5 calls, a dependent calculation, then a join with $refs", fan_out),
        ("a failing tool: the step fails, the job still finishes", with_failure),
    ]


def run_demo(out: Console, err: Console, redis_url: str | None = None) -> int:
    stack = Stack(redis_url=redis_url, data_dir=Path(tempfile.mkdtemp(prefix="celeragent-demo-")))
    err.print("starting embedded Valkey and one worker per queue (agent, llm, tools, gpu) ...")
    url = stack.start(wait=True)
    err.print(f"stack ready at {url}")
    failures = 0
    try:
        client = Client(url)
        for title, spec in sample_jobs():
            out.rule(title)
            handle = client.submit(spec)
            result = follow_job(handle, err, timeout=120)
            print_result(result, out)
            failures += result.status.value != "done"
    finally:
        err.print("stopping the stack ...")
        stack.stop()
    return 1 if failures else 0
