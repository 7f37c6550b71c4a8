"""Participants trading roles (persons.py): the asker and the one asked, and the one asked
about where a preposition ends the question. Pairs written for these tests."""

from __future__ import annotations

import pytest

from runtime.cache import persons
from runtime.cache.verify import verify_match

SWAPPED = [
    ("Can you sell me your car?", "Can I sell you my car?"),
    ("Should I pay you back?", "Should you pay me back?"),
    ("Can I call you tomorrow?", "Can you call me tomorrow?"),
    ("Do you owe me money?", "Do I owe you money?"),
    ("Will you teach us chess?", "Will we teach you chess?"),
    # The one asked about: the maker against the one it was made for or sent to.
    ("Who built the boathouse?", "Who was the boathouse built for?"),
    ("Who wrote the farewell letter?", "Who was the farewell letter written to?"),
]
SAME = [
    # One person alone is generic: the person a question is put in does not change it.
    ("How do I reset my router?", "How do you reset a router?"),
    ("Can you send me the invoice?", "Could you send me the invoice?"),
    ("Could you help me fix my bike?", "Can you help me fix my bike?"),
    ("Who wrote the farewell letter?", "Who was the farewell letter written by?"),
    ("Who do I send the form to?", "Who should I send the form to?"),
]


@pytest.mark.parametrize(("a", "b"), SWAPPED)
def test_persons_trading_roles_are_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0]
    assert not verify_match(b, a)[0]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_persons_in_the_same_roles_or_alone_still_match(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None)


def test_a_role_key_only_when_both_persons_take_part() -> None:
    class Tok:
        def __init__(self, word: str, pos: str = "PRON") -> None:
            self.lower_, self.pos_ = word, pos

    def role_of(tok: Tok) -> str:
        return {"i": "subject of pay", "you": "object of pay"}.get(tok.lower_, "")

    both = persons.roles([Tok("i"), Tok("you")], role_of)
    assert both == {persons.FIRST: "subject of pay", persons.SECOND: "object of pay"}
    assert persons.roles([Tok("you")], role_of) == {}
    assert persons.roles([Tok("i"), Tok("you", "NOUN")], role_of) == {}
