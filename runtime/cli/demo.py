"""`celeragent demo`: start the embedded stack, run sample jobs with parallel layers, show
each one's progress live and its result with per-step timings, then stop everything."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from runtime import keys
from runtime.cli.progress import follow_job, print_result
from runtime.cli.stack import Stack
from runtime.job.client import Client
from runtime.llm.profiles import profiles


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


PLANNED_QUESTION = "What is 17 * 23 + 4?"


def model_jobs() -> list[tuple[str, dict[str, Any]]]:
    """Jobs for the local model (no API key needed): planned by the model, an explicit plan
    with $refs answered by the model, and a repeat of the first (served by the caches)."""
    explicit = {
        "query": "Using the tool results, what is the area of a circle of radius 3, doubled?",
        "plan": {
            "calls": [
                {"id": "area", "name": "calculator", "arguments": {"expression": "pi * 3 ** 2"}},
                {
                    "id": "double",
                    "name": "calculator",
                    "arguments": {"expression": "2 * 28.274333882308138"},
                    "depends_on": ["area"],
                },
                {
                    "id": "facts",
                    "name": "echo",
                    "arguments": {
                        "value": {
                            "area": {"$ref": "area.result"},
                            "doubled": {"$ref": "double.result"},
                        }
                    },
                    "depends_on": ["area", "double"],
                },
            ]
        },
    }
    # A CPU-only machine generates about 25 tokens/s with this model: allow it time.
    patient = {"budget": {"deadline_s": 600}}
    return [
        (
            "a question planned and answered by the local model",
            {"query": PLANNED_QUESTION, **patient},
        ),
        ("an explicit plan with $refs, answered by the local model", {**explicit, **patient}),
        (
            "the first question again: served from the caches",
            {"query": PLANNED_QUESTION, **patient},
        ),
    ]


def wait_warm(client: Client, err: Console, timeout_s: float = 300.0) -> None:
    """Before the model questions: wait until the gpu worker says its local models are
    loaded and their planner warm (`keys.model_warm`, runtime/agent/warmup.py), so the
    first plan shows what a plan costs, not what loading costs. Past `timeout_s` the demo
    goes on (the first question then waits for the load inside its plan step)."""
    names = [p.name for p in profiles().values() if p.backend == "local"]
    started = time.monotonic()
    with err.status("waiting for the gpu worker to load and warm the local model ...") as shown:
        while time.monotonic() - started < timeout_s:
            warm = client.redis.mget([keys.model_warm(n) for n in names]) if names else []
            if all(warm):
                took = max((float(str(w)) for w in warm), default=0.0)
                err.print(f"local model warm (its warm-up took {took:.1f} s)")
                return
            shown.update(
                f"waiting for the gpu worker to load and warm the local model "
                f"({time.monotonic() - started:.0f} s) ..."
            )
            time.sleep(0.5)
    err.print(f"the local model is not warm after {timeout_s:.0f} s; going on")


def run_demo(out: Console, err: Console, redis_url: str | None = None) -> int:
    stack = Stack(redis_url=redis_url, data_dir=Path(tempfile.mkdtemp(prefix="celeragent-demo-")))
    err.print(
        "starting embedded Valkey and one worker per queue (agent, llm, tools, gpu); the gpu "
        "worker loads SmolLM2-135M in the background (about 15 s on 2 CPU cores) ..."
    )
    url = stack.start(wait=True)
    err.print(f"stack ready at {url}")
    failures = 0
    try:
        client = Client(url)
        jobs = [*sample_jobs(), *model_jobs()]
        for index, (title, spec) in enumerate(jobs):
            if index == len(sample_jobs()):
                wait_warm(client, err)
            out.rule(title)
            handle = client.submit(spec)
            result = follow_job(handle, err, timeout=600)
            print_result(result, out)
            failures += result.status.value != "done"
    finally:
        err.print("stopping the stack ...")
        stack.stop()
    return 1 if failures else 0
