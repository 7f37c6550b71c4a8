"""A frame verb against its opposite on one object (persons.action_clash): pairs written for
these tests."""

from __future__ import annotations

import pytest

from runtime.cache import wordnet
from runtime.cache.verify import verify_match

pytestmark = pytest.mark.skipif(not wordnet.available(), reason="WordNet's files are not installed")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("How do I hide a column in Gridly?", "How do I show a column in Gridly?"),
        ("Where can I find my lost keys?", "Where did I lose my keys?"),
        ("Can you give me the recipe?", "Can I take the recipe?"),
    ],
)
def test_a_frame_verb_against_its_opposite_is_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]


def test_a_frame_verb_against_another_verb_is_left_to_the_other_checks() -> None:
    a, b = "How do I find the area of a rhombus?", "How do I work out the area of a rhombus?"
    assert verify_match(a, b) == (True, None)
