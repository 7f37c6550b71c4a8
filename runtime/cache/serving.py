"""The semantic cache's serving rule: which of a question's near neighbours may be served.

Shared by SemanticCache (runtime/cache/semantic.py) and the offline evaluation
(runtime/cache/evaluate.py), so what `celeragent cache eval` measures is what is served.
A neighbour is served when its cosine similarity reaches the threshold (the question's
language's, raised by the scope's tightening and by the entry's own learned threshold, see
runtime/cache/shadow.py) and verification (runtime/cache/verify.py) finds nothing that
differs in meaning, or finds only content words that differ and the pair model
(runtime/cache/pair_model.py and e5_pair_model.py), reading both
questions at once, is sure they ask the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime.cache import e5_pair_model, pair_model
from runtime.cache.verify import language, verify_match

__all__ = ["Candidate", "Decision", "decide", "lowest_served", "threshold_for"]

# Under the threshold, down to VERIFIED_MARGIN below it, an English neighbour is served when
# the word checks alone (verify.py) find nothing that differs. The cosine is all-MiniLM-L6-v2's
# guess, and it scores many true paraphrases low: an acronym spelt out ("EHIC" / "European
# Health Insurance Card", 0.61 to 0.75 on the tune split in session 16) or a frame reworded
# around the same words ("When should I prune a climbing hydrangea?" / "What's the right time
# of year to cut back a climbing hydrangea?", 0.78). Over the tune split's English pairs
# (session 19: 985 paraphrases, 1796 must-miss), serving verified neighbours from 0.65 rather
# than 0.85 served 9 more paraphrases and no must-miss; in one index of all their cached
# questions, 8 more and one other question, itself a paraphrase. Not lower: other words with
# the same initials ("EHIC" / "Eastern Highland Ice Club") pass the word checks, and the
# cosine is what tells them apart (0.57 there). The pair model (pair_model.py) never serves
# under the threshold: there it served "the boiling point of diethyl ether" for "...of
# isopropyl alcohol" and "a recipe for lentil soup" for its calories.
VERIFIED_MARGIN = 0.2
# Nor does either pair model alone: two models that agree may, down to PAIR_MARGIN under it.
# An English neighbour the word checks refuse for a shape both may overrule (reworded, or one
# word swapped: pair_model.reworded / swapped) is served when both score it past their
# rewording logits (pair_model.RESCUE_LOGIT 6.0; for e5 AGREED_E5_LOGIT, below): `_agreed`.
# Their must-miss errors are not each other's. On the four retired banks left out of both
# models' training (seen21, seen21b, seen22, seen22b; session 22):
# - from 0.75 to 0.85, 7 English paraphrases refused so passed both ("If I miss my connecting
#   flight ..., who rebooks me?" / "Who is responsible for rebooking me when ...", 0.80), and
#   no must-miss did (the two that passed e5, at 3.6 and 3.2, scored 1.6 and 5.4 on MiniLM);
# - at the threshold and above, one word swapped: paraphrases such as "temperature vs point"
#   (at what temperature it melts / its melting point: e5 3.7, MiniLM 7.6) passed both, and no
#   must-miss did. Alone, each needs its SWAP_LOGIT there: the adversarial "keep the changes"
#   / "discard the changes" scored e5 3.50 (MiniLM 3.4), and "indoor" / "outdoor" MiniLM 7.1
#   (e5 -2.4).
PAIR_MARGIN = 0.1
# Where MiniLM is past its rewording logit, e5 need only be past AGREED_E5_LOGIT to agree, lower
# than its own rewording logit (e5_pair_model.RESCUE_LOGIT 3.0). Chosen in session 23 on seven
# banks neither English model was trained on (seen21, seen21b, seen22, seen22b, seen23,
# seen23b, dev22: 525 English paraphrases, 994 must-miss): at 2.0, 12 more paraphrases were
# served and no must-miss; of the 492 must-miss refused for a shape the models may overrule,
# one scored MiniLM 5.4 (under 6.0) and e5 3.2, and no other reached MiniLM 3 and e5 1 together.
AGREED_E5_LOGIT = 2.0


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
    """Chinese has its own threshold: a Chinese question is indexed by its hashed characters,
    not by all-MiniLM-L6-v2, which reads most CJK characters as [UNK] (zh_vectors.py), and
    its cosine finds the candidates while the verifier's checks decide. 0.3 was chosen on
    the tune split in session 15 (pairs alone: recall 192 / 191 / 186 / 177 of 287 Chinese
    paraphrases at 0.2 / 0.3 / 0.4 / 0.5, false hits unchanged; in one crowded index, 183
    served at 0.2 and 0.3). Until session 15 it was 0.5 on MiniLM's cosine."""
    if zh_threshold is not None and language(question) == "zh":
        return zh_threshold
    return threshold


def lowest_served(question: str, threshold: float, zh_threshold: float | None) -> float:
    """The lowest cosine at which `decide` could serve a neighbour of the question: what
    SemanticCache fetches."""
    base = threshold_for(question, threshold, zh_threshold)
    english = base == threshold and language(question) == "en"
    return base - VERIFIED_MARGIN if english else base


def _rescued(cached: str, new: str, reason: str | None, similarity: float, base: float) -> bool:
    """A pair model overrules the refusal: for English pairs pair_model.py's or e5's, for
    Chinese ones e5's (e5_pair_model.py); each only for its own shapes of refusal and past
    its own logit for the shape. Or, down to PAIR_MARGIN under the threshold, both English
    models agree (`_agreed`)."""
    if similarity >= base and (
        pair_model.rescues(cached, new, reason) or e5_pair_model.rescues(cached, new, reason)
    ):
        return True
    return similarity >= base - PAIR_MARGIN and _agreed(cached, new, reason)


def _agreed(cached: str, new: str, reason: str | None) -> bool:
    """Both English pair models past their rewording logits, for a refusal of content words
    reworded or one swapped (see PAIR_MARGIN). MiniLM first: it is the cheaper of the two."""
    if not (pair_model.reworded(reason) or pair_model.swapped(reason)):
        return False
    return pair_model.scores_past(cached, new, pair_model.RESCUE_LOGIT) and (
        e5_pair_model.scores_past(cached, new, AGREED_E5_LOGIT)
    )


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
    floor = lowest_served(question, threshold, zh_threshold)
    for cand in sorted(candidates, key=lambda c: -c.similarity):
        if cand.similarity < max(floor, cand.min_similarity):
            continue
        bar = max(base, cand.min_similarity)
        under = cand.similarity < bar
        ok, reason = verify_match(cand.question, question)
        if ok or _rescued(cand.question, question, reason, cand.similarity, bar):
            decision.served = cand
            return decision
        if not under:  # Under the threshold a refusal is only a miss, as it always was.
            decision.refusals.append((cand, reason or "refused"))
    return decision
