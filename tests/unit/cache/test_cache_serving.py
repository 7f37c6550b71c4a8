"""The serving rule (serving.py): thresholds per language, and verified neighbours under it."""

from __future__ import annotations

import pytest

from runtime.cache import e5_pair_model, pair_model
from runtime.cache.serving import PAIR_MARGIN, VERIFIED_MARGIN, Candidate, decide, lowest_served
from runtime.cache.verify import verify_match

EHIC = "How do I renew my EHIC online?"
SPELT = "How do I renew my European Health Insurance Card online?"


def served(question: str, cached: str, similarity: float, min_similarity: float = 0.0) -> bool:
    cand = Candidate("e", similarity, cached, min_similarity=min_similarity)
    return decide(question, [cand], 0.8, 0.3).served is not None


def test_lowest_served_drops_for_english_only() -> None:
    assert lowest_served(SPELT, 0.8, 0.3) == 0.8 - VERIFIED_MARGIN
    assert lowest_served("how do i renew my card online?", 0.8, 0.3) == 0.8 - VERIFIED_MARGIN
    assert lowest_served("欧洲健康保险卡怎么在网上续办", 0.8, 0.3) == 0.3
    # Without a threshold of its own, Chinese keeps the English one and no margin.
    assert lowest_served("欧洲健康保险卡怎么在网上续办", 0.8, None) == 0.8


def test_a_spelt_out_acronym_is_served_under_the_threshold_but_not_under_the_floor() -> None:
    assert served(SPELT, EHIC, 0.7) and served(EHIC, SPELT, 0.7)
    assert not served(SPELT, EHIC, 0.8 - VERIFIED_MARGIN - 0.01)
    assert not served(SPELT, EHIC, 0.7, min_similarity=0.75)  # an entry's learned threshold


def test_a_verified_paraphrase_is_served_under_the_threshold() -> None:
    # The same words in another frame; MiniLM scores the pair 0.78.
    prune = "When should I prune a climbing hydrangea?"
    cut = "What's the right time of year to cut back a climbing hydrangea?"
    assert served(cut, prune, 0.7) and not served(cut, prune, 0.8 - VERIFIED_MARGIN - 0.01)


def test_one_pair_model_alone_serves_nothing_under_the_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Content words reworded: the word checks refuse, a pair model overrules them at the
    # threshold or above; under it, down to PAIR_MARGIN, only when both models agree, and
    # further under, the refusal is a plain miss.
    see = "How can I see which process is using port 5433?"
    tells = "What command tells me what's listening on port 5433?"
    assert served(tells, see, 0.81)
    assert served(tells, see, 0.8 - PAIR_MARGIN + 0.01)  # both models score it past 6.0 / 3.0
    below = decide(tells, [Candidate("e", 0.8 - PAIR_MARGIN - 0.01, see)], 0.8, 0.3)
    assert below.served is None and below.refusals == []
    monkeypatch.setattr(e5_pair_model, "scores_past", lambda *args: False)
    assert served(tells, see, 0.81)  # MiniLM alone, at the threshold
    assert not served(tells, see, 0.79)  # but not under it


def test_both_pair_models_together_overrule_one_word_swapped_at_lower_logits() -> None:
    # "temperature vs point": alone, each model needs its SWAP_LOGIT for one word swapped;
    # both past their rewording logits is enough. Not for an antonym: "keep" / "discard"
    # scored e5 3.50 but MiniLM 3.4, so neither the pair nor either model serves it.
    melt = "At what temperature does candle wax melt?"
    point = "What is the melting point of candle wax?"
    assert pair_model.swapped(verify_match(point, melt)[1])
    assert served(melt, point, 0.88)
    keep = "I want to undo my last git commit but keep the changes, how do I do that?"
    discard = "I want to undo my last git commit and discard the changes, how do I do that?"
    assert not served(discard, keep, 0.95)


def test_below_the_threshold_everything_else_is_still_refused() -> None:
    # Under the threshold only the word checks serve: a swapped verb is not served, nor is a
    # spelt-out acronym in a question that asks something else, or other initials.
    assert not served("How do I shuffle a list in Python?", "How do I sort a list in Python?", 0.7)
    assert not served("How do I cancel my European Health Insurance Card online?", EHIC, 0.7)
    assert not served("How do I renew my Eastern Highland Ice Club pass online?", EHIC, 0.57)
    assert not served("How do I renew my EHIC online?", "How do I renew my EU card online?", 0.7)
