"""A pair of questions written alike before verify.py's checks compare them.

Each check reads a question as written; the same thing written two ways would read as a
difference. So framing that is no part of the question goes ("Quick one:", "请问"), and what
both questions say, each its own way, is written one way: "whats" as "what's" (casual.py),
"Monday to Friday" as "weekdays" and 周六日 as 周末 (surface.py), "four point two" as 4.2
(quantities.py), "at least" as "the fewest" (degrees.py), "a slice" / "one slice" and "90
minutes" / "1.5 hours" (amounts.py), "2 litres" / "2000 ml", "2升" / "2000毫升" and "38.3°C" /
"100.9°F" (metric.py), "Wi-Fi" / "wifi" (spellings.py); in Chinese, clock times said in
words as digits (zh_clock.py: "晚上七点四十" as 19:40), arithmetic operators (zh_numbers.py),
a light verb the other question does without (zh_fillers.py) and a failure reported two ways
(zh_errors.py). Most rewrite only a pair, never one question alone, so nothing reads a number
or a word the other question does not also read.
"""

from __future__ import annotations

from runtime.cache import (
    amounts,
    casual,
    degrees,
    framing,
    metric,
    spellings,
    stand_ins,
    zh_clock,
    zh_errors,
    zh_fillers,
    zh_formal,
    zh_numbers,
)
from runtime.cache import chinese as chinese_words
from runtime.cache.clock import later_as_after
from runtime.cache.quantities import decimals
from runtime.cache.surface import weekday_spans


def common(cached: str, new: str) -> tuple[str, str]:
    """Both questions, unframed, with their shared amounts and spellings written alike."""
    cached, new = (
        stand_ins.one_way(
            later_as_after(
                degrees.least_as_most(
                    framing.unframe(weekday_spans(decimals(casual.restore(text))))
                )
            )
        )
        for text in (cached, new)
    )
    cached, new = metric.align(*amounts.align(cached, new))
    return spellings.align(cached, new)


def chinese(cached: str, new: str) -> tuple[str, str]:
    """Two Chinese questions with operators, light verbs and failure reports written alike:
    "35加上48是多少" / "35加48等于几", "如何申请退款" / "怎么退款",
    "运行X时出现E错误" / "X 报错 E"."""
    cached, new = zh_formal.spoken(cached), zh_formal.spoken(new)  # 将 = 把, 转换为 = 转成
    cached, new = zh_clock.clock_digits(cached), zh_clock.clock_digits(new)  # 晚上七点 = 19:00
    cached, new = zh_numbers.operators(cached), zh_numbers.operators(new)
    cached, new = zh_fillers.light_verbs(cached, new)
    cached, new = chinese_words.returns(cached, new)  # 还 in the place of 借: return
    return zh_errors.one_form(cached), zh_errors.one_form(new)
