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
  Days, weeks and fortnights are read as days, months and years as months, the same way:
  "two weeks" / "14 days" / "a fortnight" are all "14 days", "a year" / "12 months" both
  "12 months"; "24 months" against "3 years", or "30 days" against "a month" (no whole
  number of days), stay as written;
- "25%" against "a quarter" reads as 25 against 1/4: one proportion, a percentage and a
  fraction word ("half", "a quarter", "three quarters"). When both questions hold one each
  and they are equal, both are written "N percent"; "75%" / "a quarter" is refused;
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
from collections.abc import Sequence
from fractions import Fraction

_ONE = re.compile(r"\bone\s+([a-z][\w-]*)\b", re.IGNORECASE)
_COUNT = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60, "ninety": 90,
}  # fmt: skip
# Each unit's length in the smallest unit of its scale, and the scale's name for it. Days and
# months are on separate scales: a month is no whole number of days, so "30 days" / "a month"
# are never one length.
_SCALE = {"hour": (60, "minutes"), "hr": (60, "minutes"), "minute": (1, "minutes"),
          "min": (1, "minutes"), "day": (1, "days"), "week": (7, "days"),
          "fortnight": (14, "days"),
          "month": (1, "months"), "year": (12, "months"), "yr": (12, "months")}  # fmt: skip
_N = r"(\d+(?:\.\d+)?|" + "|".join(sorted(_COUNT, key=len, reverse=True)) + r")"
_UNIT = r"(hours?|hrs?|minutes?|mins?|days?|weeks?|fortnights?|months?|years?|yrs?)"
_DURATION = re.compile(
    # "half an hour", "a quarter of an hour", "three quarters of an hour", "half a year"
    r"\b(?:(half|a\s+quarter|(?:three|3)\s+quarters)\s+(?:of\s+)?an?\s+(hour|day|week|month|year))\b"
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


def _value(m: re.Match[str]) -> tuple[Fraction, str]:
    """The duration's length in its scale's smallest unit, and that unit ("minutes")."""
    if m.group(1):
        length, scale = _SCALE[m.group(2).lower()]
        return _PART[" ".join(m.group(1).lower().split())] * length, scale
    count = m.group(3).lower()
    n = Fraction(count) if count[0].isdigit() else Fraction(_COUNT[count])
    unit = (m.group(4) or m.group(7) or m.group(8)).lower()
    part = m.group(5) or m.group(6)
    if part:
        n += _PART[" ".join(part.lower().split())]
    length, scale = _SCALE[unit if unit in _SCALE else unit.removesuffix("s")]
    return n * length, scale


def _durations(text: str) -> list[tuple[re.Match[str], tuple[Fraction, str]]]:
    return [(m, _value(m)) for m in _DURATION.finditer(text)]


def _in_smallest(text: str, m: re.Match[str], value: tuple[Fraction, str]) -> str:
    """The duration written as a whole number of its scale's smallest unit ("24 months")."""
    n, scale = value
    spelt = f"{n.numerator} {scale}" if n.denominator == 1 else m.group(0)
    return text[: m.start()] + spelt + text[m.end() :]


# A proportion written as a percentage ("25%", "25 percent", "25 per cent") or as a fraction
# word ("a quarter", "half", "three quarters"). A fraction of a duration ("half an hour") or
# after a whole number ("two and a half") is a duration or a number, not a proportion.
_PERCENT = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)", re.IGNORECASE)
_FRACTION = re.compile(
    r"(?<!\band\s)\b(half|a\s+half|(?:a|one)\s+quarter|(?:three|3)\s+quarters)\b"
    r"(?!\s+(?:of\s+)?an?\s+(?:hour|day|week|month|year)\b|\s+(?:past|to)\b)",
    re.IGNORECASE,
)
_SHARE = {"half": 50, "a half": 50, "a quarter": 25, "one quarter": 25, "three quarters": 75,
          "3 quarters": 75}  # fmt: skip


def _proportions(text: str) -> list[tuple[re.Match[str], Fraction]]:
    found = [(m, Fraction(m.group(1))) for m in _PERCENT.finditer(text)]
    found += [
        (m, Fraction(_SHARE[" ".join(m.group(1).lower().split())]))
        for m in _FRACTION.finditer(text)
    ]
    return found


def _as_percent(text: str, m: re.Match[str], percent: Fraction) -> str:
    return text[: m.start()] + f"{percent.numerator} percent" + text[m.end() :]


def _one_each(
    found_a: Sequence[tuple[re.Match[str], object]], found_b: Sequence[tuple[re.Match[str], object]]
) -> bool:
    """Each question holds one amount of the kind, the same, written differently."""
    return (
        len(found_a) == 1
        and len(found_b) == 1
        and found_a[0][1] == found_b[0][1]
        and found_a[0][0].group(0).lower() != found_b[0][0].group(0).lower()
    )


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
    if _one_each(da, db):
        a, b = _in_smallest(a, *da[0]), _in_smallest(b, *db[0])
    pa, pb = _proportions(a), _proportions(b)
    if _one_each(pa, pb):
        a, b = _as_percent(a, *pa[0]), _as_percent(b, *pb[0])
    return a, b
