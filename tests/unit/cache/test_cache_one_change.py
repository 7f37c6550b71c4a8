"""One thing changed or one thing written two ways (session 20): a Chinese character swapped
(zh_swaps.py), a compound's other half and a word said twice (structure.py), ordinals in
digits and in words (quantities.py), an acronym spelt out in lowercase (acronyms.py), a
participle opening a question (verify.py), "the process for V-ing", "what becomes of",
"should I bother" and "stop X V-ing" (asking.py), and "stop / keep / prevent X from V-ing" read
as one verb (structure.py). Pairs
written for these tests, each rewrite with must-miss pairs beside it."""

from __future__ import annotations

import pytest

from runtime.cache import acronyms, word_forms, zh_swaps
from runtime.cache.quantities import numbers
from runtime.cache.verify import verify_match

SAME = [
    # Chinese: a particle, 的 / 地, and a one-character synonym (Cilin) are no change.
    ("这双靴子能退货吗", "这双靴子能退货呢"),
    ("地铁站在哪儿", "地铁站在哪里"),
    ("怎么给猫剪指甲", "怎样给猫剪指甲"),
    ("七天去新疆怎么安排行程", "7天去新疆怎么安排行程"),
    # Ordinals, in digits and in words.
    ("What do you give for a 30th birthday?", "What do you give for a thirtieth birthday?"),
    ("Who won the 22nd Tour de Corse?", "Who won the twenty-second Tour de Corse?"),
    ("Is the 3rd floor of Halbrook Hall open?", "Is the third floor of Halbrook Hall open?"),
    # An acronym spelt out in lowercase.
    ("Can I pay for braces with my HSA?", "Can I pay for braces with my health savings account?"),
    ("How do I renew my CDL?", "How do I renew my commercial driver's license?"),
    # A participle opening the question is no name.
    (
        "Do I need a transit visa in Doha if I hold a Kenyan passport?",
        "Holding a Kenyan passport, do I need a transit visa in Doha?",
    ),
    ("What's the process for renewing a fishing licence?", "How do I renew a fishing licence?"),
    ("Is this tent waterproof?", "Is this tent water-proof?"),
    # Idioms and constructions that ask one thing.
    ("What happens to my shares if Norvell folds?", "If Norvell folds, what becomes of my shares?"),
    ("Is it worth repotting a cactus in winter?", "Should I bother repotting a cactus in winter?"),
    ("How do I stop moss growing on roof tiles?", "How do I keep moss from growing on roof tiles?"),
    ("How do I stop my puppy chewing shoes?", "How do I prevent my puppy from chewing shoes?"),
]  # fmt: skip
OTHER = [
    # Chinese: one character that is the point of the question.
    ("我把邻居的车挡住了怎么办", "我被邻居的车挡住了怎么办"),
    ("有线鼠标怎么连平板", "无线鼠标怎么连平板"),
    ("有糖豆浆热量高吗", "无糖豆浆热量高吗"),
    ("去年的房租怎么交", "明年的房租怎么交"),
    # Ordinals keep their value and are not amounts.
    ("What do you give for a 30th birthday?", "What do you give for a thirty-first birthday?"),
    ("Is the 3rd floor of Halbrook Hall open?", "Is the fourth floor of Halbrook Hall open?"),
    ("Do you need the 2nd dose?", "Do you need 2 doses?"),
    # A compound's other half.
    ("Is this watch waterproof?", "Is this watch water-resistant?"),
    ("Is this glass shatterproof?", "Is this glass shatter-resistant?"),
    # A word said twice is not the same word said once.
    (
        "How early should I get to Calder International for a domestic flight?",
        "How early should I get to Calder International for an international flight?",
    ),
    # Not the same initials.
    ("Can I pay for braces with my HSA?", "Can I pay for braces with my flexible saving account?"),
    ("What's the process for renewing a fishing licence?", "How do I apply for a fishing licence?"),
    ("What happens to my shares if Norvell folds?", "If Norvell folds, what becomes of my bonus?"),
    ("Is it worth repotting a cactus in winter?", "Should I bother watering a cactus in winter?"),
    ("How do I stop my puppy chewing shoes?", "How do I get my puppy to chew shoes?"),
    ("How do I stop a nosebleed?", "How do I prevent a nosebleed?"),  # an ongoing one / the next
    ("How do I stop paying for Streamly?", "How do I keep paying for Streamly?"),
    ("How do I stop the dripping tap?", "How do I fix the dripping tap?"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), SAME)
def test_one_question_written_two_ways_is_served(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None) and verify_match(b, a) == (True, None)


@pytest.mark.parametrize(("a", "b"), OTHER)
def test_one_thing_changed_is_refused(a: str, b: str) -> None:
    assert not verify_match(a, b)[0] and not verify_match(b, a)[0]


def test_one_swapped_character_names_both() -> None:
    quiet = set("吗呢")
    assert zh_swaps.clash("我把他拉黑了", "我被他拉黑了", quiet) == "character differs: 把 vs 被"
    assert zh_swaps.clash("价格是多少", "价钱是多少", quiet) is None  # 价格 / 价钱 in Cilin
    assert zh_swaps.clash("早上几点开门", "晚上几点关门", quiet) is None  # two changes
    assert zh_swaps.clash("能退吗", "能退呢", quiet) is None
    assert zh_swaps.clash("能退吗", "能退呢", set()) == "character differs: 吗 vs 呢"


def test_ordinals_read_as_ordinals() -> None:
    assert numbers("the 21st and the twenty-first", "en") == ["#21", "#21"]
    assert numbers("the twentieth", "en") == ["#20"]
    assert numbers("21 and twenty-one", "en") == ["21", "21"]


def test_compound_rest_is_a_word_not_a_suffix() -> None:
    assert word_forms.compound_rest("waterproof", "water") == "proof"
    assert word_forms.compound_rest("washable", "wash") is None  # "able" is a suffix here
    assert word_forms.compound_rest("painter", "paint") is None


def test_lowercase_spelling_needs_three_letters_and_content_words() -> None:
    spelt = "my flexible spending account"
    assert acronyms.expand("my FSA", spelt) == spelt
    assert acronyms.expand("IT help", "is there help") == "IT help"  # two letters: never
    assert acronyms.expand("the TFA", "the fee for adults") == "the TFA"  # "for" is no initial
