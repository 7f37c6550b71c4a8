"""Second opinion on a semantic-cache neighbour: refuse near matches that differ in what matters.

Sentence embeddings put "weather in Paris today" and "weather in London today", or "flights
from A to B" and "from B to A", very close together; serving one for the other is a wrong
answer, far worse than a miss. These cheap lexical checks (English and Chinese) catch the
usual culprits: language, numbers, dates, negation, named entities, direction, antonyms.
What a word list cannot cover (words it has never seen) is left to surface.py (identifiers,
times, quantifiers, units) and structure.py (roles, order, swapped content words).
They are deliberately conservative: when in doubt, refuse (a miss only costs a model call).

Speed: patterns compile once; a question's `features` are memoised (~0.1 ms new, ~10 us a check).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from runtime.cache import (
    acronyms,
    alike,
    answer_types,
    chinese,
    clock,
    lexicon,
    modality,
    quantities,
    stand_ins,
    structure,
    surface,
    wordnet,
    zh_frames,
    zh_names,
    zh_swaps,
    zh_synonyms,
    zh_terms,
)

_CJK = chinese.CJK
_LATIN = re.compile(r"[A-Za-z]")


def language(text: str) -> str:
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    # A Chinese question with a brand name in it ("iPhone 多少钱") is still Chinese, and so is
    # English in a Chinese frame ("Python 里怎么 parse args"; chinese.py `framed` says why).
    return "zh" if cjk >= 2 and (cjk * 3 > latin or chinese.framed(text)) else "en"


# --- negation -------------------------------------------------------------------------------
_EN_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nothing|nobody|nowhere|neither|nor|without|cannot)\b|n['’]t\b",
    re.IGNORECASE,
)
# "What's stopping my printer from connecting?" asks why it is not connecting ("My printer
# isn't connecting - what could be wrong?"): a negation said with "stop / prevent / keep from".
_EN_WHY_NOT = re.compile(
    r"\bwhat(?:['’]s|\s+is)\s+(?:stopping|preventing|keeping)\b[^?.!]*?\bfrom\s+\w+ing\b",
    re.IGNORECASE,
)
# Compounds that contain a negation character but do not negate ("very", "but", "whether").
_ZH_FALSE_NEGATION = re.compile(
    r"非常|并非|除非|不过|不错|不少|不断|不管|不仅|不但|无论|别人|别的|特别|区别|分别|无线|"
    r"差不多|不得不|要不然|要不|是否|(.)[不没]\1|有没有|不良"  # 不良: adverse, a word
    r"|不小心|不慎"  # "accidentally": "不小心弄丢了" is lost, as "丢了" is
    # A question ending in 不 / 没 / 没有 asks yes or no, as 吗 does: "还营业不" is "还营业吗".
    # Not after 还 / 都 / 也 / 从来 / 根本: "快递怎么还没有" (why not yet) negates.
    r"|(?<![还都也来本])[不没]有?(?=[？?。！!\s]*$)"
)

_ZH_NEGATION = re.compile(f"[{lexicon.ZH_NEGATIONS}]")


def _negated(text: str, lang: str) -> bool:
    if lang == "zh":  # Frames hold no negation: "有什么不一样" asks "有什么区别" (zh_frames.py).
        return bool(_ZH_NEGATION.search(_ZH_FALSE_NEGATION.sub(" ", zh_frames.normalise(text))))
    return bool(_EN_NEGATION.search(text) or _EN_WHY_NOT.search(text))


# --- named entities -------------------------------------------------------------------------
# Capitalised words that open questions and commands are not names.
_EN_COMMON = set(
    lexicon.words(
        "a an the i i'm i've i'd what what's whats how how's who who's whom whose where "
        "where's when which why is are was were am be do does did can could would should "
        "will shall might must may please tell give show list find get explain describe "
        "define compare summarize summarise translate convert calculate compute write "
        "make help let let's any some my your our their its his her this that these those "
        "there here in on at for to of from by with about and or but if is it it's hey hi "
        "hello ok okay so also just quick briefly recommend suggest name search look "
        "check provide share need want could you we they he she yes no not weather "
        "thanks thank cheers "
    )
)
# Weekdays ("Sundays" / "Sunday") are compared as dates (surface.py), not as names.
_EN_COMMON |= surface.WEEKDAY_WORDS
# A preposition or conjunction opening the question is capitalised, not a name ("During a
# heatwave, how often ..." / "How often ... when it's really hot"): structure.py compares it.
_EN_COMMON |= lexicon.EN_SUBORDINATORS | {w for g in lexicon.EN_PREPOSITION_GROUPS for w in g}
_EN_COMMON |= set(
    lexicon.words(
        "during throughout across between among without despite besides around along "
        "against upon beyond behind beside"
    )
)
_ZH_PLACES = lexicon.words(
    "北京 上海 广州 深圳 杭州 南京 成都 重庆 武汉 西安 天津 苏州 长沙 "
    "郑州 青岛 厦门 大连 沈阳 哈尔滨 昆明 拉萨 香港 澳门 台北 台湾 中国 "
    "美国 日本 英国 法国 德国 俄罗斯 韩国 印度 加拿大 澳大利亚 意大利 西班牙 "
    "巴西 新加坡 东京 大阪 首尔 纽约 伦敦 巴黎 柏林 莫斯科 悉尼 洛杉矶 "
    "旧金山 华盛顿 欧洲 亚洲 非洲 长城 故宫 黄河 长江 李白 杜甫 苹果 "
    "谷歌 微软 华为 小米 腾讯 阿里巴巴 百度 特斯拉 孔子 鲁迅 毛泽东 爱因斯坦 "
    "牛顿 "
)
# 省 before what it saves is the verb "to save" ("是不是更省钱"), not a province.
_ZH_SUFFIXED = re.compile(
    r"[\u4e00-\u9fff]{1,3}(?:市|省(?![钱事力心时电油料劲])|县|大学|公司|银行|医院|机场|火车站|高铁站)"
)


# Prepositions and verbs of motion that stand before a place: 去 / 到 / 在 / 从 北京.
_ZH_COVERBS = "去到在从往向于回离"
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’.&-]*")
_POSSESSIVE = re.compile(r"['’]s$")
_ZH_TITLE = re.compile(r"《([^》]+)》")


_CONTRACTION = re.compile(r"n['’]t$|['’](?:re|ve|ll|d|m)$", re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|[.?!:;]\s+)[\"'“‘(]*$")


def _imperative(text: str, m: re.Match[str], word: str) -> bool:
    """A capitalised verb or adverb (to WordNet) opening a sentence is a command ("Walk me
    through") or a hedge ("Roughly how much"), not a name ("Paris in May"); structure.py
    still compares it as a content word."""
    start = _SENTENCE_START.search(text[: m.start()])
    lowered = word.lower()
    if wordnet.synsets(lowered, "r"):
        return bool(start)
    # A participle opening a clause is a verb too ("Holding a Canadian passport, ..."):
    # WordNet lists the verb, not its -ing form ("hold", "drive", "run").
    stems = [lowered]
    if lowered.endswith("ing") and len(lowered) > 5:
        stem = lowered[:-3]
        stems += [stem, stem + "e", stem[:-1] if stem[-1] == stem[-2] else stem]
    return bool(start) and any(wordnet.synsets(w, "v") for w in stems)


def _entities(text: str, lang: str) -> set[str]:
    found: set[str] = set()
    # Latin-script names (and acronyms) count in both languages: "iPhone", "NASA", "Tokyo".
    for m in _LATIN_WORD.finditer(text):
        word = _POSSESSIVE.sub("", m.group(0)).rstrip(".'’")  # Germany's -> germany
        if (
            lang == "zh"
            or (
                word[0].isupper()
                and word.lower() not in _EN_COMMON
                and not (word[1:].islower() and _imperative(text, m, word))
                and not _CONTRACTION.search(word)  # "Can't I pay by card?"
            )
            or (any(c.isupper() for c in word[1:]) and not word.isupper())  # "iPhone"
            or (len(word) > 1 and word.isupper() and word.lower() not in _EN_COMMON)  # not "OK"
        ):
            found.add(word.lower())
    if lang == "zh":
        found.update(p for p in _ZH_PLACES if p in text)
        for m in _ZH_SUFFIXED.finditer(text):
            # "去市图书馆" goes to the city library: a coverb before the name is no part of it.
            # and a verb or preposition inside starts the name after it (zh_names.py).
            name = zh_names.trim(m.group(0).lstrip(_ZH_COVERBS))
            # "哪个城市" asks which city; it names none, nor does a bare "市".
            if name and name[0] not in "哪这那每各" and _ZH_SUFFIXED.fullmatch(name):
                found.add(name)
        found.update(_ZH_TITLE.findall(text))
    return found


@functools.lru_cache(maxsize=4096)
def _entity_re(entity: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z]){re.escape(entity)}(?![a-z])")


def _missing_entities(a: frozenset[str], b_lower: str) -> list[str]:
    # Compare against the other text itself, case-insensitively, so "paris" and "Paris" agree;
    # a people's name in the plural is its name in the singular ("Do Canadians need a visa" /
    # "a Canadian citizen"), so one "s" at the end of a longer name may go or come.
    return sorted(e for e in a if not any(_entity_re(f).search(b_lower) for f in _forms(e)))


def _forms(entity: str) -> tuple[str, ...]:
    if len(entity) < 5 or not entity.isalpha():
        return (entity,)
    if entity.endswith("s") and not entity.endswith("ss"):
        return entity, entity[:-1]
    return entity, entity + "s"


# --- direction ------------------------------------------------------------------------------
_EN_ROUTE = re.compile(
    r"\bfrom\s+(?:the\s+)?([\w-]+(?:\s+[A-Z][\w-]*)?)\s+(?:to|into|until)\s+(?:the\s+)?([\w-]+)"
    r"|\b([A-Z][\w-]*)\s+(?:to|into|->)\s+([A-Z][\w-]*)"
)
_ZH_ROUTE = re.compile(
    r"从(.{1,6}?)(?:到|至|去|飞往|开往)(.{1,6}?)(?=[的怎要多坐有需是吗？?，,]|$)"
)
# "把A翻译成B", "把A换成B": a conversion has a direction too; so has one opening the
# question without 把 ("斤换算成公斤" / "公斤换算成斤").
_ZH_CONVERT = re.compile(
    r"(?:把|将|^(?:怎么|如何)?)(.{1,8}?)"
    r"(?:翻译成|译成|转换成|转换为|转成|转为|换算成|换算为|换成|兑换成)(.{1,8}?)(?=[的吗怎要？?，,]|$)"
)
_ZH_PAIR = re.compile(r"(.{2,4}?)(?:到|至|飞|去)(.{2,4}?)(?=[的怎要多坐有需是吗？?，,]|$)")


def _routes(text: str, lang: str) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    if lang == "en":
        for m in _EN_ROUTE.finditer(text):
            a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            pairs.add((a.lower(), b.lower()))
        return pairs
    for pattern in (_ZH_ROUTE, _ZH_CONVERT):
        for m in pattern.finditer(text):
            pairs.add((m.group(1), m.group(2)))
    places = set(_ZH_PLACES)
    for m in _ZH_PAIR.finditer(text):
        a, b = m.group(1), m.group(2)
        a_place = next((p for p in places if a.endswith(p)), None)
        b_place = next((p for p in places if b.startswith(p)), None)
        if a_place and b_place:
            pairs.add((a_place, b_place))
    return pairs


# --- antonyms -------------------------------------------------------------------------------
_EN_ANTONYM_RES = [
    (re.compile(rf"\b(?:{left})\b"), re.compile(rf"\b(?:{right})\b"))
    for left, right in lexicon.EN_ANTONYMS
]
# Matches wherever any one of the patterns does: most questions have no antonym word at all.
_EN_ANTONYM_ANY = re.compile(
    r"\b(?:" + "|".join(f"{left}|{right}" for left, right in lexicon.EN_ANTONYMS) + r")\b"
)


def _antonym_marks(text: str, lang: str) -> tuple[tuple[bool, bool], ...]:
    """Per antonym pair of the language's table: (left side present, right side present)."""
    if lang == "zh":
        return tuple((x in text, y in text) for x, y in lexicon.ZH_ANTONYMS)
    lowered = text.lower()
    if not _EN_ANTONYM_ANY.search(lowered):
        return ((False, False),) * len(_EN_ANTONYM_RES)
    return tuple((bool(lr.search(lowered)), bool(rr.search(lowered))) for lr, rr in _EN_ANTONYM_RES)


def _antonym_clash(a: Features, b: Features) -> str | None:
    table = lexicon.EN_ANTONYMS if a.lang == "en" else lexicon.ZH_ANTONYMS  # No regex syntax.
    for (left, right), (a_l, a_r), (b_l, b_r) in zip(table, a.antonyms, b.antonyms, strict=True):
        if (a_l and not a_r and b_r and not b_l) or (a_r and not a_l and b_l and not b_r):
            mine, theirs = (left, right) if a_l else (right, left)
            return f"antonyms: {_word(mine, a.text)} vs {_word(theirs, b.text)}"
    return None


def _word(pattern: str, text: str) -> str:
    m = re.search(pattern, text, re.IGNORECASE)
    return m.group(0).lower() if m else pattern


# --- the check ------------------------------------------------------------------------------
def _fmt(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "none"


@dataclass(frozen=True)
class Features:
    """What the checks need from one question, computed once (see `features`)."""

    text: str
    lower: str
    lang: str
    dates: tuple[str, ...]
    numbers: tuple[str, ...]
    negated: bool
    entities: frozenset[str]
    routes: frozenset[tuple[str, str]]
    antonyms: tuple[tuple[bool, bool], ...]
    zh_content: tuple[str, ...]
    zh_order: tuple[str, ...]  # zh_content with the pronouns kept, for the order check


@functools.lru_cache(maxsize=8192)
def features(question: str) -> Features:
    """The analysis of one question, memoised: stored questions come back on every hit."""
    text = question.strip()
    lang = language(text)
    dates, rest = surface.dates(clock.normalise_times(text), lang)
    return Features(
        text=text,
        lower=text.lower(),
        lang=lang,
        dates=tuple(dates),
        numbers=tuple(quantities.numbers(rest, lang)),
        negated=_negated(text, lang),
        entities=frozenset(_entities(text, lang)),
        routes=frozenset(_routes(text, lang)),
        antonyms=_antonym_marks(text, lang),
        zh_content=tuple(chinese.content(text)) if lang == "zh" else (),
        zh_order=(
            tuple(chinese.content(text, chinese.PRONOUNS | chinese.ROLE_MARKERS, latin=True))
            if lang == "zh"
            else ()
        ),
    )


def verify_match(cached_question: str, new_question: str) -> tuple[bool, str | None]:
    """(True, None) if serving the cached answer is safe, else (False, reason)."""
    verdict = _verify(cached_question, new_question)
    if verdict[0] or language(cached_question) != "zh":
        return verdict
    # A refused number or date is no choice of word: no retry below undoes it (周末 / 周日).
    if verdict[1] and verdict[1].startswith(("numbers differ", "dates differ")):
        return verdict
    # A Chinese word swapped for its Cilin synonym is one word (zh_synonyms.py): the new
    # question is checked again with the cached question's words for its synonyms. Only on a
    # refusal, since aligning can also undo what a check reads whole ("北京师范大学" would
    # become "北京师大", no longer the name "北师大" abbreviates).
    aligned = zh_synonyms.align(cached_question, new_question)
    if aligned != new_question and _verify(cached_question, aligned)[0]:
        return True, None
    # A name shortened by keeping its characters in order ("阿联酋" / "阿拉伯联合酋长国"):
    # both questions checked again with the full name (zh_names.expand_in_order).
    expanded = zh_names.expand_in_order(cached_question, new_question)
    if expanded != (cached_question, new_question) and _verify(*expanded)[0]:
        return True, None
    # An English term one question translates ("nginx的log" / "nginx的日志", zh_terms.py).
    termed = zh_terms.align(cached_question, new_question)
    if termed != new_question and _verify(cached_question, termed)[0]:
        return True, None
    return verdict


def _verify(cached_question: str, new_question: str) -> tuple[bool, str | None]:
    # Framing and what both say each their own way are written alike first (alike.py),
    # and an acronym the other question spells out is read spelt out ("US" / "United States").
    cached, new = alike.common(cached_question, new_question)
    if language(cached) == "zh":
        cached, new = alike.chinese(cached, new)
    a, b = features(acronyms.expand(cached, new)), features(acronyms.expand(new, cached))
    if a.lang != b.lang:
        return False, f"language differs: {a.lang} vs {b.lang}"
    if a.numbers != b.numbers:
        return False, f"numbers differ: {_fmt(a.numbers)} vs {_fmt(b.numbers)}"
    if a.dates != b.dates:
        return False, f"dates differ: {_fmt(a.dates)} vs {_fmt(b.dates)}"
    if a.negated != b.negated:
        which = "cached" if a.negated else "new"
        return False, f"negation differs: only the {which} question is negated"
    found = (
        answer_types.clash(a.text, b.text) or modality.clash(a.text, b.text)
        if a.lang == "en"
        else None
    ) or stand_ins.clash(a.text, b.text, a.lang)
    if found:
        return False, found
    only_a = _missing_entities(a.entities, b.lower)
    only_b = _missing_entities(b.entities, a.lower)
    if (only_a or only_b) and a.lang == "zh":  # "哈工大" for "哈尔滨工业大学" (zh_names.py)
        expanded = zh_names.expand(a.text, b.text, _ZH_PLACES)
        if expanded != (a.text, b.text):
            return verify_match(*expanded)
    if only_a or only_b:
        return False, f"entities differ: {_fmt(only_a)} vs {_fmt(only_b)}"
    for x, y in sorted(a.routes):
        if (y, x) in b.routes and x != y:
            return False, f"direction differs: {x} to {y} vs {y} to {x}"
    clash = _antonym_clash(a, b) or (
        chinese.content_clash(a.zh_content, b.zh_content) if a.lang == "zh" else None
    )
    if clash:
        return False, clash
    # Then what generalises beyond word lists: shapes and closed classes (surface.py), and
    # the structure of the question (structure.py), the dearest check, so the last.
    clash = surface.clash(a.text, b.text, a.lang) or (
        structure.clash_en(a.text, b.text)
        if a.lang == "en"
        else chinese.clash_zh(a.zh_order, b.zh_order, a.text, b.text)
        # Last, so a check that knows what the one character means names it (上 / 这个月).
        or zh_swaps.clash(a.text, b.text)
    )
    if clash:
        return False, clash
    return True, None
