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

`--filler` puts 16 long filler turns (other topics than the measured bench's filler) between
the statements and the questions, so every fact's round is out of the window when it is
asked (the case of `conversation.py --filler`). Each check records where its fact stood:
`in_window` (its round was still in the history), `in_memory` (the facts memory held it),
`shown` (it was chosen to stand beside the question), so a miss reads as not kept, kept but
not chosen, or shown and not used by the model. `--no-model` gives the first three in
seconds (80 words of stand-in answer, tokens counted with tiktoken).

    .venv/bin/python ops/bench/conversation_tune.py [--context-tokens 300] [--facts-tokens 120]
        [--filler --context-tokens 1500]
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
from runtime.conversation import context, recall
from runtime.conversation import facts as fact_memory
from runtime.conversation.store import History, Round
from runtime.llm.tokens import counter_for

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
    # Added in session 9: a subject inside another ("my last name" / "my mother's last name",
    # stated in that order), and questions sharing no content word with their fact.
    ("My last name is Okafor.", "What is my last name?", "Okafor"),
    ("My mother's last name is Silva.", "What is my mother's last name?", "Silva"),
    ("I am employed as a pilot.", "What is my occupation?", "pilot"),
    ("I got married in 2015.", "In which year was my wedding?", "2015"),
]

_TUNE_TOPICS = [
    "waterfalls", "kites", "cheese making", "submarines", "fireflies", "deserts", "violins",
    "windmills", "coral reefs", "typewriters", "canals", "mushrooms", "clocks", "caves",
    "hot air balloons", "salt",
]  # fmt: skip
TUNE_FILLER = [
    f"Tell me about {t}. I would like a short explanation of how {t} work, why people care "
    f"about {t}, and one surprising detail about {t} that most people do not know."
    for t in _TUNE_TOPICS
]


def _where(fact_text: str, n: int, record: dict[str, Any], memory: list[str]) -> dict[str, Any]:
    """Where the asked fact stood when its question was asked (module docstring)."""
    info = record["context"]
    return {
        "in_window": n >= info.get("dropped", 0),
        "in_memory": fact_text in memory,
        "shown": fact_text in record["shown"],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from runtime.llm.local.backend import LocalBackend
    from runtime.llm.profiles import get_profile

    profile = get_profile("local")
    backend = None if args.no_model else LocalBackend(profile)
    if backend is not None:
        backend.warm()
    counter = backend.count_tokens if backend is not None else counter_for("gpt-4o-mini")
    filler = TUNE_FILLER if args.filler else []
    turns = [f[0] for f in TUNE_FACTS] + filler + [f[1] for f in TUNE_FACTS]
    rounds: list[Round] = []
    facts: dict[str, fact_memory.Fact] = {}
    records: list[dict[str, Any]] = []
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
            args.lean,
        )
        started = time.perf_counter()
        raw = ""
        # --no-model: a stand-in as long as the model's answers to the filler (~160 tokens),
        # so rounds leave the window as they do with the model.
        answer = " ".join(["Noted."] * 80)
        if backend is not None:
            completion = backend.complete(
                fitted.messages, model=profile.wire_model, max_tokens=ANSWER_MAX_TOKENS
            )
            raw = answer = completion.text.strip()
        lead = None
        if not args.no_memory_check:  # as the answer step does (runtime/conversation/recall.py)
            answer, lead = recall.ensure_fact(answer, query, history.facts)
        records.append(
            {
                "query": query,
                "answer": answer,
                "model_answer": raw,
                "memory_lead": lead,
                "context": fitted.info,
                "shown": [f.text for f in fitted.facts],
                "memory": [f.text for f in history.facts],
                "s": time.perf_counter() - started,
            }
        )
        print(f"turn {n}: {time.perf_counter() - started:.0f} s", flush=True)  # runs are long
        rounds = [*rounds, Round(n, query, answer)]
        for fact in fact_memory.extract(query, n):
            facts[fact.key] = fact
    asked = records[-len(TUNE_FACTS) :]
    checks = [
        {
            "question": q,
            "expected": v,
            "answer": t["answer"],
            "correct": v.lower() in t["answer"].lower(),
            "model_correct": v.lower() in t["model_answer"].lower(),
            "memory_lead": t["memory_lead"],
            "context": t["context"],
            "shown_facts": t["shown"],
            **_where(s, n, t, t["memory"]),
        }
        for n, ((s, q, v), t) in enumerate(zip(TUNE_FACTS, asked, strict=True))
    ]
    return {
        "context_tokens": args.context_tokens,
        "filler": args.filler,
        "facts_tokens": args.facts_tokens,
        "memory_check": not args.no_memory_check,
        "lean": args.lean,
        "facts_shown": args.facts_shown,
        "header": fact_memory.FACTS_HEADER,
        "model": not args.no_model,
        "shown_right": sum(c["shown"] for c in checks),
        "correct": sum(c["correct"] for c in checks),
        "model_correct": sum(c["model_correct"] for c in checks),
        "leads": sum(c["memory_lead"] is not None for c in checks),
        "of": len(checks),
        "checks": checks,
        "turns": records,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--context-tokens", type=int, default=300)
    parser.add_argument("--facts-tokens", type=int, default=120)
    parser.add_argument("--name", default="", help="suffix of the result file")
    parser.add_argument("--facts-shown", type=int, default=1)
    parser.add_argument("--header", default=fact_memory.FACTS_HEADER)
    parser.add_argument("--filler", action="store_true", help="16 filler turns between")
    parser.add_argument("--lean", action="store_true", help="a fact that answers it, alone")
    parser.add_argument(
        "--no-memory-check", action="store_true", help="answers as the model wrote them"
    )
    parser.add_argument("--facts-after", action="store_true", help="facts after the question")
    parser.add_argument(
        "--no-model",
        action="store_true",
        help="seconds, not minutes: which fact stands beside each question (stand-in answers, "
        "tokens counted with tiktoken); `correct` is then meaningless",
    )
    args = parser.parse_args()
    # Tuning knobs: the module's constants, set for this process only.
    if args.facts_after:  # the facts after the question instead of at its head
        context.with_facts = lambda content, facts: (
            f"{content}\n\n{fact_memory.render(facts)}" if facts else content
        )
    fact_memory.FACTS_HEADER = args.header
    report = run(args)
    write_report(f"conversation_tune{args.name}", report, OUT_DIR)
    for c in report["checks"]:
        where = ",".join(k for k in ("in_window", "in_memory", "shown") if c[k])
        print(
            ("ok  " if c["correct"] else "MISS"),
            c["question"],
            "->",
            c["answer"][:80],
            f"[{where}]",
        )
    print(
        json.dumps(
            {k: report[k] for k in ("correct", "model_correct", "leads", "shown_right", "of")}
        )
    )


if __name__ == "__main__":
    main()
