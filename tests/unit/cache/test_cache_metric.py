"""One metric amount in two units, for a pair of questions (metric.py): pairs written for these
tests, each rewrite with must-miss pairs beside it."""

from __future__ import annotations

import pytest

from runtime.cache import metric
from runtime.cache.verify import verify_match

SAME = [
    ("Is 2 litres of water a day enough?", "Is 2000 ml of water a day enough?"),
    ("Is 1.5 kg of flour enough for three loaves?", "Is 1500 g of flour enough for three loaves?"),
    ("How long does it take to walk 3 km?", "How long does it take to walk 3000 m?"),
    ("一天喝2升水够不够", "一天喝2000毫升水够不够"),
    ("一天喝两升半水够不够", "一天喝2.5升水够不够"),
    ("十斤大米要多少钱", "五公斤大米要多少钱"),  # 斤 is half a kilogram
    ("买三两龙井要多少钱", "买150克龙井要多少钱"),  # 两 is a tenth of a 斤
    ("称一斤二两基围虾要多少钱", "称600克基围虾要多少钱"),
    ("Is 39.4°C a fever for a ten-year-old?", "Is 102.9°F a fever for a ten-year-old?"),
    ("Is 37.8 degrees Celsius a fever in a baby?", "Is 100 degrees Fahrenheit a fever in a baby?"),
]  # fmt: skip
OTHER = [
    ("Is 2 litres of water a day enough?", "Is 200 ml of water a day enough?"),
    ("Is a 2 kg Orlin turkey enough for six?", "Is a 2 lb Orlin turkey enough for six?"),
    ("How long does it take to walk 3 km?", "How long does it take to walk 3 miles?"),
    ("一天喝2升水够不够", "一天喝200毫升水够不够"),
    ("一天喝两升水够不够", "一天喝2.5升水够不够"),
    ("十斤大米要多少钱", "十公斤大米要多少钱"),
    ("买三两龙井要多少钱", "买300克龙井要多少钱"),
    ("称一斤二两基围虾要多少钱", "称1200克基围虾要多少钱"),
    ("Is 39.4°C a fever for a ten-year-old?", "Is 101.3°F a fever for a ten-year-old?"),
    ("Is 39.4°C a fever for a ten-year-old?", "Is 39.4°F a fever for a ten-year-old?"),
    ("Should I roast the squash at 200°C?", "Should I roast the squash at 200°F?"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), SAME)
def test_one_amount_in_two_units_is_served(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None) and verify_match(b, a) == (True, None)


@pytest.mark.parametrize(("a", "b"), OTHER)
def test_another_amount_or_unit_is_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]


def test_only_a_pair_with_one_amount_each_is_rewritten() -> None:
    assert metric.align("2 litres", "2000 ml") == ("2000 ml", "2000 ml")
    # Two amounts on one side: which would be which is not known, so nothing is rewritten.
    two = ("Mix 2 litres of water with 1 kg of salt", "Mix 2000 ml of water with 1000 g of salt")
    assert metric.align(*two) == two
    assert metric.align("吃米饭会胖吗", "吃三米饭会胖吗") == ("吃米饭会胖吗", "吃三米饭会胖吗")


def test_liang_after_a_count_is_no_weight() -> None:
    # "一两个" / "一两天" is one or two of them, not a 两 of 50 grams.
    assert metric.align("一两个小时能做完吗", "100克能做完吗") == (
        "一两个小时能做完吗",
        "100克能做完吗",
    )
    assert verify_match("一两天能到货吗", "50克能到货吗")[0] is False


def test_a_temperature_is_rewritten_only_when_the_scales_agree() -> None:
    assert metric.align("Is 38°C high?", "Is 100.4°F high?") == ("Is 38°C high?", "Is 38°C high?")
    assert metric.align("Is 38°C high?", "Is 101°F high?") == ("Is 38°C high?", "Is 101°F high?")
    # One scale on both sides: the numbers check compares them as written.
    assert metric.align("Is 38°C high?", "Is 39°C high?") == ("Is 38°C high?", "Is 39°C high?")
