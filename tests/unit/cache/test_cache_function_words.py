"""function_words (prepositions and modals on the parse) and the Chinese scope words, on
sentences of their own: none is in tests/data (the eval pairs)."""

from __future__ import annotations

import pytest

from runtime.cache import chinese, function_words, surface
from runtime.cache.verify import verify_match

SAME = [
    ("How do I parse XML in Kotlin?", "How can I parse XML with Kotlin?"),
    ("How do I cast a float to an int?", "How do I cast a float into an int?"),
    ("Can I bring a stroller on the tram?", "Could I bring a stroller on the tram?"),
    ("Should I prune roses in March?", "Must I prune roses in March?"),
    ("What is the distance between Oslo and Bergen?", "How far is Oslo from Bergen?"),
    ("是不是所有的狐狸都吃鸡", "所有的狐狸都吃鸡吗"),
]

DIFFERENT = [
    ("What goes under a duvet cover?", "What goes over a duvet cover?", "preposition differs"),
    ("Do I hydrate during cycling?", "Do I hydrate after cycling?", "preposition differs"),
    ("Is the hostel near the harbour?", "Is the hostel far from the harbour?", "preposition"),
    ("Can I enter the lounge with a toddler?", "Can I enter the lounge without a toddler?", ""),
    ("Is the kiosk inside the terminal?", "Is the kiosk outside the terminal?", "preposition"),
    ("Must I renew my permit online?", "May I renew my permit online?", "modality differs"),
    ("Why is my left knee clicking?", "Why is my right knee clicking?", "content differs"),
    ("所有的狐狸都吃鸡吗", "有些狐狸吃鸡吗", "scope differs"),
    ("How do I page up in vim?", "How do I page down in vim?", "preposition differs: up vs down"),
    ("怎么把音量往上调", "怎么把音量往下调", "content differs"),
    (
        "Can I hire out a van for a week?",
        "Can I hire a van for a week?",
        "particle differs: out vs none",
    ),
    ("小周还欠你多少钱", "你还欠小周多少钱", "order differs"),
    ("这个汤趁热喝还是放凉喝", "这个汤放凉喝", ""),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_stand_ins_pass(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None)


@pytest.mark.parametrize(("a", "b", "reason"), DIFFERENT)
def test_swapped_function_words_are_refused(a: str, b: str, reason: str) -> None:
    ok, why = verify_match(a, b)
    assert not ok and why is not None and reason in why


def test_modal_clash_judges_only_modals_of_two_kinds() -> None:
    assert function_words.modal_clash("must", "can") == "modality differs: must vs can"
    assert function_words.modal_clash("can", "might") is None
    assert function_words.modal_clash("will", "must") is None  # "will" has no kind here


def test_chinese_scope_words_do_not_overlap() -> None:
    assert surface.scope_words("所有的学生都来了吗", "zh") == ("all",)  # not 有的 (some)
    assert surface.scope_words("有的学生来了吗", "zh") == ("some",)
    assert surface.scope_words("有些学生都来了", "zh") == ("some",)


def test_a_choice_between_two_is_not_one_of_them() -> None:

    found = chinese.clash_zh(["汤", "喝"], ["汤", "喝"], "汤先喝还是后喝", "汤后喝")
    assert found == "alternatives differ: only one asks A 还是 B"
    assert chinese.clash_zh(["汤"], ["汤"], "汤先喝还是后喝", "汤先喝还是后喝") is None
