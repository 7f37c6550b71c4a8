"""Surface features of a question that a parser does not give reliably: dates and times of
day, quantifiers and scope words, identifiers (e-mail addresses, URLs, domains, paths, code
names, flags, ticket ids) and the units that follow numbers, in English and Chinese.

These are closed classes or have a shape (an e-mail address looks like one whatever its
words), so a regular expression generalises to questions it was never shown; `clash` compares
two questions' features and names the first difference. Part of the semantic-cache verifier
(runtime/cache/verify.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from runtime.cache import lexicon, zh_numbers
from runtime.cache.clock import normalise_times, times
from runtime.cache.scope import joined_clash, scope_words, weak

# --- dates ----------------------------------------------------------------------------------
_WEEKDAY = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# The weekdays, singular and plural: dates here, so verify.py reads no name in them.
WEEKDAY_WORDS = frozenset(w + s for w in _WEEKDAY.split("|") for s in ("", "s"))
_EN_DATES: list[tuple[str, str]] = [
    (r"day after tomorrow", "day after tomorrow"),
    (r"day before yesterday", "day before yesterday"),
    (r"today|tonight|this (?:morning|afternoon|evening)", "today"),
    (r"tomorrow", "tomorrow"),
    (r"yesterday", "yesterday"),
    # Monday to Friday is one span, "weekdays" (`weekday_spans`), not its two ends ("Monday
    # and Friday"); Saturday and Sunday together are the weekend.
    (r"weekdays", "monday-friday"),
    (r"saturdays? and sundays?|sundays? and saturdays?", "weekend"),
    (r"(this|next|last|past|coming) (week|weekend|month|year)", "\\1 \\2"),
    (r"weekends?", "weekend"),
    # A weekday in the plural is the weekday ("open on Sundays" / "open on Sunday"), but one
    # named with "this" / "next" / "last" is one date, as "this week" is, not every Sunday.
    (rf"(this|next|last|coming) ({_WEEKDAY})s?", "\\1 \\2"),
    (rf"({_WEEKDAY})s?", "\\1"),
    (r"january|february|april|june|july|august|september|october|november|december", "<m>"),
    (r"morning|afternoon|evening|night", "<tod>"),
]
_ZH_DATES: list[tuple[str, str]] = [
    (r"大后天", "in three days"),
    (r"后天", "day after tomorrow"),
    (r"前天", "day before yesterday"),
    (r"今天|今日|今晚|今早", "today"),
    (r"明天|明日|明晚|明早", "tomorrow"),
    (r"昨天|昨日|昨晚", "yesterday"),
    # A weekend is this, next or last one like a week: 这个周末 is not 下个周末.
    # A run of weekdays is one span (周一到周五 = 工作日, not 周一和周五), and 周六日 the weekend.
    # Not "5个工作日", five working days: a duration.
    (
        r"(?:周|星期|礼拜)([一二三四五六日天])(?:到|至|-|~)(?:周|星期|礼拜)?([一二三四五六日天])",
        "\\1-\\2",
    ),
    (r"(?<![0-9一二三四五六七八九十个])工作日", "一-五"),
    (r"(?:周|星期)六(?:和|、|与|跟|或)?(?:周|星期)?[日天]", "weekend"),
    (r"(?:这个?|本)周末", "this weekend"),
    (r"下个?周末", "next weekend"),
    (r"上个?周末", "last weekend"),
    (r"本周|这周|这个星期|这星期|本星期", "this week"),
    (r"下周|下个星期|下星期|下礼拜", "next week"),
    (r"上周|上个星期|上星期|上礼拜", "last week"),
    (r"周末", "weekend"),
    (r"今年", "this year"),
    (r"明年", "next year"),
    (r"去年", "last year"),
    (r"本月|这个月", "this month"),
    (r"下个月|下月", "next month"),
    (r"上个月|上月", "last month"),
    # One weekday, three ways of saying it: 周四 = 星期四 = 礼拜四, 周日 = 星期天.
    (r"(?:周|星期|礼拜)([一二三四五六日天])", "周\\1"),
    (r"[一二三四五六七八九十]{1,2}月", "<m>"),
    (r"早上|上午|中午|下午|晚上|夜里", "<tod>"),
]
_MONTH_MODAL = re.compile(r"(?<![.?!]\s)(?<!^)\b(May|March)\b")
_EN_DATE_RES = [(re.compile(rf"\b(?:{pattern})\b"), label) for pattern, label in _EN_DATES]
_ZH_DATE_RES = [(re.compile(pattern), label) for pattern, label in _ZH_DATES]
# A weekday or a run of them as `dates` found it: 天 and 日 name the same Sunday.
_ZH_WEEKDAY = re.compile(r"周[一二三四五六日天]|[一二三四五六日天]-[一二三四五六日天]")


_SPANS = [
    # Not "from Monday to Friday": that moves something from one day to the other.
    (
        re.compile(r"(?<!from )\bmondays? (?:to|through|thru|until|till|-) fridays?\b", re.I),
        "weekdays",
    ),
    (re.compile(r"\b(?:saturdays? and sundays?|sundays? and saturdays?)\b", re.I), "weekends"),
]


_ZH_SPANS = [
    (re.compile(r"(?:周|星期|礼拜)一(?:到|至|-|~)(?:周|星期|礼拜)?五"), "工作日"),
    (re.compile(r"(?:周|星期)六(?:和|、|与|跟|或)?(?:周|星期)?[日天]"), "周末"),
]


def weekday_spans(text: str) -> str:
    """ "Monday to Friday" written "weekdays", "Saturdays and Sundays" "weekends" (周一到周五
    工作日, 周六日 周末): one span in one word, so every check of the pair (alike.py) compares
    the same words."""
    for regex, word in _SPANS + _ZH_SPANS:
        text = regex.sub(word, text)
    return text


def dates(text: str, lang: str) -> tuple[list[str], str]:
    """Date expressions (normalised) and the text with them removed (so 周一 is not a 1)."""
    found: list[str] = []
    if lang == "en":
        # "may"/"march" are months only when capitalised mid-sentence ("in May", not "May I").
        for m in _MONTH_MODAL.finditer(text):
            found.append(m.group(1).lower())
        text = _MONTH_MODAL.sub(" ", text)
        lowered = text.lower()
        for regex, label in _EN_DATE_RES:
            matches = list(regex.finditer(lowered))
            if matches:
                found.extend(m.group(0) if label[0] == "<" else m.expand(label) for m in matches)
                lowered = regex.sub(" ", lowered)
        return sorted(found), lowered
    for regex, label in _ZH_DATE_RES:
        matches = list(regex.finditer(text))
        if matches:
            found.extend(m.group(0) if label[0] == "<" else m.expand(label) for m in matches)
            text = regex.sub(" ", text)
    return sorted(f.replace("天", "日") if _ZH_WEEKDAY.fullmatch(f) else f for f in found), text


# --- identifiers ------------------------------------------------------------------------------
_IDENTIFIERS = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail address
    r"|(?:https?://|www\.)[^\s，。？?!,]+"  # URL
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|cn|edu|gov|dev|ai|co|uk|de|fr|jp|info)\b"
    r"(?:/[^\s，。？?!,]*)?"  # bare domain, with its path
    r"|\b\d{1,3}(?:\.\d{1,3}){3}\b"  # IPv4 address
    r"|(?<![\w/])(?:/[\w.-]+)+/?"  # file path
    r"|\b\w+\.(?:ya?ml|json|toml|py|js|ts|csv|txt|md|cfg|ini|sh|log)\b"  # file name
    r"|\b[A-Za-z_]\w*(?:(?:\.|::)[A-Za-z_]\w*)+(?:\(\))?"  # dotted.name or Class::member
    r"|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?:\(\))?"  # snake_case
    r"|\b[a-z]+(?:[A-Z][a-z0-9]*)+\b(?:\(\))?"  # camelCase
    r"|\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b"  # PascalCase with two humps or more
    r"|\b[A-Z]{2,}-?\d+\b"  # ticket / issue id
    r"|(?<![\w-])--?[A-Za-z][\w-]*"  # command-line flag
    r"|\b\w+\(\)",  # a call
    # ASCII word characters only: in Chinese text an identifier touches characters that Python
    # counts as word characters too ("提示SolverProblemError错误"), and would be read as one word.
    re.ASCII,
)


def identifiers(text: str) -> tuple[str, ...]:
    """Exact strings: an identifier that differs by one character names something else."""
    found = (m.group(0).rstrip(".").removesuffix("()") for m in _IDENTIFIERS.finditer(text))
    return tuple(sorted({f.lower() if "@" in f else f for f in found}))


# --- numbers: their order and their units -----------------------------------------------------
_EN_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve twenty thirty forty "
    "fifty hundred thousand million dozen half"
)
# Digits may touch their unit ("5kg"), a number word may not: "tenancy" is no "ten ancy".
_NUMBER_UNIT = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)*|(?:" + "|".join(_EN_NUMBER_WORDS.split()) + r")(?![a-z]))"
    r"(?:\s*-\s*|\s*)([a-z°%]+(?:/[a-z]+)?)",
    re.IGNORECASE,
)
_NUMBER_WORDS = set(_EN_NUMBER_WORDS.split())
_ORDINAL_ENDINGS = {"st", "nd", "rd", "th"}
_ORDERED_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
# Spellings of one unit; everything else is compared as written (singular).
_UNIT_SPELLINGS = {
    "km": "kilometre kilometer klick",
    "m": "metre meter",
    "cm": "centimetre centimeter",
    "mm": "millimetre millimeter",
    "mi": "mile",
    "kg": "kilogram kilo kilogramme",
    "g": "gram gramme",
    "mg": "milligram",
    "lb": "pound lbs",
    "oz": "ounce",
    "l": "litre liter",
    "ml": "millilitre milliliter",
    "h": "hour hr hrs",
    "min": "minute mins",
    "s": "second sec secs",
    "mph": "miles/hour",
    "km/h": "kph kmh",
}
_UNIT = {w: unit for unit, ws in _UNIT_SPELLINGS.items() for w in [unit, *ws.split()]}
_NOT_UNITS = set(
    [
        "and",
        "or",
        "to",
        "of",
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "for",
        "by",
        "than",
        "times",
        "plus",
        "minus",
        "x",
        "is",
        "are",
    ]
)


def unit_spelling(word: str) -> str | None:
    """The canonical name of a listed unit ("kilometres" -> "km"), else None."""
    word = word.lower()
    return _UNIT.get(word) or _UNIT.get(word.rstrip("s"))


def spelling(word: str) -> str | None:
    """One spelling for a word written several ways: a listed unit's canonical name, or a
    weekday in the singular ("Sundays" -> "sunday": every Sunday is asked about either way)."""
    lowered = word.lower()
    if lowered in WEEKDAY_WORDS:
        return lowered.removesuffix("s")
    return unit_spelling(lowered)


def _unit(word: str) -> str:
    word = word.lower()
    if word in _UNIT:
        return _UNIT[word]
    singular = word[:-2] if word.endswith("es") and word[:-2] in _UNIT else word.rstrip("s")
    return _UNIT.get(singular, singular or word)


def units(text: str) -> tuple[str, ...]:
    """The unit after each number, in order ("5 km" -> km; "five kilometres" -> km)."""
    found = []
    for m in _NUMBER_UNIT.finditer(normalise_times(text)):
        word = m.group(2).lower()
        # An ordinal's ending or word is no unit: "25th", "twenty-fifth" (quantities.py).
        if word in _NOT_UNITS or word in _NUMBER_WORDS or word in lexicon.EN_ORDINALS:
            continue
        if not (word in _ORDINAL_ENDINGS and m.group(0) == m.group(1) + m.group(2)):
            found.append(_unit(m.group(2)))
    return tuple(found)


# Chinese: the unit right after a numeral, the longest listed one, else the next character
# (a measure word: 瓶, 袋, 桶 ...). "十斤" and "十公斤" are not the same amount of rice.
_ZH_UNITS = sorted(
    [
        "公里",
        "英里",
        "千米",
        "厘米",
        "毫米",
        "海里",
        "公斤",
        "千克",
        "毫克",
        "英尺",
        "英寸",
        "加仑",
        "毫升",
        "小时",
        "分钟",
        "平方米",
        "立方米",
        "摄氏度",
        "华氏度",
        "美元",
        "欧元",
        "英镑",
        "日元",
        "人民币",
    ],
    key=len,
    reverse=True,
)
_ZH_NUMBER_UNIT = re.compile(
    r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)("
    + "|".join(_ZH_UNITS)
    # Else the next character, unless it is a function word, which no measure word is: in
    # "=0这道题" / "=0应该怎么解" the number ends a formula and 这 / 应 measure nothing; nor a
    # numeral ("一百四十四。" is no 一百四十 of 四), nor 开 of 开根号 (take the root; the 开 of
    # "144开平方" stays, against "144的平方").
    + r"|(?![这那是的了吗呢吧啊呀么我你您他她它和与或就都也还要会能该应得地着过请怎如为什哪谁"
    + r"零一二两三四五六七八九十百千万亿]|开根号)[\u4e00-\u9fff])"
)


# 个 before a unit of time that takes it or not: "一个小时" = "一小时", "三个星期" = "三星期"
# (not 个月: "三个月" is three months, "三月" March).
_ZH_OPTIONAL_GE = re.compile(r"(?<=[零一二两三四五六七八九十百千万\d])个(?=小时|钟头|星期|礼拜)")


def zh_units(text: str) -> tuple[str, ...]:
    # "一根香蕉" is "a banana": 一 before a bare measure word is an article, not a count.
    return tuple(
        m.group(1)
        # Numbers read one way (zh_numbers.py): "三十七度八" is 37.8 degrees, not 度 then 八 of
        # 算; "百分之五十" is 50%, not 百 of 分.
        for m in _ZH_NUMBER_UNIT.finditer(_ZH_OPTIONAL_GE.sub("", zh_numbers.rates(text)))
        if not (m.group(0) == "一" + m.group(1) and m.group(1) not in _ZH_UNITS)
    )


def number_order(text: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in _ORDERED_NUMBER.finditer(text))


# --- the comparison -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Surface:
    times: tuple[str, ...]
    scope: tuple[str, ...]
    identifiers: tuple[str, ...]
    units: tuple[str, ...]
    numbers: tuple[str, ...]


@functools.lru_cache(maxsize=8192)
def surface(text: str, lang: str) -> Surface:
    return Surface(
        times=times(text, lang),
        scope=scope_words(text, lang),
        # "11 a.m." is a time, not a dotted name: times are read first.
        identifiers=identifiers(normalise_times(text)),
        units=units(text) if lang == "en" else zh_units(text),
        numbers=number_order(text),
    )


def _fmt(items: tuple[str, ...]) -> str:
    return ", ".join(items) if items else "none"


def clash(a_text: str, b_text: str, lang: str) -> str | None:
    """The first surface difference between two questions of one language, or None."""
    a, b = surface(a_text, lang), surface(b_text, lang)
    if a.identifiers != b.identifiers:
        return f"identifiers differ: {_fmt(a.identifiers)} vs {_fmt(b.identifiers)}"
    if a.times != b.times:
        return f"times differ: {_fmt(a.times)} vs {_fmt(b.times)}"
    scope_a, scope_b = weak(a.scope, b.scope), weak(b.scope, a.scope)
    if scope_a != scope_b:
        return f"scope differs: {_fmt(scope_a)} vs {_fmt(scope_b)}"
    joined = joined_clash(a_text, b_text, lang)
    if joined:
        return joined
    if a.units != b.units:
        return f"units differ: {_fmt(a.units)} vs {_fmt(b.units)}"
    if a.numbers != b.numbers and sorted(a.numbers) == sorted(b.numbers):
        return f"number order differs: {_fmt(a.numbers)} vs {_fmt(b.numbers)}"
    return None
