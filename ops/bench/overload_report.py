"""Analysis and plot of ops/bench/overload.py runs: rolling p95 as the monitor sees it,
10-s buckets, when p95 first broke the budget and when it came back, and the figure."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from runtime.cli.bench import percentile

E2E_BUDGET_S = 4.0
WINDOW_S = 20.0  # the monitor's metrics window in these runs
BUCKET_S = 10.0


def rolling_p95(jobs: list[dict[str, Any]], end_t: float, done_only: bool = False) -> list:
    """Per second t: p95 of e2e over jobs finished in (t - WINDOW_S, t] (the monitor's view)."""
    rows = sorted(
        (j["finished_t"], j["e2e_s"])
        for j in jobs
        if j["e2e_s"] is not None and (not done_only or j["status"] == "done")
    )
    out = []
    for t in range(1, int(end_t) + 1):
        window = [e for f, e in rows if t - WINDOW_S < f <= t]
        out.append([t, round(percentile(window, 95), 3) if window else None])
    return out


def buckets(jobs: list[dict[str, Any]], end_t: float) -> list[dict[str, Any]]:
    out = []
    n = int(end_t // BUCKET_S) + 1
    for b in range(n):
        lo, hi = b * BUCKET_S, (b + 1) * BUCKET_S
        inside = [j for j in jobs if j["finished_t"] is not None and lo <= j["finished_t"] < hi]
        e2e = [j["e2e_s"] for j in inside]
        out.append(
            {
                "t_start": lo,
                "finished": len(inside),
                "e2e_p95_s": round(percentile(e2e, 95), 3) if e2e else None,
                "e2e_p50_s": round(percentile(e2e, 50), 3) if e2e else None,
                "statuses": dict(Counter(j["status"] for j in inside)),
                "models": dict(Counter(m for j in inside for m in j["models"])),
            }
        )
    return out


def breach_and_recovery(series: list, budget: float, until: float) -> dict[str, Any]:
    """First second the rolling p95 passed the budget; the first second after it that p95 was
    back within it; and the end of the last breach before `until`."""
    first = next((t for t, p in series if p is not None and p > budget), None)
    if first is None:
        return {"first_breach_t": None, "recovered_t": None, "recovery_s": None}
    back = next((t for t, p in series if t > first and p is not None and p <= budget), None)
    over = [t for t, p in series if p is not None and p > budget and t <= until]
    last_over = max(over) if over else None
    seconds = [(t, p) for t, p in series if first <= t <= until and p is not None]
    share = sum(1 for _, p in seconds if p > budget) / len(seconds) if seconds else None
    return {
        "first_breach_t": first,
        "recovered_t": back,
        "recovery_s": None if back is None else back - first,
        "last_breach_t": last_over,
        "seconds_over_budget_share": None if share is None else round(share, 3),
        "max_rolling_p95_s": max(p for _, p in series if p is not None),
    }


def analyze(
    name: str,
    beat: bool,
    jobs: list[dict[str, Any]],
    samples: list[dict[str, Any]],
    arrivals_end: float,
    end_t: float,
    unfinished_n: int,
    args: argparse.Namespace,
) -> dict[str, Any]:
    rolling = rolling_p95(jobs, end_t)
    finished = [j for j in jobs if j["finished_t"] is not None]
    overload_done = [j for j in finished if j["finished_t"] <= args.seconds]
    statuses = Counter(j["status"] for j in jobs)
    e2e = [j["e2e_s"] for j in finished]
    levels = [(s["t"], s["level"]) for s in samples if "level" in s]
    changes = [levels[0]] if levels else []
    for t, lv in levels[1:]:
        if lv != changes[-1][1]:
            changes.append((t, lv))
    low = [j for j in jobs if j["priority"] < 5]
    summary = {
        "beat": beat,
        "jobs": len(jobs),
        "arrivals_end_s": round(arrivals_end, 1),
        "end_s": round(end_t, 1),
        "unfinished": unfinished_n,
        "status_counts": dict(statuses),
        "low_priority_status_counts": dict(Counter(j["status"] for j in low)),
        "model_counts": dict(Counter(m for j in jobs for m in j["models"])),
        "throughput_overload_jobs_per_s": round(len(overload_done) / args.seconds, 3),
        "throughput_overall_jobs_per_s": round(len(finished) / end_t, 3),
        "e2e_all_jobs": {
            "p50_s": round(percentile(e2e, 50), 3) if e2e else None,
            "p95_s": round(percentile(e2e, 95), 3) if e2e else None,
            "max_s": max(e2e) if e2e else None,
        },
        "breach": breach_and_recovery(rolling, E2E_BUDGET_S, args.seconds),
        "level_changes": changes,
        "max_queue_depth": max(
            (sum(s["depth"].values()) for s in samples if "depth" in s), default=0
        ),
    }
    b = summary["breach"]
    print(
        f"  {name}: {dict(statuses)}; e2e p95 {summary['e2e_all_jobs']['p95_s']} s, "
        f"max rolling p95 {b.get('max_rolling_p95_s')} s; first breach {b['first_breach_t']} s,"
        f" back under at {b['recovered_t']} s; level changes {changes}",
        flush=True,
    )
    return {
        "summary": summary,
        "rolling_p95_s": rolling,
        "rolling_p95_done_only_s": rolling_p95(jobs, end_t, done_only=True),
        "buckets": buckets(jobs, end_t),
        "samples": samples,
        "jobs": jobs,
    }


def plot_runs(runs: dict[str, dict[str, Any]], args: argparse.Namespace, out_dir: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2, ax3) = plt.subplots(
        3, 1, figsize=(10, 8), sharex=True, gridspec_kw={"height_ratios": [3, 1, 1.4]}
    )
    colors = {"A_no_degradation": "tab:red", "B_degradation": "tab:blue"}
    try:
        for name, run in runs.items():
            color = colors.get(name)
            xs = [t for t, p in run["rolling_p95_s"] if p is not None]
            ys = [p for _, p in run["rolling_p95_s"] if p is not None]
            ax1.plot(xs, ys, color=color, label=f"{name}: rolling {WINDOW_S:g} s p95")
            bx = [b["t_start"] + BUCKET_S / 2 for b in run["buckets"] if b["e2e_p95_s"]]
            by = [b["e2e_p95_s"] for b in run["buckets"] if b["e2e_p95_s"]]
            ax1.scatter(bx, by, color=color, s=12, marker="o", label=f"{name}: 10 s bucket p95")
            samples = [s for s in run["samples"] if "level" in s]
            ax2.step(
                [s["t"] for s in samples],
                [s["level"] for s in samples],
                where="post",
                color=color,
                label=name,
            )
            ax3.plot(
                [s["t"] for s in samples],
                [sum(s["depth"].values()) for s in samples],
                color=color,
                label=name,
            )
        ax1.axhline(E2E_BUDGET_S, color="black", linestyle="--", label="e2e p95 budget")
        for ax in (ax1, ax2, ax3):
            ax.axvspan(0, args.seconds, color="grey", alpha=0.12)
        ax1.set_yscale("log")
        ax1.set_ylabel("job e2e p95 (s, log)")
        ax1.set_title(
            f"Overload: {args.rate:g} jobs/s for {args.seconds:g} s (shaded), then "
            f"{args.cooldown_rate:g} jobs/s; llm threads {args.llm_concurrency}"
        )
        ax1.legend(fontsize=7, loc="upper left")
        ax2.set_ylabel("degradation\nlevel")
        ax2.set_yticks([0, 1, 2])
        ax2.legend(fontsize=7, loc="upper right")
        ax3.set_ylabel("queued tasks")
        ax3.set_xlabel("seconds since the first arrival")
        ax3.legend(fontsize=7, loc="upper right")
        fig.tight_layout()
        path = Path(out_dir) / "overload.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)
    return path
