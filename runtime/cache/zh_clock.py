"""A Chinese clock time written one way: "晚上七点四十" and "19:40" as 19时40分.

"社区医院药房晚上七点四十还营业吗" and "19:40的时候社区医院药房还开着吗" ask about one time.
verify.py reads the first as the period 晚上 and the numbers 7 and 40, the second as 19 and
40, and refuses them. A clock time said in words is written as 24-hour 时 and 分 first:
下午 / 傍晚 / 晚上 / 夜里 put an hour under 12 in the afternoon or evening, 中午 one under 3
after noon, and 凌晨 / 早上 / 上午 keep it; 半 is 30 minutes, 一刻 15 and 三刻 45. Only a time
that says it is one: a period before it, or minutes with 分, 半, a quarter or 钟 after 点, or
an hour past 12 ("三点建议" is three points of advice, "20点" is 20时00分). An hour with no period
("八点") stays as ambiguous as it was, and a decimal stays a decimal ("三点五公斤" is 3.5 kg).
Clock digits are written the same way ("19:40" as 19时40分, "3:10" as 3时10分), so 晚上八点半
(20时30分) is not "8:30" (8时30分), as it was not before. Used by alike.py on each Chinese
question.
"""

from __future__ import annotations

import re

from runtime.cache import zh_numbers

_N = r"\d{1,2}|[零一二两三四五六七八九十]{1,3}"
_LATER = ["下午", "傍晚", "晚上", "夜里", "夜间"]  # an hour under 12 is past noon
_CLOCK = re.compile(
    r"(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜里|夜间)?"
    rf"({_N})点(?:(半)|(一刻)|(三刻)|({_N})(分)?|(钟))?"
)


def _value(numeral: str) -> int:
    return int(numeral) if numeral.isdigit() else zh_numbers.value(numeral)


def _digits(m: re.Match[str]) -> str:
    period, hour, half, quarter, three_quarters, minutes, fen, zhong = m.groups()
    h = _value(hour)
    said = period or half or quarter or three_quarters or fen or zhong or (h > 12 and not minutes)
    # "三点五公斤" is 3.5 kilograms: minutes without 分 make a time only after a period.
    if not said or h > 24 or (minutes and not (period or fen)):
        return m.group(0)
    if (period in _LATER and h < 12) or (period == "中午" and h < 3):
        h += 12
    mm = 30 if half else 15 if quarter else 45 if three_quarters else 0
    if minutes:
        mm = _value(minutes)
        if mm >= 60:
            return m.group(0)
    return f"{h}时{mm:02d}分"


# Clock digits, not a ratio or a score with more digits, nor a time with am / pm after it.
_DIGITS = re.compile(r"(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(?!\s*[AaPp]\.?[Mm])")


def clock_digits(text: str) -> str:
    """The question with each clock time, said in words or in digits, written one way:
    "19时40分"."""
    text = _DIGITS.sub(lambda m: f"{int(m.group(1))}时{m.group(2)}分", text)
    return _CLOCK.sub(_digits, text)
