"""English role reversals around a wh-word, and frames written several ways: pairs written
for these tests (not from the pair banks). Each acceptance path has must-miss pairs beside
its must-hit pairs, since a wrong hit is far worse than a miss (runtime/cache/verify.py)."""

from __future__ import annotations

import pytest

from runtime.cache.verify import verify_match

# The wh-word the subject in one question and the object in the other, around one verb and
# one other participant: the cause asked for against the effect (structure.py's WH role).
WH_REVERSED = [
    ("What usually leads to chronic knee pain?", "What does chronic knee pain usually lead to?"),
    ("What often triggers hay fever?", "What does hay fever often trigger?"),
    ("Who did Odile interview?", "Who interviewed Odile?"),
    ("What do sparrows hunt?", "What hunts sparrows?"),
    ("What typically results from overgrazing?", "What does overgrazing typically result from?"),
    ("Who normally coaches the referees?", "Who do the referees normally coach?"),
]
WH_SAME = [
    ("What hunts sparrows?", "Which animals hunt sparrows?"),
    ("Who did Odile interview?", "Whom did Odile interview?"),
    ("What triggers hay fever?", "What is the trigger of hay fever?"),
]


@pytest.mark.parametrize(("a", "b"), WH_REVERSED)
def test_a_wh_word_moved_between_subject_and_object_is_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0]
    assert not verify_match(b, a)[0]


@pytest.mark.parametrize(("a", "b"), WH_SAME)
def test_the_same_role_of_the_wh_word_still_passes(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None)


# One frame written several ways (asking.py), greetings and requests said as a hope
# (framing.py): each must-hit beside must-miss pairs the same rewrite must still refuse.
FRAMES_SAME = [
    ("What's the best way to descale a kettle?", "How do I descale a kettle?"),
    ("Is there a way to mute a group chat on Wibble?", "How do I mute a group chat on Wibble?"),
    ("Could you walk me through how to file a tax return?", "How do I file a tax return?"),
    ("How do I set up a sourdough starter, step by step?", "How do I set up a sourdough starter?"),
    ("What is the right time to repot an orchid?", "When should I repot an orchid?"),
    ("hey, quick question: can dogs eat mango?", "Can dogs eat mango?"),
    (
        "I was hoping you could tell me whether the museum opens on Mondays.",
        "Does the museum open on Mondays?",
    ),
    ("I'm wondering if you could explain how tides work.", "How do tides work?"),
]
FRAMES_DIFFERENT = [
    ("What's the fastest way to descale a kettle?", "How do I descale a kettle?"),
    ("What's the cheapest way to get to Lisbon?", "How do I get to Lisbon?"),
    ("What's the worst way to store coffee beans?", "How do I store coffee beans?"),
    ("What's the best way to descale a kettle?", "How do I clean a kettle?"),
    (
        "What's the best time of day to water tomatoes?",
        "What's the best time of year to water tomatoes?",
    ),
    ("What's the right time to repot an orchid?", "How do I repot an orchid?"),
    ("What's the right time to repot an orchid?", "When should I prune an orchid?"),
    (
        "Is there a way to mute a group chat on Wibble?",
        "Is there a way to unmute a group chat on Wibble?",
    ),
    ("Could you walk me through how to file a tax return?", "How do I amend a tax return?"),
    (
        "I was hoping you could tell me whether the museum opens on Mondays.",
        "Does the museum close on Mondays?",
    ),
    ("hey, quick question: can dogs eat mango?", "Can cats eat mango?"),
]


@pytest.mark.parametrize(("a", "b"), FRAMES_SAME)
def test_one_frame_written_another_way_passes(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None)
    assert verify_match(b, a) == (True, None)


@pytest.mark.parametrize(("a", "b"), FRAMES_DIFFERENT)
def test_a_rewritten_frame_still_refuses_another_question(a: str, b: str) -> None:
    assert not verify_match(a, b)[0]
    assert not verify_match(b, a)[0]


# One amount written two ways (amounts.py): an article and "one", a duration in two units.
AMOUNTS_SAME = [
    ("How much protein is in an egg?", "How much protein is in one egg?"),
    ("Can I microwave soup for half an hour?", "Can I microwave soup for 30 minutes?"),
    ("Is a 1.5 hour nap too long?", "Is a 90 minute nap too long?"),
    (
        "Should I rest the steak for a quarter of an hour?",
        "Should I rest the steak for 15 minutes?",
    ),
    ("Can I park here for two hours?", "Can I park here for 120 minutes?"),
]
AMOUNTS_DIFFERENT = [
    ("How much protein is in one egg?", "How much protein is in two eggs?"),
    ("How much protein is in one egg?", "How much protein is in an apple?"),
    ("Can I microwave soup for half an hour?", "Can I microwave soup for 20 minutes?"),
    ("Is a 1.5 hour nap too long?", "Is a 2 hour nap too long?"),
    ("Can I park here for two hours?", "Can I park here for 2 minutes?"),
    ("Can I park here for an hour and a half?", "Can I park here for an hour?"),
    ("Is one coffee a day too much?", "Is one coffee an hour too much?"),
]


@pytest.mark.parametrize(("a", "b"), AMOUNTS_SAME)
def test_one_amount_written_two_ways_passes(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None)
    assert verify_match(b, a) == (True, None)


@pytest.mark.parametrize(("a", "b"), AMOUNTS_DIFFERENT)
def test_another_amount_is_still_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0]
    assert not verify_match(b, a)[0]


# A price of nothing said two ways (amounts.py): "no" inside "at no charge" negates nothing.
FREE_SAME = [
    ("Will Norwind rebook me for free?", "Will Norwind rebook me at no charge?"),
    ("Can I change my seat free of charge?", "Can I change my seat at no extra cost?"),
]
FREE_DIFFERENT = [
    ("Can I change my seat for free?", "Can I change my seat for a fee?"),
    ("Can I change my seat at no charge?", "Can I change my seat?"),
    ("Can I cancel at no cost?", "Can I not cancel for free?"),
    ("Can I board with no passport?", "Can I board with a passport?"),
]


@pytest.mark.parametrize(("a", "b"), FREE_SAME)
def test_free_said_two_ways_matches(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None) and verify_match(b, a) == (True, None)


@pytest.mark.parametrize(("a", "b"), FREE_DIFFERENT)
def test_a_price_or_a_negation_beside_free_is_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]
