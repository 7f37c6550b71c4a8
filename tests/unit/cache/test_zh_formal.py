"""Formal written Chinese read as the spoken form (zh_formal.py): pairs written for these tests."""

from __future__ import annotations

import pytest

from runtime.cache import zh_formal
from runtime.cache.verify import verify_match


def test_only_the_fixed_forms_are_rewritten() -> None:
    assert zh_formal.spoken("在Go中如何将map转换为切片") == "在Go里如何把map转成切片"
    assert zh_formal.spoken("会议即将开始") == "会议即将开始"  # 即将: about to
    assert zh_formal.spoken("房价将会下降吗") == "房价将会下降吗"  # 将会: will


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Go里怎么把map转成切片？", "在Go中如何将map转换为切片？"),
        ("Rust里怎么把String转成整数？", "在Rust中如何将String转化为整数？"),
    ],
)
def test_the_written_and_the_spoken_question_match(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None) and verify_match(b, a) == (True, None)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Go里怎么把map转成切片？", "在Go中如何将切片转换为map？"),
        ("怎么把人民币换成美元", "怎么将美元换成人民币"),
        ("Excel中怎么冻结首行", "Excel里怎么冻结首列"),
    ],
)
def test_a_swapped_direction_or_another_object_is_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # One weekday, three names (zh_formal.py).
        ("礼拜四下午社区医院有专家门诊吗", "周四下午社区医院有专家门诊吗"),
        ("周日下午社区医院有专家门诊吗", "星期天下午社区医院有专家门诊吗"),
        # 跟 joining the things compared is 和; 到底 before the question adds nothing.
        ("本科和专科到底有啥不一样", "本科跟专科的区别在哪"),
    ],
)
def test_one_thing_said_two_ways_matches(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None) and verify_match(b, a) == (True, None)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("礼拜四下午社区医院有专家门诊吗", "周五下午社区医院有专家门诊吗"),
        ("周日下午社区医院有专家门诊吗", "星期六下午社区医院有专家门诊吗"),
        ("本科和专科到底有啥不一样", "本科跟硕士的区别在哪"),
    ],
)
def test_another_day_or_another_pair_is_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]


def test_as_soon_as_and_saving_are_no_number_and_no_place() -> None:
    from runtime.cache import verify

    # 一…就 is "as soon as" (lexicon.ZH_NOT_NUMBERS); 一天就 still counts one day.
    assert verify.features("软件一打开就闪退怎么办").numbers == ()
    assert verify.features("天一冷车就打不着火").numbers == ()
    assert verify.features("一天就能学会游泳吗").numbers == ("1",)
    # 省 before what it saves is "to save", not a province; 广东省 is one.
    assert not verify.features("提前还掉是不是更省钱").entities
    assert "广东省" in verify.features("广东省的分数线是多少").entities
