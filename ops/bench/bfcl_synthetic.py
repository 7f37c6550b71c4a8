"""Synthetic irrelevance cases, built from BFCL's tuning categories alone.

BFCL's `irrelevance` category is held out (issue 11): it may be scored once, never tuned
on. Its cases are "a question plus function documents that do not serve it", so the same
thing is built here from `simple_python`, `multiple` and `parallel`: each tuning case's
question against the functions of ANOTHER tuning case, where the right plan is no call.
The positives are the original pairs (the question against its own functions).

Which other case: the closest one in topic that is still another job, because a random
partner (a recipe question against a physics function) is turned away by any bar, and the
gate's hard cases are near misses. So the partner is the case whose functions are most
similar to the question (the gate's own embedder), among cases that share no function
name with the question's case and none of whose functions is within `TOPIC_BAR` cosine of
one of the question's own functions (a same-job function under another name would serve
it). The labels stay somewhat noisy: a few partners could in fact answer (a future-value
function for a present-value question).

Every case falls in one of two halves by a hash of its id, and questions pair only within
their half: tune on `tune`, report `test`. Both a question and its partner are in the half.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Literal

import numpy as np
from bfcl_data import SYNTHETIC, TUNING, Case, load

from runtime.agent import tool_choice

Split = Literal["tune", "test"]
SPLITS: tuple[Split, ...] = ("tune", "test")
# Two functions this close (name and description, the gate's embedding) do the same job.
TOPIC_BAR = 0.5


def half(case_id: str) -> Split:
    """The split a tuning case belongs to: stable across runs and machines."""
    return SPLITS[int(hashlib.sha1(case_id.encode()).hexdigest(), 16) % 2]


def positives(split: Split) -> list[Case]:
    """The tuning cases of one half: questions with the functions that serve them."""
    return [c for name in TUNING for c in load(name) if half(c.id) == split]


def build(split: Split, embed: Callable[[list[str]], np.ndarray] | None = None) -> list[Case]:
    """One synthetic irrelevance case per tuning case of `split` that has a partner."""
    cases = positives(split)
    embed = embed or tool_choice._default_embed
    questions = embed([c.question for c in cases])
    texts = [[tool_choice.tool_text(t) for t in c.tools()] for c in cases]
    flat = [t for ts in texts for t in ts]
    vectors = embed(flat)
    owner = np.repeat(np.arange(len(cases)), [len(ts) for ts in texts])
    names = np.array([f["name"] for c in cases for f in c.functions])
    to_question = questions @ vectors.T
    topic = vectors @ vectors.T
    out = []
    for i, case in enumerate(cases):
        own = owner == i
        allowed = ~own & ~np.isin(names, names[own]) & (topic[own].max(axis=0) < TOPIC_BAR)
        # A partner case must be allowed whole: any of its functions serving the question
        # would make "no call" the wrong plan.
        blocked = np.unique(owner[~allowed])
        allowed &= ~np.isin(owner, blocked)
        if not allowed.any():
            continue
        best = int(np.flatnonzero(allowed)[to_question[i, allowed].argmax()])
        other = cases[int(owner[best])]
        case_id = f"{SYNTHETIC}_{case.id}__{other.id}"
        out.append(Case(case_id, SYNTHETIC, case.question, other.functions, []))
    return out
