"""Session 23's word checks, from the retired fourteenth and fifteenth banks' wrong answers
(now tune split): what stands in for a thing (stand_ins.py), "OK if" as leave (modality.py),
会 after a name ending in 社 (chinese.zh_tense), and one word lemmatised two ways
(content.py). Each pair below but the last group would be served without its check."""

from __future__ import annotations

import pytest

from runtime.cache import stand_ins
from runtime.cache.chinese import zh_tense
from runtime.cache.verify import verify_match


@pytest.mark.parametrize(
    ("cached", "new", "reason"),
    [
        (
            "Where can I buy rennet for homemade paneer?",
            "Where can I buy an alternative to rennet for homemade paneer?",
            "stand-in",
        ),
        (
            "What is the best glue for balsa wood models?",
            "What is the best substitute for glue for balsa wood models?",
            "stand-in",
        ),
        ("哪里能买到做奶酪用的凝乳酶", "哪里能买到做奶酪用的凝乳酶替代品", "stand-in"),
        (
            "Is it OK if I wear a full-face helmet at the Ferndale pump track?",
            "Is it compulsory to wear a full-face helmet at the Ferndale pump track?",
            "modality",
        ),
        (
            "Is it alright if I park on the verge outside Dunmore school?",
            "Is it mandatory to park on the verge outside Dunmore school?",
            "modality",
        ),
        ("鹿鸣茶社在自贡开过分店吗", "鹿鸣茶社会在自贡开分店吗", "tense"),
        (
            "How do I repair a broken spoke on a tandem?",
            "How do I replace a broken spoke on a tandem?",
            "content",
        ),
    ],
)
def test_a_changed_question_is_refused(cached: str, new: str, reason: str) -> None:
    ok, why = verify_match(cached, new)
    assert not ok and why is not None and why.startswith(reason), why


@pytest.mark.parametrize(
    ("cached", "new"),
    [
        # Both ask for a stand-in: the other checks compare what for.
        (
            "What is a good substitute for buttermilk in pancakes?",
            "What is a good alternative to buttermilk in pancakes?",
        ),
        # "instead of" is mostly a choice between two, not a stand-in.
        (
            "Can we move the budget review from Thursday to Friday?",
            "Can we move the budget review to Friday instead of Thursday?",
        ),
        (
            "Is it OK if I bring my dog to the Ferndale pump track?",
            "Am I allowed to bring my dog to the Ferndale pump track?",
        ),
    ],
)
def test_the_same_question_still_passes_these_checks(cached: str, new: str) -> None:
    ok, why = verify_match(cached, new)
    assert why is None or not why.startswith(("stand-in", "modality")), why


def test_the_closed_classes() -> None:
    assert stand_ins.asks_for_stand_in("Any replacements for my Kobo reader?", "en")
    assert not stand_ins.asks_for_stand_in("How do I replace the battery in my Kobo?", "en")
    assert not stand_ins.asks_for_stand_in("怎么替换电池", "zh")  # to change a part
    assert zh_tense("这家旅行社会退钱吗") == "future"
    assert zh_tense("社会保险怎么交") == ""  # 社会: society
    assert zh_tense("报社会议几点开") == ""  # 会议: a meeting
