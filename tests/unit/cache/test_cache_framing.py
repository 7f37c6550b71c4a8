"""Session 15's English checks, each with pairs it serves and pairs it refuses, on sentences
of their own (none is in tests/data): the kind of answer asked for (answer_types.py), framing
openers, register wrappers and "won't stop" + -ing (framing.py), acronyms spelt out
(acronyms.py), superlatives counted (degrees.py, scope.py's "the most"), inverted passives
(verbs.py)."""

from __future__ import annotations

import pytest

from runtime.cache import answer_types, framing
from runtime.cache.verify import verify_match

SAME = [
    # An opener announcing the question asks nothing, and "one" there is no number.
    ("Quick question: how do I undo a merge in Mercurial?", "How can I undo a merge in Mercurial?"),
    ("Quick one - what is a bond coupon?", "What is a bond coupon?"),
    ("I'm wondering: what does escrow mean?", "What does escrow mean?"),
    ("Just curious: how do I descale a kettle?", "How do I descale a kettle?"),
    ("Silly question, but what is a mortgage broker?", "What is a mortgage broker?"),
    ("Sorry if this is obvious, but what is a stop-loss order?", "What is a stop-loss order?"),
    ("This may be a naive question, but why do cats purr?", "Why do cats purr?"),
    # An embedded "how" + noun is no measure: "how compound interest works".
    ("Can you explain how solar panels work?", "How do solar panels work?"),
    # A register wrapper only asks for simple wording.
    ("What is a hedge fund, in simple terms?", "What is a hedge fund?"),
    ("In layman's terms, what is a bond coupon?", "What is a bond coupon in plain English?"),
    # A negated "stop" + -ing is "keep" + -ing: no negation, no change of verb.
    ("Why does my cat keep scratching the sofa?", "Why won't my cat stop scratching the sofa?"),
    (
        "My phone keeps restarting, what can I do?",
        "My phone doesn't stop restarting, what can I do?",
    ),
    ("How many days does a visa renewal take?", "How long does a visa renewal take?"),
    # "how" + a measure: synonyms agree, and "how quickly" asks how long it takes.
    ("How big is a sperm whale?", "How large is a sperm whale?"),
    ("How quickly can I renew a passport?", "How long does it take to renew a passport?"),
    ("How much is a ferry ticket to Mull?", "How expensive is a ferry ticket to Mull?"),
    # An acronym of the capitalised words the other question spells out.
    (
        "Where is the nearest DMV office?",
        "Where is the nearest Department of Motor Vehicles office?",
    ),
    ("Can I bring a drone into the UK?", "Can I bring a drone into the United Kingdom?"),
    (
        "What does the IMF lend money for?",
        "What does the International Monetary Fund lend money for?",
    ),
    # A numeronym: first and last letters around the count of letters between.
    ("How do I add i18n to a Vue app?", "How do I add internationalization to a Vue app?"),
    ("How do I restart a pod in k8s?", "How do I restart a pod in Kubernetes?"),
    # "the least X" is the most of X's antonym.
    ("What is the least expensive laptop for school?", "What is the cheapest laptop for school?"),
    ("Which is the least dangerous hike near Oban?", "Which is the safest hike near Oban?"),
    # "the most" + adjective is a superlative, as "-est" is, not the quantifier "most".
    ("What's the fastest way to learn Rust?", "What's the most rapid way to learn Rust?"),
    ("Which is cheaper, rail or coach?", "Which is more affordable, rail or coach?"),
    # An inverted passive ("Why is X stuck") and its statement ("X is stuck, why?").
    ("Why is my build stuck in the queue?", "My build is stuck in the queue, why is that?"),
]

DIFFERENT = [
    (
        "How long does it take to register a car?",
        "What's the deadline to register a car?",
        "answer",
    ),
    ("How long does the museum stay open?", "When does the museum open?", "answer differs"),
    (
        "Where should I apply for a fishing licence?",
        "Why should I apply for a fishing licence?",
        "answer",
    ),
    ("Who signs off on the budget?", "When is the budget signed off?", "answer differs"),
    ("How tall is the Shard?", "How heavy is the Shard?", "answer differs: how:tall"),
    ("How far is Bath from Bristol?", "How long is the drive from Bath to Bristol?", "answer"),
    ("How often should I feed a goldfish?", "How long should I feed a goldfish?", "answer"),
    ("How deep is Lake Baikal?", "How wide is Lake Baikal?", "answer differs"),
    ("How can I renew a fishing licence?", "Where can I renew a fishing licence?", "answer"),
    ("How much does a fishing licence cost?", "How long does a fishing licence last?", "answer"),
    ("Does the UK drive on the left?", "Does the United States drive on the left?", "entities"),
    ("Where is the FDA based?", "Where is the Food Standards Agency based?", "entities"),
    # A superlative on one side only: one way vs any way.
    ("What's the fastest way to learn Rust?", "What's a rapid way to learn Rust?", "degree"),
    ("Which is cheaper, rail or coach?", "Which is affordable, rail or coach?", "degree"),
    ("How do I restart a pod in k8s?", "How do I restart a pod in k9s?", "numbers"),
    ("What is the least expensive laptop?", "What is the most expensive laptop?", "antonyms"),
    ("Which uses less power, a kettle or a fan?", "Which uses more power, a kettle or a fan?", ""),
    ("Which hike is the least crowded?", "Which hike is the most crowded?", ""),
    ("Was the museum closed by the council?", "Did the museum close the council?", "roles"),
    # "stop" with its own negation kept: not a double negation.
    ("Why does my cat keep scratching the sofa?", "Why did my cat stop scratching the sofa?", ""),
    # A wrapper that asks for another register is not dropped.
    ("What is a hedge fund, in technical terms?", "What is a hedge fund?", ""),
]


def test_unframe() -> None:
    assert framing.unframe("Quick one: how do I X?") == "How do I X?"
    assert framing.unframe("What is X, in plain words?") == "What is X?"
    assert framing.unframe("It won't stop beeping.") == "It keeps beeping."
    assert framing.unframe("It didn't stop beeping.") == "It kept beeping."
    assert framing.unframe("Quick one-pot meals?") == "Quick one-pot meals?"  # no opener
    assert framing.unframe("Quick questions to ask?") == "Quick questions to ask?"
    # An apology for something that happened is content, not framing.
    kept = "Sorry I missed the deadline, but can I still apply?"
    assert framing.unframe(kept) == kept
    assert framing.unframe("为什么一直响？") == "为什么一直响？"  # Chinese is left alone
    # Idempotent: parses.py stores the parse of the unframed text.
    once = framing.unframe("Quick one: what's X, in simple terms?")
    assert framing.unframe(once) == once


def test_answer_kinds() -> None:
    assert answer_types.kinds("When I log in, how long does the token last?") == {"duration"}
    assert answer_types.kinds("What is a token?") == frozenset()
    assert answer_types.kinds("By when must I file?") == {"time"}
    # "how long until" asks a point in time as much as a duration.
    assert answer_types.clash("How long until the next eclipse?", "When is the eclipse?") is None
    assert answer_types.clash("How long ago did the Wall fall?", "When did the Wall fall?") is None


@pytest.mark.parametrize(("cached", "query"), SAME)
def test_served(cached: str, query: str) -> None:
    assert verify_match(cached, query) == (True, None)


@pytest.mark.parametrize(("cached", "query", "reason"), DIFFERENT)
def test_refused(cached: str, query: str, reason: str) -> None:
    ok, why = verify_match(cached, query)
    assert not ok and why is not None and reason in why
