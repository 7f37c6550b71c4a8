"""Chinese classes of paraphrase and of difference (runtime/cache/zh_roles.py, zh_fillers.py,
zh_numbers.py, zh_names.py): pairs written for these tests, not taken from the tune banks."""

from __future__ import annotations

import pytest

from runtime.cache import chinese, zh_names, zh_numbers
from runtime.cache.verify import verify_match

SERVED = [
    # Fillers: emphatic 到底 / 究竟, degree 才 / 比较 in a how-question, a pointer at the problem.
    ("哺乳期到底能不能喝咖啡", "哺乳期，是否可以喝咖啡"),
    ("感冒的时候究竟能不能洗澡", "感冒的时候能不能洗澡"),
    ("红烧排骨怎么做才好吃", "怎样做红烧排骨比较好吃"),
    ("怎么才能提高英语口语", "如何提高英语口语"),
    ("3x+5=20这道题怎么解", "请问3x+5=20应该怎么解"),
    # A route with or without 从, and the vehicle ridden.
    ("从苏州到无锡坐动车要多久", "苏州到无锡的动车需要多长时间"),
    ("从大理到丽江乘坐大巴要多久", "大理到丽江的大巴要多久"),
    # According to X's rules = X's rules; 几天 = 多少天.
    ("学校规定寒假放几天", "按照学校的规定，寒假放多少天"),
    # Numbers written as numerals or digits; a rate with 一 or 每.
    ("五个人去青岛玩需要多少钱", "5个人去青岛玩需要多少钱"),
    ("维生素C一天最多能吃多少", "维生素C每天最多可以吃多少"),
    ("一个月最多能请几天假", "每个月最多能请几天假"),
    # Opening hours asked from-to or open-close; travel "去" = "到"; "差不多" = "大概";
    # "花多少钱" = "多少钱"; "下来" closing a clause; "需要多长时间" (it takes) is no modal.
    ("请问市博物馆的开放时间是几点到几点", "市博物馆几点开门、几点关门"),
    ("从火车站打车去酒店大概要花多少钱", "火车站打车到酒店差不多多少钱"),
    ("护照大概多久能办下来", "办护照一般需要多长时间"),
    # "X前" (before X) = "还没X就" (X not yet, and already).
    ("合同到期前搬走，押金能退吗", "合同还没到期就搬走，押金能退吗"),
    # An institution abbreviated by the first character of each word of its name.
    ("哈工大今年的录取分数线是多少", "哈尔滨工业大学今年的录取分数线是多少"),
    ("北师大的图书馆对外开放吗", "北京师范大学的图书馆对外开放吗"),
    # Or by its first word whole and the first character of the next ones.
    ("电子科大的图书馆对外开放吗", "电子科技大学的图书馆对外开放吗"),
    # A request to calculate asks the value; 开根号 is 根号; 由谁 is 谁; 不良 is no negation.
    ("二百二十五开根号是多少", "请帮我算一下根号二百二十五"),
    ("网购退货的运费由谁承担", "网购退货的运费是谁承担"),
    ("吃头孢会有哪些不良反应", "头孢有什么不良反应"),
    ("邮局是不是在银行的左边", "邮局在银行的左边吗"),
    ("跑步一小时能消耗多少热量", "跑步一个小时消耗多少热量"),  # 个 before 小时 is optional
    ("有没有什么办法可以快速止咳", "怎么才能快速止咳"),  # no 没 of negation in the frame
    ("这道物理题怎么解：v=s/t", "v=s/t怎么解"),  # a pointer forward at the problem
    ("游泳以后可以马上吃饭吗", "游泳后可以马上吃饭吗"),  # 以后 = 后
    ("体温三十七度八算发烧吗", "体温37.8度算发烧吗"),  # a temperature's tenth after 度
    ("拔智齿后要注意什么", "拔智齿以后有哪些注意事项"),  # 注意事项 = 注意什么
    ("住房公积金怎么提取出来", "怎么提取住房公积金"),  # 出来 closing a clause
    ("粤语好学吗", "粤语容易学吗"),  # 好 + a verb closing the question: easy to
    ("这个软件容易上手吗", "这个软件好上手吗"),
    # Greetings, the people addressed, 咨询, and a closing thanks or plea are no content.
    ("大家好，想咨询一下社保怎么转移", "社保怎么转移"),
    ("请教各位，社保怎么转移？谢谢", "社保怎么转移"),
    ("社保怎么转移，在线等", "社保怎么转移"),
    # One number, written several ways: 一万五 = 1.5万 = 15000, 三千五 = 3500, 50% = 百分之五十.
    ("月薪一万五要交多少税", "月薪1.5万要交多少税"),
    ("三千五左右的手机推荐", "3500左右的手机推荐"),
    ("存款利率5%高吗", "存款利率百分之五高吗"),
    # A name is no clause: "烧到四十度要去医院" holds no name "度要去医院".
    ("老人发烧到四十度要去医院吗", "老人发烧到四十度需要去医院吗"),
]

REFUSED = [
    # X是Y的N: the two names trade places.
    ("王磊是李娜的上司吗", "李娜是王磊的上司吗", "roles differ"),
    ("张经理是不是小陈的导师", "小陈是不是张经理的导师", "roles differ"),
    ("邮局在银行的左边吗", "银行在邮局的左边吗", "roles differ"),
    ("经理让实习生加班吗", "实习生让经理加班吗", "order differs"),  # 让 is a pivot
    ("父母为孩子准备了什么", "孩子为父母准备了什么", "order differs"),  # and 为
    # 比 (more than) against 和 / 跟 ... 一样 (as ... as).
    ("乌龙茶是不是比红茶提神", "乌龙茶和红茶是不是一样提神", "comparison differs"),
    ("高铁是不是比飞机快", "高铁与飞机是不是一样快", "comparison differs"),
    # Numbers still count, and their order too once they are values.
    ("三个人吃五碗饭", "五个人吃三碗饭", "order differs"),
    ("三个人去青岛玩需要多少钱", "4个人去青岛玩需要多少钱", "numbers differ"),
    # 一 + a period outside a rate question is a count: "in one day", not "every day".
    ("一天能学会游泳吗", "每天能学会游泳吗", "numbers differ"),
    ("第一天最多能走多少公里", "每天最多能走多少公里", "differ"),
    # 从 is dropped, the direction is not.
    ("从苏州到无锡坐动车要多久", "无锡到苏州的动车需要多长时间", "order differs"),
    # Opening is not closing, nor opening hours as a whole; a requirement stays one.
    ("超市几点开门", "超市几点关门", "content differs"),
    ("超市几点开门", "超市的营业时间是几点到几点", "content differs"),
    ("术后多久可以洗澡", "术后多久需要洗澡", "modality differs"),
    # A negation that is not "not yet X, and already".
    ("合同到期前搬走，押金能退吗", "合同没到期，押金能退吗", "differ"),
    # An abbreviation keeping one character of the name is ambiguous (南大: 南京, 南昌, 南开),
    # and one that skips a word names another institution.
    ("南大今年的录取分数线是多少", "南昌大学今年的录取分数线是多少", "entities differ"),
    ("北大今年的录取分数线是多少", "北京师范大学今年的录取分数线是多少", "entities differ"),
    ("北师大今年的录取分数线是多少", "北京大学今年的录取分数线是多少", "entities differ"),
    ("华中师大今年的录取分数线是多少", "华东师范大学今年的录取分数线是多少", "entities differ"),
    # Square is not a root; a verb after 怎么 is no request to calculate.
    ("144的平方是多少", "144开平方是多少", "differ"),
    ("144开根号是多少", "144的平方是多少", "content differs"),
    ("怎么计算个税", "怎么交个税", "content differs"),
    ("营养良好吗", "营养不良吗", "content differs"),
    ("体温三十七度八算发烧吗", "体温三十七度算发烧吗", "numbers differ"),
    ("游泳以后可以马上吃饭吗", "游泳以前可以马上吃饭吗", "content differs"),
    ("没有办法止咳吗", "有办法止咳吗", "negation differs"),
    ("长城是哪一年修建的", "长城是哪两年修建的", "numbers differ"),  # 哪一 is no count
    ("粤语容易学吗", "粤语难学吗", "content differs"),
    ("这件事很急", "这件事很慢", "content differs"),  # 急 said, not a plea
    ("怎么表达感谢", "怎么表达爱", "content differs"),
    ("月薪一万五要交多少税", "月薪一万要交多少税", "numbers differ"),
    ("百分之五十的概率", "五十的概率", "numbers differ"),  # a percentage is no count
    # 比较 the verb (compare) is content.
    ("怎么比较两个数", "怎么加两个数", "content differs"),
    # 到底 "to the end" is content.
    ("怎么坚持到底", "怎么坚持", "content differs"),
]


@pytest.mark.parametrize(("cached", "query"), SERVED)
def test_classes_serve_the_same_question(cached: str, query: str) -> None:
    assert verify_match(cached, query) == (True, None)


@pytest.mark.parametrize(("cached", "query", "reason"), REFUSED)
def test_classes_still_refuse_a_different_question(cached: str, query: str, reason: str) -> None:
    ok, why = verify_match(cached, query)
    assert not ok
    assert why is not None and reason in why


def test_numerals_leave_the_content_and_become_values_for_the_order() -> None:
    assert chinese.content("三个人去霞浦") == chinese.content("3个人去霞浦")
    assert "3" in chinese.content("三个人去霞浦", latin=True)
    assert "三" in chinese.content("三明治怎么做")  # a word, not a number
    assert zh_numbers.value("一万二千") == 12000
    assert zh_numbers.value("一万五") == 15000
    assert zh_numbers.value("一百零五") == 105
    assert zh_numbers.rates("一天最多吃多少") == "每天最多吃多少"
    assert zh_numbers.rates("第一天最多吃多少") == "第一天最多吃多少"


def test_a_name_starts_after_the_clause_before_it() -> None:
    assert zh_names.trim("度要去医院") == "医院"
    assert zh_names.trim("按照公司") == "公司"
    assert zh_names.trim("复旦大学") == "复旦大学"
