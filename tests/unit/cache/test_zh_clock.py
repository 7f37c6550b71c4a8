"""Chinese clock times written one way (zh_clock.py): pairs written for these tests, each
rewrite with must-miss pairs beside it."""

from __future__ import annotations

import pytest

from runtime.cache.verify import verify_match
from runtime.cache.zh_clock import clock_digits

SAME = [
    ("游泳馆晚上八点半还开门吗", "游泳馆20:30还开门吗"),
    ("接驳车是下午三点一刻发车吗", "接驳车是15:15发车吗"),
    ("早班船是早上六点四十五开吗", "早班船是6:45开吗"),
    ("体检中心上午九点十分开始抽血吗", "体检中心9:10开始抽血吗"),
    ("夜宵店夜里十一点还营业吗", "夜宵店23:00还营业吗"),
    ("会议改到下午两点三刻了吗", "会议改到14:45了吗"),
]  # fmt: skip
OTHER = [
    ("游泳馆晚上八点半还开门吗", "游泳馆8:30还开门吗"),  # 8:30 alone is not the evening
    ("游泳馆晚上八点半还开门吗", "游泳馆晚上九点半还开门吗"),
    ("接驳车是下午三点一刻发车吗", "接驳车是15:45发车吗"),
    ("早班船是早上六点四十五开吗", "早班船是18:45开吗"),
    ("行李超重三点五公斤要交多少钱", "行李超重三点五斤要交多少钱"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), SAME)
def test_one_clock_time_written_two_ways_is_served(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None) and verify_match(b, a) == (True, None)


@pytest.mark.parametrize(("a", "b"), OTHER)
def test_another_time_or_an_unsaid_half_of_the_day_is_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]


def test_only_what_says_it_is_a_time_is_rewritten() -> None:
    assert clock_digits("晚上七点四十") == "19时40分"
    assert clock_digits("中午一点") == "13时00分"
    assert clock_digits("20点") == "20时00分"
    # Three points of advice, 3.5 kilograms, an hour of no stated half: left as written.
    for text in ("给我三点建议", "超重三点五公斤", "八点到", "比分2:1"):
        assert clock_digits(text) == text
