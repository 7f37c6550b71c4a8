"""Weekday spans, contractions typed without an apostrophe, "OK" and "in total": pairs
written for these tests (surface.weekday_spans, casual.py, verify.py, chinese.py)."""

from __future__ import annotations

import pytest

from runtime.cache import casual
from runtime.cache.surface import weekday_spans
from runtime.cache.verify import verify_match

SAME = [
    ("Is the Brindle lido open on Saturdays and Sundays?", "Is the Brindle lido open at weekends?"),
    ("Is the Brindle lido open Monday to Friday?", "Is the Brindle lido open on weekdays?"),
    ("图书馆周六日开门吗", "图书馆周末开门吗"),
    ("政务中心工作日几点开门？", "政务中心周一到周五几点开门？"),
    ("hey whats the quickest way to Harl Quay?", "What's the quickest way to Harl Quay?"),
    ("Is it OK to bring a dog on the Velt ferry?", "Can I bring a dog on the Velt ferry?"),
    ("三个人去，门票一共多少钱？", "3个人去，门票总共多少钱？"),
]
DIFFERENT = [
    (
        "Is the Brindle lido open on Monday and Friday?",
        "Is the Brindle lido open Monday to Friday?",
    ),
    ("Is the Brindle lido open at weekends?", "Is the Brindle lido open on weekdays?"),
    ("Is the Brindle lido open this weekend?", "Is the Brindle lido open at weekends?"),
    ("Can we move the sync from Monday to Friday?", "Can we move the sync to weekdays?"),
    ("政务中心周一和周五几点开门？", "政务中心周一到周五几点开门？"),
    ("图书馆周末开门吗", "图书馆工作日开门吗"),
    ("5个工作日内能到账吗", "工作日内能到账吗"),
    ("Why doesnt my Orlo kettle switch off?", "Why does my Orlo kettle switch off?"),
    ("门票一共多少钱？", "门票每人多少钱？"),
]


def test_spans_and_contractions_are_rewritten_whole() -> None:
    assert weekday_spans("open Mondays through Fridays") == "open weekdays"
    assert weekday_spans("move it from Monday to Friday") == "move it from Monday to Friday"
    assert casual.restore("Whats up, why doesnt it work") == "What's up, why doesn't it work"
    assert casual.restore("its lid and the well") == "its lid and the well"


@pytest.mark.parametrize(("a", "b"), SAME)
def test_one_thing_said_two_ways_is_served(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None) and verify_match(b, a) == (True, None)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_other_days_or_a_dropped_negation_are_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]
