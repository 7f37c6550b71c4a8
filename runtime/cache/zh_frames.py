"""The frame of a Chinese question, apart from its content (runtime/cache/chinese.py).

chinese.py compares the content characters of two questions: a paraphrase may add one but not
swap any. Users wrap the same question in many frames: a polite opener ("请问", "麻烦问一下",
"能不能告诉我"), a way of asking ("怎么X" / "X的方法是什么", "为什么" / "是什么原因" /
"怎么回事", "是谁写的" / "作者是谁"), a hedge ("大概", "一般"). Each frame is a closed class, so
a list of them generalises to questions it was never shown; `normalise` removes the frames
that carry no content and turns the ways of asking one thing into one token, before the
content check reads the characters.

Some frame words do carry meaning that the content check no longer sees once they are
dropped: modality ("可以" is what is allowed, "需要" what is required, "想" what is wanted),
what is asked ("什么时候" when, "多久" how long, "多久...一次" how often) and relative time
("上个季度" / "这个季度"). They are compared here as classes (`clash`).
"""

from __future__ import annotations

import re

from runtime.cache import zh_fillers

# Polite openers and wrappers: "please tell me", "may I ask", "do you know". Removed whole,
# before chinese.py reads a leading 请 as "please" (else "请问" would leave its 问 behind).
# A greeting or the people addressed come first ("大家好，", "请教各位，"); "咨询" (consult)
# is one more way to say "I'd like to ask".
_WRAPPERS = re.compile(
    r"^(?:(?:大家好|你好|您好|各位好)[，,！!\s]+)?"  # then a break: "你好吗" asks after you
    r"(?:(?:麻烦|劳驾|打扰一下|请问|请教)(?:一下)?(?:各位|大家)?)?[，,\s]*"
    r"(?:(?:请|麻烦)?(?:你|您)?(?:能不能|能否|可不可以|可以|能)?(?:帮我|帮忙)?"
    r"(?:告诉|告知)(?:我|一下)*|(?:我)?想(?:问|请教|了解|知道|咨询)(?:一下|下)?|"
    r"(?:你|您)(?:知道|清楚)|问(?:一下|下)|请问(?:一下|下)?|请教(?:一下|下)?)?[，,：:\s]*"
)
# A trailing "do you know?" ("……你知道吗"): the same question asked of the listener; and
# a closing thanks or plea ("，谢谢", "在线等", "急").
_TAG = re.compile(
    r"[，,]?\s*(?:你|您)(?:知道|清楚)吗"
    # after a break only: "怎么表达感谢" asks how to thank, "这事很急" says it is urgent.
    r"|[，,。？?！!\s]+(?:在线等|急求|求解答|谢谢了?|多谢|感谢|急+)[!！。？?\s]*$"
)

# Ways of asking, each rewritten to one token (a CJK character, so the content check keeps
# it) or to nothing when chinese.py already drops its plain form ("怎么", "为什么").
_FORM_PATTERNS: list[tuple[str, str]] = [
    # How to: "X的方法是什么" = "有什么办法X"; why: "为什么X" = "X是什么原因" = "X是怎么回事".
    # Each its own token, so "有什么办法" (how to fix it) is not "是什么原因" (why); "怎么" asks
    # either, so chinese.py drops it and it matches both.
    # "有没有什么办法" too: its 没 is no negation, nor the 没法 (cannot) it would leave.
    (r"的?(?:方法|办法|步骤)(?:是什么|有哪些|是啥)", "法"),
    (r"有(?:没有)?(?:什么|哪些|啥)?(?:方法|办法)", "法"),
    (r"为什么|为何|(?:是|有)?(?:什么|啥)原因(?:导致|造成|引起)?的?|的?原因是(?:什么|啥)", "因"),
    (r"是?怎么回事", "因"),
    # What causes X = why X: "什么会导致失眠" = "哪些原因会引起失眠" = "失眠是什么原因导致的";
    # what X causes, its effect, is a token of its own: "失眠会导致什么" = "失眠会带来什么后果".
    (r"(?:什么|哪些|啥)(?:原因|因素)?(?:会|能|可能)?(?:导致|引起|造成|诱发|引发)了?", "因"),
    (
        r"(?:会|能|可能)?(?:导致|引起|造成|诱发|引发|带来)了?(?:什么|哪些|啥)(?:后果|结果)?"
        r"|有(?:什么|哪些|啥)(?:后果|危害)|的?后果(?:是什么|有哪些)?",
        "果",
    ),
    # Where: "哪里" = "哪个城市" = "什么地方" (chinese.py drops 哪里 and 什么地方).
    (r"哪(?:个|座|一个)?(?:城市|地方)", " "),
    # Who did it = its doer: "是谁写的" / "作者是谁", "谁发明的" / "发明者是谁".
    (r"是?谁(?:写|著|创作)[的了]?|的?(?:作者|著者)(?:是谁)?", "著"),
    (r"是?谁发明[的了]?|的?(?:发明者|发明人)(?:是谁)?", "明"),
    (r"是?谁(?:创立|创办|创建|成立)[的了]?|的?(?:创始人|创办人)(?:是谁)?", "创"),
    # What difference: "有什么区别" = "的区别是什么" = "有什么不同" = "区别在哪里".
    # "A和B之间有什么区别" = "A跟B哪里不一样": 之间 (between them) adds nothing to a difference.
    (r"(?:之间)?有(?:什么|啥|哪些)(?:区别|不同|不一样|差别|差异)", "异"),
    (r"(?:之间)?(?:哪里|哪儿|哪些地方|什么地方)(?:不一样|不同|有区别)", "异"),
    (r"的?(?:区别|差别|差异)(?:是什么|在哪里?|在哪儿)", "异"),
    # "A跟B有什么区别" is "A和B有什么区别": 跟 joining the two things compared is 和.
    (r"跟(?=[^，,。？?！!]{1,12}异)", "和"),
    # When: "X的时间是什么时候" = "什么时候X" (chinese.py drops 什么时候).
    (r"的?时间是(?=什么时候|何时|哪天)", " "),
    # If: "X的话" is "if X"; the condition is the same with or without it.
    (r"的话", " "),
    # What to do: "怎么办" = "该怎么处理" = "如何解决" (chinese.py drops 怎么 / 如何).
    # Not 办理 (carry out): "如何办理挂失" asks how to report a loss, not what to do.
    (r"(?:该|要|应该|应当)?(?:怎么|如何|怎样|咋)(?:办(?!理)|处理|解决|应对|整)", "办"),
    # How, spoken: "咋冻结首行" is "怎么冻结首行" (chinese.py drops 怎么 / 如何).
    (r"咋(?:样|么)?", "怎么"),
    # Which is better, compared: "A跟B比起来哪个更好用" = "A和B哪个好用".
    (
        r"[跟和与]([^，,。？?！!]{1,20}?)(?:比起来|相比|比较起来)[，,]?\s*(哪个|哪一个|谁)更",
        r"和\1\2",
    ),
    # A yes-no question closed by 没有: "熟了没有" = "熟没熟" = "熟了吗" (not "还没有").
    (r"(?<!还)(?:了)?没有?(?=[？?。！!]?$)", "吗"),
    # Cannot: "无法开机" = "开不了机" = "不能开机"; the negation check sees each as negated.
    (r"无法|没法|没办法|(?<!能)不能够?", "不"),  # not the 不能 of "能不能" (can or not)
    # Before: "还没X就…" (X not yet done, and already …) is "X前就…"; no negation of the question.
    (r"还没有?([^，,。？?！!就]{1,6}?)就", r"\1前"),
    # A request to calculate is a question of the value: "帮我算一下根号144" = "根号144是多少"
    # (only at the start, so "怎么计算个税" keeps its verb); "144开根号" = "根号144".
    (r"^请?(?:帮我|帮忙)?(?:计算一下|算一下|算算|计算(?!机))", " "),
    (r"开(?=根号)", " "),
    # Is it easy to do: "日语容易学吗" = "日语好学吗" (好 + a verb that closes the question is
    # "easy to"); "难学" stays its opposite, and the content check tells 好 from 难.
    (r"容易(?=[\u4e00-\u9fff]{1,2}(?:[吗吧呢？?。]|$))", "好"),
    # Turning a colour: "叶子发黄" = "叶子变黄" (发 / 变 before a colour both say "turn"); the
    # colour itself stays content, so "变黄" / "变白" still differ.
    (r"变(?=[黄红白黑紫青绿蓝灰])", "发"),
    # When, as a clause: "X的时候" = "X期间" = "X时".
    (r"的时候|期间|之时|的时期", "时"),
    # Inside, after an English name: "在 Python 里" = "在 Python 中" = "在 Python 内"; not
    # the 中 of a word ("Python 中文乱码", "Java 内存"): after 在, or before a question word.
    (r"(?<=[A-Za-z0-9\s])(?:里面|里头|之中|里|中|内)(?=[怎如什为能可要是的有，,？?\s]|$)", " "),
    (
        r"(在\s*[A-Za-z][A-Za-z0-9_.+#-]*(?:\s[A-Za-z][A-Za-z0-9_.+#-]*)*)\s*"
        r"(?:里面|里头|之中|里|中|内)(?![文国心间级等层部期学午央断止容存核置网程地])",
        r"\1 ",
    ),
    # How often, one token before the action: "多久浇一次水" = "隔几天浇水" = "几天浇一次水".
    # ("浇一次水要多久" asks how long one watering takes: 久 after the action, no match.)
    (r"(?:多久|多长时间|每?隔几天|几天)([^，,？?。一]{1,3}?)一次", r"频\1"),
    (r"(?:应该|要|需要)?每?隔(?:几天|多久|多长时间|多少天)", "频"),
]
_FORMS = [(re.compile(pattern), token) for pattern, token in _FORM_PATTERNS]

# Hedges and modal wrappers that ask the same thing: "大概多久" = "一般多久"; "能否" /
# "可否" / "是否" ask yes or no (chinese.py's A-not-A rule reads "能不能" the same way).
_HEDGES = re.compile(
    r"一般来说|通常来说|大约|大致|大概|一般|通常|平时|能否|可否|是否|可不可以"
    r"|差不多(?=多少|几|要|需要|得)"  # "差不多多少钱" is "大概多少钱" (about), not "nearly"
)

# Modality, compared as a class once its words are no content: what is possible or allowed,
# what is required, what is wanted ("可以交社保吗" / "需要交社保吗" / "想交社保吗"). "要"
# alone is also "will", so only its compounds count. Read past the polite opener, whose
# "能不能告诉我" / "我想知道" ask nothing of the question itself.
_MODALS = {
    "possible": re.compile(r"可以|能够|能否|可否|能不能|可不可以|允许|准许|能|可"),
    # 一定要 / 非得: must ("是不是一定要自己去" is not "能不能自己去", may one go oneself).
    "required": re.compile(r"必须|需要|必需|务必|得要|应该|应当|需|必要|一定要|一定得|非得|非要"),
    "wanted": re.compile(r"想要|想|愿意|希望"),
}

# 需要 / 要 right before an amount asked is "it takes" ("需要多长时间" = "要多久", "需要多少钱"),
# not what is required: it is no modal against "多久能办下来" (how soon can it be done).
_TAKES = re.compile(
    r"(?:需要|要|得|需)(?=多久|多长时间|多少时间|多少钱|几天|几个月|几年|几小时|多少天)"
)

# What is asked, compared as a class: chinese.py drops the question words ("什么时候",
# "哪里") and lets a paraphrase add one character, so "什么时候报名" (when) and "报名要多久"
# (how long: the token 久) would differ by one character only. "怎么" / "如何" ask how or
# why and "多少" many things, so they name no class.
_ASKS = {
    "when": re.compile(r"什么时候|何时|几点|几号|哪一?天|哪一?年|几月"),
    "where": re.compile(r"哪里|哪儿|什么地方|在哪|哪个?(?:城市|地方)"),
    "who": re.compile(r"谁"),
    "how long": re.compile(r"多久|多长时间|多少时间"),
    # How often: "机油多久换一次" is not "换一次机油要多久" (how long a change takes).
    "how often": re.compile(
        r"(?:多久|多长时间|几天|几个月|几年)[^，,？?]{0,6}?一次|隔(?:几|多)|几次|多少次|频率"
    ),
    "how much": re.compile(r"多少钱|价格|价钱|售价"),
    "how old": re.compile(r"几岁|多大年纪|多大岁数|年龄"),
    # How far, how heavy, how big: a measure asked, not whether ("有多远" / "远吗").
    "how far": re.compile(r"多(?:远|高|重|深|宽|厚|粗)|多大(?!年纪|岁数)"),
    # Why, and what causes it: the question word before a verb of causing ("什么会导致失眠"
    # asks the cause); after it ("失眠会导致什么"), or 后果 / 危害, the effect. The content
    # check sees 导致 and 失眠 in both, and the order check no pivot once 什么 is dropped.
    "why": re.compile(
        r"为什么|为何|原因|怎么回事|(?:什么|哪些|啥)[^，,？?。]{0,4}?(?:导致|引起|造成|引发|诱发)"
    ),
    "effect": re.compile(
        r"(?:导致|引起|造成|引发|诱发|带来)了?(?:什么|哪些|啥)"
        r"|有(?:什么|哪些|啥)(?:后果|影响|危害|副作用)|后果|危害|副作用"
    ),
}

# Relative time: "上个季度" / "这个季度" / "下个季度" name different periods.
_DEIXIS = re.compile(
    r"(上上|下下|上|下|这|本|今|去|明|前|后|次)个?(季度|学期|财年|年度|月|周|星期|礼拜|年)"
)
_DEIXIS_CLASS = {"这": "本", "今": "本", "去": "上", "明": "下", "次": "下"}
_DEIXIS_UNIT = {"星期": "周", "礼拜": "周", "年度": "年"}


# 非 (得 / 要) ... 不可 / 不行 is "must" ("换领护照非得本人去不可吗": must I go in person?),
# as 必须 and 一定要 are: two negations that make none. Not 非常 (very), 非法, 非洲, 非凡, 非典.
_MUST = re.compile(r"非(?:得|要)?(?![常法洲凡典])([^，,。？?！!]{1,12}?)不[可行]")


def normalise(text: str) -> str:
    """The question with its frames removed and its way of asking turned into one token."""
    text = _MUST.sub(r"必须\1", text)
    text = _TAG.sub(" ", _WRAPPERS.sub("", text.strip(), count=1))
    for pattern, token in _FORMS:
        text = pattern.sub(token, text)
    return zh_fillers.strip(_HEDGES.sub(" ", text)).strip()


def _modality(text: str) -> str:
    # One class or none; two or more are no class to compare ("性能" holds a 能 that is no
    # modal, "理想" a 想).
    text = _TAKES.sub(" ", _WRAPPERS.sub("", text.strip(), count=1))
    found = [name for name, pattern in _MODALS.items() if pattern.search(text)]
    return found[0] if len(found) == 1 else ""


def _asks(text: str) -> set[str]:
    text = _WRAPPERS.sub("", text.strip(), count=1)
    found = {name for name, pattern in _ASKS.items() if pattern.search(text)}
    # "多久……一次" holds a 多久 but asks how often only, as "隔几天" does.
    return found - {"how long"} if "how often" in found else found


# A yes-no question: 吗 at the end, A不A or 是否, and no question word. It asks whether
# ("快递到了吗", "商场开门了吗"), which the answer to when, who or how long does not say
# ("快递什么时候到", "谁来了", "退票要多久"), though the content check sees one character
# added at most.
_WH = re.compile(r"什么|谁|哪|几|多少|多久|多长|多[远高重深宽厚粗大]|怎么|怎样|如何|为何|何时|啥")
_HOW = re.compile(r"怎么|怎样|如何|为何|为什么")
_YES_NO = re.compile(r"[吗么嘛][？?。！!\s]*$|(.)[不没]\1|是否|能否|可否|有没有|是不是")


def _yes_no(text: str) -> bool:
    text = _TAG.sub(" ", _WRAPPERS.sub("", text.strip(), count=1))
    return not _WH.search(text) and bool(_YES_NO.search(text))


def _deixis(text: str) -> set[tuple[str, str]]:
    return {(_DEIXIS_CLASS.get(d, d), _DEIXIS_UNIT.get(u, u)) for d, u in _DEIXIS.findall(text)}


def clash(a_text: str, b_text: str) -> str | None:
    """Meaning the frame words carry, compared as classes: modality, what is asked, and
    relative time."""
    ma, mb = _modality(a_text), _modality(b_text)
    if ma and mb and ma != mb:
        return f"modality differs: {ma} vs {mb}"
    qa, qb = _asks(a_text), _asks(b_text)
    if (qa and _yes_no(b_text)) or (qb and _yes_no(a_text)):
        asked = ", ".join(sorted(qa or qb))
        return f"question differs: yes or no vs {asked}"
    # "能退货吗" asks whether; "怎么退货" how, which the yes-or-no answer does not say. (怎么
    # names no class of its own above: it asks how or why, either of which differs here.)
    if (_yes_no(a_text) and _HOW.search(b_text)) or (_yes_no(b_text) and _HOW.search(a_text)):
        return "question differs: yes or no vs how"
    if qa and qb and qa != qb:
        return f"question differs: {', '.join(sorted(qa))} vs {', '.join(sorted(qb))}"
    da, db = _deixis(a_text), _deixis(b_text)
    if da != db:
        fmt = ", ".join
        return f"relative time differs: {fmt(''.join(d) for d in sorted(da)) or 'none'} vs " + (
            fmt("".join(d) for d in sorted(db)) or "none"
        )
    return None
