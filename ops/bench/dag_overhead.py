"""Orchestration overhead of celeragent against hand-written Celery canvases.

Shapes of `sleep(100)` calls: a chain of 5, one layer of 16, layers of 4-2-1. For each, the
client-observed e2e latency (submit to result) over repeats after warm-up, the critical path
(the sum of each layer's longest call), overhead = e2e - critical path, and the same shape as
a raw chain of chords on the same workers (the floor). Writes JSON and a PNG.

    .venv/bin/python ops/bench/dag_overhead.py [--repeats 20] [--warmup 3] [--redis-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from runtime.broker.app import create_app
from runtime.cli.bench import Stats, measure, plot, write_report
from runtime.cli.stack import Stack
from runtime.job.canvas import raw_canvas
from runtime.job.client import Client

SLEEP_MS = 100
SHAPES = {"chain_5": [1, 1, 1, 1, 1], "fan_16": [16], "layers_4_2_1": [4, 2, 1]}


def plan_for(sizes: list[int], ms: int = SLEEP_MS) -> dict:
    """Layers of `sleep(ms)` calls of the given sizes, each layer after the whole previous one."""
    calls, previous = [], []
    for layer, size in enumerate(sizes):
        ids = [f"l{layer}_{i}" for i in range(size)]
        for cid in ids:
            calls.append(
                {"id": cid, "name": "sleep", "arguments": {"ms": ms}, "depends_on": previous}
            )
        previous = ids
    return {"calls": calls}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()

    stack = None
    url = args.redis_url
    if url is None:
        stack = Stack(data_dir=Path(tempfile.mkdtemp()), queues=("agent", "tools"), beat=False)
        url = stack.start(wait=True)
    client = Client(url)
    app = create_app(url, include_tasks=False)
    results: dict[str, dict] = {}
    series: dict[str, Stats] = {}
    try:
        for name, sizes in SHAPES.items():
            spec = {"plan": plan_for(sizes), "budget": {"max_steps": 100}}

            def run_job(spec: dict = spec) -> None:
                result = client.submit(spec).result(timeout=60)
                assert result.status.value == "done", result.error

            def run_raw(sizes: list[int] = sizes) -> None:
                raw_canvas(sizes, SLEEP_MS, app).apply_async().get(timeout=60)

            ours = measure(run_job, warmup=args.warmup, repeats=args.repeats)
            floor = measure(run_raw, warmup=args.warmup, repeats=args.repeats)
            critical_s = len(sizes) * SLEEP_MS / 1000
            layers = len(sizes)
            results[name] = {
                "layers": sizes,
                "critical_path_ms": critical_s * 1000,
                "celeragent": _ms(ours),
                "raw_canvas": _ms(floor),
                "overhead_p50_ms": (ours.median - critical_s) * 1000,
                "overhead_p95_ms": (ours.p95 - critical_s) * 1000,
                "overhead_per_layer_p50_ms": (ours.median - critical_s) * 1000 / layers,
                "raw_overhead_p50_ms": (floor.median - critical_s) * 1000,
                "ratio_to_raw_p50": ours.median / floor.median,
            }
            series[f"{name}\nceleragent"] = ours
            series[f"{name}\nraw"] = floor
            r = results[name]
            ours_ms, raw_ms = r["celeragent"], r["raw_canvas"]
            print(
                f"{name:14s} e2e p50 {ours_ms['median_ms']:7.1f} ms "
                f"p95 {ours_ms['p95_ms']:7.1f} | raw p50 {raw_ms['median_ms']:7.1f}"
                f" | overhead/layer p50 {r['overhead_per_layer_p50_ms']:5.1f} ms"
                f" | ratio {r['ratio_to_raw_p50']:.3f}",
                flush=True,
            )
    finally:
        client.close()
        app.close()
        if stack is not None:
            stack.stop()
    print(
        write_report(
            "dag_overhead",
            {
                "sleep_ms": SLEEP_MS,
                "repeats": args.repeats,
                "warmup": args.warmup,
                "shapes": results,
            },
        )
    )
    print(
        plot(
            "dag_overhead", series, title="e2e latency: celeragent vs raw Celery canvas", kind="bar"
        )
    )
    return 0


def _ms(stats: Stats) -> dict[str, float]:
    d = stats.to_dict(samples=False)
    return {f"{k}_ms": v * 1000 for k, v in d.items() if k != "n"} | {"n": stats.n}


if __name__ == "__main__":
    sys.exit(main())
