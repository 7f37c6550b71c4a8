"""A repeated workload with caches on and off: what the caches save.

Twenty questions are asked once, then again: ten verbatim and ten reworded. The rewordings
are written here, not taken from tests/data/semantic_pairs.jsonl (which the verifier was
tuned on), so this is a held-out check. Each question is a plain query answered by a fake
model with realistic latency (`fake-slow`: 400 ms + 50 tokens/s), on its own embedded stack.
Reports e2e latency and model calls per pass, for caches off and caches on.

    .venv/bin/python ops/bench/repeated_workload.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from runtime.cli.bench import percentile, plot, write_report
from runtime.cli.stack import Stack
from runtime.job.client import Client

QUESTIONS = [
    "What is the boiling point of water at sea level?",
    "Who wrote the novel Pride and Prejudice?",
    "How many legs does a spider have?",
    "What is the largest planet in the solar system?",
    "How do I make a cup of green tea?",
    "What language is spoken in Brazil?",
    "Why is the sky blue?",
    "How long does it take light from the Sun to reach Earth?",
    "What is the chemical symbol for gold?",
    "How do I convert Celsius to Fahrenheit?",
    "What causes the seasons on Earth?",
    "Who painted the Mona Lisa?",
    "What is the tallest mountain in the world?",
    "How many continents are there?",
    "What is photosynthesis?",
    "How do vaccines work?",
    "What is the speed of sound in air?",
    "Which ocean is the largest?",
    "What does DNA stand for?",
    "How many bones are in the adult human body?",
]
REWORDED = {
    0: "At sea level, what's the boiling point of water?",
    1: "Who is the author of the novel Pride and Prejudice?",
    2: "how many legs does a spider have",
    3: "Which is the largest planet in the solar system?",
    4: "How can I make a cup of green tea?",
    5: "Which language is spoken in Brazil?",
    6: "why is the sky blue?",
    7: "How long does light from the Sun take to reach Earth?",
    8: "What's the chemical symbol for gold?",
    9: "How can I convert Celsius to Fahrenheit?",
}


def second_pass() -> list[str]:
    return [REWORDED.get(i, q) for i, q in enumerate(QUESTIONS)]


def run_pass(client: Client, questions: list[str]) -> dict[str, Any]:
    e2e, calls, cached = [], 0, 0
    for q in questions:
        result = client.submit({"query": q, "model": "fake-slow"}).result(timeout=120)
        assert result.status.value == "done", result.error
        e2e.append((result.timings.e2e_ms or 0.0) / 1000)
        calls += result.usage.llm_calls
        cached += any(s.id == "semantic_cache" for s in result.steps)
    return {
        "questions": len(questions),
        "model_calls": calls,
        "semantic_hits": cached,
        "e2e_total_s": sum(e2e),
        "e2e_p50_s": statistics.median(e2e),
        "e2e_p95_s": percentile(e2e, 95),
        "samples": e2e,
    }


def run(caches: bool) -> dict[str, Any]:
    env = {"CELERAGENT_CACHE_ENABLED": "true" if caches else "false"}
    stack = Stack(data_dir=Path(tempfile.mkdtemp()), beat=False, extra_env=env)
    url = stack.start(wait=True)
    try:
        client = Client(url)
        first = run_pass(client, QUESTIONS)
        time.sleep(2.0)  # let the agent workers remember the answers
        second = run_pass(client, second_pass())
    finally:
        stack.stop()
    return {"first_pass": first, "second_pass": second}


def main() -> int:
    off, on = run(caches=False), run(caches=True)
    for name, data in (("caches off", off), ("caches on", on)):
        for label in ("first_pass", "second_pass"):
            p = data[label]
            print(
                f"{name:10s} {label:11s} model calls {p['model_calls']:3d}  semantic hits "
                f"{p['semantic_hits']:2d}  e2e total {p['e2e_total_s']:6.2f} s  p50 "
                f"{p['e2e_p50_s'] * 1000:6.0f} ms  p95 {p['e2e_p95_s'] * 1000:6.0f} ms",
                flush=True,
            )
    saved_calls = off["second_pass"]["model_calls"] - on["second_pass"]["model_calls"]
    saved_s = off["second_pass"]["e2e_total_s"] - on["second_pass"]["e2e_total_s"]
    print(f"second pass: {saved_calls} model calls and {saved_s:.2f} s of e2e saved by caches")
    report = {
        "caches_off": off,
        "caches_on": on,
        "second_pass_calls_saved": saved_calls,
        "second_pass_e2e_saved_s": saved_s,
    }
    print(write_report("repeated_workload", report))
    print(
        plot(
            "repeated_workload",
            {
                "off, 2nd pass": off["second_pass"]["samples"],
                "on, 2nd pass": on["second_pass"]["samples"],
            },
            title="second pass e2e: caches off vs on",
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
