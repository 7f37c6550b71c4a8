"""Word tables for the semantic-cache verifier (runtime/cache/verify.py): number words and
antonym pairs in English and Chinese, and the closed classes structure.py compares
(prepositions, modal verbs). Data only; extend them for your domain."""

from __future__ import annotations


def words(text: str) -> list[str]:
    return text.split()


EN_UNITS = {
    w: i
    for i, w in enumerate(
        words(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen "
        )
    )
}

EN_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
}

EN_ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        words(
            "first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
            "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
            "nineteenth "
        )
    )
}
# "twentieth" ... "ninetieth"; "twenty-first" is read as a tens word and an ordinal.
EN_ORDINALS |= {w[:-1] + "ieth": n for w, n in EN_TENS.items()}

EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "dozen": 12}
# Fractions and multiples are numbers too: "a cup" is not "half a cup".
EN_FRACTIONS = {"half": "1/2", "halves": "1/2", "quarter": "1/4", "quarters": "1/4", "twice": "x2"}

ZH_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}

# Chinese words built on numeral characters that are not quantities (a regular expression).
ZH_NOT_NUMBERS = (
    r"一下|一些|一起|一样|一直|一般|一定|一点|一切|统一|万一|一旦|一边|唯一|一向|一致|一共|"
    r"千万|万能|万岁|十分|百分之百|三明治|九寨沟|一带一路|不三不四|乱七八糟|五花八门|"
    # 零 in a word of its own: "零基础" is a beginner, 零食 snacks, 零钱 small change; and
    # places named with a numeral ("四川农业大学" holds no 4).
    r"零基础|零食|零钱|零件|零售|零花|零碎|"
    r"四川|三亚|五台山|六安|十堰|七台河|八达岭|九江|九华山|三峡|六盘水|三门峡|万州|万宁|"
    # "一" before a measure word is the article "a" ("一根香蕉" = "a banana"), not a count.
    r"一(?=[个根杯张本只条件位次份家台部首篇瓶碗块把双支颗])|"
    # "哪一年" (which year), "这一次", "每一天", "同一个": a determiner's 一 is no count.
    r"(?<=[哪这那每同])一|"
    # "一年当中什么时候" asks the time of year, "一天中" the time of day: no count of years.
    r"一(?=[年天](?:当中|之中|中|四季))|"
    # 一 + a verb or an adjective with 就 later in its clause is "as soon as": "一打开就闪退"
    # (crashes as soon as it opens), "天一冷就打不着火". Not a number, a unit or a period
    # after it: "一天就能学会" and "一斤就够" count.
    r"一(?=[^\W\d零一二两三四五六七八九十百千万亿天日周年月小分秒次遍个岁斤克米升元块"
    r"角毛里吨度页层楼人倍点半][^，,。？?！!；;\s]{0,8}就)"
)

# Characters that negate in Chinese (verify.py reads them; zh_swaps.py refuses one swapped in).
ZH_NEGATIONS = "不没別别非无未莫勿甭"

# Chinese measure words that make "一" an article ("一本书" is "a book") and "几" a plural.
ZH_MEASURE_WORDS = "个根杯张本只条件位次份家台部首篇瓶碗块把双支颗"

ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}

# Characters that, put before a noun, narrow it to a kind: colour, age, size, temperature,
# sex, side, whole or part, time of day, period ("青苹果" is not "苹果", "早饭" not "饭",
# "月房租" not "房租"), or a market by its place ("港股", "美股"). chinese.py lets a paraphrase
# add one content character ("光速" / "光的速度"), but never one of these. (公 is left to the
# unit check: "公斤" / "斤".)
ZH_ATTRIBUTIVES = (
    "新旧老青红黄白黑绿蓝紫冰热冷凉温大小男女母总净毛副正左右前后内外早晚午夜全半单双"
    "真假甜咸酸辣胖瘦粗细厚薄深浅远近快慢年月日周季港美欧韩"
    "第"  # the ordinal: "第三个" is the third, "三个" three of them
    "级"  # a grade or level: "一年级" is the first grade, "一年" a year
)

# The commonest Chinese surnames, a closed class: a character after one is a given name
# (chinese.py: "王芳" / "王芳芳" are two people).
ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤"
)

EN_ANTONYMS = [
    (r"hot(?:test|ter)?", r"cold(?:est|er)?"),
    (r"increas\w*", r"decreas\w*"),
    (r"buy\w*|bought", r"sell\w*|sold"),
    (r"cheap\w*", r"expensive|pricie\w*|costl\w*"),
    (r"best", r"worst"),
    (r"highest|higher|high", r"lowest|lower|low"),
    (r"fastest|faster|fast", r"slowest|slower|slow"),
    (r"largest|biggest|larger|bigger", r"smallest|smaller"),
    (r"longest|longer", r"shortest|shorter"),
    (r"maximum|max", r"minimum|min"),
    (r"most", r"least"),
    (r"more", r"less|fewer"),
    (r"before", r"after"),
    (r"start\w*|begin\w*", r"stop\w*|end\w*|finish\w*"),
    (r"open\w*", r"clos\w*"),
    (r"win\w*|won", r"los[et]\w*"),
    (r"add\w*", r"remov\w*|delet\w*"),
    (r"enabl\w*", r"disabl\w*"),
    (r"encrypt\w*", r"decrypt\w*"),
    (r"upload\w*", r"download\w*"),
    (r"import\w*", r"export\w*"),
    (r"rise|rising|rose", r"fall|falling|fell|drop\w*"),
    (r"north\w*", r"south\w*"),
    (r"east\w*", r"west\w*"),
    (r"ascending", r"descending"),
    (r"advantages?|pros", r"disadvantages?|cons"),
    (r"true", r"false"),
    (r"positive", r"negative"),
    (r"arriv\w*", r"depart\w*"),
    (r"oldest|older", r"newest|newer|youngest|younger"),
    (r"earliest|earlier", r"latest|later"),
    (r"first", r"last"),
]

ZH_ANTONYMS = [
    ("最高", "最低"),
    ("最大", "最小"),
    ("最快", "最慢"),
    ("最好", "最差"),
    ("最多", "最少"),
    ("最早", "最晚"),
    ("增加", "减少"),
    ("上涨", "下跌"),
    ("上升", "下降"),
    ("涨", "跌"),
    ("买", "卖"),
    ("打开", "关闭"),
    ("开始", "结束"),
    ("便宜", "贵"),
    ("热", "冷"),
    ("优点", "缺点"),
    ("上传", "下载"),
    ("加密", "解密"),
    ("启用", "禁用"),
    ("进口", "出口"),
    ("升序", "降序"),
    ("南", "北"),
    ("东", "西"),
    # Many / few: "人多吗" / "人少吗". "多少" (how many) holds both, so it clashes with neither.
    ("多", "少"),
]

# Closed classes the parse-based checks (structure.py) compare. Prepositions of one group can
# stand for each other in a paraphrase ("convert a list to / into a set"); any other swap of
# one preposition for another changes the question ("under" / "over", "before" / "after",
# "with" / "without", "inside" / "outside", "from" / "to"). The same for modal verbs: a
# question about what is possible or allowed is not one about what is required.
EN_PREPOSITION_GROUPS = [
    set(words(group))
    for group in (
        "to into onto toward towards unto",
        "in inside within into at on",
        "about regarding concerning on of over",
        "under below beneath underneath",
        "over above on_top_of",
        "near close_to next_to near_to",
        "before prior_to in_front_of ahead_of preceding",
        "after following",
        "if whether",
        "of from",
        "for to",
        "by with using via through",
        "in with using",  # the tool or language: "center a div in / with CSS"
    )
]
# Prepositions of more than one word, compared as one: "near" / "far from" differ, "beneath" /
# "on top of" differ; their words are not content words to the preposition check.
EN_COMPLEX_PREPOSITIONS = set(
    words(
        "far_from close_to next_to near_to on_top_of in_front_of instead_of because_of "
        "out_of apart_from away_from ahead_of prior_to up_to"
    )
)
# Words that join clauses in an order that matters ("if A, B" is not "if B, A").
EN_SUBORDINATORS = frozenset(
    words(
        "if when whenever because since unless after before until till so then while "
        "although though whether once than as"
    )
)
# Subordinators that open a condition or a cause: what they suppose is not what is asked.
EN_CONDITIONS = frozenset(words("if unless when whenever because once"))
# Prepositions that place a time before or after another: one on a single side shifts the time.
EN_TIME_ORDER = frozenset(
    words("before after until till since prior_to ahead_of following preceding")
)
# Prepositions that are verbs' -ing forms, which the tagger reads as verbs ("eat following a
# shift"), with their verbs' lemmas: when tagged VBG they are prepositions to function_words.py.
EN_PARTICIPLE_PREPOSITIONS = {
    "following": "follow",
    "preceding": "precede",
    "including": "include",
    "excluding": "exclude",
    "regarding": "regard",
    "concerning": "concern",
}
EN_MODAL_CLASSES = {
    **dict.fromkeys(words("can could may might"), "possible"),
    **dict.fromkeys(words("must shall should ought need"), "required"),
}
