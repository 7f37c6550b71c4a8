"""Chinese words that fill a question without adding to what it asks (runtime/cache/zh_frames.py
`normalise` removes them before chinese.py reads the content characters).

chinese.py lets a paraphrase add one content character, never two, so a two-character filler
("到底", "比较", "这道题") turns the same question into a miss. Each class below is closed: a
small set of words in a fixed position, and the position is what makes them empty ("到底" is
"on earth" before a question word, but "to the end" in "坚持到底").
"""

from __future__ import annotations

import re

_CJK = r"\u4e00-\u9fff"
# Means of transport, the objects of 坐 / 乘 / 搭 (ride): a closed class of vehicles.
_VEHICLES = "高铁|动车|火车|飞机|地铁|公交车?|大巴|巴士|汽车|客车|轮船|船|轮渡|出租车|网约车|缆车"

_FILLERS = [
    # Emphatic 到底 / 究竟 ("on earth", "after all") right before a way of asking:
    # "到底能不能请年假" asks "能不能请年假"; 异 is zh_frames.py's "what difference".
    re.compile(
        r"(?:到底|究竟)(?=能|可以|可不可以|是|要|该|应该|有|会|怎么|如何|为什么|什么|哪|多少|几|谁|异)"
    ),
    # A pointer back at the problem just stated, before a how-question: "方程……这道题怎么解"
    # is "方程……怎么解".
    # "这道数学题怎么解：2x+3=7" points forward at the problem after the colon.
    re.compile(
        r"这(?:道|个|一)?[^，,。？?：:\s]{0,2}?(?:题目?|问题)"
        r"(?=[，,\s]*(?:该|应该|要|应当)?(?:怎么|如何|怎样)|[：:])"
    ),
    # 以 / 之 before 后 / 前 (after / before): "跑步以后" is "跑步后", "考试之前" "考试前".
    # Not the 以 of 可以 / 所以 / 难以 ("可以前往" is 可以 + 前往).
    re.compile(r"(?<![可所难加予足得])以(?=[后前])|之(?=[后前])"),
    # 从 (from) opening a route "从A到B": the 到 keeps the direction, so "从遵义到铜仁" is
    # "遵义到铜仁" (verify.py's route check still reads the 从 form from the raw text).
    # Not 从来 (ever), 从事 (work in), 从而 (thus), nor the 从 of 自从 / 服从 / 遵从 / 听从.
    re.compile(rf"(?<![自服遵听跟])从(?![来事而])(?=[{_CJK}A-Za-z]{{1,8}}?[到至])"),
    # Riding a vehicle: "坐高铁要多久" is "高铁要多久"; the vehicle carries the meaning.
    re.compile(rf"(?:乘坐|搭乘|坐|乘|搭)(?={_VEHICLES})"),
    # 下来 / 出来 closing a clause after a verb are complements of result ("多久能办下来" is
    # "多久能办好", "怎么提取出来" "怎么提取"), no new action: "停不下来" asks "停不了".
    re.compile(rf"(?<=[{_CJK}])[下出]来(?=[吗呢吧？?。！!，,、]|$)"),
    # "注意事项" (matters to heed) asks what "注意什么" asks.
    re.compile(r"(?<=注意)事项"),
    # 由 marking the doer before 谁: "由谁承担" asks "谁承担" (who bears it).
    re.compile(r"由(?=谁)"),
    # 比较 as "rather", between a verb and what it qualifies ("做比较好吃", "哪个比较好"),
    # not the verb "compare" ("怎么比较两个数", "A和B比较": after a question word or at the end).
    re.compile(rf"(?<=[{_CJK}])(?<![么何样])比较(?=[{_CJK}])"),
]
# 才 (only then) in a how-question: "怎么做才好吃" is "怎么做好吃" ("怎样做比较好吃"); not
# the 才 of 刚才 (just now, which marks the past), 人才, 天才, 英才, 才艺, 才华.
_HOW = re.compile(r"怎么|怎样|如何")
_CAI = re.compile(r"(?<![刚人天英奇鬼秀口方])才(?![艺华干气子女])")
# 去 after a way of travelling is "to" ("打车去机场" = "打车到机场"): the destination follows.
_TRAVEL_TO = re.compile(
    rf"(?<=打车|开车|坐车|骑车|步行|走路|高铁|动车|火车|飞机|地铁|大巴)去(?=[{_CJK}])"
)
# "按照公司的规定" (according to the company's rules) is "公司规定": the preposition and 的
# carry nothing; the rule and whose it is stay.
_ACCORDING = re.compile(
    r"(?:按照|依照|根据|依据)([^，,。？?]{1,8}?)的?(规定|要求|政策|制度|标准)[，,]?"
)


# An age or time said of the topic as a predicate ("宝宝七个半月了，能吃……") is the same as
# said before it ("七个半月的宝宝能吃……"): the predicate form is rewritten as the attribute,
# so the order check sees one order. Only a topic of at most four characters opening the
# question, then a numeral, a unit of age or time, and 了 with an optional comma.
_NUMERAL = r"[零一二两三四五六七八九十百\d]+"
_AGE_PREDICATE = re.compile(
    rf"^([{_CJK}]{{1,4}}?)({_NUMERAL}个?半?(?:月|岁|周|天|年|星期)半?大?)了[，,\s]*"
)


def strip(text: str) -> str:
    text = _AGE_PREDICATE.sub(r"\2的\1", text)
    for pattern in _FILLERS:
        text = pattern.sub("", text)
    if _HOW.search(text):
        text = _CAI.sub("", text)
    return _ACCORDING.sub(r"\1\2", _TRAVEL_TO.sub("到", text))


# A light verb between a way of asking (how, may, must) and the action it names: "如何申请
# 退款" asks "怎么退款", "可以办理挂失吗" "可以挂失吗". Dropped only where the other question
# has the same action right after its own way of asking: "如何偿还贷款" does not make
# "如何申请贷款" "如何贷款" (偿还 is another action), nor is "申请需要什么材料" (the
# application itself) touched.
_ASKING = r"怎么|如何|怎样|可以|能否|需要|应该|[能要该想]"
_LIGHT = re.compile(rf"(?<={_HOW.pattern}|可以|能否|需要|应该)(申请|办理|进行)([{_CJK}]{{2}})")
_LIGHT_ONE = re.compile(rf"(?<=[能要该想])(申请|办理|进行)([{_CJK}]{{2}})")


def light_verbs(a: str, b: str) -> tuple[str, str]:
    """Both questions, a light verb dropped from one where the other asks the action bare."""

    def drop(text: str, other: str) -> str:
        for pattern in (_LIGHT, _LIGHT_ONE):
            for m in pattern.finditer(text):
                action = m.group(2)
                if re.search(rf"(?:{_ASKING}){action}", other):
                    return text[: m.start()] + text[m.start(2) :]
        return text

    return drop(a, b), drop(b, a)
