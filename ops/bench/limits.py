"""Shared model limits under load: 50 concurrent jobs against one model capped at 5
concurrent calls and 10 calls/s, served by three llm worker processes of an embedded stack.

The model is the stdlib OpenAI-compatible server of tests/support/openai_server.py on
127.0.0.1: it records when each request arrived and when it stopped being in flight, so the
peak concurrency and the most calls in any 1 s window are counted from the model's side,
not from the limiter's. Each job has an explicit one-call plan (echo) and a model answer:
one model call per job, with a distinct prompt (caches are off anyway).

Phases, in one run and one stack:
- `uncapped`: the same model without limits (what the server sees with nothing in the way);
- `capped-slow`: capped model, the server takes 1.0 s a call (the concurrency cap binds);
- `capped-fast`: capped model, 0.05 s a call (the rate cap binds).

The limiter spaces grants (1 s + limits.SEND_SLACK_S) / rate apart on Redis's clock; the
server sees arrivals, so the time from a grant to the request reaching the server (a thread
of a busy worker) can bring two arrivals closer: `min_gap_ms`, `gaps_under_100ms` and
`windows_over_rate_cap` show how much.

Writes ops/bench/results/limits.json and limits.png (in flight and calls in the trailing
1 s, over time, per phase).

    PYTHONPATH=$PWD .venv/bin/python ops/bench/limits.py [--jobs 50]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from runtime.cli.bench import Stats, write_report
from runtime.cli.stack import Stack
from runtime.config import reset_settings
from runtime.guard import limits
from runtime.job.client import Client
from runtime.llm.profiles import reset_profiles
from tests.support.openai_server import OpenAITestServer, Recorded

CAP_CONCURRENCY = 5
CAP_RATE = 10.0
WORKERS = 3
PHASES = (("uncapped", "bench-free", 0.3), ("capped-slow", "bench-capped", 1.0),
          ("capped-fast", "bench-capped", 0.05))  # fmt: skip

MODELS = """
[models.bench-capped]
backend = "openai"
queue = "llm"
model_id = "bench-model"
base_url = "{url}"
encoding = "o200k_base"
routable = false
timeout_s = 60
max_concurrency = {conc}
max_calls_per_s = {rate}

[models.bench-free]
backend = "openai"
queue = "llm"
model_id = "bench-model"
base_url = "{url}"
encoding = "o200k_base"
routable = false
timeout_s = 60
"""


def max_in_window(times: list[float], window_s: float = 1.0) -> int:
    """The most of `times` inside any half-open window [t, t + window_s)."""
    ordered, best, lo = sorted(times), 0, 0
    for hi, t in enumerate(ordered):
        while ordered[lo] <= t - window_s:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def gaps_ms(times: list[float]) -> list[float]:
    ordered = sorted(times)
    return [(b - a) * 1000 for a, b in zip(ordered, ordered[1:], strict=False)]


def windows_over(times: list[float], cap: float, window_s: float = 1.0) -> int:
    """How many windows [arrival, arrival + window_s) hold more than `cap` arrivals."""
    ordered = sorted(times)
    return sum(1 for t in ordered if sum(1 for u in ordered if t <= u < t + window_s) > cap)


def timeline(requests: list[Recorded], t0: float, step_s: float = 0.02) -> dict[str, list]:
    """In flight and starts in the trailing 1 s, sampled every `step_s`, from the server."""
    end = max((r.done_at or r.at) for r in requests)
    xs, in_flight, last_s = [], [], []
    t = t0
    while t <= end:
        xs.append(round(t - t0, 3))
        in_flight.append(sum(1 for r in requests if r.at <= t < (r.done_at or end)))
        last_s.append(sum(1 for r in requests if t - 1.0 < r.at <= t))
        t += step_s
    return {"t_s": xs, "in_flight": in_flight, "starts_last_1s": last_s}


def run_phase(client: Client, server: OpenAITestServer, model: str, delay_s: float, jobs: int):
    server.reset(reply="An answer from the capped model.", delay_s=delay_s)
    before = limits.stats(client.redis).get("model:bench-capped", {})
    t0 = time.time()
    spec = lambda i: {  # noqa: E731 - a one-line spec per job
        "query": f"job {i} {uuid.uuid4().hex}",
        "model": model,
        "plan": {"calls": [{"id": "e", "name": "echo", "arguments": {"value": i}}]},
        "budget": {"deadline_s": 600},
    }
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        handles = list(pool.map(lambda i: client.submit(spec(i)), range(jobs)))
        results = list(pool.map(lambda h: h.result(timeout=600), handles))
    requests = list(server.requests)
    e2e = [r.timings.e2e_ms / 1000 for r in results if r.timings.e2e_ms is not None]
    after = limits.stats(client.redis).get("model:bench-capped", {})
    arrivals = [r.at for r in requests]
    gaps = gaps_ms(arrivals)
    return {
        "model": model,
        "server_delay_s": delay_s,
        "jobs": jobs,
        "done": sum(1 for r in results if r.status.value == "done"),
        "statuses": sorted({r.status.value for r in results}),
        "model_requests": len(requests),
        "peak_in_flight": server.state.peak_in_flight,
        "max_calls_in_any_1s": max_in_window(arrivals),
        "windows_over_rate_cap": windows_over(arrivals, CAP_RATE),
        "min_gap_ms": round(min(gaps), 1) if gaps else None,
        "gaps_under_100ms": sum(1 for g in gaps if g < 1000 / CAP_RATE),
        "wall_s": round(max(r.done_at or r.at for r in requests) - t0, 2),
        "e2e_s": Stats.from_samples(e2e).to_dict(samples=False),
        "limit_stats": {k: v - before.get(k, 0) for k, v in after.items()},
        "timeline": timeline(requests, t0),
    }


def plot_phases(report: dict[str, Any], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    phases = report["phases"]
    fig, axes = plt.subplots(1, len(phases), figsize=(5 * len(phases), 4), squeeze=False)
    for ax, (name, phase) in zip(axes[0], phases.items(), strict=True):
        line = phase["timeline"]
        ax.step(line["t_s"], line["in_flight"], where="post", label="in flight (server)")
        ax.plot(line["t_s"], line["starts_last_1s"], label="calls in last 1 s (server)")
        if name != "uncapped":
            ax.axhline(CAP_CONCURRENCY, color="C0", linestyle=":", label="concurrency cap")
            ax.axhline(CAP_RATE, color="C1", linestyle=":", label="calls/s cap")
        ax.set_title(
            f"{name}: peak {phase['peak_in_flight']}, max/1s {phase['max_calls_in_any_1s']}"
        )
        ax.set_xlabel("seconds since submit")
        ax.legend(fontsize=7)
    fig.tight_layout()
    path = out / "limits.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    args = parser.parse_args()
    server = OpenAITestServer().start()
    data_dir = Path(tempfile.mkdtemp(prefix="limits-bench-"))
    models = data_dir / "models.toml"
    models.write_text(MODELS.format(url=server.base_url, conc=CAP_CONCURRENCY, rate=CAP_RATE))
    env = {
        "CELERAGENT_MODELS_FILE": str(models),
        "CELERAGENT_CACHE_ENABLED": "false",
        "CELERAGENT_DEGRADATION_ENABLED": "false",
    }
    os.environ.update(env)
    reset_settings()
    reset_profiles()
    stack = Stack(
        data_dir=data_dir,
        queues=("agent", "llm", "tools"),
        beat=False,
        replicas={"llm": WORKERS},
        extra_env=env,
    )
    stack.start(wait=True, timeout_s=180)
    report: dict[str, Any] = {
        "cap": {"max_concurrency": CAP_CONCURRENCY, "max_calls_per_s": CAP_RATE},
        "llm_worker_processes": WORKERS,
        "llm_threads_per_process": int(os.environ.get("CELERAGENT_LLM_CONCURRENCY", "8")),
        "phases": {},
    }
    try:
        with Client(stack.redis_url) as client:
            run_phase(client, server, "bench-free", 0.05, 6)  # warm-up, not reported
            for name, model, delay in PHASES:
                phase = run_phase(client, server, model, delay, args.jobs)
                report["phases"][name] = phase
                shown = {k: v for k, v in phase.items() if k not in ("timeline", "e2e_s")}
                e2e = phase["e2e_s"]
                print(name, shown, flush=True)
                print(f"  e2e s: p50 {e2e['median']:.2f} p95 {e2e['p95']:.2f} max {e2e['max']:.2f}")
    finally:
        stack.stop()
        server.stop()
    out = Path(__file__).parent / "results"
    path = write_report("limits", report, out)
    print(f"written to {path} and {plot_phases(report, out)}")


if __name__ == "__main__":
    main()
