"""Sustained load: a steady arrival rate of mixed jobs on an embedded stack, for minutes.

    .venv/bin/python ops/bench/load.py                  # 5 jobs/s for 10 minutes
    .venv/bin/python ops/bench/load.py --rate 10 --minutes 2

Jobs (a fixed mix, seeded): tool-only DAGs of sleep/echo/calculator in one to three layers, and
some with a `fake-fast` model answer. Arrivals are open-loop: job n is submitted at
start + n/rate whether or not earlier jobs finished, so a backlog shows up as latency instead
of a lower offered rate. The run stops by itself: after `--minutes` it stops submitting and
waits at most `--drain-s` for the jobs in flight.

Records throughput (completed jobs per second, overall and per 10-s window), e2e p50/p95 per
job kind, errors (refused submits, jobs not `done`, failed steps), and the resident memory
(RSS) of each worker's process tree and of Valkey every 5 s. Writes
ops/bench/results/load.json, load.png (e2e per kind) and load_rss.png (RSS over time).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from runtime import keys  # noqa: E402
from runtime.cli.bench import DEFAULT_OUT_DIR, Stats, percentile, plot, write_report  # noqa: E402
from runtime.cli.stack import Stack  # noqa: E402
from runtime.config import reset_settings  # noqa: E402
from runtime.job.client import Client  # noqa: E402
from runtime.schemas import JobResult  # noqa: E402

QUEUES = ("agent", "llm", "tools")  # no gpu: the mix uses no local model
RSS_EVERY_S = 5.0
WINDOW_S = 10.0
MIX = (("sleep_fanout", 0.35), ("calc_chain", 0.25), ("three_layer", 0.25), ("model", 0.15))


def call(cid: str, name: str, arguments: dict, deps: tuple = ()) -> dict[str, Any]:
    return {"id": cid, "name": name, "arguments": arguments, "depends_on": list(deps)}


def make_spec(kind: str, n: int, rnd: random.Random) -> dict[str, Any]:
    """One job of `kind`; `n` makes arguments unique so the tool cache rarely answers."""
    if kind == "sleep_fanout":
        calls = [call(f"s{i}", "sleep", {"ms": rnd.randint(20, 200)}) for i in range(3)]
        calls.append(call("out", "echo", {"value": {"n": n}}, ("s0", "s1", "s2")))
        return {"plan": {"calls": calls}}
    if kind == "calc_chain":
        calls = [
            call("a", "calculator", {"expression": f"{n} * 3 + 1"}),
            call("b", "echo", {"value": {"$ref": "a.result"}}, ("a",)),
        ]
        return {"plan": {"calls": calls}}
    if kind == "three_layer":
        calls = [
            call("x", "calculator", {"expression": f"sqrt({n + 1})"}),
            call("y", "sleep", {"ms": rnd.randint(10, 100)}),
            call("z", "echo", {"value": [{"$ref": "x.result"}, n]}, ("x", "y")),
            call("w", "calculator", {"expression": f"{n} % 7"}, ("z",)),
        ]
        return {"plan": {"calls": calls}}
    return {
        "query": f"What is {n} times 3 plus 1? Answer briefly.",
        "model": "fake-fast",
        "plan": {"calls": [call("a", "calculator", {"expression": f"{n} * 3 + 1"})]},
    }


def tree_rss(pid: int) -> int:
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


class RssSampler(threading.Thread):
    def __init__(self, stack: Stack, t0: float):
        super().__init__(name="rss-sampler", daemon=True)
        self.stack, self.t0 = stack, t0
        self.samples: list[dict[str, Any]] = []
        self.stop_event = threading.Event()

    def sample(self) -> None:
        row: dict[str, Any] = {"t_s": round(time.monotonic() - self.t0, 1)}
        for name, child in self.stack.children.items():
            if child.process is not None:
                row[name] = tree_rss(child.process.pid)
        valkey = getattr(getattr(self.stack, "valkey", None), "_process", None)
        if valkey is not None:
            row["valkey"] = tree_rss(valkey.pid)
        self.samples.append(row)

    def run(self) -> None:
        self.sample()
        while not self.stop_event.wait(RSS_EVERY_S):
            self.sample()


class Collector(threading.Thread):
    """Reads finished jobs' results in one pipelined round trip per tick."""

    def __init__(self, client: Client):
        super().__init__(name="collector", daemon=True)
        self.client = client
        self.pending: dict[str, tuple[str, float]] = {}  # job id -> (kind, submitted monotonic)
        self.done: list[tuple[str, float, JobResult]] = []  # (kind, finished monotonic, result)
        self.lock = threading.Lock()
        self.stop_event = threading.Event()

    def add(self, job_id: str, kind: str) -> None:
        with self.lock:
            self.pending[job_id] = (kind, time.monotonic())

    def tick(self) -> None:
        with self.lock:
            ids = list(self.pending)
        if not ids:
            return
        pipe = self.client.redis.pipeline(transaction=False)
        for job_id in ids:
            pipe.hget(keys.job(job_id), "result")
        now = time.monotonic()
        for job_id, raw in zip(ids, pipe.execute(), strict=True):
            if raw is None:
                continue
            with self.lock:
                kind, _ = self.pending.pop(job_id)
            self.done.append((kind, now, JobResult.model_validate_json(raw)))

    def run(self) -> None:
        while not self.stop_event.wait(0.2):
            self.tick()


def run_load(rate: float, minutes: float, drain_s: float, seed: int) -> dict[str, Any]:
    os.environ.pop("CELERAGENT_REDIS_URL", None)
    os.environ.setdefault("CELERAGENT_FORBID_NETWORK_LLM", "1")
    reset_settings()
    data_dir = Path(tempfile.mkdtemp(prefix="celeragent-load-"))
    stack = Stack(data_dir=data_dir, queues=QUEUES, extra_env={"PYTHONUNBUFFERED": "1"})
    rnd = random.Random(seed)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    submit_errors: list[str] = []
    lag_s: list[float] = []
    stack.start(wait=True, timeout_s=120)
    try:
        with Client(stack.redis_url) as client:
            # Warm-up: every kind once, thrown away (imports, pools, first-call costs).
            for i, kind in enumerate(kinds):
                client.submit(make_spec(kind, -1 - i, rnd)).result(timeout=60)
            collector = Collector(client)
            t0 = time.monotonic()
            sampler = RssSampler(stack, t0)
            collector.start()
            sampler.start()
            duration = minutes * 60
            n = 0
            while True:
                due = t0 + n / rate
                if due - t0 >= duration:
                    break
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
                else:
                    lag_s.append(now - due)
                kind = rnd.choices(kinds, weights)[0]
                try:
                    handle = client.submit(make_spec(kind, n, rnd))
                    collector.add(handle.id, kind)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    submit_errors.append(f"{type(exc).__name__}: {exc}")
                n += 1
            submitted_for_s = time.monotonic() - t0
            drain_deadline = time.monotonic() + drain_s
            while collector.pending and time.monotonic() < drain_deadline:
                time.sleep(0.5)
            collector.stop_event.set()
            collector.join(5)
            collector.tick()
            sampler.stop_event.set()
            sampler.join(10)
            sampler.sample()
            wall_s = time.monotonic() - t0
            lost = dict(Counter(kind for kind, _ in collector.pending.values()))
            return summarize(
                rate, minutes, n, submitted_for_s, wall_s, t0, collector, sampler,
                submit_errors, lag_s, lost,
            )  # fmt: skip
    finally:
        stack.stop()


def summarize(
    rate: float,
    minutes: float,
    submitted: int,
    submitted_for_s: float,
    wall_s: float,
    t0: float,
    collector: Collector,
    sampler: RssSampler,
    submit_errors: list[str],
    lag_s: list[float],
    unfinished: dict[str, int],
) -> dict[str, Any]:
    e2e: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[str] = Counter()
    failed_steps = 0
    windows: Counter[int] = Counter()
    for kind, finished, result in collector.done:
        statuses[result.status.value] += 1
        failed_steps += sum(1 for s in result.steps if s.error)
        if result.timings.e2e_ms is not None:
            e2e[kind].append(result.timings.e2e_ms / 1000)
        windows[int((finished - t0) // WINDOW_S)] += 1
    all_e2e = [x for xs in e2e.values() for x in xs]
    completed = len(collector.done)
    per_window = [
        {"t_s": w * WINDOW_S, "jobs_per_s": windows.get(w, 0) / WINDOW_S}
        for w in range(int(wall_s // WINDOW_S) + 1)
    ]
    rss_peak = {
        name: max(row.get(name, 0) for row in sampler.samples)
        for name in {k for row in sampler.samples for k in row if k != "t_s"}
    }
    return {
        "offered_rate_per_s": rate,
        "minutes": minutes,
        "submitted": submitted,
        "completed": completed,
        "unfinished_by_kind": unfinished,
        "throughput_per_s": completed / submitted_for_s if submitted_for_s else 0.0,
        "achieved_submit_rate_per_s": submitted / submitted_for_s if submitted_for_s else 0.0,
        "submit_lag_p95_s": percentile(lag_s, 95) if lag_s else 0.0,
        "wall_s": wall_s,
        "statuses": dict(statuses),
        "errors": {
            "refused_submits": len(submit_errors),
            "submit_error_examples": submit_errors[:5],
            "jobs_not_done": completed - statuses.get("done", 0) + sum(unfinished.values()),
            "failed_steps": failed_steps,
        },
        "e2e_s": {
            "all": Stats.from_samples(all_e2e).to_dict(samples=False) if all_e2e else None,
            **{k: Stats.from_samples(v).to_dict(samples=False) for k, v in sorted(e2e.items())},
        },
        "throughput_windows": per_window,
        "rss_bytes": sampler.samples,
        "rss_peak_mb": {k: round(v / 2**20, 1) for k, v in sorted(rss_peak.items())},
        "e2e_samples_s": {k: v for k, v in sorted(e2e.items())},
    }


def plot_rss(samples: list[dict[str, Any]], out_dir: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted({k for row in samples for k in row if k != "t_s"})
    fig, ax = plt.subplots(figsize=(8, 4))
    try:
        for name in names:
            xs = [row["t_s"] for row in samples if name in row]
            ys = [row[name] / 2**20 for row in samples if name in row]
            ax.plot(xs, ys, label=name, marker=".")
        ax.set_xlabel("seconds since the first job")
        ax.set_ylabel("RSS of the process tree (MiB)")
        ax.set_title("load: resident memory over time")
        ax.legend()
        fig.tight_layout()
        path = out_dir / "load_rss.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=5.0, help="jobs per second (default 5)")
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    parser.add_argument("--drain-s", type=float, default=60.0, help="wait for stragglers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out-dir", default=str(ROOT / DEFAULT_OUT_DIR))
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.minutes <= 0:
        parser.error("--rate and --minutes must be positive")
    results = run_load(args.rate, args.minutes, args.drain_s, args.seed)
    out_dir = Path(args.out_dir)
    samples = results.pop("e2e_samples_s")
    report = write_report("load", results, out_dir)
    if samples:
        series = {k: v for k, v in samples.items() if v}
        plot("load", series, out_dir=out_dir, title="load: e2e per job kind", ylabel="seconds")
    plot_rss(results["rss_bytes"], out_dir)
    e2e = results["e2e_s"]["all"] or {}
    p50, p95 = e2e.get("median", float("nan")), e2e.get("p95", float("nan"))
    print(
        f"offered {args.rate:g}/s for {args.minutes:g} min: submitted {results['submitted']}, "
        f"completed {results['completed']}, throughput {results['throughput_per_s']:.2f}/s, "
        f"e2e p50 {p50:.3f} s p95 {p95:.3f} s, "
        f"errors {results['errors']}, RSS peak MiB {results['rss_peak_mb']}"
    )
    print(f"wrote {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
