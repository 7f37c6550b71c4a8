"""One metric amount written in two units, for a pair of questions: read as one spelling.

"Is 2 litres of water a day enough?" and "Is 2000 ml of water a day enough?" ask the same;
so do "一天喝2升水够不够" and "一天喝2000毫升水够不够", or "两升半" and "2.5升". verify.py
reads the numbers as written (2 against 2000) and refuses them. Litres and millilitres,
kilograms and grams, kilometres and metres are fixed ratios, not a choice of word: when each
question of a pair holds exactly one amount of the same kind (volume, mass or length) and
the two are the same amount, both are written in the smaller unit, in digits ("2000 ml",
"2000毫升"). Another amount ("2 litres" / "200 ml") or another kind ("2 kg" / "2 km") is
left as written, and refused as before. 斤 is 500 grams, as Chinese shops weigh it ("十斤" is
five kilograms, not ten). Used by alike.py, so only a pair is ever rewritten.
"""

from __future__ import annotations

import re
from fractions import Fraction

from runtime.cache import zh_numbers

# Each unit's size in the smallest unit of its kind, the kind, and how the smallest is written.
_EN_UNITS = {
    "ml": (1, "volume"), "millilitre": (1, "volume"), "milliliter": (1, "volume"),
    "l": (1000, "volume"), "litre": (1000, "volume"), "liter": (1000, "volume"),
    "mg": (1, "mass"), "milligram": (1, "mass"),
    "g": (1000, "mass"), "gram": (1000, "mass"), "gramme": (1000, "mass"),
    "kg": (1_000_000, "mass"), "kilo": (1_000_000, "mass"), "kilogram": (1_000_000, "mass"),
    "mm": (1, "length"), "millimetre": (1, "length"), "millimeter": (1, "length"),
    "cm": (10, "length"), "centimetre": (10, "length"), "centimeter": (10, "length"),
    "m": (1000, "length"), "metre": (1000, "length"), "meter": (1000, "length"),
    "km": (1_000_000, "length"), "kilometre": (1_000_000, "length"),
    "kilometer": (1_000_000, "length"),
}  # fmt: skip
_ZH_UNITS = {
    "毫升": (1, "volume"), "升": (1000, "volume"), "公升": (1000, "volume"),
    "毫克": (1, "mass"), "克": (1000, "mass"), "斤": (500_000, "mass"),
    "公斤": (1_000_000, "mass"), "千克": (1_000_000, "mass"),
    "毫米": (1, "length"), "厘米": (10, "length"), "米": (1000, "length"),
    "公里": (1_000_000, "length"), "千米": (1_000_000, "length"),
}  # fmt: skip
_SMALLEST = {"en": {"volume": "ml", "mass": "mg", "length": "mm"},
             "zh": {"volume": "毫升", "mass": "毫克", "length": "毫米"}}  # fmt: skip
_EN_AMOUNT = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*("
    + "|".join(sorted((u + "s?" if len(u) > 2 else u) for u in _EN_UNITS))
    + r")\b",
    re.IGNORECASE,
)
_ZH_NUMERAL = r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+"
_ZH_AMOUNT = re.compile(
    rf"({_ZH_NUMERAL})(" + "|".join(sorted(_ZH_UNITS, key=len, reverse=True)) + r")(半)?"
    # Not a word that begins with a unit's character: 米饭 (rice), 克服 (overcome).
    r"(?![饭粒粉线服])"
)


def _unit(unit: str) -> tuple[int, str]:
    """A unit's size in its kind's smallest unit, and the kind; English plurals as singular."""
    return _EN_UNITS.get(unit) or _ZH_UNITS.get(unit) or _EN_UNITS[unit.removesuffix("s")]


def _amounts(text: str) -> list[tuple[re.Match[str], Fraction, str, str]]:
    """(match, size in the kind's smallest unit, kind, unit as written) for each amount."""
    found = []
    for m in _EN_AMOUNT.finditer(text):
        unit = m.group(2).lower()
        size, kind = _unit(unit)
        found.append((m, Fraction(m.group(1)) * size, kind, unit))
    for m in _ZH_AMOUNT.finditer(text):
        numeral = m.group(1)
        n = Fraction(numeral) if numeral[0].isdigit() else Fraction(zh_numbers.value(numeral))
        size, kind = _ZH_UNITS[m.group(2)]
        found.append((m, (n + Fraction(1, 2) * bool(m.group(3))) * size, kind, m.group(2)))
    return found


def _write(text: str, m: re.Match[str], size: Fraction, unit: str, lang: str) -> str:
    n = size / _unit(unit)[0]
    digits = str(n.numerator) if n.denominator == 1 else str(float(n))
    spelt = f"{digits} {unit}" if lang == "en" else f"{digits}{unit}"
    return text[: m.start()] + spelt + text[m.end() :]


def align(a: str, b: str) -> tuple[str, str]:
    """Both questions with one shared amount written alike (module docstring)."""
    found_a, found_b = _amounts(a), _amounts(b)
    if len(found_a) != 1 or len(found_b) != 1:
        return a, b
    (ma, size_a, kind_a, unit_a), (mb, size_b, kind_b, unit_b) = found_a[0], found_b[0]
    if kind_a != kind_b or size_a != size_b or ma.group(0) == mb.group(0):
        return a, b
    lang = "zh" if ma.re is _ZH_AMOUNT else "en"
    if (mb.re is _ZH_AMOUNT) != (lang == "zh"):
        return a, b
    # The smaller of the two units the pair used ("2000 ml", not "2000000 mg" of a kind's
    # smallest), or the smallest of the kind if the amount is no whole number of it.
    unit = min((unit_a, unit_b), key=lambda u: _unit(u)[0])
    if (size_a / _unit(unit)[0]).denominator != 1:
        unit = _SMALLEST[lang][kind_a]
    return _write(a, ma, size_a, unit, lang), _write(b, mb, size_b, unit, lang)
