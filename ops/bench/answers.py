"""Does the answer state the tool's result? Plan, tools and answer on the local model.

Each question goes through the chain a planned job runs, in process: the planner
(`plan_with_model`, fallback included, validated by `plan_layers` as production does), the
real built-in tools layer by layer (refs resolved, substitutes, argument check, the
executor's runner and timeout), then the answer step as `model_steps.synthesize` builds it:
the same messages, `fit_messages`, token limit, temperature and post-processing (the
`NEED_TOOLS` check and `answer_check.ensure_result`). No Redis, so no caches and no budget.

A question scores when the final answer writes the number the tool returned (its plan's
single numeric leaf result; 395 == 395.0, 1,024 == 1024, a float rounded to >= 2 decimals
shown). The model's own text is scored too, before the guard may lead it with the number,
and both shares are reported. `correct` also checks the number a person would compute, so
a wrong plan shows up even when its answer states its (wrong) result.

Two disjoint question sets (ops/bench/answers_data.py): `tune` (prompts were tuned on it)
and `test` (30 questions, measured only). `--plans reference` replaces the planner by each
question's reference expression as an explicit plan: the answer step on right tool outputs.
Writes ops/bench/results/answers.json and .png for test, answers_tune.* for tune (with a
`_reference` suffix for reference plans).

    .venv/bin/python ops/bench/answers.py --split tune|test [--plans reference] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # answers_data, run as a script

from answers_data import SPLITS, Question, calc  # noqa: E402

from runtime.agent import answer_check  # noqa: E402
from runtime.agent.answer_prompt import build_answer_messages, needs_more_tools  # noqa: E402
from runtime.agent.model_steps import ANSWER_MAX_TOKENS, PLAN_MAX_TOKENS  # noqa: E402
from runtime.agent.planner import plan_with_model  # noqa: E402
from runtime.cli.bench import batch_backend, percentile, write_report  # noqa: E402
from runtime.config import get_settings  # noqa: E402
from runtime.errors import CeleragentError  # noqa: E402
from runtime.job import dag  # noqa: E402
from runtime.job.executor import describe_error, direct_runner, run_with_timeout  # noqa: E402
from runtime.job.validation import plan_layers  # noqa: E402
from runtime.llm.profiles import ModelProfile  # noqa: E402
from runtime.llm.tokens import fit_messages  # noqa: E402
from runtime.schemas import Plan  # noqa: E402
from runtime.tools.registry import all_tools, get_tool  # noqa: E402
from runtime.tools.substitutes import substitute_for  # noqa: E402

OUT_DIR = Path(__file__).parent / "results"


def run_tools(plan: Plan, layer_ids: list[list[str]], timeout_s: float) -> list[dict[str, Any]]:
    """The plan's calls, layer by layer, as layers.prepare and executor.execute_call run
    them (without Redis): a failed dependency skips its dependants, `$ref`s resolve against
    earlier outputs, substitutes answer in process, arguments are checked, a timeout holds."""
    by_id = {c.id: c for c in plan.calls}
    steps: dict[str, dict[str, Any]] = {}
    for layer in layer_ids:
        for cid in layer:
            call = by_id[cid]
            output, error = None, None
            failed = [d for d in call.depends_on if steps.get(d, {}).get("error")]
            try:
                if failed:
                    raise RuntimeError(f"skipped: dependency {failed[0]!r} failed")
                outputs = {k: s["output"] for k, s in steps.items() if not s["error"]}
                arguments = dag.resolve_refs(call.arguments, outputs, call.id)
                local = substitute_for(call.name, arguments)
                if local is not None:
                    output = local()
                else:
                    tool = get_tool(call.name, call.id)
                    tool.validate_arguments(arguments, call.id)
                    limit = tool.timeout_s or timeout_s
                    output, _ = run_with_timeout(
                        lambda t=tool, a=arguments: direct_runner(t, a), limit
                    )
            except (CeleragentError, Exception) as exc:  # noqa: BLE001 - a failed step is data
                error = str(exc) if isinstance(exc, RuntimeError) else describe_error(exc)
            # The shape model_steps._step_view gives the answer prompt.
            steps[cid] = {"id": cid, "tool": call.name, "output": output, "error": error}
    return list(steps.values())


def answer(
    backend: Any, profile: ModelProfile, query: str, steps: list[dict[str, Any]], plan: Plan | None
) -> dict[str, Any]:
    """The answer step as model_steps.synthesize runs it, minus Redis (events, cache, ledger)."""
    final_ids = dag.leaves(plan) if plan is not None else None
    checked = answer_check.checks(profile.backend)
    messages = build_answer_messages(query, steps, final_ids=final_ids, local=checked)
    count = getattr(backend, "count_tokens", None) or profile.encoding or profile.wire_model
    messages = fit_messages(messages, count, profile.context_window, ANSWER_MAX_TOKENS)
    completion = backend.complete(
        messages, model=profile.wire_model, max_tokens=ANSWER_MAX_TOKENS, temperature=0.0
    )
    text, wanted, lead = completion.text, needs_more_tools(completion.text), None
    if wanted is None and checked:
        text, lead = answer_check.ensure_result(text, steps, final_ids)
    return {
        "model_text": completion.text,
        "text": text,
        "lead": lead,
        "need_tools": wanted,
        "completion_tokens": completion.usage.completion_tokens,
        "prompt_tokens": completion.usage.prompt_tokens,
    }


def run_question(
    backend: Any, profile: ModelProfile, q: Question, reference: bool = False
) -> dict[str, Any]:
    """`reference`: the question's reference expression is its explicit plan, so the
    answer step is measured on right tool outputs whatever the planner does."""
    settings = get_settings()
    started = time.perf_counter()
    completions = 0
    explicit = q.plan or ({"calls": [calc("calc_1", q.reference)]} if reference else None)
    if explicit is not None:
        plan: Plan | None = Plan.model_validate(explicit)
        assert plan is not None
        layer_ids: list[list[str]] | None = plan_layers(plan, None, settings)
        source, plan_error = "user" if q.plan else "reference", None
    else:
        outcome = plan_with_model(  # as model_steps.plan calls it
            backend,
            profile,
            q.text,
            all_tools(),
            lambda candidate: plan_layers(candidate, None, settings),
            PLAN_MAX_TOKENS,
            settings.max_plan_calls,
            tool_gate=settings.planner_tool_similarity,
            tool_margin=settings.planner_tool_margin,
            tool_unnamed=settings.planner_tool_similarity_unnamed,
        )
        plan, layer_ids, source, plan_error = (
            outcome.plan,
            outcome.layers,
            outcome.source,
            outcome.error,
        )
        completions = len(outcome.completions)
    planned = time.perf_counter()
    steps = run_tools(plan, layer_ids or [], settings.tool_timeout_s) if plan else []
    tools_done = time.perf_counter()
    reply = answer(backend, profile, q.text, steps, plan)
    finished = time.perf_counter()
    final_ids = dag.leaves(plan) if plan is not None else None
    scalar = answer_check.scalar_result(steps, final_ids)
    value = scalar.value if scalar else None
    expected = q.expected
    return {
        "question": q.text,
        "lang": q.lang,
        "plan_source": source,
        "plan_error": plan_error,
        "calls": [c.model_dump() for c in plan.calls] if plan else [],
        "tool_outputs": [{k: s[k] for k in ("id", "tool", "output", "error")} for s in steps],
        "tool_result": value,
        "expected": expected,
        "tool_correct": value is not None
        and answer_check.states_value(answer_check.format_number(value), expected),
        "model_answer": reply["model_text"],
        "answer": reply["text"],
        "lead_added": reply["lead"],
        "need_tools": reply["need_tools"],
        "stated_model": value is not None and answer_check.states_value(reply["model_text"], value),
        "stated": value is not None and answer_check.states_value(reply["text"], value),
        "correct": answer_check.states_value(reply["text"], expected),
        "miss": _miss(plan, steps, value, reply["text"]),
        "plan_llm_calls": completions,
        "answer_tokens": reply["completion_tokens"],
        "hit_token_limit": reply["completion_tokens"] >= ANSWER_MAX_TOKENS,
        "latency_s": round(finished - started, 2),
        "plan_s": round(planned - started, 2),
        "tools_s": round(tools_done - planned, 3),
        "answer_s": round(finished - tools_done, 2),
    }


def _miss(plan: Plan | None, steps: list[dict[str, Any]], value: Any, text: str) -> str | None:
    """Why the final answer does not state a tool result: which stage of the chain failed."""
    if value is not None:
        return None if answer_check.states_value(text, value) else "not stated"
    if plan is None:
        return "no plan"
    if all(s["error"] for s in steps):
        return "tool failed"
    return "no single numeric result"


def _share(rows: list[dict[str, Any]], key: str) -> float:
    return round(sum(bool(r[key]) for r in rows) / len(rows), 3) if rows else 0.0


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = [r["latency_s"] for r in rows]
    by_lang = {
        lang: {k: _share([r for r in rows if r["lang"] == lang], k) for k in _SHARES}
        | {"n": sum(r["lang"] == lang for r in rows)}
        for lang in ("en", "zh")
    }
    return {
        "questions": len(rows),
        **{f"{k}_share": _share(rows, k) for k in _SHARES},
        "by_lang": by_lang,
        # The answer step's own share: among questions whose tools returned one number.
        "stated_given_result": {
            k: _share([r for r in rows if r["tool_result"] is not None], k)
            for k in ("stated_model", "stated")
        }
        | {"n": sum(r["tool_result"] is not None for r in rows)},
        "misses": dict(Counter(r["miss"] for r in rows if r["miss"])),
        "plan_source_mix": dict(Counter(r["plan_source"] for r in rows)),
        "lead_added": sum(bool(r["lead_added"]) for r in rows),
        "need_tools": sum(bool(r["need_tools"]) for r in rows),
        "hit_token_limit": sum(r["hit_token_limit"] for r in rows),
        "p50_latency_s": round(statistics.median(latencies), 2),
        "p95_latency_s": round(percentile(latencies, 95), 2),
    }


# stated_model: the model's text alone; stated: the final answer (after the guard);
# correct: the final answer states what a person would compute; tool_correct: the plan did.
_SHARES = ("stated_model", "stated", "correct", "tool_correct")


def plot(summary: dict[str, Any], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt

    groups = {"all": summary, "en": summary["by_lang"]["en"], "zh": summary["by_lang"]["zh"]}
    fig, ax = plt.subplots(figsize=(7, 4))
    try:
        width = 0.2
        for i, key in enumerate(_SHARES):
            values = [g[f"{key}_share"] if name == "all" else g[key] for name, g in groups.items()]
            ax.bar([x + (i - 1.5) * width for x in range(len(groups))], values, width, label=key)
        ax.axhline(0.9, color="grey", linestyle="--", linewidth=1)
        ax.set_xticks(list(range(len(groups))), list(groups))
        ax.set_ylim(0, 1.25)  # room for the legend above the bars
        ax.set_ylabel("share of questions")
        ax.set_title(title)
        ax.legend(fontsize=8, loc="upper center", ncol=len(_SHARES))
        fig.tight_layout()
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=list(SPLITS), default="tune")
    parser.add_argument("--model", default="local", help="model profile name")
    parser.add_argument("--limit", type=int, default=0, help="first N questions only (0 = all)")
    parser.add_argument(
        "--plans",
        choices=("planner", "reference"),
        default="planner",
        help="planner: the production chain; reference: each question's reference "
        "expression as an explicit calculator plan (the answer step alone)",
    )
    parser.add_argument("--out", default=None, help="results name (default answers_<split>)")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    args = parser.parse_args()

    questions = SPLITS[args.split][: args.limit or None]
    profile, backend, load_s = batch_backend(args.model)
    load_before = os.getloadavg()
    started = time.perf_counter()
    # One question at a time: latencies are per job, not a batch's queueing.
    rows = [run_question(backend, profile, q, args.plans == "reference") for q in questions]
    wall = time.perf_counter() - started
    summary = summarise(rows)
    report = {
        "model": profile.name,
        "split": args.split,
        "plans": args.plans,
        "load_s": round(load_s, 1),
        "wall_s": round(wall, 1),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "answer_max_tokens": ANSWER_MAX_TOKENS,
        "summary": summary,
        "per_question": rows,
    }
    name = args.out or ("answers" if args.split == "test" else "answers_tune")
    name += "_reference" if args.plans == "reference" and not args.out else ""
    path = write_report(name, report, OUT_DIR)
    title = f"answer states the tool's result: {profile.name}, {args.split} ({len(rows)})"
    title += ", reference plans" if args.plans == "reference" else ""
    plot(summary, OUT_DIR / f"{name}.png", title)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        for r in rows:
            mark = "ok " if r["stated"] else "-- "
            mark += "M" if r["stated_model"] else "."
            print(
                f"{mark} {r['plan_source']:<8} {r['question'][:40]:<40} {r['tool_result']!s:>10} "
                f"| {r['model_answer'][:70]!r}"
            )
        print(f"written to {path}")


if __name__ == "__main__":
    main()
