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
