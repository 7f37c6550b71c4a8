"""One metric amount written in two units, for a pair of questions: read as one spelling.

"Is 2 litres of water a day enough?" and "Is 2000 ml of water a day enough?" ask the same;
so do "一天喝2升水够不够" and "一天喝2000毫升水够不够", or "两升半" and "2.5升". verify.py
reads the numbers as written (2 against 2000) and refuses them. Litres and millilitres,
kilograms and grams, kilometres and metres are fixed ratios, not a choice of word: when each
question of a pair holds exactly one amount of the same kind (volume, mass or length) and
the two are the same amount, both are written in the smaller unit, in digits ("2000 ml",
"2000毫升"). Another amount ("2 litres" / "200 ml") or another kind ("2 kg" / "2 km") is
left as written, and refused as before. 斤 is 500 grams, as Chinese shops weigh it ("十斤" is
five kilograms, not ten), and 两 a tenth of a 斤 ("四两" is 200 grams, "一斤四两" 700).
A temperature in Celsius and Fahrenheit is one reading too, when the two agree to the digits
they are written with ("38.3°C" / "100.9°F"): the Fahrenheit one is written as the Celsius
one. Used by alike.py, so only a pair is ever rewritten.
"""

from __future__ import annotations

import re
from fractions import Fraction

from runtime.cache import lexicon, zh_numbers

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
    "毫克": (1, "mass"), "克": (1000, "mass"), "两": (50_000, "mass"), "斤": (500_000, "mass"),
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
# 两 is a tenth of a 斤 (50 grams) when it weighs: "四两茶叶", "一斤四两" (700 grams); not
# in "一两个" / "一两天" (one or two), where a measure word or a time follows it.
_LIANG = r"两(?![个天次年周月岁家位本件只条张块句分秒小点])"
_ZH_AMOUNT = re.compile(
    rf"({_ZH_NUMERAL})("
    + "|".join(_LIANG if u == "两" else u for u in sorted(_ZH_UNITS, key=len, reverse=True))
    + rf")(?:(?<=斤)({_ZH_NUMERAL}){_LIANG})?(半)?"
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
        unit = m.group(2)[0] if m.group(2).startswith("两") else m.group(2)
        size, kind = _ZH_UNITS[unit]
        amount = (_zh_value(m.group(1)) + Fraction(1, 2) * bool(m.group(4))) * size
        if m.group(3):  # "一斤四两": the 两 after the 斤
            amount += _zh_value(m.group(3)) * _ZH_UNITS["两"][0]
        found.append((m, amount, kind, unit))
    return found


def _zh_value(numeral: str) -> Fraction:
    return Fraction(numeral) if numeral[0].isdigit() else Fraction(zh_numbers.value(numeral))


def _write(text: str, m: re.Match[str], size: Fraction, unit: str, lang: str) -> str:
    n = size / _unit(unit)[0]
    digits = str(n.numerator) if n.denominator == 1 else str(float(n))
    spelt = f"{digits} {unit}" if lang == "en" else f"{digits}{unit}"
    return text[: m.start()] + spelt + text[m.end() :]


# A temperature in Celsius or Fahrenheit: "38.3°C", "100.9 °F", "37.8 degrees Celsius"; the
# scale's full name needs no "degrees" ("Is 104 Fahrenheit okay?"), and a reading below zero
# may be said ("minus ten Celsius" is -10°C, 14°F), its number in one word or in digits.
_WORD_NUMBERS = lexicon.EN_UNITS | lexicon.EN_TENS
_TEMPERATURE = re.compile(
    r"(?<![\w.])((?:-|minus\s+)?(?:\d+(?:\.\d+)?|"
    + "|".join(_WORD_NUMBERS)
    + r"))\s*(?:(?:°\s*|degrees?\s+)(c|f)|(?:°\s*|degrees?\s+)?(celsius|centigrade|fahrenheit))\b",
    re.IGNORECASE,
)


def _degrees(reading: str) -> str:
    """ "minus ten" -> "-10", "-3.5" stays."""
    sign, _, number = reading.lower().rpartition(" ")
    number = str(_WORD_NUMBERS.get(number, number))
    return ("-" if sign or reading.startswith("-") else "") + number.lstrip("-")


def _same_temperature(celsius: str, fahrenheit: str) -> bool:
    """Each reading, converted, gives the other to the digits it is written with: 38.3°C is
    100.94°F, which "100.9°F" writes, and 100.9°F is 38.28°C, which "38.3°C" writes. Not
    38°C / 101°F: 101°F is 38.3°C, but 38°C is 100.4°F, not 101."""

    def places(number: str) -> int:
        return len(number.partition(".")[2])

    c, f = float(celsius), float(fahrenheit)
    return (
        round(c * 9 / 5 + 32, places(fahrenheit)) == f
        and round((f - 32) * 5 / 9, places(celsius)) == c
    )


def _temperatures(a: str, b: str) -> tuple[str, str]:
    """One temperature a question, one in each scale, the same: the Fahrenheit one is written
    as the other question writes its Celsius."""
    found_a, found_b = list(_TEMPERATURE.finditer(a)), list(_TEMPERATURE.finditer(b))
    if len(found_a) != 1 or len(found_b) != 1:
        return a, b
    ma, mb = found_a[0], found_b[0]
    scale_a, scale_b = ((m.group(2) or m.group(3))[0].lower() for m in (ma, mb))
    if {scale_a, scale_b} != {"c", "f"}:
        return a, b
    (mc, c_text), (mf, f_text) = ((ma, a), (mb, b)) if scale_a == "c" else ((mb, b), (ma, a))
    celsius = _degrees(mc.group(1))
    if not _same_temperature(celsius, _degrees(mf.group(1))):
        return a, b
    # The Celsius reading as written, in digits ("minus ten" as "-10"), on both sides.
    digits = celsius == mc.group(1)
    written = mc.group(0) if digits else f"{celsius} degrees Celsius"
    c_text = c_text[: mc.start()] + written + c_text[mc.end() :]
    f_text = f_text[: mf.start()] + written + f_text[mf.end() :]
    return (c_text, f_text) if scale_a == "c" else (f_text, c_text)


def align(a: str, b: str) -> tuple[str, str]:
    """Both questions with one shared amount written alike (module docstring)."""
    a, b = _temperatures(a, b)
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
