"""Times of day, for the semantic-cache verifier: one time written many ways is one token.

"7 am", "7 a.m.", "07:00" and "7 in the morning" are one time, as "noon", "midday", "12:00"
and "12 pm" are; "quarter to eight" is 7:45 as a clock shows it. `normalise_times` writes
each as one token ("7h00am", "0h00pm") or as clock digits, so the number check compares
equal times equal, and `times` lists the tokens and named times (dawn, lunchtime, 凌晨)
that surface.py's checks compare: 7 am against 7 pm differs though the bare numbers agree.
"""

from __future__ import annotations

import re

from runtime.cache import lexicon

# "11.20pm" (British) is 11:20 pm: the minutes may follow a dot, and an hour is never read
# out of a number's tail ("11.20pm" is no "20pm").
_HOUR_PERIOD = re.compile(
    r"(?<![\w.:])(\d{1,2})(?:[:.](\d{2}))?\s*(?:o['’]clock\s*)?"
    r"(?:(a\.?m\.?|p\.?m\.?)(?![a-z])|in the (morning|afternoon|evening)|at night|tonight)",
    re.IGNORECASE,
)


def _hour(m: re.Match[str]) -> str:
    hour, minutes, ampm, part = m.group(1), m.group(2) or "00", m.group(3), m.group(4)
    later = (
        (ampm or "").lower().startswith("p")
        or part in ("afternoon", "evening")
        or not (ampm or part)
    )  # "at night" / "tonight"
    return f" {int(hour) % 12}h{minutes}{'pm' if later else 'am'} "


# A clock time said in words: "at quarter to eight" is 7:45, "by twenty past five" 5:20.
# Only after a word that puts a time: "five to ten minutes" is a range, not 9:55.
_CLOCK_HOURS = lexicon.words("one two three four five six seven eight nine ten eleven twelve")
_PAST_TO = {"five": 5, "ten": 10, "quarter": 15, "twenty": 20, "twenty-five": 25, "half": 30}
_WORDED_CLOCK = re.compile(
    r"\b(at|by|until|till|before|after|around|about|from|since|it's|is it)\s+(?:a\s+)?"
    r"(twenty-five|twenty|quarter|half|ten|five)\s+(past|to)\s+"
    r"(\d{1,2}|" + "|".join(_CLOCK_HOURS) + r")\b",
    re.IGNORECASE,
)
# A 24-hour time says its half of the day: "09:00" (a leading zero) or "18:30". "9:00" alone
# may be either, and stays as written.
_TWENTY_FOUR = re.compile(
    r"(?<![\w:.])(0\d|1[3-9]|2[0-3]):([0-5]\d)(?![\d:])(?!\s*(?:a\.?m|p\.?m|o['’]clock))",
    re.IGNORECASE,
)
_NOON = re.compile(r"\b(?:midday|noon)\b|(?<![\w:.])12:00(?![\d:])(?!\s*(?:a\.?m|p\.?m))", re.I)
_MIDNIGHT = re.compile(r"\bmidnight\b", re.IGNORECASE)


def _worded(m: re.Match[str]) -> str:
    minutes = _PAST_TO[m.group(2).lower()]
    word = m.group(4).lower()
    hour = int(word) if word.isdigit() else _CLOCK_HOURS.index(word) + 1
    if m.group(3).lower() == "to":
        hour, minutes = (hour - 2) % 12 + 1, 60 - minutes
    return f"{m.group(1)} {hour}:{minutes:02d}"


def _twenty_four(m: re.Match[str]) -> str:
    hour = int(m.group(1))
    return f" {hour % 12}h{m.group(2)}{'pm' if hour >= 12 else 'am'} "


def normalise_times(text: str) -> str:
    """ "7 am", "7 a.m.", "07:00" and "7 in the morning" all become one token, as "noon",
    "midday" and "12 pm" do, so equal times compare equal and 7 am / 7 pm do not (the bare
    numbers are equal); "quarter to eight" is read 7:45, as a clock shows it."""
    text = _WORDED_CLOCK.sub(_worded, text)
    text = _NOON.sub(" 0h00pm ", _MIDNIGHT.sub(" 0h00am ", text))
    return _HOUR_PERIOD.sub(_hour, _TWENTY_FOUR.sub(_twenty_four, text))


# Before a time of day, "later than" is "after" and "earlier than" "before": "Are there trains
# later than 23:20?" asks "Is there a train after 11.20pm?" (structure.py compares the
# prepositions, so alike.common writes both one way).
_LATER = re.compile(
    r"\b(later|earlier)\s+than(?=\s+(?:\d{1,2}(?:[:.]\d{2})?\b|noon\b|midday\b|midnight\b))",
    re.IGNORECASE,
)
_LATER_AS = {"later": "after", "earlier": "before"}


def later_as_after(text: str) -> str:
    return _LATER.sub(lambda m: _LATER_AS[m.group(1).lower()], text)


_EN_TIME_WORDS = re.compile(
    r"\b(\d{1,2}h\d{2}[ap]m|dawn|dusk|sunrise|sunset|daybreak|nightfall|"
    r"lunchtime|dinnertime|bedtime|teatime|rush hour)\b"
)
_ZH_TIME_WORDS = re.compile(
    r"凌晨|清晨|清早|早晨|傍晚|黄昏|半夜|深夜|午夜|正午|午后|[一三]刻|半(?=[点钟])"
)


def times(text: str, lang: str) -> tuple[str, ...]:
    pattern = _ZH_TIME_WORDS if lang == "zh" else _EN_TIME_WORDS
    return tuple(sorted(m.group(0) for m in pattern.finditer(normalise_times(text).lower())))
