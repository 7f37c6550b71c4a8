"""The tuning set for the local model's recall in a conversation: different facts than the
10 checks of ops/bench/conversation.py, so rules and prompts are chosen here and measured
there once.

No stack: the local model (SmolLM2-135M, CPU) is called in process, with the answer step's
own prompt (runtime/agent/answer_prompt.py, no tools) and the history fitted by
runtime/conversation/context.py from an in-memory History: the rounds so far (the model's
own answers), and the facts memory (runtime/conversation/facts.py). No summary is written
(on the busy CPU it lags far behind the conversation, README). At the 300-token cap the
asked fact's round stands at the oldest edge of the window when it is asked (the recorded
`dropped`), so this set measures mostly whether the model picks the right fact out of the
history, not whether a dropped one comes back. `--facts-tokens 0` is the behaviour
without the facts memory.

    .venv/bin/python ops/bench/conversation_tune.py [--context-tokens 300] [--facts-tokens 120]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from runtime.agent.answer_prompt import build_answer_messages
from runtime.agent.model_steps import ANSWER_MAX_TOKENS
from runtime.cli.bench import write_report
from runtime.conversation import context
from runtime.conversation import facts as fact_memory
from runtime.conversation.store import History, Round

OUT_DIR = Path(__file__).parent / "results"

# (statement, question, the value a right answer contains): none of these facts, names or
# question forms is one of the 10 measured checks.
TUNE_FACTS = [
    ("My wife is called Priya.", "What is my wife called?", "Priya"),
    ("I was born in Oslo.", "Where was I born?", "Oslo"),
    ("My dog's name is Rex.", "What is my dog's name?", "Rex"),
    ("I am 42 years old.", "How old am I?", "42"),
    ("My favourite food is sushi.", "What is my favourite food?", "sushi"),
    ("I study chemistry.", "What subject do I study?", "chemistry"),
    ("My son is called Noah.", "What is my son called?", "Noah"),
    ("I speak Japanese.", "Which language do I speak?", "Japanese"),
    ("My flight leaves on Friday.", "On which day does my flight leave?", "Friday"),
    ("I support Arsenal.", "Which football team do I support?", "Arsenal"),
    ("My boss is named Karen.", "What is my boss's name?", "Karen"),
    ("I am allergic to peanuts.", "What am I allergic to?", "peanuts"),
]


def run(args: argparse.Namespace) -> dict[str, Any]:
    from runtime.llm.local.backend import LocalBackend
    from runtime.llm.profiles import get_profile

    profile = get_profile("local")
    backend = LocalBackend(profile)
    backend.warm()
    counter = backend.count_tokens
    turns = [f[0] for f in TUNE_FACTS] + [f[1] for f in TUNE_FACTS]
    rounds: list[Round] = []
    facts: dict[str, fact_memory.Fact] = {}
    records = []
    for n, query in enumerate(turns):
        history = History(rounds, None, 0, n, sorted(facts.values(), key=lambda f: f.number))
        messages = build_answer_messages(query, [], local=True)
        fitted = context.with_history(
            messages,
            history if n else None,
            counter,
            profile.context_window,
            ANSWER_MAX_TOKENS,
            args.context_tokens,
            3,
            query,
            args.facts_tokens,
            args.facts_shown,
        )
        started = time.perf_counter()
        completion = backend.complete(
            fitted.messages, model=profile.wire_model, max_tokens=ANSWER_MAX_TOKENS
        )
        answer = completion.text.strip()
        records.append(
            {
                "query": query,
                "answer": answer,
                "context": fitted.info,
                "s": time.perf_counter() - started,
            }
        )
        rounds = [*rounds, Round(n, query, answer)]
        for fact in fact_memory.extract(query, n):
            facts[fact.key] = fact
    asked = records[len(TUNE_FACTS) :]
    checks = [
        {
            "question": q,
            "expected": v,
            "answer": t["answer"],
            "correct": v.lower() in t["answer"].lower(),
            "context": t["context"],
        }
        for (_, q, v), t in zip(TUNE_FACTS, asked, strict=True)
    ]
    return {
        "context_tokens": args.context_tokens,
        "facts_tokens": args.facts_tokens,
        "min_shared": fact_memory.MIN_SHARED,
        "facts_shown": args.facts_shown,
        "header": fact_memory.FACTS_HEADER,
        "correct": sum(c["correct"] for c in checks),
        "of": len(checks),
        "checks": checks,
        "turns": records,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--context-tokens", type=int, default=300)
    parser.add_argument("--facts-tokens", type=int, default=120)
    parser.add_argument("--name", default="", help="suffix of the result file")
    parser.add_argument("--min-shared", type=int, default=fact_memory.MIN_SHARED)
    parser.add_argument("--facts-shown", type=int, default=1)
    parser.add_argument("--header", default=fact_memory.FACTS_HEADER)
    args = parser.parse_args()
    # Tuning knobs: the module's constants, set for this process only.
    fact_memory.MIN_SHARED = args.min_shared
    fact_memory.FACTS_HEADER = args.header
    report = run(args)
    write_report(f"conversation_tune{args.name}", report, OUT_DIR)
    for c in report["checks"]:
        print(("ok  " if c["correct"] else "MISS"), c["question"], "->", c["answer"])
    print(json.dumps({"correct": report["correct"], "of": report["of"]}))


if __name__ == "__main__":
    main()
