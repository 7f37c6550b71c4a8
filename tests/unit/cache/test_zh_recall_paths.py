"""Acceptance paths for Chinese paraphrases (numerals and operators, names shortened in
order, light verbs, an age as predicate, how often, a failure reported), each beside the
must-miss pairs it must still refuse. All pairs written for these tests, not taken from any
bank."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.cache.verify import verify_match
from runtime.cache.zh_vectors import vector

MUST_HIT = {
    "arithmetic": [
        ("十八乘以二十五等于多少", "18乘25等于几"),
        ("三百除以十二是多少", "300除12等于多少"),
        ("六十七加上八十九等于几", "67加89是多少"),
    ],
    "name in order": [
        ("北航在哪个城市", "北京航空航天大学在哪个城市"),
        ("世卫组织的总部在哪", "世界卫生组织的总部在哪"),
        ("请问阿联酋的货币是什么", "阿拉伯联合酋长国的货币是什么"),
    ],
    "light verb": [
        ("信用卡丢了怎么挂失", "信用卡丢了如何办理挂失"),
        ("这个订单能退款吗", "这个订单能申请退款吗"),
        ("怎么进行系统备份", "怎么系统备份"),
    ],
    "age as predicate": [
        ("两岁的狗狗能吃葡萄吗", "狗狗两岁了，能吃葡萄吗"),
        ("三个月的小猫可以洗澡吗", "小猫三个月了可以洗澡吗"),
        ("十个月大的宝宝能喝酸奶吗", "宝宝十个月大了，可以喝酸奶吗"),
    ],
    "how often": [
        ("狗狗多久洗一次澡", "狗狗隔几天洗澡"),
        ("机油多长时间换一次", "机油每隔多久换"),
        ("多肉多久浇一次水", "多肉几天浇一次水"),
    ],
    "failure reported": [
        ("npm test 报错 ENOENT 怎么办", "执行npm test时出现ENOENT错误怎么办"),
        ("启动Redis时提示内存不足怎么办", "Redis启动时报内存不足怎么办"),
        ("go build 报错 undefined 怎么解决", "运行go build时出现undefined错误，该如何处理"),
    ],
}

MUST_MISS = {
    "arithmetic": [
        ("十八乘以二十五等于多少", "18乘52等于几"),  # another number
        ("三百除以十二是多少", "300乘12等于多少"),  # another operator
        ("六十七加上八十九等于几", "67减89是多少"),
        ("十二除以三等于多少", "三除以十二等于多少"),  # the numbers trade places
    ],
    "name in order": [
        ("北大在哪个城市", "北京师范大学在哪个城市"),  # keeps 北, 大 in order: another school
        ("南大的分数线是多少", "南开大学的分数线是多少"),
        ("大学的学费贵吗", "大连理工学院的学费贵吗"),  # a common word is no short form
        ("刚果的首都在哪", "刚果民主共和国的首都在哪"),  # a name that only begins alike
        ("波黑的首都在哪", "波兰的首都在哪"),
        ("美国的人口有多少", "美丽的国家有多少人口"),  # no name: 的 inside
        ("伊朗的首都在哪", "伊拉克的首都在哪"),
        ("欧盟有几个成员国", "欧洲足球联盟有几个成员国"),  # 欧 ... 盟, four skipped
        ("办签证一般要多久", "办越南签证一般需要多长时间"),  # a word put inside, no name
        ("修车多少钱", "修自行车胎多少钱"),
        ("世卫组织的总部在哪", "世界气象组织的总部在哪"),
        ("奥运会在哪举办", "奥林匹克数学竞赛会在哪举办"),
    ],
    "light verb": [
        ("怎么申请退款", "怎么取消退款"),  # another verb
        ("如何申请贷款", "如何偿还贷款"),  # 偿还 stands where 申请 did: not dropped
        ("申请需要什么材料", "需要什么材料"),  # the application itself
        ("能申请退款吗", "能退货吗"),
    ],
    "age as predicate": [
        ("七个月的宝宝可以吃鸡蛋吗", "宝宝九个月了，能吃鸡蛋吗"),  # another age
        ("两岁的狗狗能吃葡萄吗", "猫咪两岁了，能吃葡萄吗"),  # another animal
        ("两岁的狗狗能吃葡萄吗", "狗狗两岁半了，能吃葡萄吗"),
        ("三个月的小猫可以洗澡吗", "小猫三个月了可以打疫苗吗"),
    ],
    "how often": [
        ("多久浇一次水", "一天浇几次水"),  # times a day, not the interval
        ("多久浇一次水", "浇一次水要多久"),  # how long one watering takes
        ("狗狗多久洗一次澡", "狗狗洗澡要多久"),
        ("隔几天浇水", "隔几天施肥"),  # another action
        ("绿萝多久浇一次水", "绿萝什么时候浇水"),
    ],
    "failure reported": [
        ("cargo build 报错 E0499 怎么解决", "cargo build 报错 E0502 怎么解决"),  # another error
        ("cargo build 报错 E0499 怎么解决", "cargo test 报错 E0499 怎么解决"),  # another command
        ("Tomcat运行时报错怎么办", "Tomcat启动时报错怎么办"),  # at start-up, not run time
        ("启动Tomcat时提示端口被占用", "关闭Tomcat时提示端口被占用"),
        ("cargo build 报错 E0499 怎么解决", "cargo build 出现 E0499 警告怎么解决"),  # a warning
        ("怎么报名英语四级", "英语四级报错怎么办"),  # 报名 is no report
        ("Excel显示公式怎么办", "Excel报错怎么办"),  # shows the formula: no failure
    ],
}


def _cases(table: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str, str]]:
    return [(kind, a, b) for kind, pairs in table.items() for a, b in pairs]


@pytest.mark.parametrize(("kind", "cached", "new"), _cases(MUST_HIT))
def test_paraphrase_is_served(kind: str, cached: str, new: str) -> None:
    assert verify_match(cached, new) == (True, None), kind
    assert verify_match(new, cached) == (True, None), kind


@pytest.mark.parametrize(("kind", "cached", "new"), _cases(MUST_MISS))
def test_other_question_is_refused(kind: str, cached: str, new: str) -> None:
    assert not verify_match(cached, new)[0], kind
    assert not verify_match(new, cached)[0], kind


def test_numerals_hash_as_their_values() -> None:
    # Written with numerals and with digits, one question is one vector; another number is not.
    a = vector("二十七乘以三十九等于多少", 384)
    assert float(a @ vector("27乘39等于几", 384)) > 0.99
    assert float(a @ vector("27乘93等于几", 384)) < 0.9
    assert np.array_equal(vector("这两个一样吗", 384), vector("这两个一样吗", 384))
