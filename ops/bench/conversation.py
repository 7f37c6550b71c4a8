"""Does a conversation's cost stay flat? And does the local model still recall early facts?

A scripted 40-turn conversation (10 turns each stating a fact, 20 longer filler turns, 10
turns asking for the facts) runs through the real stack (embedded Valkey, one worker per
queue) twice on the fake model (`fake-fast`: scripted replies, real streaming and token
counts, no weights):

- managed: one conversation (`Client.conversation()`): each model call sees the history
  fitted by runtime/conversation/context.py, capped at CELERAGENT_CONVERSATION_CONTEXT_TOKENS
  (set to --context-tokens here, so the cap is reached within the 40 turns), with the
  model-written summaries of runtime/conversation/summary.py.
- unmanaged: what a client does without conversations: every turn replays the whole
  transcript in the query of a plain job.

Per turn: prompt tokens of the job (plan and answer calls), its end-to-end latency; in
total: tokens and cost, the summaries' included (they are charged to the jobs' ledgers).

With `--local` instead, the same 10 facts and 10 questions (no filler) with the local model
(profile `local`, SmolLM2-135M on CPU: slow, so only these 20 turns), under the same cap: a
check passes when the answer contains the fact's value. Nothing here was tuned on these
questions. Writes ops/bench/results/conversation.json and .png (conversation_local.json).

    .venv/bin/python ops/bench/conversation.py [--local] [--context-tokens 1500]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from runtime.cli.bench import write_report
from runtime.cli.stack import Stack
from runtime.conversation import store
from runtime.errors import SpecError
from runtime.job.client import Client
from runtime.schemas import JobResult

OUT_DIR = Path(__file__).parent / "results"
NANO = 1_000_000_000

# (statement, question, the value a right answer contains)
FACTS = [
    ("My name is Ada.", "What is my name?", "Ada"),
    ("My cat is called Milo.", "What is my cat called?", "Milo"),
    ("I live in Lisbon.", "Which city do I live in?", "Lisbon"),
    ("My favourite colour is green.", "What is my favourite colour?", "green"),
    ("I work as a nurse.", "What is my job?", "nurse"),
    ("My brother's name is Tom.", "What is my brother's name?", "Tom"),
    ("I drive a Volvo.", "Which car brand do I drive?", "Volvo"),
    ("My birthday is in March.", "In which month is my birthday?", "March"),
    ("I play the violin.", "Which instrument do I play?", "violin"),
    ("My daughter is called Lena.", "What is my daughter called?", "Lena"),
]
_TOPICS = [
    "tides",
    "volcanoes",
    "bread baking",
    "chess openings",
    "bird migration",
    "glaciers",
    "coffee roasting",
    "bridges",
    "honey bees",
    "solar panels",
    "sailing knots",
    "tea",
    "lighthouses",
    "origami",
    "compost",
    "telescopes",
    "rivers",
    "pottery",
    "bicycles",
    "maps",
]
FILLER = [
    f"Tell me about {t}. I would like a short explanation of how {t} work, why people care "
    f"about {t}, and one surprising detail about {t} that most people do not know."
    for t in _TOPICS
]


def script(filler: bool = True) -> list[str]:
    return [f[0] for f in FACTS] + (FILLER if filler else []) + [f[1] for f in FACTS]


def _turn_record(result: JobResult) -> dict[str, Any]:
    answer_out = next((s.output for s in result.steps if s.kind == "answer"), None) or {}
    return {
        "status": result.status.value,
        "prompt_tokens": result.usage.prompt_tokens,
        "completion_tokens": result.usage.completion_tokens,
        "cost_usd": result.usage.cost_usd,
        "e2e_ms": result.timings.e2e_ms,
        "context": answer_out.get("conversation", {}),
        "answer": result.answer,
        # The user's statement put in front of an answer lacking it (runtime/conversation/recall.py)
        "memory_lead": answer_out.get("memory_lead"),
    }


def run_managed(
    client: Client, model: str, turns: list[str], deadline_s: float = 120.0
) -> dict[str, Any]:
    budget = {"deadline_s": deadline_s}
    conv = client.conversation(tenant="bench", model=model, budget=budget)
    records = [_turn_record(conv.ask(q).result(timeout=deadline_s + 60)) for q in turns]
    time.sleep(2)  # the last summary task, if one is queued
    meta = store.meta(client.redis, conv.tenant, conv.id)
    history = store.load(client.redis, conv.tenant, conv.id)
    return {
        "conversation_id": conv.id,
        "turns": records,
        # What stood for the dropped rounds at the end: to tell a fact the summary lost from
        # one the answer did not use.
        "summary": history.summary,
        "summary_upto": history.summary_upto,
        "facts": [f.text for f in history.facts],
        "summaries": int(meta.get("summaries", 0)),
        "summary_tokens": int(meta.get("summary_tokens", 0)),
        "summary_cost_usd": int(meta.get("summary_cost_n", 0)) / NANO,
    }


def run_unmanaged(client: Client, model: str, turns: list[str]) -> dict[str, Any]:
    lines: list[str] = []
    records = []
    for q in turns:
        query = q if not lines else "Conversation so far:\n" + "\n".join(lines) + f"\n\n{q}"
        result = client.submit({"query": query, "model": model}).result(timeout=600)
        records.append(_turn_record(result))
        lines += [f"User: {q}", f"Assistant: {result.answer or ''}"]
    return {"turns": records, "summary_tokens": 0, "summary_cost_usd": 0.0}


def totals(run: dict[str, Any]) -> dict[str, Any]:
    turns = run["turns"]
    tokens = sum(t["prompt_tokens"] + t["completion_tokens"] for t in turns)
    return {
        "tokens": tokens + run["summary_tokens"],
        "cost_usd": sum(t["cost_usd"] for t in turns) + run["summary_cost_usd"],
        "prompt_tokens_last_10": [t["prompt_tokens"] for t in turns[-10:]],
        "e2e_ms_median": sorted(t["e2e_ms"] for t in turns)[len(turns) // 2],
    }


def local_checks(client: Client, filler: bool = False) -> dict[str, Any]:
    # The gpu worker loads the model in the background (minutes on a busy CPU): one plain
    # job first, so the conversation's turns do not run into their deadline.
    warm = {"query": "Say hello.", "model": "local", "budget": {"deadline_s": 900}}
    for _ in range(150):  # its queue counts as live once its heartbeat has run
        try:
            handle = client.submit(warm)
            break
        except SpecError:
            time.sleep(2)
    handle.result(timeout=960)
    run = run_managed(client, "local", script(filler=filler), deadline_s=600)
    asked = run["turns"][-len(FACTS) :]
    checks = [
        {
            "question": q,
            "expected": value,
            "answer": t["answer"],
            "correct": value.lower() in (t["answer"] or "").lower(),
            "memory_lead": t["memory_lead"],
            # As the model wrote it: the answer without the memory check's lead.
            "model_correct": value.lower()
            in (t["answer"] or "").removeprefix(t["memory_lead"] or "").lower(),
            "context": t["context"],
            # Where the fact stood (its round is round n): still in the window, or beside
            # the question from the facts memory.
            "in_window": n >= t["context"].get("dropped", 0),
            "shown": n in t["context"].get("fact_rounds", []),
        }
        for n, ((_, q, value), t) in enumerate(zip(FACTS, asked, strict=True))
    ]
    return {
        "checks": checks,
        "correct": sum(c["correct"] for c in checks),
        "model_correct": sum(c["model_correct"] for c in checks),
        "leads": sum(c["memory_lead"] is not None for c in checks),
        "of": len(checks),
        "run": run,
    }


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    managed, unmanaged = report["managed"]["turns"], report["unmanaged"]["turns"]
    xs = range(1, len(managed) + 1)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    ax = axes[0]
    ax.plot(xs, [t["prompt_tokens"] for t in unmanaged], label="unmanaged (replayed)")
    ax.plot(xs, [t["prompt_tokens"] for t in managed], label="managed (fitted + summary)")
    ax.set(title="prompt tokens per turn", xlabel="turn", ylabel="tokens")
    ax.legend()
    ax = axes[1]
    for name, turns in (("unmanaged", unmanaged), ("managed", managed)):
        total, cum = 0, []
        for t in turns:
            total += t["prompt_tokens"] + t["completion_tokens"]
            cum.append(total)
        ax.plot(xs, cum, label=name)
    ax.set(title="cumulative tokens (managed: + summaries at end)", xlabel="turn")
    ax.legend()
    ax = axes[2]
    ax.plot(xs, [t["e2e_ms"] for t in unmanaged], label="unmanaged")
    ax.plot(xs, [t["e2e_ms"] for t in managed], label="managed")
    ax.set(title="latency per turn (fake-fast)", xlabel="turn", ylabel="ms")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--local", action="store_true", help="the local model's checks instead")
    parser.add_argument("--context-tokens", type=int, default=1500)
    parser.add_argument("--model", default="fake-fast")
    parser.add_argument("--llm-timeout", type=float, help="CELERAGENT_LLM_TIMEOUT_S for workers")
    parser.add_argument(
        "--filler", action="store_true", help="--local: the 20 filler turns between (40 turns)"
    )
    parser.add_argument(
        "--facts-tokens", type=int, help="CELERAGENT_CONVERSATION_FACTS_TOKENS (0: no facts)"
    )
    args = parser.parse_args()
    env = {
        "CELERAGENT_CONVERSATION_CONTEXT_TOKENS": str(args.context_tokens),
        "CELERAGENT_SEMANTIC_ENABLED": "false",  # the unmanaged replays must reach the model
    }
    if args.facts_tokens is not None:
        env["CELERAGENT_CONVERSATION_FACTS_TOKENS"] = str(args.facts_tokens)
    if args.llm_timeout:  # summaries on a busy CPU outlast the interactive default
        env["CELERAGENT_LLM_TIMEOUT_S"] = str(args.llm_timeout)
    stack = Stack(data_dir=Path(tempfile.mkdtemp()), beat=False, extra_env=env)
    stack.start(wait=True, timeout_s=300)
    report: dict[str, Any] = {"context_tokens": args.context_tokens, "model": args.model}
    try:
        with Client(stack.redis_url) as client:
            if args.local:
                checks = local_checks(client, args.filler)
                report = {"context_tokens": args.context_tokens, "filler": args.filler, **checks}
            else:
                turns = script()
                report["managed"] = run_managed(client, args.model, turns)
                report["unmanaged"] = run_unmanaged(client, args.model, turns)
                report["totals"] = {
                    "managed": totals(report["managed"]),
                    "unmanaged": totals(report["unmanaged"]),
                }
    finally:
        stack.stop()
    if args.local:
        suffix = "" if args.context_tokens == 1500 else f"_{args.context_tokens}"
        suffix += "_filler" if args.filler else ""
        suffix += "" if args.facts_tokens is None else f"_facts{args.facts_tokens}"
        write_report(f"conversation_local{suffix}", report, OUT_DIR)
        shown = ("correct", "model_correct", "leads", "of")
        print(json.dumps({k: report[k] for k in shown}, indent=2))
        return
    write_report("conversation", report, OUT_DIR)
    plot(report, OUT_DIR / "conversation.png")
    print(json.dumps({"totals": report["totals"]}, indent=2))


if __name__ == "__main__":
    main()
