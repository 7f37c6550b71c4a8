"""Chinese synonyms from Cilin (runtime/cache/zh_synonyms.py), through verify_match."""

from __future__ import annotations

import pytest

from runtime.cache import zh_synonyms
from runtime.cache.verify import verify_match

pytestmark = pytest.mark.skipif(not zh_synonyms.available(), reason="cilin is not installed")


def test_cilin_synonyms_are_groups_marked_equal() -> None:
    assert zh_synonyms.synonyms("电脑", "计算机")
    assert zh_synonyms.synonyms("价格", "价钱")
    assert not zh_synonyms.synonyms("早餐", "晚餐")
    assert not zh_synonyms.synonyms("学期", "假期")  # a `#` group: kinds of a period
    assert not zh_synonyms.synonyms("电脑", "电脑")


def test_a_synonym_swap_is_served_and_a_different_word_is_not() -> None:
    assert verify_match("我的电脑开不了机怎么办", "我的计算机开不了机怎么办") == (True, None)
    assert not verify_match("我的电脑开不了机怎么办", "我的手机开不了机怎么办")[0]
    assert not verify_match("这台电脑的价格是多少", "这台电脑的重量是多少")[0]


def test_alignment_keeps_roles_question_words_and_kinds() -> None:
    # The synonym is aligned, and the order check still sees the swap of who did what.
    assert zh_synonyms.align("儿童为什么怕黑", "为什么小孩怕黑") == "为什么儿童怕黑"
    assert not verify_match("老师表扬了孩子", "小孩表扬了老师")[0]
    # Question words belong to the frame: never rewritten ("什么" is not made "怎么").
    assert zh_synonyms.align("怎么查看日志", "查看日志的方法是什么") == "查看日志的方法是什么"
    # One word inside the other names a kind of it: left to the content check.
    assert zh_synonyms.align("台风来了怎么办", "强台风来了怎么办") == "强台风来了怎么办"
