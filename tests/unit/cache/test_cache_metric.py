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
]  # fmt: skip
OTHER = [
    ("Is 2 litres of water a day enough?", "Is 200 ml of water a day enough?"),
    ("Is a 2 kg Orlin turkey enough for six?", "Is a 2 lb Orlin turkey enough for six?"),
    ("How long does it take to walk 3 km?", "How long does it take to walk 3 miles?"),
    ("一天喝2升水够不够", "一天喝200毫升水够不够"),
    ("一天喝两升水够不够", "一天喝2.5升水够不够"),
    ("十斤大米要多少钱", "十公斤大米要多少钱"),
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
