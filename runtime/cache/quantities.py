"""The numbers of a question, for the semantic-cache verifier (runtime/cache/verify.py).

Two questions that say different numbers ask different things ("2 tickets" / "3 tickets",
"三个人" / "四个人"), so verify.py compares the numbers each says, read one way whatever
the writing: digits ("1,480" is 1480), Chinese numerals (zh_numbers.py: "二十七" is 27),
English number words ("twenty-seven"), "six and a half" as 6.5, ordinals, scales and fraction
words. Dates and times are taken out first (surface.py, clock.py), so 周一 is no 1.
"""

from __future__ import annotations

import re

from runtime.cache import lexicon, zh_numbers

# Words built on numeral characters that are not quantities (lexicon.py).
_ZH_NOT_NUMBERS = re.compile(lexicon.ZH_NOT_NUMBERS)


_zh_number = zh_numbers.value


# "25th" is the ordinal "twenty-fifth" writes ("#25"), not the amount 25.
_DIGITS = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)(st|nd|rd|th\b)?")
_ZH_NUMERALS = re.compile(r"[零一二两三四五六七八九十百千万亿]+")
_EN_WORD = re.compile(r"[a-z]+")


# "six and a half" / "six-and-a-half" is 6.5, as "6.5" writes it.
_AND_A_HALF = re.compile(
    r"\b(\d+|" + "|".join(w for w in lexicon.EN_UNITS if w != "zero") + r")"
    r"[\s-]+and[\s-]+a[\s-]+half\b",
    re.IGNORECASE,
)


def _and_a_half(m: re.Match[str]) -> str:
    whole = m.group(1).lower()
    return f"{whole if whole.isdigit() else lexicon.EN_UNITS[whole]}.5"


# "four point two" is 4.2, as "4.2" writes it: a whole number (up to nineteen, or digits) and
# its decimal digits said one by one.
_DIGIT_WORDS = {w: n for w, n in lexicon.EN_UNITS.items() if n < 10}
_POINT = re.compile(
    r"\b(\d+|"
    + "|".join(lexicon.EN_UNITS)
    + r")[\s-]+point((?:[\s-]+(?:"
    + "|".join(_DIGIT_WORDS)
    + r"))+)\b",
    re.IGNORECASE,
)


def decimals(text: str) -> str:
    """The question with decimals said in words written in digits ("four point two" as 4.2),
    so the number, unit and metric checks read one amount (alike.py)."""
    return _POINT.sub(_point, text)


def _point(m: re.Match[str]) -> str:
    whole = m.group(1).lower()
    decimals = "".join(str(_DIGIT_WORDS[w]) for w in re.split(r"[\s-]+", m.group(2).lower()) if w)
    return f"{whole if whole.isdigit() else lexicon.EN_UNITS[whole]}.{decimals}"


def numbers(text: str, lang: str) -> list[str]:
    """The numbers a question says, as sorted strings: digits, Chinese numerals, English
    number words, ordinals ("#1"), scales ("x1000") and fractions ("1/2")."""
    found: list[str] = []
    # "一天最多" is per day, "三十八度五" 38.5 degrees (zh_numbers.py)
    text = zh_numbers.rates(text) if lang == "zh" else _AND_A_HALF.sub(_and_a_half, text)
    for m in _DIGITS.finditer(text):
        found.append(("#" if m.group(2) else "") + m.group(1).replace(",", ""))
    if lang == "zh":
        cleaned = _ZH_NOT_NUMBERS.sub(" ", text)
        for m in _ZH_NUMERALS.finditer(cleaned):
            found.append(str(_zh_number(m.group(0))))
        return sorted(found)
    words = _EN_WORD.findall(text.lower())
    i = 0
    while i < len(words):
        w = words[i]
        if w in lexicon.EN_TENS:
            value, mark, after = lexicon.EN_TENS[w], "", words[i + 1] if i + 1 < len(words) else ""
            if 0 < lexicon.EN_UNITS.get(after, 0) < 10:
                value += lexicon.EN_UNITS[after]
                i += 1
            elif 0 < lexicon.EN_ORDINALS.get(after, 0) < 10:  # "twenty-first"
                value, mark = value + lexicon.EN_ORDINALS[after], "#"
                i += 1
            found.append(f"{mark}{value}")
        elif w in lexicon.EN_UNITS:
            found.append(str(lexicon.EN_UNITS[w]))
        elif w in lexicon.EN_ORDINALS:
            found.append(f"#{lexicon.EN_ORDINALS[w]}")
        elif w in lexicon.EN_SCALES:
            found.append(f"x{lexicon.EN_SCALES[w]}")
        elif w in lexicon.EN_FRACTIONS:
            found.append(lexicon.EN_FRACTIONS[w])
        i += 1
    return sorted(found)
