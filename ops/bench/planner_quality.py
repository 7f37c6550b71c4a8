"""How often does the local model produce a usable plan, and from which path?

20 varied questions (English and Chinese) go through `plan_with_model` with the local
SmolLM2 model and the real tool registry, all at once so the gpu batcher groups them. Each
outcome is classified by source (model / repaired / fallback / none) and checked against the
tools a person would call. Writes ops/bench/results/planner_quality.json and prints it.

    .venv/bin/python ops/bench/planner_quality.py [--model local] [--max-tokens 256]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from runtime.agent.planner import plan_with_model
from runtime.cli.bench import batch_backend
from runtime.job.dag import validate_plan
from runtime.schemas import Plan
from runtime.tools.registry import all_tools

RESULTS = Path(__file__).parent / "results" / "planner_quality.json"

# (question, the set of tools a person would call; empty = answer without tools)
QUESTIONS: list[tuple[str, set[str]]] = [
    ("What is 17 * 23?", {"calculator"}),
    ("Compute (1250 - 380) / 3 for me.", {"calculator"}),
    ("What is the square root of 144?", {"calculator"}),
    ("What's today's date?", {"current_date"}),
    ("What time is it in Asia/Shanghai right now?", {"current_date"}),
    ("Fetch https://example.com and tell me its title.", {"http_get"}),
    ("What is 2 ** 10, and what day is it today?", {"calculator", "current_date"}),
    ("Echo back the words 'hello world'.", {"echo"}),
    ("Write a haiku about autumn.", set()),
    ("Who wrote Pride and Prejudice?", set()),
    ("Summarise the page at https://www.python.org/about/ in one sentence.", {"http_get"}),
    ("How many seconds are in 3.5 hours?", {"calculator"}),
    ("计算 128 乘以 46 等于多少？", {"calculator"}),
    ("今天是几月几号？", {"current_date"}),
    ("现在北京时间几点？", {"current_date"}),
    ("请打开 https://example.org 并告诉我页面内容。", {"http_get"}),
    ("(45 + 55) * 12 的结果是多少？", {"calculator"}),
    ("给我讲一个关于猫的笑话。", set()),
    ("把 'celery is fast' 原样回显给我。", {"echo"}),
    ("What is 15% of 2400, and what is today's date in UTC?", {"calculator", "current_date"}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="local", help="model profile name")
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--threads", type=int, default=20)
    args = parser.parse_args()

    profile, backend, load_s = batch_backend(args.model)
    print(f"model loaded in {load_s:.1f}s")
    tools = all_tools()

    def validate(plan: Plan) -> None:
        validate_plan(plan)

    def one(item: tuple[str, set[str]]) -> dict:
        question, expected = item
        started = time.perf_counter()
        outcome = plan_with_model(backend, profile, question, tools, validate, args.max_tokens)
        names = sorted({c.name for c in outcome.plan.calls}) if outcome.plan else []
        return {
            "question": question,
            "source": outcome.source,
            "valid": outcome.source != "none",
            "tools": names,
            "expected": sorted(expected),
            "tools_match": set(names) == expected,
            "model_calls": len(outcome.completions),
            "completion_tokens": sum(c.usage.completion_tokens for c in outcome.completions),
            "seconds": round(time.perf_counter() - started, 2),
            "error": outcome.error,
            "first_reply": outcome.completions[0].text[:300] if outcome.completions else None,
        }

    started = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        rows = list(pool.map(one, QUESTIONS))
    wall = time.perf_counter() - started

    n = len(rows)
    by_source = Counter(r["source"] for r in rows)
    sources = ("model", "repaired", "fallback", "none")
    report = {
        "model": profile.name,
        "questions": n,
        "valid_plan_share": round(sum(r["valid"] for r in rows) / n, 3),
        "share_by_source": {s: round(by_source.get(s, 0) / n, 3) for s in sources},
        "count_by_source": {s: by_source.get(s, 0) for s in sources},
        "tools_match_share": round(sum(r["tools_match"] for r in rows) / n, 3),
        "tools_match_by_source": {
            s: sum(r["tools_match"] for r in rows if r["source"] == s) for s in sources
        },
        "model_calls": sum(r["model_calls"] for r in rows),
        "completion_tokens": sum(r["completion_tokens"] for r in rows),
        "wall_s": round(wall, 1),
        "batches": getattr(getattr(backend, "batcher", None), "stats", None).__dict__
        if hasattr(backend, "batcher")
        else None,
        "notes": "valid = a plan that passed validation, or the model validly said no tools "
        "are needed ('model' with no calls); 'none' = model and repair failed and the "
        "deterministic fallback had nothing.",
        "per_question": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    summary = {k: v for k, v in report.items() if k != "per_question"}
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
