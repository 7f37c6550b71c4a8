"""The serving rule (serving.py): thresholds per language, and verified neighbours under it."""

from __future__ import annotations

from runtime.cache.serving import VERIFIED_MARGIN, Candidate, decide, lowest_served

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


def test_the_pair_model_serves_nothing_under_the_threshold() -> None:
    # Content words reworded: the word checks refuse, the pair model overrules them, but
    # only at the threshold or above; under it, the refusal is a plain miss.
    see = "How can I see which process is using port 5433?"
    tells = "What command tells me what's listening on port 5433?"
    assert served(tells, see, 0.81)
    below = decide(tells, [Candidate("e", 0.79, see)], 0.8, 0.3)
    assert below.served is None and below.refusals == []


def test_below_the_threshold_everything_else_is_still_refused() -> None:
    # Under the threshold only the word checks serve: a swapped verb is not served, nor is a
    # spelt-out acronym in a question that asks something else, or other initials.
    assert not served("How do I shuffle a list in Python?", "How do I sort a list in Python?", 0.7)
    assert not served("How do I cancel my European Health Insurance Card online?", EHIC, 0.7)
    assert not served("How do I renew my Eastern Highland Ice Club pass online?", EHIC, 0.57)
    assert not served("How do I renew my EHIC online?", "How do I renew my EU card online?", 0.7)
