"""Orchestration cost of celeragent against raw Celery canvases of the same shapes, one run.

Three parts, all on one embedded stack (the same `agent` and `tools` workers serve both):

1. Traffic per job (runtime/cli/traffic.py): Redis round trips, commands by kind and Celery
   messages of one job, for tool-only plans of `sleep(1)` calls, against the same shape
   as a raw chain of chords (runtime/job/canvas.py `raw_canvas`), background subtracted.
   "Per layer" is the marginal cost of one more one-call layer: (chain_5 - chain_1) / 4.
2. Throughput: `--jobs` tool-only jobs (a fan-out of 3, then 1 dependent call, each
   `sleep(--tool-ms)`) submitted at once, waited for through the public API (`result()`,
   `AsyncResult.get()`); rounds alternate raw, ours, ours, raw, ... so drift hits both. With
   the CPU time each process (workers, Valkey, this client) spent per job in each round.
3. Overhead per layer: e2e latency of chain_5, fan_16 and layers_4_2_1 of `sleep(100)`,
   ours and raw alternating each repeat; overhead = e2e p50 - critical path, per layer.

    .venv/bin/python ops/bench/orchestration.py [--jobs 300] [--rounds 2] [--repeats 15]
        [--count-jobs 10] [--tool-ms 10] [--name orchestration]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import redis
from celery import Celery, states
from celery.exceptions import TimeoutError as CeleryTimeout

# The same plan shapes as dag_overhead.py (run as `python ops/bench/orchestration.py`, so this
# folder is on sys.path).
from dag_overhead import plan_for

from runtime.broker.app import create_app
from runtime.cli.bench import Stats, plot, write_report
from runtime.cli.stack import Stack
from runtime.cli.traffic import Traffic
from runtime.job.canvas import raw_canvas
from runtime.job.client import Client

COUNT_SHAPES = {
    "chain_1": [1],
    "chain_5": [1, 1, 1, 1, 1],
    "fan3_1": [3, 1],
    "fan_16": [16],
    "layers_4_2_1": [4, 2, 1],
}
LATENCY_SHAPES = {"chain_5": [1, 1, 1, 1, 1], "fan_16": [16], "layers_4_2_1": [4, 2, 1]}
THROUGHPUT_SHAPE = [3, 1]
LATENCY_MS = 100
MISSED_AFTER_S = 60  # far past a legitimate wait: a round of 300 jobs takes under 20 s


def spec_for(sizes: list[int], ms: int) -> dict[str, Any]:
    return {"plan": plan_for(sizes, ms), "budget": {"max_steps": 100}}


class Runner:
    """Runs one shape once, or many at once, either way.

    Celery 5.7's `AsyncResult.get()` now and then never sees a result that is stored (its
    pub/sub message is missed; seen once in a few rounds of 300 canvases, with Celery's own
    result backend too). A wait past `MISSED_AFTER_S` reads the stored result, and a stored
    one counts in `missed`: the callers redo a round or a sample that had one, so the raw
    side is neither stuck nor charged for Celery's miss."""

    def __init__(self, client: Client, app: Celery):
        self.client, self.app = client, app
        self.missed = 0

    def ours(self, sizes: list[int], ms: int, n: int = 1) -> None:
        spec = spec_for(sizes, ms)
        handles = [self.client.submit(spec) for _ in range(n)]
        for handle in handles:
            result = handle.result(timeout=300)
            assert result.status.value == "done", result.error

    def raw(self, sizes: list[int], ms: int, n: int = 1) -> None:
        pending = [raw_canvas(sizes, ms, self.app).apply_async() for _ in range(n)]
        for res in pending:
            try:
                res.get(timeout=MISSED_AFTER_S)
            except CeleryTimeout:
                if res.backend.get_task_meta(res.id).get("status") not in states.READY_STATES:
                    raise
                self.missed += 1  # stored, but its message never reached get()

    def timed(self, what: str, fn: Callable[..., None], *args: Any, cpu: CPU | None = None) -> Any:
        """Seconds `fn(*args)` took (with `cpu`: and the CPU sample taken just before it),
        redone while a raw result was missed in it, at most three times."""
        for _ in range(3):
            before, sample = self.missed, cpu.sample() if cpu else None
            t0 = time.perf_counter()
            fn(*args)
            took = time.perf_counter() - t0
            if self.missed == before:
                return (took, sample) if cpu else took
            print(f"{what}: Celery missed a stored raw result; redone", flush=True)
        raise RuntimeError(f"{what}: Celery missed a raw result in three tries")


def count_traffic(url: str, run: Runner, jobs: int) -> dict[str, Any]:
    with Traffic(url) as idle:
        time.sleep(3.0)
    out: dict[str, Any] = {"idle_round_trips_per_s": round(idle.round_trips / idle.seconds, 1)}
    for name, sizes in COUNT_SHAPES.items():
        row = {}
        for side, fn in (("celeragent", run.ours), ("raw", run.raw)):
            fn(sizes, 1)  # warm
            with Traffic(url) as window:
                for _ in range(jobs):
                    fn(sizes, 1)
            row[side] = window.minus_idle(idle, per=jobs)
        out[name] = row
        ours, raw = row["celeragent"], row["raw"]
        print(
            f"{name:13s} round trips/job {ours['round_trips']:6.1f} (raw {raw['round_trips']:6.1f})"
            f"  messages/job {ours['celery_messages']:5.1f} (raw {raw['celery_messages']:5.1f})",
            flush=True,
        )
    for side in ("celeragent", "raw"):
        one, five = out["chain_1"][side], out["chain_5"][side]
        out.setdefault("per_one_call_layer", {})[side] = {
            k: round((five[k] - one[k]) / 4, 2) for k in ("round_trips", "celery_messages")
        }
    return out


class CPU:
    """CPU seconds spent by each process of the stack and by this client: what a job costs
    the machine, less sensitive than wall time to what else runs on it."""

    def __init__(self, stack: Stack, url: str):
        pid = int(redis.Redis.from_url(url).info("server")["process_id"])
        self.procs = {"valkey": psutil.Process(pid), "client": psutil.Process()}
        for name, child in stack.children.items():
            if child.process is not None:
                self.procs[f"{name}_worker"] = psutil.Process(child.process.pid)

    def sample(self) -> dict[str, float]:
        return {k: sum(p.cpu_times()[:2]) for k, p in self.procs.items()}

    @staticmethod
    def per_job_ms(before: dict[str, float], after: dict[str, float], jobs: int) -> dict:
        out = {k: round((after[k] - before[k]) * 1000 / jobs, 3) for k in before}
        out["total"] = round(sum(out.values()), 3)
        return out


def throughput(run: Runner, jobs: int, rounds: int, ms: int, cpu: CPU) -> dict[str, Any]:
    order = []
    for i in range(rounds):
        order += ["raw", "celeragent"] if i % 2 == 0 else ["celeragent", "raw"]
    run.ours(THROUGHPUT_SHAPE, ms, 20)
    run.raw(THROUGHPUT_SHAPE, ms, 20)
    rates: dict[str, list[float]] = {"celeragent": [], "raw": []}
    cpu_ms: dict[str, list[dict[str, float]]] = {"celeragent": [], "raw": []}
    for side in order:
        fn: Callable[..., None] = run.ours if side == "celeragent" else run.raw
        took, before = run.timed(f"throughput {side}", fn, THROUGHPUT_SHAPE, ms, jobs, cpu=cpu)
        rate = jobs / took
        rates[side].append(rate)
        cpu_ms[side].append(CPU.per_job_ms(before, cpu.sample(), jobs))
        print(
            f"throughput {side:10s} {rate:6.1f} jobs/s  cpu ms/job {cpu_ms[side][-1]}",
            flush=True,
        )
    ours, raw = statistics.median(rates["celeragent"]), statistics.median(rates["raw"])
    return {
        "shape": THROUGHPUT_SHAPE,
        "tool_ms": ms,
        "jobs": jobs,
        "order": order,
        "jobs_per_s": rates,
        "cpu_ms_per_job": cpu_ms,
        "celeragent_median": ours,
        "raw_median": raw,
        "ratio": ours / raw,
    }


def latency(run: Runner, repeats: int, warmup: int) -> tuple[dict[str, Any], dict[str, Stats]]:
    results: dict[str, Any] = {}
    series: dict[str, Stats] = {}
    for name, sizes in LATENCY_SHAPES.items():
        samples: dict[str, list[float]] = {"celeragent": [], "raw": []}
        for i in range(warmup + repeats):
            for side in ("celeragent", "raw") if i % 2 == 0 else ("raw", "celeragent"):
                fn = run.ours if side == "celeragent" else run.raw
                took = run.timed(f"{name} {side}", fn, sizes, LATENCY_MS)
                if i >= warmup:
                    samples[side].append(took)
        critical_ms = len(sizes) * LATENCY_MS
        row: dict[str, Any] = {"layers": sizes, "critical_path_ms": critical_ms}
        for side, values in samples.items():
            stats = Stats.from_samples(values)
            series[f"{name}\n{side}"] = stats
            over = stats.median * 1000 - critical_ms
            row[side] = {
                "e2e_p50_ms": stats.median * 1000,
                "e2e_p95_ms": stats.p95 * 1000,
                "overhead_p50_ms": over,
                "overhead_per_layer_p50_ms": over / len(sizes),
            }
        row["per_layer_ratio"] = (
            row["celeragent"]["overhead_per_layer_p50_ms"] / row["raw"]["overhead_per_layer_p50_ms"]
        )
        results[name] = row
        ours_ms = row["celeragent"]["overhead_per_layer_p50_ms"]
        print(
            f"{name:13s} overhead/layer p50 {ours_ms:5.1f} ms"
            f" vs raw {row['raw']['overhead_per_layer_p50_ms']:5.1f} ms",
            flush=True,
        )
    return results, series


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2, help="rounds per side (ABBA order)")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--count-jobs", type=int, default=10)
    parser.add_argument("--tool-ms", type=int, default=10)
    parser.add_argument(
        "--skip", default="", help="comma list of parts: traffic,throughput,latency"
    )
    parser.add_argument("--name", default="orchestration")
    args = parser.parse_args()
    skip = set(args.skip.split(","))

    stack = Stack(data_dir=Path(tempfile.mkdtemp()), queues=("agent", "tools"), beat=False)
    url = stack.start(wait=True)
    client = Client(url)
    app = create_app(url, include_tasks=False)
    run = Runner(client, app)
    report: dict[str, Any] = {"command": " ".join(sys.argv)}
    try:
        if "traffic" not in skip:
            report["traffic"] = count_traffic(url, run, args.count_jobs)
        if "throughput" not in skip:
            cpu = CPU(stack, url)
            report["throughput"] = throughput(run, args.jobs, args.rounds, args.tool_ms, cpu)
        if "latency" not in skip:
            report["latency"], series = latency(run, args.repeats, args.warmup)
    finally:
        client.close()
        app.close()
        stack.stop()
    print(write_report(args.name, report))
    if "throughput" in report:
        rates = report["throughput"]["jobs_per_s"]
        shown = {f"{side}\n{args.jobs} jobs": Stats.from_samples(v) for side, v in rates.items()}
        print(
            plot(args.name, shown, title="tool-only jobs/s (3 then 1)", ylabel="jobs/s", kind="bar")
        )
    if "latency" in report:
        print(
            plot(
                f"{args.name}_layers",
                series,
                title=f"e2e latency, sleep({LATENCY_MS}) per call: celeragent vs raw canvas",
                kind="bar",
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
