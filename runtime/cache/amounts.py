"""The same amount written two ways, for a pair of English questions: read as one spelling.

verify.py compares the numbers each question writes, and surface.py their units, so
- "a slice" against "one slice" reads as no number against 1: an article before a singular
  noun counts one of it, as "one" does. When one question has "one N" and the other "a / an
  N", the same noun N, "one" is read as the article. "one slice" against "two slices" or
  "slices" is left alone (another amount, or none);
- "90 minutes" against "an hour and a half" reads as 90 against 1/2, minutes against hours:
  a duration in two units. Each question's durations are read as minutes ("an hour and a
  half", "half an hour", "1.5 hours", "two hours", "a quarter of an hour", "90 minutes");
  when both questions hold one duration each and they are the same length, both are written
  "N minutes". Another length ("an hour" / "90 minutes") stays as written, and is refused.
- "for free" against "at no charge" reads as no negation against "no": a price of nothing
  said two ways ("free of charge", "at no cost", "at no extra charge", "for no fee"). When
  both questions say it, both are written "for free"; "at no charge" against "for a fee"
  stays as written, and is refused. Not "with no" or "without" in general: "with no passport"
  is not "with a passport".
Only a pair is rewritten, never one question alone, so nothing reads a number the other
question does not also read. Used by verify.py's `_verify`.
"""

from __future__ import annotations

import re
from fractions import Fraction

_ONE = re.compile(r"\bone\s+([a-z][\w-]*)\b", re.IGNORECASE)
_COUNT = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60, "ninety": 90,
}  # fmt: skip
_MINUTES = {"hour": 60, "hours": 60, "hr": 60, "hrs": 60, "minute": 1, "minutes": 1, "min": 1,
            "mins": 1}  # fmt: skip
_N = r"(\d+(?:\.\d+)?|" + "|".join(sorted(_COUNT, key=len, reverse=True)) + r")"
_UNIT = r"(hours?|hrs?|minutes?|mins?)"
_DURATION = re.compile(
    # "half an hour", "a quarter of an hour", "three quarters of an hour"
    r"\b(?:(half|a\s+quarter|(?:three|3)\s+quarters)\s+(?:of\s+)?an?\s+(hour))\b"
    # "an hour and a half", "two hours and a quarter", "1 and a half hours", "90 minutes"
    rf"|\b{_N}\s+(?:{_UNIT}\s+and\s+(a\s+half|a\s+quarter)\b|and\s+(a\s+half|a\s+quarter)\s+{_UNIT}\b|{_UNIT}\b)",
    re.IGNORECASE,
)
_PART = {"half": Fraction(1, 2), "a quarter": Fraction(1, 4), "three quarters": Fraction(3, 4),
         "3 quarters": Fraction(3, 4), "a half": Fraction(1, 2)}  # fmt: skip


_FREE = re.compile(
    r"\b(?:for\s+free|free\s+of\s+charge|(?:at|for)\s+no\s+(?:extra\s+|additional\s+)?"
    r"(?:cost|charge|fee)s?)\b",
    re.IGNORECASE,
)


def _value(m: re.Match[str]) -> Fraction:
    if m.group(1):
        return _PART[" ".join(m.group(1).lower().split())] * 60
    count = m.group(3).lower()
    n = Fraction(count) if count[0].isdigit() else Fraction(_COUNT[count])
    unit = (m.group(4) or m.group(7) or m.group(8)).lower()
    part = m.group(5) or m.group(6)
    if part:
        n += _PART[" ".join(part.lower().split())]
    return n * _MINUTES[unit]


def _durations(text: str) -> list[tuple[re.Match[str], Fraction]]:
    return [(m, _value(m)) for m in _DURATION.finditer(text)]


def _as_minutes(text: str, m: re.Match[str], minutes: Fraction) -> str:
    spelt = f"{minutes.numerator} minutes" if minutes.denominator == 1 else m.group(0)
    return text[: m.start()] + spelt + text[m.end() :]


def align(a: str, b: str) -> tuple[str, str]:
    """Both questions with the amounts they share written alike (module docstring)."""
    for x, y in ((a, b), (b, a)):
        for m in _ONE.finditer(x):
            if re.search(rf"\ban?\s+{re.escape(m.group(1))}\b", y, re.IGNORECASE):
                x2 = x[: m.start()] + f"a {m.group(1)}" + x[m.end() :]
                a, b = (x2, y) if x is a else (y, x2)
                break
    if _FREE.search(a) and _FREE.search(b):
        a, b = _FREE.sub("for free", a), _FREE.sub("for free", b)
    da, db = _durations(a), _durations(b)
    if (
        len(da) == 1
        and len(db) == 1
        and da[0][1] == db[0][1]
        and da[0][0].group(0) != db[0][0].group(0)
    ):
        a, b = _as_minutes(a, *da[0]), _as_minutes(b, *db[0])
    return a, b
