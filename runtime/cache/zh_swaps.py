"""Two Chinese questions that are one question but for one character in one place.

The content check (chinese.py `content_clash`) reads content characters only and lets one
be added, so a swap of a function character for another, or for a content character, can
pass it: "我把前同事拉黑了" (I blocked a former colleague) / "我被前同事拉黑了" (a former
colleague blocked me) differ in 把 / 被, both markers it drops; "有线耳机" / "无线耳机"
(wired / wireless) in 有, dropped, against 无, read as one added character.

A user who rewords a question seldom changes exactly one character and nothing else; when
the two are otherwise the same string, the one character is nearly always the point of the
question (前 / 后, 早 / 晚, 有 / 无, 把 / 被, 买 / 卖). The paraphrases that do it are a
number written two ways (六 / 6, read by the number check), one function character for
another that changes no role (吗 / 呢, 的 / 地, 要 / 会: chinese.SWAPPABLE), and a word
swapped for its synonym in one character (怎么 / 怎样, 哪儿 / 哪里, 价格 / 价钱: Cilin says
so, zh_synonyms.py). Markers of who acts on whom (把 / 被) are no such function characters.
A function character for a content one is left to the content check, which reads it as one
character added ("由谁承担" / "是谁承担"), except a character that negates (有 / 无).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from runtime.cache import chinese, lexicon, zh_synonyms

# Punctuation and spaces are no part of the comparison ("吗？" / "吗").
_BARE = re.compile(r"[^\w]+")
# Numerals are the number check's (zh_numbers.py): 两 / 二 / 2 are one number.
_NUMERALS = set("零〇一二两三四五六七八九十百千万亿半几")


def _synonym_word(a: str, b: str, i: int) -> bool:
    """The two-character word around position i is a Cilin synonym of the other's."""
    spans = [(i - 1, i + 1), (i, i + 2)]
    return any(s >= 0 and e <= len(a) and zh_synonyms.synonyms(a[s:e], b[s:e]) for s, e in spans)


def clash(a: str, b: str, quiet: Collection[str] = chinese.SWAPPABLE) -> str | None:
    """ "character differs: X vs Y" when a and b differ in exactly one character, a Chinese
    one that no rewording accounts for; else None. `quiet`: function characters that may
    stand for one another."""
    a, b = _BARE.sub("", a), _BARE.sub("", b)
    if len(a) != len(b):
        return None
    diff = [(i, x, y) for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) != 1:
        return None
    i, x, y = diff[0]
    if not (chinese.CJK.match(x) and chinese.CJK.match(y)) or {x, y} <= _NUMERALS:
        return None
    # A function character for a content one is the one added character the content check
    # lets pass ("由谁承担" / "是谁承担"), unless the content one negates (有线 / 无线).
    polar = x in lexicon.ZH_NEGATIONS or y in lexicon.ZH_NEGATIONS  # read in verify.py too
    if ((x in quiet or y in quiet) and not polar) or _synonym_word(a, b, i):
        return None
    return f"character differs: {x} vs {y}"
