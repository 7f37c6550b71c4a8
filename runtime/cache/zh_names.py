"""Chinese proper names with a generic suffix ("海淀区图书馆", "复旦大学", "华为公司") for the
entity check (runtime/cache/verify.py `_entities`).

verify.py reads up to a few characters before a suffix such as 医院 or 公司 as a name. Those
characters can belong to the clause instead: "发烧到三十九度要去医院吗" would give the "name"
度要去医院, and "按照公司的规定" the name 按照公司; the other question, worded a little
differently ("需要去医院"), then lacks that "name" and the pair is refused. A name holds no
verb of motion, modal, preposition or function word, so the name starts after the last one.
"""

from __future__ import annotations

import re

# Coverbs and motion verbs (去 / 到 / 在 / 从 ...), modals (要 / 需 / 能 / 该), prepositions
# (按照 / 根据 / 对 / 给 / 把 / 被 / 和), pronouns, particles and the opener 请问: none is part
# of a name.
_NOT_IN_NAME = re.compile(
    r"^.*(?:请问|按照|依照|根据|依据|关于|对于|[去到在从往向于回离要需能该会想的了是和与跟给把被对让就都也还我你您他她它])"
)


def trim(name: str) -> str:
    """The name without the clause before it: "度要去医院" -> "医院" (then no name at all)."""
    return _NOT_IN_NAME.sub("", name)


# Abbreviations of an institution's name: the first character of each word of the name, the
# generic suffix dropped or kept as its first character ("上海交通大学" -> 上交, "哈尔滨工业大学"
# -> 哈工大, "北京师范大学" -> 北师大). The name is read as words of two characters after a
# leading place name of any length (哈尔滨). At least two words must be abbreviated: "北大" and
# "南大" keep one character of the name and stand for several universities each (南京, 南昌,
# 南开), so a cached answer about one must not be served for another.
_INSTITUTION = re.compile(r"([\u4e00-\u9fff]{4,10}?)(大学|银行|医院)")


def _abbreviations(name: str, suffix: str, places: list[str]) -> set[str]:
    place = next((p for p in places if name.startswith(p) and len(p) > 2), "")
    rest = name[len(place) :]
    if len(rest) % 2:
        return set()
    words = ([place] if place else []) + [rest[i : i + 2] for i in range(0, len(rest), 2)]
    if len(words) < 2:
        return set()
    core = "".join(w[0] for w in words)
    # The words after the first two may go, with or without the suffix: "西安电子科技大学" is
    # 西电 as well as 西电科大, "中国科学技术大学" 中科大, "北京航空航天大学" 北航 (the first
    # two words still name it; "北京师范大学" gives 北师, never 北大).
    heads = {core[:n] for n in range(2, len(core))}
    # Or the first word kept whole, the next ones cut to their first character, with the
    # suffix's: "电子科技大学" is 电子科大, "中南财经政法大学" 中南财大, "华中师范大学" 华中师大.
    cut = range(2, len(words) + 1)
    whole = {words[0] + "".join(w[0] for w in words[1:n]) + suffix[0] for n in cut}
    return {core, core + suffix[0]} | heads | {head + suffix[0] for head in heads} | whole


def expand(a_text: str, b_text: str, places: list[str]) -> tuple[str, str]:
    """Both questions, an abbreviation in one replaced by the full name the other holds:
    ("哈工大的分数线", "哈尔滨工业大学的分数线") -> both "哈尔滨工业大学的分数线"."""
    for mine, theirs, swap in ((a_text, b_text, False), (b_text, a_text, True)):
        for m in _INSTITUTION.finditer(mine):
            run, suffix = trim(m.group(1)), m.group(2)
            # The name may start anywhere in the run ("今年哈尔滨工业大学"): try each start.
            for name in (run[i:] for i in range(len(run) - 3)):
                full = name + suffix
                if full in theirs:
                    break
                for short in sorted(_abbreviations(name, suffix, places), key=len, reverse=True):
                    if short in theirs:
                        theirs = theirs.replace(short, full, 1)
                        return (theirs, mine) if swap else (mine, theirs)
    return a_text, b_text


# Other names, abbreviated by keeping characters of the full name in order: "阿联酋" for
# "阿拉伯联合酋长国", "波黑" for "波斯尼亚和黑塞哥维那", "世卫组织" for "世界卫生组织".
# The full name runs to the character that follows the short form in its own question;
# the short form starts with its first character and is at least two characters shorter.
# Guards, each against a pair that is not the same name:
# - an institution or place with a generic word in or right after it (大学, 银行, 馆, 站, 区
#   ...) takes only the rule above, word by word: "北大" keeps 北 and 大 of "北京师范大学"
#   in order but names another;
# - a name that only begins with the short form is none: "刚果" is not "刚果民主共和国" (two
#   countries), so the short form must not appear whole in the other question;
# - a word of the common lexicon (Cilin, outside its countries and places, Di02 / Di03) is
#   no abbreviation: "大学" keeps 大 and 学 of "大连理工学院" in order.
_END = set("的了吗呢吧是在有和与及或，,。？?！!、；; ")
# Characters no name holds (function words, numerals, negations) except the 和 between two
# halves of one (波斯尼亚和黑塞哥维那); a name also starts at the start of its question or
# after a break, a coverb or the opener 问 ("请问阿联酋的首都在哪").
_NOT_NAME = set(
    "的了吗呢吧啊呀嘛么是有在我你您他她它们给与及或把被让就都也还要会能该应得地着过这哪些"
    "个谁几为想一多少怎样如何什零二两三四五六七八九十百千万亿不没无非未别请问"
)
_BEFORE = _END | set("去到从往向于回离问")
_GENERIC = re.compile(r"[站区县镇村路街桥港湾馆院校寺庙宫门园场市省]|大学|公司|银行|中学")
_NAME_CODES = ("Di02", "Di03")


def _in_order(short: str, full: str) -> bool:
    """`short`'s characters found in `full` in order, the first first, each at most three
    characters after the one before (the 和 joining two names not counted), at most four
    left after the last, and skipped in two places at least: "阿联酋" keeps 阿, 联 and 酋 of
    "阿拉伯联合酋长国"; "世卫组织" / "世界气象组织" fails (卫 is not there)."""
    if short[0] != full[0]:
        return False
    last, gaps = 0, 0
    for ch in short[1:]:
        at = full.find(ch, last + 1)
        if at < 0 or len(full[last + 1 : at].replace("和", "")) > 3:
            return False
        gaps += at > last + 1
        last = at
    gaps += last < len(full) - 1
    # One run of characters put inside the short form is a word added, not a name spelt
    # out: "办签证" / "办越南签证" (so "欧盟" / "欧洲联盟" is left unread too).
    return gaps >= 2 and len(full) - last - 1 <= 4


def _common_word(word: str) -> bool:
    from runtime.cache import zh_synonyms  # zh_synonyms imports chinese, which needs no names

    codes = zh_synonyms.groups_of(word)
    return bool(codes) and not any(c.startswith(_NAME_CODES) for c in codes)


def _full_names(text: str, short: str, after: str) -> list[str]:
    """Runs of `text` that start like `short`, hold its characters in order and are followed
    by `after`, the character after `short` in its own question ("" at the end): the two
    questions go on alike after the name. A name may hold 和 (波斯尼亚和黑塞哥维那)."""
    found = []
    for i, ch in enumerate(text):
        if ch != short[0] or (i and text[i - 1] not in _BEFORE):
            continue
        for j in range(i + len(short) + 2, min(len(text), i + 12) + 1):
            if (text[j] if j < len(text) else "") != after:
                continue
            full = text[i:j]
            if (_NOT_NAME | _END - {"和"}).intersection(full):
                break
            if _in_order(short, full):
                found.append(full)
                break
    return found


def expand_in_order(a_text: str, b_text: str) -> tuple[str, str]:
    """Both questions, a short form in one that keeps the characters of a name the other
    spells out, in order, replaced by that name; unchanged where there is none."""
    for mine, theirs, swap in ((a_text, b_text, False), (b_text, a_text, True)):
        for n in (4, 3, 2):
            for i in range(len(mine) - n + 1):
                short = mine[i : i + n]
                if short in theirs or not all("\u4e00" <= c <= "\u9fff" for c in short):
                    continue
                # A whole word, starting where a name can, with no numeral or function
                # character ("跑十" of "跑十公里" is none), and no word of the lexicon ...
                if _NOT_NAME.intersection(short) or (i and mine[i - 1] not in _BEFORE):
                    continue
                # ... and ending at a break or function character: "修车多少钱" holds no
                # name that "修自行车胎多少钱" spells out.
                if i + n < len(mine) and mine[i + n] not in _END:
                    continue
                if _common_word(short):
                    continue
                for full in _full_names(theirs, short, mine[i + n : i + n + 1]):
                    # A generic word in the name or right after it ("中国建设银行" read as
                    # 中国建设银 + 行) makes it an institution: the word rule above decides.
                    after = theirs[theirs.index(full) + len(full) :][:2]
                    if full in mine or _GENERIC.search(full + after):
                        continue
                    mine = mine.replace(short, full, 1)
                    return (theirs, mine) if swap else (mine, theirs)
    return a_text, b_text
