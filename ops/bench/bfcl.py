"""The planner on BFCL: AST accuracy, plan validity and latency per category.

Each case's function documents become the tools, the planner alone plans the question (no
deterministic fallback plan: the model's plan, or its repair, or nothing) and BFCL's own
AST checker scores the calls (ops/bench/bfcl_data.py). The model is the `local` profile
unless --model says otherwise; CELERAGENT_LOCAL_MODEL_PATH picks another local model.
Writes ops/bench/results/bfcl.json and bfcl.png (or --out NAME).

    .venv/bin/python ops/bench/bfcl.py --category simple_python --category parallel \\
        --limit 20 [--threads 4] [--json]

Prompts may be tuned on simple_python, multiple and parallel only (bfcl_data.TUNING); the
others measure what tuning did to questions it never saw. `--category synthetic_irrelevance
--split tune|test` plans irrelevance cases made from the tuning categories
(ops/bench/bfcl_synthetic.py); it is not part of the default (every BFCL category).
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bfcl_data, run as a script

from bfcl_data import CATEGORIES, SYNTHETIC, TUNING, Case, DocTool, load, score  # noqa: E402
from bfcl_synthetic import SPLITS, build  # noqa: E402

from runtime.agent.model_steps import PLAN_MAX_TOKENS  # noqa: E402
from runtime.agent.planner import plan_with_model  # noqa: E402
from runtime.cli.bench import batch_backend, percentile, write_report  # noqa: E402
from runtime.config import get_settings  # noqa: E402
from runtime.errors import PlanError  # noqa: E402
from runtime.job import dag  # noqa: E402
from runtime.schemas import Plan  # noqa: E402

OUT_DIR = Path(__file__).parent / "results"


def validator(tools: list[DocTool]) -> Any:
    """What production validation checks that applies to BFCL's tools: unique ids, known
    names, dependencies on calls in the plan, required arguments, no unknown ones."""
    by_name = {t.name: t.json_schema() for t in tools}

    def validate(plan: Plan) -> list[list[str]]:
        ids = [c.id for c in plan.calls]
        if len(set(ids)) != len(ids):
            raise PlanError("call ids repeat.")
        for call in plan.calls:
            schema = by_name.get(call.name)
            if schema is None:
                raise PlanError(f"call {call.id!r}: no tool {call.name!r}.", call.id)
            props = schema.get("properties", {})
            missing = [k for k in schema.get("required", []) if k not in call.arguments]
            unknown = [k for k in call.arguments if k not in props]
            if missing or unknown:
                raise PlanError(f"call {call.id!r}: missing {missing}, unknown {unknown}.", call.id)
            for dep in call.depends_on:
                if dep not in ids:
                    raise PlanError(f"call {call.id!r} depends on unknown {dep!r}.", call.id)
        return [[c.id for c in layer] for layer in dag.layers(plan)]

    return validate


def run_case(backend: Any, profile: Any, case: Case, max_tokens: int) -> dict[str, Any]:
    tools = case.tools()
    # The commit before issue 11 had no `fallback` switch; its fallback never fires on
    # BFCL's tools anyway, so the same bench measures it too.
    params = inspect.signature(plan_with_model).parameters
    extra: dict[str, Any] = {"fallback": False} if "fallback" in params else {}
    if "tool_gate" in params:  # the gate production's plan step uses (model_steps.py)
        extra["tool_gate"] = get_settings().planner_tool_similarity
        extra["tool_margin"] = get_settings().planner_tool_margin
    if "tool_unnamed" in params:
        extra["tool_unnamed"] = get_settings().planner_tool_similarity_unnamed
    started = time.perf_counter()
    outcome = plan_with_model(
        backend, profile, case.question, tools, validator(tools), max_tokens, **extra
    )
    latency = time.perf_counter() - started
    calls = (
        [{"name": c.name, "arguments": c.arguments} for c in outcome.plan.calls]
        if outcome.plan
        else []
    )
    right, why = score(case, calls)
    return {
        "id": case.id,
        "category": case.category,
        "question": case.question[:300],
        "calls": calls,
        "source": outcome.source,
        # A gate decision is a valid plan (no calls) made without the model.
        "valid": outcome.source in ("model", "repaired", "gate"),
        "right": right,
        "why_wrong": None if right else outcome.error or why,
        "latency_s": round(latency, 3),
        "model_calls": len(outcome.completions),
        "prompt_tokens": sum(c.usage.prompt_tokens for c in outcome.completions),
        "completion_tokens": sum(c.usage.completion_tokens for c in outcome.completions),
        "first_reply": outcome.completions[0].text[:400] if outcome.completions else None,
    }


def _model_path(backend: Any) -> str:
    model = getattr(backend, "model", None)  # a LocalModel: its folder and GGUF file
    if model is None or not hasattr(model, "folder"):
        return "remote"
    return str(model.folder / model.gguf_file) if model.gguf_file else str(model.folder)


def summarise(rows: list[dict[str, Any]], split: str) -> dict[str, Any]:
    latencies = [r["latency_s"] for r in rows]
    n = len(rows)
    return {
        "cases": n,
        "accuracy": round(sum(r["right"] for r in rows) / n, 3),
        "valid_rate": round(sum(r["valid"] for r in rows) / n, 3),
        "repaired": sum(r["source"] == "repaired" for r in rows),
        "p50_s": round(percentile(latencies, 50), 2),
        "p95_s": round(percentile(latencies, 95), 2),
        "prompt_tokens": sum(r["prompt_tokens"] for r in rows),
        "completion_tokens": sum(r["completion_tokens"] for r in rows),
        "tuned_on": rows[0]["category"] in TUNING
        or (rows[0]["category"] == SYNTHETIC and split == "tune"),
    }


def plot(categories: dict[str, dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(categories)
    xs = range(len(names))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.3 * len(names) + 2), 4))
    try:
        ax.bar(
            [x - 0.2 for x in xs],
            [categories[n]["accuracy"] for n in names],
            0.4,
            label="AST accuracy",
        )
        ax.bar(
            [x + 0.2 for x in xs],
            [categories[n]["valid_rate"] for n in names],
            0.4,
            label="valid plans",
        )
        ax.set_xticks(
            list(xs), [n + ("" if categories[n]["tuned_on"] else "*") for n in names], rotation=20
        )
        ax.set_ylim(0, 1.05)
        ax.set_title(title + "   (* = not tuned on)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--category",
        action="append",
        choices=[*CATEGORIES, SYNTHETIC],
        help="repeatable; default: every BFCL category",
    )
    parser.add_argument("--split", choices=SPLITS, default="tune", help=f"{SYNTHETIC}'s half")
    parser.add_argument("--limit", type=int, default=20, help="cases per category (0 = all)")
    parser.add_argument("--model", default="local", help="model profile name")
    parser.add_argument("--max-tokens", type=int, default=PLAN_MAX_TOKENS, help="as production")
    parser.add_argument("--threads", type=int, default=4, help="cases planned at once")
    parser.add_argument("--out", default="bfcl", help="results file name, without extension")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    args = parser.parse_args()

    cases = [
        c
        for name in args.category or list(CATEGORIES)
        for c in (
            build(args.split)[: args.limit or None]
            if name == SYNTHETIC
            else load(name, args.limit or None)
        )
    ]
    profile, backend, load_s = batch_backend(args.model)

    started = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        rows = list(pool.map(lambda c: run_case(backend, profile, c, args.max_tokens), cases))
    wall = time.perf_counter() - started

    by_category: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_category.setdefault(row["category"], []).append(row)
    categories = {name: summarise(rs, args.split) for name, rs in by_category.items()}
    report = {
        "model": profile.name,
        "model_path": _model_path(backend),
        "limit": args.limit,
        "synthetic_split": args.split if SYNTHETIC in by_category else None,
        "threads": args.threads,
        "load_s": round(load_s, 1),
        "wall_s": round(wall, 1),
        "categories": categories,
        "cases": rows,
    }
    path = write_report(args.out, report, OUT_DIR)
    plot(
        categories,
        OUT_DIR / f"{args.out}.png",
        f"BFCL, {profile.name}, {args.limit or 'all'} per category",
    )
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(
            f"{'category':<24}{'acc':>6}{'valid':>7}{'p50 s':>8}{'p95 s':>8}"
            f"{'tok in':>9}{'tok out':>9}"
        )
        for name, c in categories.items():
            mark = "" if c["tuned_on"] else "*"
            print(
                f"{name + mark:<24}{c['accuracy']:>6.2f}{c['valid_rate']:>7.2f}{c['p50_s']:>8.2f}"
                f"{c['p95_s']:>8.2f}{c['prompt_tokens']:>9}{c['completion_tokens']:>9}"
            )
        print(f"wall {wall:.1f}s; * = not tuned on; written to {path}")


if __name__ == "__main__":
    main()
