"""A content word that changes word class (runtime/cache/word_class.py), and verbs that only
ask for advice (runtime/cache/framing.py), on pairs written for these tests."""

from __future__ import annotations

import pytest

from runtime.cache import framing, word_class, wordnet
from runtime.cache.verify import verify_match

needs_wordnet = pytest.mark.skipif(
    not wordnet.available(), reason="Debian's wordnet-base is not installed (ops/setup does it)"
)


@needs_wordnet
def test_words_related_across_classes() -> None:
    assert word_class.related("write", "author")  # derivational link: write -> writer, author
    assert word_class.related("notice", "notify")
    assert word_class.related("depend", "dependent")  # spelling: one derived from the other
    assert not word_class.related("rich", "lack")
    assert not word_class.related("contain", "poor")
    assert not word_class.related("open", "close")


@needs_wordnet
@pytest.mark.parametrize(
    ("cached", "query"),
    [
        ("Which fruits are rich in vitamin K?", "Which fruits lack vitamin K?"),
        ("Which fruits contain vitamin K?", "Which fruits are poor in vitamin K?"),
        ("Which soils are rich in iron?", "Which soils lack iron?"),
        ("Which lakes contain fish?", "Which lakes are poor in fish?"),
    ],
)
def test_an_unrelated_word_of_another_class_is_a_different_question(
    cached: str, query: str
) -> None:
    assert not verify_match(cached, query)[0]


@needs_wordnet
@pytest.mark.parametrize(
    ("cached", "query"),
    [
        ("Who wrote Dune?", "Who is the author of Dune?"),
        ("Is the project dependent on funding?", "Does the project depend on funding?"),
        (
            "Can my employer change my shifts without giving me notice?",
            "Can my employer change my shifts without notifying me?",
        ),
    ],
)
def test_a_related_word_of_another_class_is_a_paraphrase(cached: str, query: str) -> None:
    assert verify_match(cached, query)[0]


def test_advice_verbs_frame_only_as_requests() -> None:
    assert framing.advice_request("suggest", "VB")
    assert framing.advice_request("recommend", "VBP")
    assert not framing.advice_request("recommend", "VBN")  # "the recommended dose"
    assert not framing.advice_request("tell", "VB")


@pytest.mark.parametrize(
    ("cached", "query", "same"),
    [
        ("Suggest a board game for children.", "Which board game is good for children?", True),
        ("Which bike do you recommend for commuting?", "Which bike is good for commuting?", True),
        (
            "What is the recommended dose of ibuprofen?",
            "What is the lethal dose of ibuprofen?",
            False,
        ),
    ],
)
def test_asking_for_advice(cached: str, query: str, same: bool) -> None:
    assert verify_match(cached, query)[0] is same


@needs_wordnet
@pytest.mark.parametrize(
    ("cached", "query", "same"),
    [
        ("Which cities are short of water?", "Which cities have water?", False),
        ("Which villages are short of doctors?", "Which villages have doctors?", False),
        ("Does the hotel have a pool?", "Is there a pool at the hotel?", True),
        ("I have a question: how do magnets work?", "How do magnets work?", True),
    ],
)
def test_have_of_possession_is_content(cached: str, query: str, same: bool) -> None:
    assert verify_match(cached, query)[0] is same
