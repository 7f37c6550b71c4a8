"""Quantifiers and scope words of a question, in English and Chinese: "all" / "some" /
"most" / "only", and the weak ones that only make a plural ("some tips", 一些, 几本) or an
article ("a book", 一本). A closed class, so the rules hold for sentences never seen.
Part of the semantic-cache verifier: surface.py compares two questions' scopes (`weak`).
"""

from __future__ import annotations

import re

from runtime.cache import lexicon

# A closed class: the scope a question asks about. Words of one line mean the same scope.
_EN_QUANTIFIERS = {
    "all": "all every each always everyone everybody everything whole entire",
    "some": "sometimes",
    # "some" restricts a claim only in a yes/no question ("Are some snakes venomous?"); in a
    # request or a wh-question it makes a plural ("What are some tips" / "Give me tips"),
    # "something" stands for whatever it is ("Is something wrong?"): weak, `weak`. "someone" /
    # "anyone" are read as the article "a" below (`_ONE_PERSON`).
    "some?": "some any something anything",
    "none": "none nobody nothing",
    "most": "most majority mostly usually",
    "few": "few fewer minority rarely seldom",
    "many": "many much lots often",
    "several": "several",
    "both": "both",
    "either": "either",
    "neither": "neither",
    "only": "only just solely",
}
_EN_SCOPE = {w: label for label, ws in _EN_QUANTIFIERS.items() for w in ws.split()}
_EN_SCOPE_RE = re.compile(r"\b(" + "|".join(sorted(_EN_SCOPE, key=len, reverse=True)) + r")\b")
# Not scope words where they stand: "how many" asks for a number; idioms with "all" only
# add emphasis ("is it dangerous at all?").
_IDIOMS = re.compile(
    r"\b(?:at all|after all|all right|above all|all of a sudden|once and for all|"
    r"just now|just in case)\b"
    # "just" before a verb in the past, or after "have", is "a moment ago" ("the light just
    # came on", "I've just moved"), not the scope word "only" ("just two", "just the kids").
    r"|\bjust(?=\s+(?:\w+ed|got|came|lit|bought|made|took|went|had|been|left|found|saw|"
    r"heard|told|gave|began|became|broke|fell|felt|ran|sent|spent|won|lost|paid|put|set|"
    r"started|finished)\b)|(?<=\bhave\s)just\b|(?<=\bhas\s)just\b|(?<=\bhad\s)just\b"
    r"|(?<=['’]ve\s)just\b",
    re.IGNORECASE,
)
# "how often" asks for a frequency, as "how frequently" does (answer_types.py compares it).
_HOW_MUCH = re.compile(r"\bhow (?:many|much|often)\b")
# "the most" / "the least" make a superlative ("the most affordable way" is "the cheapest
# way"; "the most people"), not the proportion "most" ("most people", "most of the year").
_SUPERLATIVE = re.compile(r"\b(?:the|its|their|his|her|our|your|my)\s+(?:most|least)\b")
# "every day" is a frequency ("daily"), not a scope over a set.
_FREQUENCY = re.compile(r"\b(?:every|each|per) (?:day|week|month|year|night|hour|morning)\b")
_EN_ARTICLE = re.compile(r"\ban? (?!few\b|lot\b|little\b|couple\b|bit\b)")
# "someone" / "somebody" / "anyone" / "anybody" stand for one person, whoever it is: "unblock
# someone" is "unblock a contact", so each counts as one article "a?", not as the quantifier
# "some". "everyone" (all) and "nobody" (none) keep their scope, so "Can everyone see it?"
# and "Can someone see it?" still differ (all against none).
_ONE_PERSON = re.compile(r"\b(?:some|any)(?:one|body)\b")
_YES_NO = re.compile(
    r"^\W*(?:do|does|did|is|are|was|were|am|can|could|will|would|should|shall|may|might|"
    r"must|has|have|had)\b"
)


# "Are there any trains after 23:20?" asks what "Is there a train after 11:20 pm?" asks: "any"
# right after "is / are there" is the existential article, not the quantifier "some".
_THERE_ANY = re.compile(r"\b((?:is|are|was|were)\s+there\s+)any\b")


def strip_idioms(text: str) -> str:
    return _IDIOMS.sub(" ", text)


_EN_ONLY_NUMBER = re.compile(r"\b(?:only|just)\s+(?:\d|one|two|three|four|five|a few)")
_ZH_QUANTIFIERS = [
    ("all", "所有|全部|每个|每一|每位|每种|一切|全体|都"),
    ("some", "有些|某些|部分|有的"),
    # 一些 and 几 + a measure word may only make a plural ("推荐几本书" / "推荐一些书"), and
    # 一 + a measure word is the article "a" ("一本书"): weak, see `weak`.
    ("some?", "一些|" + "|".join("几" + m for m in lexicon.ZH_MEASURE_WORDS)),
    ("most", "大多数|大部分|多数"),
    ("few", "少数|极少|很少"),
    ("only", "只有|仅|只"),
]
_ZH_ARTICLE = re.compile(f"一[{lexicon.ZH_MEASURE_WORDS}]")
_ZH_SCOPE_LABEL = {w: label for label, ws in _ZH_QUANTIFIERS for w in ws.split("|")}
# One pass, longest word first, matches never overlapping: "所有的" is 所有 (all), not 有的 (some).
_ZH_SCOPE_RE = re.compile("|".join(sorted(_ZH_SCOPE_LABEL, key=len, reverse=True)))


# "每个月" is a rate ("per month", as "每月" is), not a scope over a set, like "every day".
_ZH_FREQUENCY = re.compile(r"每一?个?(?=月|年|天|日|周|星期|礼拜|小时|季度|学期)")


def scope_words(text: str, lang: str) -> tuple[str, ...]:
    if lang == "zh":
        text = _ZH_FREQUENCY.sub(" ", text)
        found = {_ZH_SCOPE_LABEL[m.group(0)] for m in _ZH_SCOPE_RE.finditer(text)}
        if found & {"some", "some?", "most", "few"}:
            found.discard("all")  # "有些学生都…": 都 follows the subject, whatever its scope.
        return tuple(sorted(found)) + ("a?",) * len(_ZH_ARTICLE.findall(text))
    lowered = _HOW_MUCH.sub(" ", strip_idioms(text.lower()))  # "how many people" asks for a number
    lowered = _FREQUENCY.sub(" ", _SUPERLATIVE.sub(" the ", _THERE_ANY.sub(r"\1a", lowered)))
    found = {_EN_SCOPE[m.group(1)] for m in _EN_SCOPE_RE.finditer(lowered)}
    if "some?" in found and re.search(r"\b(?:some|any)\b", lowered) and _YES_NO.search(lowered):
        found.add("some")
    if "only" in found and _EN_ONLY_NUMBER.search(lowered):
        found.add("only:n")
    # "no" is left to the negation check; "any" in a question often just means "some".
    articles = len(_EN_ARTICLE.findall(lowered)) + len(_ONE_PERSON.findall(lowered))
    return tuple(sorted(found)) + ("a?",) * articles


def weak(mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str, ...]:
    """A weak "some?" (a plural) reads as "some" beside a "some" or beside one more article
    "a?" than this side has ("a book" / "some books" differ), else as no scope ("some tips" /
    "tips"); articles are no scope themselves (each is one "a?")."""
    more_articles = theirs.count("a?") > mine.count("a?")
    weak = ("some",) if "some" in theirs or more_articles else ()
    kept = {s for s in mine if s not in ("some?", "a?")}
    return tuple(sorted(kept | set(weak if "some?" in mine else ())))


# Two things joined by "and" ask about both, by "or" about either: "Can I bring a ukulele and
# a violin on the plane?" is not "... a ukulele or a violin ...". Not "or not", "whether or",
# "or so" (about), nor "either": the other checks read those.
_EN_OR = re.compile(r"\bor\b(?!\s+(?:not|so)\b)", re.IGNORECASE)
_EN_AND = re.compile(r"\band\b", re.IGNORECASE)
_ZH_OR = re.compile(r"或者|或是|或(?!许)")
_ZH_AND = re.compile(r"[和跟与]|以及|还有")
# Chinese: per person (每人, 人均, 一个人) is not in total (一共, 总共): chinese.py drops 一共 /
# 总共 as no content ("门票一共多少钱" / "门票总共多少钱") and reads 一个 as an article.
_ZH_PER = re.compile(r"每人|人均|每个人|一个人|每位|单人|一人")
_ZH_TOTAL = re.compile(r"一共|总共|共计|总计|总价|总费用|总花费")


def joined_clash(a_text: str, b_text: str, lang: str) -> str | None:
    """ "and" on one side where "or" stands on the other (both against either); in Chinese,
    also per person against in total."""
    or_, and_ = (_ZH_OR, _ZH_AND) if lang == "zh" else (_EN_OR, _EN_AND)
    oa, ob = bool(or_.search(a_text)), bool(or_.search(b_text))
    if oa != ob and and_.search(b_text if oa else a_text):
        return "alternatives differ: " + ("or vs and" if oa else "and vs or")
    if lang == "zh":
        pa, pb = bool(_ZH_PER.search(a_text)), bool(_ZH_PER.search(b_text))
        ta, tb = bool(_ZH_TOTAL.search(a_text)), bool(_ZH_TOTAL.search(b_text))
        if (pa and tb and not ta and not pb) or (pb and ta and not tb and not pa):
            return "per unit differs: per person vs in total"
    return None
