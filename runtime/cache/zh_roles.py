"""Who stands where in a Chinese question, where the content check cannot see it
(runtime/cache/chinese.py `clash_zh`).

chinese.py drops 是, 的, 和 and 一样 as function characters, so two questions built from the
same names can read as the same characters though they ask different things:

- "X是Y的N" (X is Y's N), and "X在Y的N" (X is on Y's N side), put X and Y in fixed roles:
  "郑薇是冯涛的上级吗" asks whether Zheng is Feng's superior, "冯涛是郑薇的上级吗" the
  reverse. With 是 and 的 gone, the order check sees the two names side by side with no
  pivot between them, which is no reversal to it.
- Whose thing it is: "我的社保怎么查" / "我爸的社保怎么查" / "他的社保怎么查". The content check
  drops pronouns and lets one character (爸) be added, so the owner before 的 is read here.
- A comparison with 比 ("A比B耐泡": is A more so than B) is not one of equality with 和 / 跟 /
  与 ... 一样 ("A和B一样耐泡": are they the same), though both hold A, B and the adjective.
"""

from __future__ import annotations

import functools
import re

from runtime.cache import zh_frames

# X是Y的N: X and Y short noun phrases (no clause break, no second 是 / 在 or 的 inside);
# 是不是 asks the same as 是...吗. And X在Y的N, a place relative to another ("超市在银行的左边":
# the supermarket is left of the bank, not the bank left of the supermarket).
_OF = re.compile(
    r"([^，,。？?！!是在的\s]{1,10})(?:是(?:不是)?|在(?:不在)?)+([^，,。？?！!是在的\s]{1,10})的"
)

# 比 as "than": not the 比 of 比较 (rather / compare), 比如 / 比方 (for example), 比例, 比赛,
# 比分, 比率, 比重, 比值, 比照, nor of 对比 / 相比 / 无比 / 好比 / 类比 / 攀比 (words of their own).
_THAN = re.compile(r"(?<![对相无好类攀])比(?![较如方例赛分率重值照喻])")
# The same degree: "一样", "相同", "同样", "差不多", "相等", "一般(大/高/...)".
# And "A有B高吗" (is A as tall as B), 有 before a name and an adjective closing the question,
# not 没有 (the negative comparison, which the negation check reads).
_EQUAL = re.compile(
    r"一样|相同|同样|差不多|相等|相当|一般(?=[大高长多重快慢早晚])"
    r"|(?<!没)有[^，,。？?！!有]{1,6}?(?:那么|这么)?[大高长多重快慢早晚贵远近胖瘦深宽][吗呢？?]*$"
)


@functools.lru_cache(maxsize=8192)  # a stored question comes back on every hit
def _of_pairs(text: str) -> frozenset[tuple[str, str]]:
    return frozenset({(m.group(1), m.group(2)) for m in _OF.finditer(zh_frames.normalise(text))})


def _comparison(text: str) -> str:
    than, equal = bool(_THAN.search(text)), bool(_EQUAL.search(text))
    return "than" if than and not equal else "equal" if equal and not than else ""


# The owner before 的: a pronoun, a kin term, or a pronoun with one ("我爸的", "他女儿的").
# Kin terms are a closed class. The first person ("我的", "我们的", "我家的", "自己的") is
# whom a question is asked for anyway, so it counts as no owner: "我的手机丢了怎么办" is
# "手机丢了怎么办"; any other owner must be the same in both.
_KIN = (
    "爸爸|妈妈|爸|妈|父亲|母亲|老公|老婆|丈夫|妻子|媳妇|儿子|女儿|孩子|宝宝|爷爷|奶奶|外公|外婆"
    "|姥姥|姥爷|哥哥|姐姐|弟弟|妹妹|哥|姐|弟|妹|男朋友|女朋友|对象|家人|父母|朋友|同事|老板|领导"
)
# Not the 他 / 它 / 你 of a word: 其他 / 其它 (other), 吉他 (guitar), 迷你 (mini).
_OWNER = re.compile(rf"((?:(?<![其吉迷])[我你您他她它咱](?:们)?(?:家)?)?(?:{_KIN})?)的")
# "我爸的" is "爸爸的", "我朋友的" is "朋友的": the asker's own kin, written with 我 or not.
_MINE = re.compile(r"^(?:我们家|我们|我家|咱们|咱家|我|咱|自己)(?=.)")
_DOUBLED = re.compile(r"^(.)\1$")  # 爸爸 = 爸


@functools.lru_cache(maxsize=8192)  # a stored question comes back on every hit
def _owners(text: str) -> frozenset[str]:
    found = {m.group(1) for m in _OWNER.finditer(zh_frames.normalise(text)) if m.group(1)}
    owners = {_DOUBLED.sub(r"\1", _MINE.sub("", o)) for o in found}
    return frozenset(o for o in owners if o not in {"我", "我们", "家", "咱", "咱们", "自己"})


# Who the question is about, when it is not the asker: "他能请假吗" / "我能请假吗", "他们几点
# 下班" / "我们几点下班". The content check drops pronouns, and the order check finds no
# reversal in one pronoun for another. The first person is the default, as for owners; 你 /
# 您 opening a request ("你能帮我…", "您可以…") address the assistant and are no one asked about.
# Not the 他 / 它 / 你 of a word: 其他 / 其它 (other), 吉他 (guitar), 迷你 (mini).
_PERSON = re.compile(
    r"(?<![其吉迷])(?:[他她它]们?|(?:你|您)们?(?!能|可以|可不可以|能不能|帮|会不会|知道|觉得|说))"
)


# Lending against borrowing: "出租房子" lets a house, "租房子" rents one; "借钱给朋友" lends,
# "向朋友借钱" borrows. The content check sees one character added (出, 向) and the order
# check no reversal. Lending is 出租 / 出借 / 借出 / 租出, or 借 / 租 with 给 someone after it;
# 给我 / 给我们 is the asker borrowing ("能借给我吗" = "能向你借吗").
_LENDS = re.compile(r"出租|出借|借出|租出|[借租][^，,。？?！!给]{0,6}给(?!我)")
_RENTS = re.compile(r"[借租]")


def _lends(text: str) -> bool | None:
    """True if the question lends or lets, False if it borrows or hires, None if neither."""
    if not _RENTS.search(text):
        return None
    return bool(_LENDS.search(text))


@functools.lru_cache(maxsize=8192)
def _persons(text: str) -> frozenset[str]:
    found = {m.group(0).replace("您", "你") for m in _PERSON.finditer(zh_frames.normalise(text))}
    return frozenset(found)


def clash(a_text: str, b_text: str) -> str | None:
    sa, sb = _persons(a_text), _persons(b_text)
    if sa != sb:
        return f"person differs: {'、'.join(sorted(sa)) or 'me'} vs {'、'.join(sorted(sb)) or 'me'}"
    oa, ob = _owners(a_text), _owners(b_text)
    if oa != ob:
        return f"owner differs: {'、'.join(sorted(oa)) or 'me'} vs {'、'.join(sorted(ob)) or 'me'}"
    pa, pb = _of_pairs(a_text), _of_pairs(b_text)
    # Y of one question inside X of the other, both ways ("公司里郑薇是冯涛的" / "公司里冯涛是郑
    # 薇的"): the names traded places around 是...的.
    for xa, ya in sorted(pa):
        for xb, yb in sorted(pb):
            if ya != yb and ya in xb and yb in xa:
                return f"roles differ: {ya} and {yb} trade places around 是/在...的"
    la, lb = _lends(a_text), _lends(b_text)
    if la is not None and lb is not None and la != lb:
        way = {True: "lends", False: "borrows"}
        return f"direction differs: {way[la]} vs {way[lb]}"
    ca, cb = _comparison(a_text), _comparison(b_text)
    if ca and cb and ca != cb:
        return f"comparison differs: {ca} vs {cb}"
    return None
