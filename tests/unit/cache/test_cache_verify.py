"""verify_match: near neighbours that differ in what matters are refused, with a reason."""

from __future__ import annotations

import pytest

from runtime.cache import chinese, wordnet
from runtime.cache.verify import language, verify_match

needs_wordnet = pytest.mark.skipif(
    not wordnet.available(), reason="Debian's wordnet-base is not installed (ops/setup does it)"
)

SAME = [
    ("What is the weather in Paris today?", "How is the weather in Paris today?"),
    ("How do I reset my password?", "How can I reset my password?"),
    ("What is the GDP of Germany?", "What's Germany's GDP?"),
    ("what is twenty five times 4", "what is 25 times 4"),
    ("Tell me about paris", "Tell me about Paris"),
    ("北京今天天气怎么样", "今天北京天气如何"),
    ("香蕉有多少卡路里", "一根香蕉有多少卡路里"),
    ("你好吗", "你好不好"),
    ("这个非常好吃吗", "这个非常好吃吗？"),
]

DIFFERENT = [
    ("Buy 3 apples", "Buy 5 apples", "numbers differ: 3 vs 5"),
    ("Book a table for two", "Book a table for four", "numbers differ: 2 vs 4"),
    ("Weather in Paris today", "Weather in Paris tomorrow", "dates differ: today vs tomorrow"),
    ("Meetings on Monday", "Meetings on Friday", "dates differ"),
    ("Which fruits are high in sugar?", "Which fruits are not high in sugar?", "negation"),
    ("Why can I log in?", "Why can't I log in?", "negation"),
    ("Restaurants with parking", "Restaurants without parking", "negation"),
    ("Weather in Paris", "Weather in London", "entities differ: paris vs london"),
    ("Flights from Paris to London", "Flights from London to Paris", "direction differs"),
    ("Convert USD to EUR", "Convert EUR to USD", "direction differs"),
    ("Is it hot in Rome?", "Is it cold in Rome?", "antonyms: hot vs cold"),
    ("Should I buy gold?", "Should I sell gold?", "antonyms"),
    ("北京今天天气怎么样", "上海今天天气怎么样", "entities differ: 北京 vs 上海"),
    ("3加5等于多少", "3加6等于多少", "numbers differ"),
    ("给我三个点子", "给我五个点子", "numbers differ: 3 vs 5"),
    ("北京今天天气怎么样", "北京明天天气怎么样", "dates differ"),
    ("周一有什么会议", "周二有什么会议", "dates differ"),
    ("我喜欢吃苹果", "我不喜欢吃苹果", "negation"),
    ("有停车场的餐厅", "没有停车场的餐厅", "negation"),
    ("从北京到上海的高铁", "从上海到北京的高铁", "direction differs"),
    ("把英文翻译成中文", "把中文翻译成英文", "direction differs"),
    ("为什么股价会上涨", "为什么股价会下跌", "antonyms: 上涨 vs 下跌"),
    ("如何取消订阅", "如何暂停订阅", "content differs: 取消 vs 暂停"),
    ("早餐应该吃什么", "晚餐应该吃什么", "content differs"),
    ("北京今天天气怎么样", "What is the weather in Beijing today?", "language differs: zh vs en"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_paraphrases_pass(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None)


@pytest.mark.parametrize(("a", "b", "reason"), DIFFERENT)
def test_meaningful_differences_are_refused_with_reason(a: str, b: str, reason: str) -> None:
    ok, why = verify_match(a, b)
    assert ok is False
    assert why is not None and why.startswith(reason), why
    assert verify_match(b, a)[0] is False  # Symmetric.


def test_false_negation_compounds_do_not_count() -> None:
    # 非常 (very), 不错 (good) and A-not-A questions are not negations.
    assert verify_match("这家店非常好", "这家店很好吗")[1] != "negation differs"
    assert verify_match("你去吗", "你去不去")[0] is True


def test_month_modal_ambiguity() -> None:
    assert verify_match("May I ask a question?", "Can I ask a question?")[0] is True
    assert verify_match("Flights in May", "Flights in June")[0] is False


def test_language_detection() -> None:
    assert language("iPhone 多少钱") == "zh"
    assert language("What is 北京?") == "en"


def test_the_same_words_reordered_around_a_pivot_are_a_reversal_whatever_the_tagger_says() -> None:
    # The parser tags only one of these passive, which used to skip the order check.
    assert (
        verify_match("Was Mozart born before Haydn?", "Was Haydn born before Mozart?")[0] is False
    )
    # "A or B" is "B or A": a coordinator is no pivot.
    assert verify_match("Which is warmer, wool or fleece?", "Which is warmer, fleece or wool?") == (
        True,
        None,
    )


def test_chinese_role_markers_are_pivots_and_repeated_characters_count() -> None:
    assert verify_match("店长给顾客道歉了吗", "顾客给店长道歉了吗")[0] is False
    assert verify_match("房东把租户赶走了吗", "租户把房东赶走了吗")[0] is False
    # 合同合法 / 合同违法: 合 is in both, but twice in one.
    assert verify_match("这个合同合法吗", "这个合同违法吗")[0] is False


def test_a_chinese_weekend_is_this_next_or_last_one() -> None:
    assert verify_match("这个周末去哪儿露营", "下个周末去哪儿露营")[0] is False
    assert verify_match("这个周末去哪儿露营", "这周末去哪儿露营") == (True, None)


@needs_wordnet
def test_a_capitalised_verb_opening_a_command_is_no_name() -> None:
    # WordNet knows "walk" as a verb: at the head of a sentence it is a command.
    assert verify_match(
        "Walk me through how to change a tyre.", "Show me how to change a tyre."
    ) == (True, None)
    assert (
        verify_match(
            "Walk me through how to change a tyre.", "Walk me through how to patch a tyre."
        )[0]
        is False
    )
    assert verify_match("Denver weather today", "Boston weather today")[1] == (
        "entities differ: denver vs boston"
    )


def test_a_time_with_dots_is_no_identifier() -> None:
    assert verify_match("Set an alarm for 6 a.m.", "Set an alarm for 6 in the morning") == (
        True,
        None,
    )
    assert str(verify_match("Set an alarm for 6 a.m.", "Set an alarm for 6 p.m.")[1]).startswith(
        "times differ"
    )


def test_chinese_latin_names_many_few_and_coverbs() -> None:
    # Latin-script names are in the order: who is compared with whom.
    assert verify_match("Nikon比Canon重多少", "Canon比Nikon重多少")[0] is False
    assert verify_match("Nikon比Canon重多少", "Nikon比Canon重多少？") == (True, None)
    # 多 / 少 are opposites; 多少 (how many) is neither.
    assert verify_match("周末去海边人多吗", "周末去海边人少吗")[0] is False
    assert verify_match("这件衣服多少钱", "这件衣服要多少钱") == (True, None)
    # 去 before 市博物馆 is no part of a name; two named cities still differ.
    assert verify_match("市博物馆怎么走", "去市博物馆怎么走") == (True, None)
    assert verify_match("去温州市怎么走", "去台州市怎么走")[0] is False


def test_chinese_ways_to_ask_a_price_are_one() -> None:
    assert verify_match("这把雨伞多少钱", "这把雨伞的价格是多少") == (True, None)
    assert verify_match("这把雨伞的售价是多少", "这把雨伞的价钱是多少") == (True, None)
    assert verify_match("这把雨伞多少钱", "这把雨伞的重量是多少")[0] is False
    assert verify_match("这把雨伞多少钱", "这顶帽子多少钱")[0] is False


def test_chinese_yixie_is_a_plural_unless_beside_another_scope() -> None:
    # 一些 may only make a plural: "a few books" asked with 几本 is the same request.
    assert verify_match("推荐几本天文学的书", "推荐一些天文学的书") == (True, None)
    assert verify_match("一些人喜欢榴莲吗", "有些人喜欢榴莲吗") == (True, None)
    assert verify_match("一些人喜欢榴莲吗", "所有人都喜欢榴莲吗")[0] is False


def test_some_restricts_only_a_yes_no_question_and_every_day_is_a_frequency() -> None:
    assert verify_match(
        "What are some tips for a first marathon?", "Give me tips for a first marathon."
    ) == (True, None)
    assert verify_match("Are some snakes venomous?", "Are snakes venomous?")[0] is False
    assert verify_match("Did someone call?", "Did everyone call?")[0] is False
    daily = "How much fibre should I eat daily?"
    assert verify_match("How much fibre should I eat every day?", daily) == (True, None)
    assert (
        verify_match(
            "How much fibre should I eat every day?", "How much fibre should I eat every week?"
        )[0]
        is False
    )


def test_chinese_ways_to_ask_a_duration_or_an_age_are_one() -> None:
    assert verify_match("米饭要蒸多久", "米饭蒸多长时间") == (True, None)
    assert verify_match("这棵树有多少岁了", "这棵树的年龄是多少") == (True, None)
    assert verify_match("这只猫几岁", "这只猫多重")[0] is False


def test_a_capitalised_contraction_is_no_name_and_any_is_weak_outside_yes_no() -> None:
    assert verify_match("Can't I pay the toll by card?", "Can I not pay the toll by card?") == (
        True,
        None,
    )
    assert verify_match("Any tips for pruning roses?", "Tips for pruning roses?") == (True, None)
    assert verify_match("Do any owls hunt by day?", "Do all owls hunt by day?")[0] is False


def test_a_plural_differs_from_one_but_not_from_a_bare_plural() -> None:
    # "some" / 几部 / 一些 beside an article on the other side asks for several, not one.
    assert (
        verify_match("Recommend a podcast about bees.", "Recommend some podcasts about bees.")[0]
        is False
    )
    assert verify_match("推荐一部纪录片", "推荐几部纪录片")[0] is False
    assert verify_match("请推荐几部纪录片", "推荐一些纪录片") == (True, None)
    # A leading 请 is "please"; 请假 (ask for leave) is a word of its own.
    assert chinese.content("请推荐纪录片") == chinese.content("推荐纪录片")
    assert "请" in chinese.content("请假需要什么手续")


def test_decimals_said_in_words_are_the_decimals_in_digits() -> None:
    two_point_five = "How long do I roast a lamb leg that weighs two point five kilos?"
    assert verify_match(two_point_five, "How long do I roast a lamb leg that weighs 2.5 kg?")[0]
    assert not verify_match(two_point_five, "How long do I roast a lamb leg that weighs 2.4 kg?")[0]


def test_a_preposition_opening_the_question_is_no_name() -> None:
    # Capitalised because it opens the question; the entity check is not where it differs.
    during = "During a frost, should I cover my lemon tree?"
    assert "entities" not in (
        verify_match(during, "Should I cover my lemon tree in a frost?")[1] or ""
    )
    assert not verify_match(during, "After a frost, should I cover my lemon tree?")[0]


def test_a_people_named_in_the_plural_is_that_people() -> None:
    # The entity check reads "Norwegians" as "Norwegian"; the content check still sees
    # "citizen" added, which the pair models may overrule (serving.py).
    plural = "Do Norwegians need a visa to visit Bolivia?"
    same = verify_match(plural, "Does a Norwegian need a visa to visit Bolivia?")
    assert not (same[1] or "").startswith("entities differ")
    reason = verify_match(plural, "Do Norwegians need a visa to visit Belize?")[1] or ""
    assert reason.startswith("entities differ")
    assert not verify_match(plural, "Do Swedes need a visa to visit Bolivia?")[0]


def test_an_identifier_touching_chinese_characters_is_read_alone() -> None:
    # Python counts Chinese characters as word characters: "报KeyMismatchError错误" was one word.
    cached = "运行mix deps.get时提示KeyMismatchError，怎么解决？"
    assert verify_match(cached, "mix deps.get报KeyMismatchError错误该如何处理？")[0]
    reason = verify_match(cached, "mix deps.get报KeyMissingError错误该如何处理？")[1] or ""
    assert not reason.startswith("identifiers differ: none")
    assert not verify_match(cached, "mix deps.get报KeyMissingError错误该如何处理？")[0]


def test_accidentally_is_no_negation_and_a_time_of_year_is_no_count() -> None:
    lost = verify_match("护照丢了怎么补办？", "护照不小心弄丢了怎么补办？")
    assert not (lost[1] or "").startswith("negation differs")
    assert verify_match("护照没丢怎么补办？", "护照丢了怎么补办？")[1] == (
        "negation differs: only the cached question is negated"
    )
    # "一年当中" asks the time of year, not about one year: no number to compare.
    year = "稻城亚丁一年当中什么时候去最好？"
    assert not (verify_match(year, "稻城亚丁什么时候去最好？")[1] or "").startswith("numbers")
    assert verify_match(year, "稻城亚丁一年中什么时候去最好？")[0]
    assert verify_match(year, "稻城亚丁两年当中什么时候去最好？")[1] == "numbers differ: none vs 2"


def test_at_most_is_the_maximum_and_how_often_is_no_scope() -> None:
    maximum = "What is the maximum load a roof box can carry?"
    assert verify_match(maximum, "How much load can a roof box carry at most?")[0]
    assert not verify_match(
        "What is the minimum load a roof box can carry?",
        "How much load can a roof box carry at most?",
    )[0]
    often = verify_match(
        "How often should I descale a steam iron?", "How frequently should I descale a steam iron?"
    )
    assert often == (True, None)
    times = "How many times a year should I descale a steam iron?"
    assert verify_match("How often should I descale a steam iron?", times)[1] == (
        "answer differs: frequency vs amount"
    )


def test_where_they_differ_asks_what_the_difference_is() -> None:
    assert verify_match("医保个人账户和统筹账户之间有什么区别", "医保个人账户跟统筹账户哪里不一样")[
        0
    ]
    assert not verify_match("医保个人账户和统筹账户有什么相同", "医保个人账户跟统筹账户哪里不一样")[
        0
    ]


def test_ever_done_is_not_done_this_time_nor_going_on() -> None:
    # 过 asks whether it was ever done, 了 whether it was done this time, 在 whether it is
    # going on; a question with none of them may mean either.
    ever = "老陈去过敦煌鸣沙山吗"
    assert verify_match(ever, "老陈去敦煌鸣沙山了吗")[1] == "aspect differs: 过 vs 了"
    assert verify_match("这家公司最近有没有裁过员", "这家公司最近有没有在裁员")[1] == (
        "aspect differs: 过 vs 在"
    )
    assert verify_match(ever, "老陈有没有去过敦煌鸣沙山")[0]
    assert verify_match("酸奶过期了还能喝吗", "过期的酸奶还能喝吗")[0]  # 过期: a word
    # 过了 + a time is "passed": "快递过了五天还没到" is "快递五天了还没到".
    assert verify_match("我的快递五天了还没到怎么办", "快递过了五天还没送到怎么办")[1] != (
        "aspect differs: 了 vs 过"
    )


def test_must_is_not_may_and_a_relative_added_is_another_person() -> None:
    assert verify_match("办居住证可以让家人代办吗", "办居住证是不是一定要本人去")[0] is False
    assert verify_match("办居住证能不能让家人代办", "办居住证可以让家人代办吗")[0]
    assert verify_match("办护照一定要本人去吗", "办护照必须本人去吗")[0]
    assert verify_match("在哪能查我名下的公积金", "在哪能查我妈名下的公积金")[1] == (
        "content differs: none vs 妈"
    )
    assert verify_match("张叔家的狗叫什么", "张叔叔家的狗叫什么")[0]  # one person, doubled


def test_and_is_not_or_and_per_person_is_not_in_total() -> None:
    both = "Can I take a cello and a banjo as cabin luggage?"
    assert verify_match(both, "Can I take a cello or a banjo as cabin luggage?")[1] == (
        "alternatives differ: and vs or"
    )
    assert verify_match(
        "Should I lease or buy an e-bike?", "Is it better to lease or buy an e-bike?"
    )[0]
    assert verify_match("办签证要交照片和户口本吗", "办签证交照片或户口本就行吗")[0] is False
    assert verify_match("包车去长白山一个人多少钱", "包车去长白山总共多少钱")[1] == (
        "per unit differs: per person vs in total"
    )
    assert verify_match("包车去长白山一共多少钱", "包车去长白山总共多少钱")[0]
