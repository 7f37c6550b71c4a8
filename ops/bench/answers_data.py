"""The questions of ops/bench/answers.py: two disjoint sets whose answer the calculator
computes, in English and Chinese. Prompts were tuned on TUNE only; TEST is measured only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.tools.calculator import evaluate


@dataclass(frozen=True)
class Question:
    text: str
    reference: str  # the expression a person would compute; its value is `expected`
    lang: str
    plan: dict[str, Any] | None = None  # an explicit plan (source "user") instead of planning

    @property
    def expected(self) -> int | float:
        return evaluate(self.reference)


def _q(text: str, reference: str, plan: dict[str, Any] | None = None) -> Question:
    lang = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"
    return Question(text, reference, lang, plan)


def calc(cid: str, expression: str, depends_on: list[str] | None = None) -> dict[str, Any]:
    arguments = {"expression": expression}
    return {"id": cid, "name": "calculator", "arguments": arguments, "depends_on": depends_on or []}


# Prompts were tuned on these only.
TUNE: list[Question] = [
    _q("What is 17 * 23 + 4?", "17 * 23 + 4"),
    _q("What is 15% of 2400?", "0.15 * 2400"),
    _q("What is 2 to the power of 12?", "2 ** 12"),
    _q("What is (1250 - 380) / 3?", "(1250 - 380) / 3"),
    _q("How much is 7.5% of 880?", "0.075 * 880"),
    _q("If I save 125 dollars a month for 18 months, how much do I have?", "125 * 18"),
    _q("What is 3 ** 7 minus 100?", "3 ** 7 - 100"),
    # The explicit plan of issue 11: the answer stated the area, not the doubled area. The
    # leaf (the doubling) holds the answer.
    _q(
        "A room is 4.5 m by 6.2 m. What is twice its area?",
        "4.5 * 6.2 * 2",
        {"calls": [calc("area", "4.5 * 6.2"), calc("double", "2 * 4.5 * 6.2", ["area"])]},
    ),
    _q("计算 128 乘以 46 等于多少？", "128 * 46"),
    _q("3600 的 25% 是多少？", "3600 * 0.25"),
    _q("2 的 10 次方是多少？", "2 ** 10"),
    _q("(45 + 55) * 12 的结果是多少？", "(45 + 55) * 12"),
    _q("一件衣服原价 480 元，打八五折后多少钱？", "480 * 0.85"),
    _q("9876 减去 1234 等于多少？", "9876 - 1234"),
    _q("5 的 4 次方加上 100 是多少？", "5 ** 4 + 100"),
]

# Measured only, never tuned on: 15 English, 15 Chinese.
TEST: list[Question] = [
    _q("What is 48 * 37?", "48 * 37"),
    _q("Calculate 1024 / 16 + 9.", "1024 / 16 + 9"),
    _q("What is 12% of 850?", "0.12 * 850"),
    _q("What is 3 to the power of 9?", "3 ** 9"),
    _q("What is 2 ** 16?", "2 ** 16"),
    _q("What is (300 + 450) * 4?", "(300 + 450) * 4"),
    _q("How much is 35% of 1200?", "0.35 * 1200"),
    _q("What is 7 squared times 3?", "7 ** 2 * 3"),
    _q("If a ticket costs 42 dollars, how much do 15 tickets cost?", "42 * 15"),
    _q("What is 999 - 123 * 4?", "999 - 123 * 4"),
    _q("A price of 250 rises by 8%. What is the new price?", "250 * 1.08"),
    _q("What is 6 ** 5?", "6 ** 5"),
    _q("Divide 7200 by 24.", "7200 / 24"),
    _q("What is 18.5% of 640?", "0.185 * 640"),
    _q("What is the square root of 729?", "sqrt(729)"),
    _q("计算 56 乘以 78。", "56 * 78"),
    _q("3000 除以 8 等于多少？", "3000 / 8"),
    _q("1600 的 20% 是多少？", "1600 * 0.2"),
    _q("7 的 3 次方是多少？", "7 ** 3"),
    _q("2 的 20 次方等于多少？", "2 ** 20"),
    _q("(120 + 80) * 16 等于多少？", "(120 + 80) * 16"),
    _q("一本书 36 元，买 12 本要多少钱？", "36 * 12"),
    _q("4567 加上 8910 等于多少？", "4567 + 8910"),
    _q("商品原价 600 元，打七五折是多少钱？", "600 * 0.75"),
    _q("计算 15 的平方。", "15 ** 2"),
    _q("10000 减去 3456 是多少？", "10000 - 3456"),
    _q("工资 8000 元，涨了 12%，现在是多少？", "8000 * 1.12"),
    _q("144 的平方根是多少？", "sqrt(144)"),
    _q("3 的 8 次方减去 1000 等于多少？", "3 ** 8 - 1000"),
    _q("75 的 40% 是多少？", "75 * 0.4"),
]
SPLITS = {"tune": TUNE, "test": TEST}

# Tuning on a test question would make the test measure the tuning, not the prompt.
assert len(TEST) == 30 and not {q.text for q in TUNE} & {q.text for q in TEST}
