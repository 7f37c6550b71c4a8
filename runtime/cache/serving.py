"""The semantic cache's serving rule: which of a question's near neighbours may be served.

Shared by SemanticCache (runtime/cache/semantic.py) and the offline evaluation
(runtime/cache/evaluate.py), so what `celeragent cache eval` measures is what is served.
A neighbour is served when its cosine similarity reaches the threshold (the question's
language's, raised by the scope's tightening and by the entry's own learned threshold, see
runtime/cache/shadow.py) and verification (runtime/cache/verify.py) finds nothing that
differs in meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime.cache.verify import language, verify_match

__all__ = ["Candidate", "Decision", "decide", "threshold_for"]


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    similarity: float
    question: str
    answer: Any = None
    min_similarity: float = 0.0  # The entry's own threshold, learned from shadow checks.


@dataclass
class Decision:
    served: Candidate | None
    refusals: list[tuple[Candidate, str]] = field(default_factory=list)


def threshold_for(question: str, threshold: float, zh_threshold: float | None) -> float:
    """Chinese has its own threshold: all-MiniLM-L6-v2 reads most CJK characters as [UNK],
    so its cosine says little there and the verifier's character checks do the work
    (tuned on the tune split: tune-split false hits stay at zero down to 0.3; session 8 moved
    it from 0.6 to 0.5 with the int8 embedder: tune recall +3 pairs, and no new false hit on
    the tune split or on ~55 new Chinese adversarial pairs written outside it)."""
    if zh_threshold is not None and language(question) == "zh":
        return zh_threshold
    return threshold


def decide(
    question: str,
    candidates: Sequence[Candidate],
    threshold: float,
    zh_threshold: float | None = None,
) -> Decision:
    """The serving rule, shared by SemanticCache and evaluate.py: the most similar neighbour
    at or above the threshold (the question's language's, raised by the entry's own learned
    one) that passes verification; refused neighbours are never served."""
    decision = Decision(served=None)
    base = threshold_for(question, threshold, zh_threshold)
    for cand in sorted(candidates, key=lambda c: -c.similarity):
        if cand.similarity < max(base, cand.min_similarity):
            continue
        ok, reason = verify_match(cand.question, question)
        if ok:
            decision.served = cand
            return decision
        decision.refusals.append((cand, reason or "refused"))
    return decision
