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
    return {core, core + suffix[0]}


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
