"""Multiword verbs (runtime/cache/phrasal.py): a phrasal verb and its one-word synonym, a light
verb and its noun, on pairs written for these tests."""

from __future__ import annotations

import pytest

from runtime.cache import wordnet
from runtime.cache.verify import verify_match

needs_wordnet = pytest.mark.skipif(
    not wordnet.available(), reason="Debian's wordnet-base is not installed (ops/setup does it)"
)


@needs_wordnet
@pytest.mark.parametrize(
    ("cached", "query"),
    [
        ("Should I postpone the dentist visit?", "Should I put off the dentist visit?"),
        ("How do I cancel my newspaper delivery?", "How do I call off my newspaper delivery?"),
        ("Why did the council reject the plan?", "Why did the council turn down the plan?"),
        ("How do I switch on the boiler?", "How do I turn on the boiler?"),
        ("How can I reduce salt in my diet?", "How can I cut down on salt in my diet?"),
    ],
)
def test_phrasal_verb_is_its_synonym(cached: str, query: str) -> None:
    assert verify_match(cached, query)[0]


@needs_wordnet
@pytest.mark.parametrize(
    ("cached", "query"),
    [
        (
            "How do I make a decision between two job offers?",
            "How do I decide between two job offers?",
        ),
        ("Can I make a payment to the clinic by phone?", "Can I pay the clinic by phone?"),
    ],
)
def test_light_verb_and_its_noun(cached: str, query: str) -> None:
    assert verify_match(cached, query)[0]


@needs_wordnet
@pytest.mark.parametrize(
    ("cached", "query"),
    [
        ("How do I turn on the boiler?", "How do I turn off the boiler?"),
        ("How do I take off my boots?", "How do I put on my boots?"),
        ("Should I put off the meeting?", "Should I call off the meeting?"),
        ("How can I cut down on salt?", "How can I increase salt?"),
        ("How do I sign up for the gym?", "How do I cancel the gym?"),
    ],
)
def test_other_verbs_stay_different(cached: str, query: str) -> None:
    assert not verify_match(cached, query)[0]
