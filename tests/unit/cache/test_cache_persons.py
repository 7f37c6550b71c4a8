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


# One verb, done by a third party in one question and by the asker in the other. Written for
# this test (session 18); the first two are the shapes an adversarial round found served.
AGENT_CHANGED = [
    (
        "Do I get a refund if the ferry line cancels my crossing?",
        "Do I get a refund if I cancel my crossing?",
    ),
    ("Can my landlord raise the rent during the lease?", "Can I raise the rent during the lease?"),
    (
        "What happens if my employer ends the contract early?",
        "What happens if I end the contract early?",
    ),
]
AGENT_KEPT = [
    # The party named elsewhere in the other question, or no party named at all.
    ("What should a beginner buy for climbing?", "What should I buy for climbing as a beginner?"),
    (
        "Do I get a refund if the ferry line cancels my crossing?",
        "Do I get a refund if my crossing is cancelled?",
    ),
    ("Why does my dog bark at night?", "Why does my dog keep barking at night?"),
]


@pytest.mark.parametrize(("cached", "new"), AGENT_CHANGED)
def test_a_third_party_against_the_asker_is_refused(cached: str, new: str) -> None:
    ok, reason = verify_match(cached, new)
    assert not ok and reason is not None and reason.startswith("roles differ"), reason


@pytest.mark.parametrize(("cached", "new"), AGENT_KEPT)
def test_the_same_party_or_none_named_is_no_role_change(cached: str, new: str) -> None:
    assert not (verify_match(cached, new)[1] or "").startswith("roles differ")
