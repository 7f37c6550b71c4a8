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
