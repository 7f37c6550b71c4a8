"""Chinese numbers as the verifier reads them (runtime/cache/verify.py, chinese.py).

verify.py compares the numbers of two questions as values ("三个人" and "3个人" both hold 3).
The content check (chinese.py) must then not also read 三 as a content character, or the
same question written with a digit and with a numeral differs by one; it drops the numerals
the number check compares, and the order check reads each as its value, so "三个人去五个地方" /
"五个人去三个地方" still trade places.

A rate: "一天最多能吃多少" (how much at most in one day) asks "每天最多能吃多少" (a day); the
一 there is no count, which a question with 每 would lack.
"""

from __future__ import annotations

import re

from runtime.cache import lexicon

NOT_NUMBERS = re.compile(lexicon.ZH_NOT_NUMBERS)
NUMERALS = re.compile(r"[零一二两三四五六七八九十百千万亿]+")

# 一 + a period, followed in its clause by a limit or a question of amount: a rate, "per".
# Not "第一天" (the first day), "前一天" (the day before) or "一年级" (first grade).
_RATE = re.compile(
    r"(?<![第前后头这那同另上下])一(天|日|周|星期|个月|月|年|个?小时)(?!级)"
    r"(?=[^，,。？?！!]{0,8}?(?:最多|最少|至少|不超过|多少|几))"
)


# A temperature read with its tenth after 度: "三十八度五" is 38.5 degrees, as "38.5度" is.
# (Not 点, which is also the hour: "三点五十" is ten to four, not 3.55.)
_TENTHS = re.compile(
    r"([零一二两三四五六七八九十百\d]+)度([一二三四五六七八九\d])(?![十百千万度\d])"
)


def tenths(text: str) -> str:
    def digits(m: re.Match[str]) -> str:
        whole, tenth = m.group(1), m.group(2)
        whole = whole if whole.isdigit() else str(value(whole))
        tenth = tenth if tenth.isdigit() else str(value(tenth))
        return f"{whole}.{tenth}度"

    return _TENTHS.sub(digits, text)


def value(numeral: str) -> int:
    """The value of a numeral: "三十九" -> 39, "一万二千" -> 12000; a last digit right after
    a unit counts in the unit below it: "一万五" is 15000, "三千五" 3500 ("一百零五" is 105)."""
    total, section, digit = 0, 0, 0
    for ch in numeral:
        if ch in lexicon.ZH_DIGITS:
            digit = lexicon.ZH_DIGITS[ch]
        else:
            unit = lexicon.ZH_UNITS[ch]
            if unit >= 10_000:
                total += (section + digit) * unit
                section = 0
            else:
                section += (digit or 1) * unit
            digit = 0
    if digit and len(numeral) > 1 and lexicon.ZH_UNITS.get(numeral[-2], 0) >= 100:
        digit *= lexicon.ZH_UNITS[numeral[-2]] // 10
    return total + section + digit


# Digits with a myriad: "1.5万" is 15000, as "一万五" is; "50%" is "百分之50", which the
# number check reads as "百分之五十" (100 and 50: a percentage, not the number 50).
_MYRIAD = re.compile(r"(\d+(?:\.\d+)?)(万|亿)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")


def _myriad(m: re.Match[str]) -> str:
    amount = float(m.group(1)) * lexicon.ZH_UNITS[m.group(2)]
    return str(int(amount)) if amount == int(amount) else str(amount)


def rates(text: str) -> str:
    """The text with each number read one way (tenths, myriads, percentages) and a rate's
    一 read as 每 (per)."""
    text = _PERCENT.sub(r"百分之\1", _MYRIAD.sub(_myriad, tenths(text)))
    return _RATE.sub(r"每\1", text)


# Arithmetic said two ways: "乘以" / "乘" (times), "除以" / "除", "加上" / "加", "减去" / "减",
# and the result asked "等于多少" / "等于几" / "是多少": one way each, for the content check
# and the index vector (zh_vectors.py). Only between numbers ("加上" elsewhere adds a thing).
_NUM = r"[零一二两三四五六七八九十百千万亿\d.]"
_OPERATOR = re.compile(rf"(?<={_NUM})(乘|除)以|(?<={_NUM})(加)上|(?<={_NUM})(减)去")
_RESULT = re.compile(rf"(?<={_NUM})(?:等于|是)(?:多少|几)")


def operators(text: str) -> str:
    """Each arithmetic operator and the question of its result written one way."""
    text = _OPERATOR.sub(lambda m: next(g for g in m.groups() if g), text)
    return _RESULT.sub("等于多少", text)


def _outside_words(text: str, token: bool = False) -> str:
    out, last = [], 0
    for m in NOT_NUMBERS.finditer(text):
        out.append(_numerals(text[last : m.start()], token))
        out.append(m.group(0))
        last = m.end()
    out.append(_numerals(text[last:], token))
    return "".join(out)


def _numerals(text: str, token: bool) -> str:
    return NUMERALS.sub(lambda m: f" {value(m.group(0))} " if token else " ", text)


def as_values(text: str) -> str:
    """Each numeral as its value in digits ("三个人" -> " 3 个人"), words such as 一样 or
    三明治 (lexicon.ZH_NOT_NUMBERS) left as they are."""
    return _outside_words(text, token=True)


def without(text: str) -> str:
    """The numerals removed, for the content check (the number check compares them)."""
    return _outside_words(text)
