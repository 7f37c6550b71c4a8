"""Session 14's English grammar checks, each with a pair it serves and a pair it refuses:
verbs.py (tense of a shared verb, do-support inversion), qualifiers.py, clauses.py (clauses
trading places, conditions), the hyphenated negating prefixes (word_forms.py), participle and
time-order prepositions (function_words.py), frame words and hedges (structure.py, verify.py),
on sentences of their own: none is in tests/data (the eval pairs)."""

from __future__ import annotations

import pytest

from runtime.cache import word_forms
from runtime.cache.verify import verify_match

SAME = [
    # A change of verb with its tense is a rephrasing, not a change of time.
    ("Who painted the Night Watch?", "Who is the painter of the Night Watch?"),
    ("Which bands did Rick Rubin produce?", "Which bands were produced by Rick Rubin?"),
    ("Which dishes does Ottolenghi cook?", "Which dishes does Ottolenghi cook at home?"),
    ("What should I drink preceding a long run?", "What should I drink before a long run?"),
]

DIFFERENT = [
    ("Name the person who managed Arsenal.", "Name the person who manages Arsenal.", "tense"),
    ("Who edits the Guardian?", "Who edited the Guardian?", "tense differs"),
    (
        "Which club did Porto beat in the final?",
        "Which club beat Porto in the final?",
        "roles differ",
    ),
    (
        "Which services call payments_api?",
        "Which services does payments_api call?",
        "roles differ: payments_api",
    ),
    ("Why is my folder read-only?", "Why is my folder non-read-only?", "polarity differs"),
    ("Is this cable magnetic?", "Is this cable non-magnetic?", "polarity differs"),
    (
        "What should I stretch before a long run?",
        "What should I stretch following a long run?",
        "preposition differs",
    ),
]


def test_hyphenated_prefixes_join() -> None:
    assert word_forms.join_negating_prefixes("a non-editable, un-American form") == (
        "a noneditable, unAmerican form"
    )
    assert word_forms.join_negating_prefixes("an in-house team") == "an in-house team"


# Words that only frame or hedge the request (structure.py's frame words, verify.py's names).
FRAMED_SAME = [
    (
        "Hey, quick question: how long do eggs keep in the fridge? Cheers!",
        "how long do eggs keep in the fridge?",
    ),
    (
        "Roughly how long is the drive from Lyon to Geneva?",
        "About how long is the drive from Lyon to Geneva?",
    ),
]
FRAMED_SAME += [
    (
        "How many stops does the Brenmoor tram line have?",
        "What's the number of stops on the Brenmoor tram line?",
    ),
    ("Roughly how many eggs does a hen lay in a year?", "How many eggs does a hen lay in a year?"),
]
FRAMED_DIFFERENT = [
    ("What is the fastest way to learn Dutch?", "What is the cheapest way to learn Dutch?", "fast"),
    ("What's the number of the Harbour Inn?", "What's the address of the Harbour Inn?", "number"),
    ("How many moons does Saturn have?", "What's the number of rings of Saturn?", "content"),
    (
        "Hi, quick question: what is the boiling point of ethanol? Thanks!",
        "what is the boiling point of methanol?",
        "content differs",
    ),
    (
        "Roughly how long is the drive from Lyon to Geneva?",
        "Roughly how long is the drive from Lyon to Turin?",
        "entities differ",
    ),
]


# qualifiers.py: the words before a noun both questions ask about.
QUALIFIED_SAME = [
    ("What is a cheap laptop for students?", "What is an inexpensive laptop for students?"),
]
QUALIFIED_DIFFERENT = [
    (
        "Hi, quick question: what is the boiling point of ethanol? Thanks!",
        "what is the melting point of ethanol?",
        "content differs",
    ),
    (
        "What's the recommended daily intake of iron?",
        "What's the maximum safe intake of iron?",
        "content differs",
    ),
]


# function_words.py's time order and rates, clauses.py's rotation and conditions.
ORDER_SAME = [
    ("How much is a Keldor bus pass per week?", "How much is a weekly Keldor bus pass?"),
    ("How much does parking cost per day at Orvik?", "How much does parking cost a day at Orvik?"),
    ("If the boiler trips, will the pipes freeze?", "Will the pipes freeze if the boiler trips?"),
    (
        "I lost my Velmar gym card, how do I replace it?",
        "How do I replace my Velmar gym card? I've lost it.",
    ),
]
ORDER_DIFFERENT = [
    (
        "How much does the Tarn gym plan cost per month?",
        "How much does the Tarn gym plan cost?",
        "rate differs: per month vs none",
    ),
    (
        "What's open in Dunmore on New Year's Day?",
        "What's open in Dunmore on the day before New Year's Day?",
        "preposition",
    ),
    (
        "If the ferry is late, is the train cancelled?",
        "If the train is late, is the ferry cancelled?",
        "differ",
    ),
    ("Did Mira email Tobias?", "Did Tobias email Mira?", "differ"),
    (
        "If the boiler trips, will the pipes freeze?",
        "If the pipes freeze, will the boiler trip?",
        "condition differs",
    ),
]


@pytest.mark.parametrize(("cached", "query"), SAME + FRAMED_SAME + QUALIFIED_SAME + ORDER_SAME)
def test_served(cached: str, query: str) -> None:
    assert verify_match(cached, query) == (True, None)


@pytest.mark.parametrize(
    ("cached", "query", "reason"),
    DIFFERENT + FRAMED_DIFFERENT + QUALIFIED_DIFFERENT + ORDER_DIFFERENT,
)
def test_refused(cached: str, query: str, reason: str) -> None:
    ok, why = verify_match(cached, query)
    assert not ok and why is not None and reason in why
    assert not verify_match(query, cached)[0]  # either way round
