"""Chinese content characters for the semantic-cache verifier (runtime/cache/verify.py).

all-MiniLM-L6-v2's vocabulary lacks most CJK characters: they become [UNK], so "如何取消订阅"
and "如何暂停订阅" embed to the *same* vector (cosine 1.0). For Chinese the embedding is
therefore blind to exactly the characters that carry the meaning, and this lexical check
restores it: outside question and function words, a paraphrase may add one character
("光速" / "光的速度") but not swap characters ("早餐" / "晚餐"), nor add one that narrows a
noun to a kind ("苹果" / "青苹果"). The question's frame (a polite opener, its way of asking)
is removed first, and what the frame means is compared as classes (zh_frames.py).
The order check (`clash_zh`) reads the same characters, with pronouns, the markers
of who acts on whom and Latin-script names kept; then halves, aspect and the frame's classes.

A question of English words in a Chinese frame ("Python 里怎么 parse command-line arguments")
is checked here too (`framed`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from runtime.cache import lexicon, structure, zh_frames, zh_numbers, zh_roles

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ZH_FUNCTION = set(
    "的了吗呢吧啊呀嘛么是有在我你您他她它们给和与及或把被让就都也还要会能该应得地着过"
    "这那哪些个谁几为想一多少怎样如何什"
)
# Function words of two characters whose characters alone carry meaning ("忙" is busy).
_ZH_FUNCTION_WORDS = re.compile(
    r"请问|帮忙|帮我|告诉|知道|意思|可以|怎样|怎么|如何|什么|多少|为什么|一下|一般|通常|大概|平时"
    # Aspect, which `zh_tense` compares: "已经延误了" is "延误了"; and 需要 (need), 必须 /
    # 一定要 (must), modals like 要 and 可以, whose class zh_frames.py compares ("可以交社保吗" /
    # "需要交社保吗").
    r"|已经|曾经|需要|必须|一定要|一定得|非得"
    r"|自己"  # the reflexive pronoun: "查看自己的记录" is "查看记录"
    r"|一共|总共|共计|总计"  # in total: "门票一共多少钱" is "门票总共多少钱"
)
# "一本" is the article "a", and "几部" / "一些" a plural ("推荐几部电影" / "推荐一些电影"):
# surface.py's scope check tells one from several; here they are no content.
_ZH_ARTICLE = re.compile(rf"一[{lexicon.ZH_MEASURE_WORDS}]|几[{lexicon.ZH_MEASURE_WORDS}]|一些")
# 还 is the adverb hái (still, also), a function character, except before a thing returned
# or repaid, or ending a clause ("能提前还吗", "还了", "还给他"), where it is the verb huán:
# "怎么还书" returns a book, "怎么借书" borrows one. It is then read as 偿 (repay), a content
# character.
# Before a person too: "你还他钱了吗" (did you repay him) is not "他还你钱了吗".
_ZH_RETURN = re.compile(r"还(?=[书钱款车债贷卡租清给了吗？?。！!，,我你您他她]|$)")


def returns(a: str, b: str) -> tuple[str, str]:
    """Both questions, 还 written 归还 (return, a content word) where the other question has a
    verb in its place: "在哪里还充电宝" / "在哪里借充电宝". _ZH_RETURN reads the verb only before
    the things commonly returned; elsewhere 还 reads as "still", a function character, and the
    pair would differ by one added character (借) only."""

    def verb(text: str, other: str) -> str:
        for m in re.finditer(r"还(?=([\u4e00-\u9fff]{2}))", text):
            slot = re.escape(text[m.start() - 1]) if m.start() else "^"
            after = re.escape(m.group(1))
            found = re.search(rf"{slot}([\u4e00-\u9fff]){after}", other)
            if found and found.group(1) not in _ZH_FUNCTION and found.group(1) not in "不没":
                return text[: m.start()] + "归还" + text[m.end() :]
        return text

    return verb(a, b), verb(b, a)


# A leading 请 is "please", unless it opens a word of its own (请假: ask for leave).
_ZH_PLEASE = re.compile(r"^请(?![假客教求柬帖示愿])")


# Question words made of content characters: "哪里" and "什么地方" both ask "where".
_ZH_WH = re.compile(r"哪里|哪儿|什么地方|什么时候|什么东西|哪个|哪些|哪种|什么")
# Ways to ask one thing, each one token: a price ("多少钱" / "的价格是多少"), a duration
# ("多久" / "多长时间"), an age ("几岁" / "年龄是多少"). A closed class of question phrasings.
_ZH_ASKS = [
    # What a thing is worth is not what it is sold for: "房子的价值" / "房子的价格" (价值 is
    # read before 价格's token takes its 价).
    (re.compile(r"价值"), "值"),
    (re.compile(r"(?:花|花费)?多少钱|的?(?:价格|价钱|售价)是?多少"), "价"),  # 要花多少钱 too
    # Opening hours, from when to when: "营业时间是几点到几点" = "几点开门，几点关门".
    (re.compile(r"的?(?:营业|开放|办公)时间是?从?几点到几点|几点开门?[，,、\s]*几点关门?"), "营"),
    (re.compile(r"多长时间|多少时间|多久"), "久"),
    (re.compile(r"多少岁|几岁|多大年纪|多大岁数|的?年龄是?多少"), "岁"),
]


# Pronouns are function characters to the content check, but they have roles: the order
# check keeps them ("小李欠我" / "我欠小李"). So are the markers of who acts on whom (把, 被,
# 给, 向, 对, 跟): between two nouns they are the pivot the order check needs ("A给B打电话" /
# "B给A打电话": without 给 the two names are merely adjacent, which is no reversal).
# 谁 (who) is one too: "谁打败了拿破仑" asks for the victor, "拿破仑打败了谁" for the defeated.
PRONOUNS = set("我你您他她它谁")
_ZH_A_NOT_A = re.compile(r"(.)[不没]\1")
# 让 (makes / lets) and 为 (for) too: "老板让员工加班" / "员工让老板加班".
ROLE_MARKERS = set("把被给向对跟让为")
# Function characters that may stand for one another, one for one (zh_swaps.py): not the
# markers of who acts on whom.
SWAPPABLE = frozenset(_ZH_FUNCTION - ROLE_MARKERS)


def framed(text: str) -> bool:
    """English words in a Chinese frame: the Chinese holds a function or question word ("里怎么",
    "的", "是几号"), not only a name ("What is 北京?" is English). verify.py `language` checks
    such a question as Chinese: every Latin word is then an entity the other question must
    hold, and the frame goes through the content check, so it is held to its exact English
    words. Checked as English, the parser would not know its Chinese words, and its cosine
    (half [UNK]) would fall below the English threshold."""
    return bool(_ZH_FUNCTION_WORDS.search(text) or _ZH_FUNCTION.intersection(text))


_ZH_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#]*|\d+(?:\.\d+)?|" + CJK.pattern)


def content(
    text: str, keep: set[str] | frozenset[str] = frozenset(), latin: bool = False
) -> list[str]:
    """Content characters in order, repeats kept (the order check needs them), and `keep`;
    with `latin`, Latin-script words too, each one token: "iPhone比Pixel贵" / "Pixel比iPhone贵"
    is a reversal only if the names are in the order (the content check leaves them to the
    entity check)."""
    text = zh_numbers.operators(zh_numbers.rates(zh_frames.normalise(text)))
    # Numerals are the number check's (verify.py): here none, or each its value for the order.
    text = zh_numbers.as_values(text) if latin else zh_numbers.without(text)
    text = _ZH_ARTICLE.sub(" ", _ZH_PLEASE.sub(" ", _ZH_RETURN.sub("偿", text)))
    for pattern, token in _ZH_ASKS:
        text = pattern.sub(token, text)
    text = _ZH_FUNCTION_WORDS.sub(" ", _ZH_WH.sub(" ", text))
    text = _ZH_A_NOT_A.sub(r"\1", text)  # "去不去" asks "去吗": one 去, and no 不
    tokens = _ZH_TOKEN.findall(text) if latin else CJK.findall(text)
    return [t.lower() for t in tokens if t not in _ZH_FUNCTION or t in keep]


def content_clash(ca: tuple[str, ...], cb: tuple[str, ...]) -> str | None:
    # Counted, not only present: "合同合法" / "合同违法" share 合 once but the first has it twice.
    # And each copy counted: "张老师" / "张老师太太" adds two characters, not one.
    only_a = list((Counter(ca) - Counter(cb)).elements())
    only_b = list((Counter(cb) - Counter(ca)).elements())
    # One character added is a paraphrase ("光速" / "光的速度"), unless it narrows a noun to a
    # kind ("苹果" / "青苹果": lexicon.ZH_ATTRIBUTIVES).
    # Nor when it names a relative the other question lacks ("我名下的社保" / "我妈名下的社保"
    # are two people's); a kin term doubled is one person ("张叔" / "张叔叔").
    extra = only_a + only_b
    kin = bool(extra) and extra[0] in _ZH_RELATIVES and extra[0] not in (cb if only_a else ca)
    if (
        (only_a and only_b)
        or len(extra) > 1
        or (extra and extra[0] in lexicon.ZH_ATTRIBUTIVES)
        or kin
    ):
        return f"content differs: {''.join(only_a) or 'none'} vs {''.join(only_b) or 'none'}"
    inside = _inside_name(ca, cb) if extra else None
    if inside:
        return f"name differs: {inside}"
    return None


# The last character of a place or institution name: a station, district, road, bridge,
# port, hall, college, temple, gate, park, ground; 大 as in the abbreviation of a university
# (北大, 南大). A character put right before it, inside the name, names another place:
# "北京站" / "北京西站", "北大" / "北师大", "南大" / "南开大". A degree adverb before 大 is no
# part of a name ("房子大" / "房子很大").
_ZH_NAME_ENDS = set("站区县镇村路街桥港湾馆院校寺庙宫门园场大")
_ZH_DEGREE = set("很太更最挺蛮超特极好真较颇稍")


# A given name doubled after a surname is another person: "王芳" / "王芳芳", "张伟" / "张伟伟".
# Kin terms double as one word for the same person ("张叔" / "张叔叔"), so they are no name.
_ZH_KIN = set("爸妈哥姐弟妹爷奶叔姨舅婆公伯姑嫂宝")
# The kin characters that name a relative wherever they stand (not 公 of 公斤 / 公司, 婆, 宝).
_ZH_RELATIVES = set("爸妈哥姐弟妹爷奶叔姨舅伯姑嫂")


def _inside_name(ca: Sequence[str], cb: Sequence[str]) -> str | None:
    short, long = (ca, cb) if len(ca) < len(cb) else (cb, ca)
    for k in range(1, len(long)):
        if (
            long[k] == long[k - 1]
            and k > 1
            and long[k - 2] in lexicon.ZH_SURNAMES
            and long[k] not in _ZH_KIN
            and list(long[:k]) + list(long[k + 1 :]) == list(short)
        ):
            return f"{''.join(long[k - 2 : k + 1])} vs {short[k - 2]}{short[k - 1]}"
    for k in range(1, len(long) - 1):
        if (
            long[k + 1] in _ZH_NAME_ENDS
            and long[k] not in _ZH_DEGREE
            and list(long[:k]) + list(long[k + 1 :]) == list(short)
        ):
            return f"{''.join(long[k - 1 : k + 2])} vs {short[k - 1]}{short[k]}"
    return None


# "是什么时候开通的" asks about an event that happened (the 是...的 focus construction: 是, a
# question word, the verb, 的 at the end); "将在什么时候开通" about one to come.
_ZH_PAST = re.compile(
    r"了|过|已经|曾经|刚才|是(?:什么时候|何时|哪一?年|哪一?天|几号|几点|在哪|怎么|谁|如何|从哪)"
    r"[^？?，,。]*的[？?。！!]?$"
)
# 会 is "will" unless it is part of a noun ("会员", "会议", "社会", "开会": a meeting, a society).
# After a name that ends in 社 it is "will" again: "茶社会在自贡开分店吗" (will the tea house
# open a branch), as after 报社, 旅行社, 合作社, 出版社.
_ZH_FUTURE = re.compile(
    r"(?<![机开聚协大宴约晚学公工都年例省盛舞茶酒])(?:(?<=[茶报诗行作版]社)|(?<!社))"
    r"会(?![员议计场长所费话谈晤见面合师])"
    r"|将|即将|打算"
    # 要 after a person, or after 快 / 就 / 马上, is "is going to" ("他要去北京吗" / "他去过北京
    # 吗", "快要到了"); elsewhere it is mostly "need" ("发烧了要吃药吗" = "发烧了需要吃药吗").
    # Not before a question word ("他要怎么办": should) nor in 要求 / 要是 / 要不.
    r"|(?:(?<=[我你您他她它们])|快|就|马上)要(?![求是不怎如多几什哪么点紧素命])"
)


def zh_tense(text: str) -> str:
    past, future = bool(_ZH_PAST.search(text)), bool(_ZH_FUTURE.search(text))
    return "past" if past and not future else "future" if future and not past else ""


# Aspect within the past: 过 after a verb asks whether it was ever done ("小周去过莫高窟吗":
# has Xiao Zhou ever been?), 了 whether it was done this time ("小周去莫高窟了吗": did he go,
# as planned?), 在 after 有没有 / 还 / 一直 / 正 whether it is going on ("最近有没有在裁员"
# against "最近有没有裁过员"). Not 过 in a word of its own (过期, 超过, 经过, 不过, 难过, ...),
# nor 过了, mostly "passed" ("快递过了五天还没到"; "吃过了吗" is "吃了吗"), nor 了 in 为了 /
# 除了 / 了解 / 受不了.
_EVER = re.compile(
    r"(?<=[\u4e00-\u9fff])(?<![不经通超错难度路越穿跨])过"
    r"(?![期敏年来程滤节户夜量度多于分桥河境关冬山目瘾了])"
)
_DONE = re.compile(r"(?<![为除受])了(?![解不])")
_GOING_ON = re.compile(r"正在|(?:有没有|是不是|还|一直|都)在(?=[\u4e00-\u9fff])")


def _aspect(text: str) -> str:
    if _EVER.search(text):
        return "过"
    return "在" if _GOING_ON.search(text) else "了" if _DONE.search(text) else ""


def aspect_clash(a_text: str, b_text: str) -> str | None:
    """过 (ever done) on one side only, against 了 (done this time) or 在 (going on) on the
    other. A side with none of the three may be either ("你有没有去过北京" / "你去北京没有")."""
    aa, ab = _aspect(a_text), _aspect(b_text)
    if "过" in (aa, ab) and aa != ab and "" not in (aa, ab):
        return f"aspect differs: {aa or 'none'} vs {ab or 'none'}"
    return None


# Halves: "一个半小时" is 1.5 hours, "三年半" 3.5 years, "半小时" 0.5. The number check reads
# "一个" as the article "a" and 半 as no number, so it tells none of these apart; here each
# half is read with the whole before it ("一半" is a half, not one and a half).
_ZH_HALF = re.compile(
    r"([零一二两三四五六七八九十百\d]+)(?:个|[年天周月岁点斤里]|小时|分钟|公里|公斤)半|半"
)


def _whole(numeral: str) -> str:
    if numeral.isdigit():
        return str(int(numeral))
    return str(lexicon.ZH_DIGITS.get(numeral, numeral))  # "十二" stays as written


def halves(text: str) -> list[str]:
    return sorted(f"{_whole(m.group(1)) if m.group(1) else 0}.5" for m in _ZH_HALF.finditer(text))


# Markers whose object is the one acted on or for: "给老板发邮件" (to the boss) is not
# "老板给我发邮件" (from the boss), though no two blocks trade places. (跟 and 和 join two
# things either way round: "A跟B的区别" is "B跟A的区别".)
_DIRECTED = set("给向把被")


def _objects(chars: Sequence[str]) -> dict[str, set[str]]:
    """Each directed marker to what follows it ("给老板" -> 给: {老})."""
    found: dict[str, set[str]] = {}
    for marker, after in zip(chars, chars[1:], strict=False):
        if marker in _DIRECTED:
            found.setdefault(marker, set()).add(after)
    return found


_TOWARD = {"向": "给", "对": "给"}
_ZH_EXCEPT = re.compile(r"除了|除去|除开|除此")


# Clauses that trade places whole ask the same: "医保断缴两个月了，还能报销住院费吗？" /
# "请问还能报销住院费吗？我医保断缴两个月了。" (the condition first or last). Not where a word
# orders them in time (先, 再, 然后, 之后, ...): "先X，再Y" / "先Y，再X".
_CLAUSE_END = re.compile(r"[，,。？?！!；;]+")
_SEQUENCE = re.compile(r"先|再|然后|之后|以后|之前|接着|随后|最后")


def _rotated(a_text: str, b_text: str) -> bool:
    """The same clauses, each with its own words in their own order, in another order."""
    if _SEQUENCE.search(a_text) or _SEQUENCE.search(b_text):
        return False
    ca, cb = ([cc for c in _CLAUSE_END.split(t) if (cc := content(c))] for t in (a_text, b_text))
    if len(ca) < 2 or len(ca) != len(cb):
        return False
    left = list(cb)
    for clause in ca:
        twin = next((c for c in left if Counter(c) == Counter(clause)), None)
        if twin is None or structure.swapped_blocks(clause, twin):
            return False
        left.remove(twin)
    return [Counter(c) for c in ca] != [Counter(c) for c in cb]


def clash_zh(
    a_chars: Sequence[str], b_chars: Sequence[str], a_text: str = "", b_text: str = ""
) -> str | None:
    """Chinese: the content characters of both, in order (`content`), and
    their aspect: 了 / 过 (done) against 会 / 将 (to come)."""
    # 向 and 对 mark whom an act is aimed at as 给 does ("我给老板道歉" / "老板向我道歉"): read
    # as one marker, the names around it trade places.
    pair = structure.swapped_blocks(a_chars, b_chars) or structure.swapped_blocks(
        [_TOWARD.get(c, c) for c in a_chars], [_TOWARD.get(c, c) for c in b_chars]
    )
    if pair and not _rotated(a_text, b_text):
        return f"order differs: {pair[0]} ... {pair[1]} reversed"
    roles = zh_roles.clash(a_text, b_text)  # X是Y的N, and 比 against 一样
    if roles:
        return roles
    oa, ob = _objects(a_chars), _objects(b_chars)
    for marker in sorted(oa.keys() & ob.keys()):
        if oa[marker] != ob[marker]:
            x, y = "".join(sorted(oa[marker])), "".join(sorted(ob[marker]))
            return f"role differs: {marker}{x} vs {marker}{y}"
    if ("还是" in a_text) != ("还是" in b_text):  # "A还是B?" asks to choose; "B?" does not
        return "alternatives differ: only one asks A 还是 B"
    # "除了X还要带什么" asks what else besides X; "X要带吗" asks about X itself.
    if bool(_ZH_EXCEPT.search(a_text)) != bool(_ZH_EXCEPT.search(b_text)):
        return "exclusion differs: only one asks 除了 X"
    if halves(a_text) != halves(b_text):
        return f"halves differ: {', '.join(halves(a_text)) or 'none'} vs " + (
            ", ".join(halves(b_text)) or "none"
        )
    ta, tb = zh_tense(a_text), zh_tense(b_text)
    if {ta, tb} == {"past", "future"}:
        return f"tense differs: {ta} vs {tb}"
    return aspect_clash(a_text, b_text) or zh_frames.clash(a_text, b_text)
