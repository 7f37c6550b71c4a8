"""The serving rule (serving.py): thresholds per language, and acronyms spelt out."""

from __future__ import annotations

from runtime.cache.serving import SPELT_OUT_MARGIN, Candidate, decide, lowest_served

EHIC = "How do I renew my EHIC online?"
SPELT = "How do I renew my European Health Insurance Card online?"


def served(question: str, cached: str, similarity: float, min_similarity: float = 0.0) -> bool:
    cand = Candidate("e", similarity, cached, min_similarity=min_similarity)
    return decide(question, [cand], 0.8, 0.3).served is not None


def test_lowest_served_drops_only_for_english_that_may_spell_an_acronym() -> None:
    assert lowest_served(SPELT, 0.8, 0.3) == 0.8 - SPELT_OUT_MARGIN
    assert lowest_served(EHIC, 0.8, 0.3) == 0.8 - SPELT_OUT_MARGIN
    assert lowest_served("how do i renew my card online?", 0.8, 0.3) == 0.8
    assert lowest_served("欧洲健康保险卡怎么在网上续办", 0.8, 0.3) == 0.3


def test_a_spelt_out_acronym_is_served_under_the_threshold_but_not_under_the_floor() -> None:
    assert served(SPELT, EHIC, 0.7) and served(EHIC, SPELT, 0.7)
    assert not served(SPELT, EHIC, 0.8 - SPELT_OUT_MARGIN - 0.01)
    assert not served(SPELT, EHIC, 0.7, min_similarity=0.75)  # an entry's learned threshold


def test_below_the_threshold_everything_else_is_still_refused() -> None:
    # The same cosine without an acronym spelt out is not served, nor is a spelt-out acronym
    # in a question that asks something else, or other initials.
    assert not served("How do I shuffle a list in Python?", "How do I sort a list in Python?", 0.7)
    assert not served("How do I cancel my European Health Insurance Card online?", EHIC, 0.7)
    assert not served("How do I renew my Eastern Highland Ice Club pass online?", EHIC, 0.57)
    assert not served("How do I renew my EHIC online?", "How do I renew my EU card online?", 0.7)
