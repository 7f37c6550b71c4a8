"""Local-model throughput through the real `gpu` queue, at 1, 4 and 16 concurrent requests.

Each request is a job whose answer step runs on the `gpu` worker (explicit one-call plan,
model `local`), so the path is the production one: client -> agent -> tools -> gpu worker
thread pool -> the continuous decode loop (runtime/llm/local/continuous.py). Caches are off and
every prompt is unique, so nothing is served from a cache. Reports summed completion tokens
per second and time to first token (first `token` event after the step's `llm_started`).

Every level runs the same `--requests` jobs, `level` of them in flight at a time (a closed
loop: a client submits its next job when its last one finishes). With as many jobs as the
highest level, that level is one burst that mostly measures its drain: answers run 9 to 160
tokens, so the last ~50 decode steps serve one row. The default, 4x the highest level, keeps
it at full concurrency for most of the run, as a serving system sees it; `drain_s` reports
how long each level ran with fewer than `level` jobs in flight.

    .venv/bin/python ops/bench/gpu_batching.py [--levels 1 4 16] [--requests 64] [--window-ms W]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from runtime.cli.bench import percentile, plot, write_report
from runtime.cli.stack import Stack
from runtime.job.client import Client
from runtime.schemas import EventType

TOPICS = ["rivers", "bridges", "volcanoes", "libraries", "trains", "gardens", "comets", "tea"]


def spec_for(i: int) -> dict[str, Any]:
    # The same requests at every level (greedy decoding, caches off): equal work, so the
    # levels differ only in how many run at once. The request number keeps every prompt
    # distinct, so the prefix cache never gets more than the shared template and wording.
    return {
        "query": f"In two sentences, tell me something about {TOPICS[i % len(TOPICS)]} "
        f"(request {i}).",
        "model": "local",
        "plan": {"calls": [{"id": "n", "name": "echo", "arguments": {"value": i}}]},
    }


def run_one(client: Client, i: int, level_start: float | None = None) -> dict[str, Any]:
    submitted = time.perf_counter()
    handle = client.submit(spec_for(i))
    llm_started = first_token = None
    for event in handle.events(timeout=600):
        if event.type is EventType.llm_started and llm_started is None:
            llm_started = event.ts
        elif event.type is EventType.token and first_token is None:
            first_token = event.ts
    result = handle.result(timeout=10)
    answer = [s for s in result.steps if s.kind == "answer"]
    return {
        "status": result.status.value,
        "completion_tokens": result.usage.completion_tokens,
        "ttft_ms": None
        if llm_started is None or first_token is None
        else (first_token - llm_started) * 1000,
        "answer_ms": answer[-1].duration_ms if answer else None,
        "e2e_ms": result.timings.e2e_ms,
        "submitted_s": None if level_start is None else submitted - level_start,
    }


def run_level(client: Client, level: int, requests: int) -> dict[str, Any]:
    """`requests` jobs, `level` at a time (a new one starts as soon as one finishes)."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=level) as pool:
        samples = list(pool.map(lambda i: run_one(client, i, start), range(requests)))
    elapsed = time.perf_counter() - start
    last_submitted = max(s["submitted_s"] for s in samples)
    tokens = sum(s["completion_tokens"] for s in samples)
    ttfts = [s["ttft_ms"] for s in samples if s["ttft_ms"] is not None]
    return {
        "concurrency": level,
        "requests": len(samples),
        "failed": sum(s["status"] != "done" for s in samples),
        "completion_tokens": tokens,
        "elapsed_s": elapsed,
        "drain_s": elapsed - last_submitted,  # fewer than `level` in flight from here
        "tokens_per_s": tokens / elapsed if elapsed else 0.0,
        "ttft_p50_ms": statistics.median(ttfts) if ttfts else None,
        "ttft_p95_ms": percentile(ttfts, 95) if ttfts else None,
        "samples": samples,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument(
        "--requests", type=int, default=None, help="jobs per level (default: 4x the highest)"
    )
    parser.add_argument("--window-ms", type=float, default=None, help="batch window override")
    parser.add_argument("--out", default="gpu_batching", help="report name")
    args = parser.parse_args()
    if args.requests is None:
        args.requests = 4 * max(args.levels)
    if args.requests < 1 or min(args.levels) < 1:
        parser.error("--requests and every level must be at least 1")
    env = {"CELERAGENT_CACHE_ENABLED": "false"}
    if args.window_ms is not None:
        env["CELERAGENT_BATCH_WINDOW_MS"] = str(args.window_ms)
    stack = Stack(
        data_dir=Path(tempfile.mkdtemp()),
        queues=("agent", "tools", "gpu"),
        beat=False,
        extra_env=env,
    )
    url = stack.start(wait=True)
    results: dict[str, Any] = {}
    try:
        client = Client(url)
        print("warm-up (loads the model in the gpu worker) ...", flush=True)
        run_one(client, 10_000)
        for level in args.levels:
            row = run_level(client, level, args.requests)
            results[str(level)] = row
            print(
                f"concurrency {level:2d}: {row['tokens_per_s']:6.1f} tokens/s summed, "
                f"TTFT p50 {row['ttft_p50_ms'] or 0:7.0f} ms, {row['completion_tokens']} tokens "
                f"in {row['elapsed_s']:.1f} s (last {row['drain_s']:.1f} s draining), "
                f"failed {row['failed']}",
                flush=True,
            )
    finally:
        stack.stop()
    base = results[str(args.levels[0])]["tokens_per_s"]
    summary = {k: {**v, "speedup_vs_first": v["tokens_per_s"] / base} for k, v in results.items()}
    print(write_report(args.out, {"window_ms": args.window_ms, "levels": summary}))
    print(
        plot(
            args.out,
            {f"c={k}": [s["e2e_ms"] / 1000 for s in v["samples"]] for k, v in results.items()},
            title="local model via the gpu queue: e2e per request",
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
