"""English paraphrases that differ only in how one thing is written: a weekday in the plural,
a formal or casual opener, a passive asking for the agent, a duration or a proportion in
other units, "someone" for one person, a name's hyphens, and the modal of a request for
advice. Pairs written for these tests (not from the pair banks); each accepted rewrite has
must-miss pairs beside it, since a wrong hit is far worse than a miss (runtime/cache/verify.py).
"""

from __future__ import annotations

import pytest

from runtime.cache import amounts, spellings
from runtime.cache.verify import verify_match

MUST_HIT = [
    # A weekday in the plural is the weekday (surface.py, structure.py).
    ("When does the Orlin pool close on Saturdays?", "When does the Orlin pool close on Saturday?"),
    # Openers that ask nothing (framing.py); a bare "how to" asks "how do I" (asking.py).
    ("Please advise how to renew my Corvel permit.", "How do I renew my Corvel permit?"),
    ("yo when does the Dunmore ferry leave?", "When does the Dunmore ferry leave?"),
    # The agent asked for in the passive (verbs.py's `passive`).
    ("Who painted the Osterby mural?", "By whom was the Osterby mural painted?"),
    # "get / have X done": X is what is done, as in "do X" (verbs.py's `causative_passive`).
    ("How can I get my photos exported from Pixbin?", "How do I export my photos from Pixbin?"),
    ("How can I have my car repaired in Dunmore?", "How do I repair my car in Dunmore?"),
    # Durations in days / weeks and months / years (amounts.py).
    ("Is the Pembry trial 14 days long?", "Is the Pembry trial two weeks long?"),
    ("Does the Quorra lease run for a year?", "Does the Quorra lease run for 12 months?"),
    ("Does the Veltra warranty cover 36 months?", "Does the Veltra warranty cover three years?"),
    # A proportion as a percentage and as a fraction word (amounts.py).
    ("Do 50% of Marlow voters support the plan?", "Do half of Marlow voters support the plan?"),
    ("Are 75 percent of the seats taken?", "Are three quarters of the seats taken?"),
    # "someone" stands for one person, as "a colleague" does (scope.py).
    ("How do I mute a colleague in Tallyroom?", "How do I mute someone in Tallyroom?"),
    # One word with or without its hyphen, dot or capitals (spellings.py).
    ("Why does my Orbo camera lose Wi-Fi?", "Why does my Orbo camera lose wifi?"),
    ("Why does my Orbo camera lose WiFi?", "Why does my Orbo camera lose Wi-Fi?"),
    ("How do I send an e-mail from Quillet?", "How do I send an email from Quillet?"),
    # Advice about a problem asks the same with "should" or "can" (framing.py).
    ("My Harto kettle keeps tripping the fuse, what should I do?",
     "My Harto kettle keeps tripping the fuse, what can I do?"),
    ("What could I do if my Brisk scooter won't charge?",
     "What should I do if my Brisk scooter won't charge?"),
    # A fortnight is 14 days (amounts.py); "six and a half" is 6.5 (verify.py).
    ("Is the Pembry trial two weeks long?", "Is the Pembry trial a fortnight long?"),
    ("Is a 4.5-hour train ride to Dunmore worth it?",
     "Is a four-and-a-half-hour train ride to Dunmore worth it?"),
    # A clock time written two ways (surface.py `normalise_times`).
    ("Does the Orlin pool open at 07:30 on Sundays?",
     "Does the Orlin pool open at 7:30 am on Sundays?"),
    ("Is the Corvel desk open at midday?", "Is the Corvel desk open at 12:00?"),
    ("Is the Corvel desk open at quarter to six?", "Is the Corvel desk open at 5:45?"),
    # "just" before a past verb is "a moment ago", not "only" (scope.py).
    ("My Orbo camera's red light just came on, what does it mean?",
     "My Orbo camera's red light came on, what does it mean?"),
]  # fmt: skip

MUST_MISS = [
    # One day against every one of them, or another weekday.
    ("Is the Orlin pool open this Saturday?", "Is the Orlin pool open on Saturdays?"),
    ("Is the Orlin pool open on Saturdays?", "Is the Orlin pool open on Sundays?"),
    # The wh-word the agent in one, the thing made in the other.
    ("Who was painted by Halvard?", "By whom was Halvard painted?"),
    ("How can I get my photos exported from Pixbin?", "How can my photos export me from Pixbin?"),
    # Another length, or another scale.
    ("Is the Pembry trial 14 days long?", "Is the Pembry trial three weeks long?"),
    ("Does the Veltra warranty cover 24 months?", "Does the Veltra warranty cover three years?"),
    ("Does the Veltra warranty cover 24 months?", "Does the Veltra warranty cover 24 weeks?"),
    ("Is the Quorra lease 30 days?", "Is the Quorra lease a month?"),
    # Another proportion.
    ("Do 75% of Marlow voters back it?", "Do a quarter of Marlow voters back it?"),
    ("Do 50% of Marlow voters support the plan?", "Do 15% of Marlow voters support the plan?"),
    # Everyone against someone, no one against anyone.
    ("Can everyone see my Tallyroom status?", "Can someone see my Tallyroom status?"),
    ("Can anyone see my Tallyroom status?", "Can nobody see my Tallyroom status?"),
    # Another generation of the standard, or another address.
    ("Does the Orbo camera support Wi-Fi 6?", "Does the Orbo camera support Wi-Fi 7?"),
    ("Send the report to k.li@vetch.example.", "Send the report to kli@vetch.example."),
    # A modal that is the question: obligation against permission, or no problem beside it.
    ("Must I pay the Corvel permit fee?", "Can I pay the Corvel permit fee?"),
    ("What should I do in Tallin?", "What can I do in Tallin?"),
    # Another length, another clock time, another half of the day.
    ("Is the Pembry trial three weeks long?", "Is the Pembry trial a fortnight long?"),
    ("Is a 4.5-hour train ride to Dunmore worth it?",
     "Is a five-and-a-half-hour train ride to Dunmore worth it?"),
    ("Does the Orlin pool open at 07:30 on Sundays?",
     "Does the Orlin pool open at 7:30 pm on Sundays?"),
    ("Is the Corvel desk open at midday?", "Is the Corvel desk open at midnight?"),
    ("Is the Corvel desk open at quarter to six?", "Is the Corvel desk open at quarter past six?"),
    ("Does the Orlin pool take five to ten minutes to fill?",
     "Does the Orlin pool take 9:55 to fill?"),
    # "just" before a noun is "only".
    ("Can just the kids use the Orlin pool?", "Can the kids use the Orlin pool?"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), MUST_HIT)
def test_one_thing_written_two_ways_is_served(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None)
    assert verify_match(b, a) == (True, None)


@pytest.mark.parametrize(("a", "b"), MUST_MISS)
def test_another_thing_is_still_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0]
    assert not verify_match(b, a)[0]


def test_amounts_rewrite_a_pair_only() -> None:
    # One duration or proportion alone is never rewritten; two in one question are left too.
    assert amounts.align("Is it two weeks?", "Is it open?") == ("Is it two weeks?", "Is it open?")
    assert amounts.align("Is it 14 days?", "Is it two weeks?") == (
        "Is it 14 days?",
        "Is it 14 days?",
    )
    pair = ("Do 25% vote in two weeks?", "Do a quarter vote in 14 days and two weeks?")
    assert amounts.align(*pair)[1] == "Do 25 percent vote in 14 days and two weeks?"


def test_spellings_leave_a_first_capital_alone() -> None:
    # "Apple" / "apple" may be a name against a fruit: a first capital is never folded away.
    assert spellings.align("Is Apple good?", "Is apple good?") == (
        "Is Apple good?",
        "Is apple good?",
    )
    assert spellings.align("Is Wi-Fi on?", "Is wifi on?") == ("Is wifi on?", "Is wifi on?")
