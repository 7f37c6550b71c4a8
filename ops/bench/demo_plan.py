"""How long the demo's planned question takes to plan on the local model, as production
plans it: every built-in tool, the relevance gate, the plan grammar, validation.

The first run fills the prefix cache (the prompt's fixed part); p50 is over all runs.
With `--warm`, the gpu worker's warm-up (runtime/agent/warmup.py: two unrelated plans)
runs first and is timed on its own, so the first run is the first plan a warmed worker
serves. Writes ops/bench/results/demo_plan.json (demo_plan_warm.json with --warm).

    .venv/bin/python ops/bench/demo_plan.py [--runs 5] [--question TEXT] [--warm]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from runtime.agent.model_steps import PLAN_MAX_TOKENS
from runtime.agent.planner import plan_with_model
from runtime.agent.warmup import warm_planner
from runtime.cli.bench import batch_backend, percentile, write_report
from runtime.cli.demo import PLANNED_QUESTION
from runtime.config import get_settings
from runtime.job.validation import plan_layers
from runtime.tools.registry import all_tools


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=PLANNED_QUESTION)
    parser.add_argument("--warm", action="store_true", help="run the worker's warm-up first")
    args = parser.parse_args()
    settings = get_settings()
    profile, backend, loaded_s = batch_backend("local")
    warm_s = None
    if args.warm:
        started = time.perf_counter()
        warm_planner(backend, profile, settings)
        warm_s = round(time.perf_counter() - started, 2)
        print(f"loaded in {loaded_s:.1f}s; warm-up plans took {warm_s:.1f}s", flush=True)
    runs = []
    for _ in range(args.runs):
        load = os.getloadavg()[0]
        started = time.perf_counter()
        outcome = plan_with_model(
            backend,
            profile,
            args.question,
            all_tools(),
            lambda plan: plan_layers(plan, None, settings),
            PLAN_MAX_TOKENS,
            settings.max_plan_calls,
            tool_gate=settings.planner_tool_similarity,
            tool_margin=settings.planner_tool_margin,
            tool_unnamed=settings.planner_tool_similarity_unnamed,
        )
        runs.append(
            {
                "seconds": round(time.perf_counter() - started, 2),
                "source": outcome.source,
                "calls": [c.model_dump() for c in outcome.plan.calls] if outcome.plan else [],
                "prompt_tokens": [c.usage.prompt_tokens for c in outcome.completions],
                "completion_tokens": [c.usage.completion_tokens for c in outcome.completions],
                "load_avg_1m": round(load, 2),
            }
        )
        print(runs[-1], flush=True)
    seconds = [r["seconds"] for r in runs]
    report = {
        "question": args.question,
        "p50_s": percentile(seconds, 50),
        "first_s": seconds[0],
        "load_s": round(loaded_s, 2),
        "warm_up_s": warm_s,
        "runs": runs,
    }
    name = "demo_plan_warm" if args.warm else "demo_plan"
    path = write_report(name, report, Path(__file__).parent / "results")
    print(f"p50 {report['p50_s']:.2f}s over {len(runs)} runs; written to {path}")


if __name__ == "__main__":
    main()
