"""How long the demo's planned question takes to plan on the local model, as production
plans it: every built-in tool, the relevance gate, the plan grammar, validation.

The first run fills the prefix cache (the prompt's fixed part); p50 is over all runs.
Writes ops/bench/results/demo_plan.json.

    .venv/bin/python ops/bench/demo_plan.py [--runs 5] [--question TEXT]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from runtime.agent.model_steps import PLAN_MAX_TOKENS
from runtime.agent.planner import plan_with_model
from runtime.cli.bench import batch_backend, percentile, write_report
from runtime.cli.demo import PLANNED_QUESTION
from runtime.config import get_settings
from runtime.job.validation import plan_layers
from runtime.tools.registry import all_tools


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=PLANNED_QUESTION)
    args = parser.parse_args()
    settings = get_settings()
    profile, backend, _ = batch_backend("local")
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
    report = {"question": args.question, "p50_s": percentile(seconds, 50), "runs": runs}
    path = write_report("demo_plan", report, Path(__file__).parent / "results")
    print(f"p50 {report['p50_s']:.2f}s over {len(runs)} runs; written to {path}")


if __name__ == "__main__":
    main()
