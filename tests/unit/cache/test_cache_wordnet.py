"""WordNet synonyms for the semantic cache's verifier (runtime/cache/wordnet.py)."""

from __future__ import annotations

import pytest

from runtime.cache import structure, wordnet

needs_wordnet = pytest.mark.skipif(
    not wordnet.available(), reason="Debian's wordnet-base is not installed (ops/setup does it)"
)


@needs_wordnet
def test_words_in_one_frequent_synset_are_the_same_and_antonyms_are_not() -> None:
    assert wordnet.same_meaning("buy", "purchase")
    assert wordnet.same_meaning("price", "cost")
    assert wordnet.same_meaning("begin", "start")
    assert not wordnet.same_meaning("buy", "sell")
    assert wordnet.antonyms("buy", "sell", "v")
    assert not wordnet.same_meaning("hire", "fire")
    assert not wordnet.same_meaning("legal", "illegal")
    assert wordnet.synsets("no-such-word-here", "n") == ()


@needs_wordnet
def test_a_rare_shared_sense_is_not_a_synonym() -> None:
    # "turn" and "convert" share no synset among each word's three most frequent senses.
    assert not wordnet.same_meaning("convert", "turn")


@needs_wordnet
def test_a_synonym_swap_is_served_and_an_antonym_swap_refused() -> None:
    assert (
        structure.clash_en(
            "Where can I buy a pressure cooker in Lyon?",
            "Where can I purchase a pressure cooker in Lyon?",
        )
        is None
    )
    assert structure.clash_en(
        "Where can I buy a pressure cooker in Lyon?", "Where can I sell a pressure cooker in Lyon?"
    )


def test_without_the_files_nothing_is_a_synonym(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordnet, "_maps", {})
    monkeypatch.setattr(wordnet, "ROOT", wordnet.ROOT / "absent")
    wordnet.synsets.cache_clear()
    wordnet.same_meaning.cache_clear()
    try:
        assert not wordnet.available()
        assert not wordnet.same_meaning("buy", "purchase")
        assert wordnet.drop_synonyms(["buy"], ["purchase"]) == (["buy"], ["purchase"])
    finally:
        wordnet.synsets.cache_clear()
        wordnet.same_meaning.cache_clear()


@needs_wordnet
def test_adjectives_similar_in_their_first_senses_are_the_same() -> None:
    # WordNet's "similar to" between the two words' most frequent senses only.
    assert wordnet.same_meaning("costly", "expensive")
    assert wordnet.same_meaning("affordable", "inexpensive")
    assert not wordnet.same_meaning("cheap", "expensive")  # antonyms
    assert not wordnet.same_meaning("hot", "boiling")
    assert not wordnet.same_meaning("good", "healthy")  # similar only in good's 17th sense
    assert (
        structure.clash_en(
            "Is the ferry to Hvar costly in August?", "Is the ferry to Hvar expensive in August?"
        )
        is None
    )


@needs_wordnet
def test_an_adverb_is_the_same_as_the_adjective_it_derives_from() -> None:
    assert wordnet.same_meaning("simply", "simple")
    assert not wordnet.same_meaning("simply", "complex")
    served = "Explain the Doppler effect in simple terms."
    assert structure.clash_en(served, "Explain the Doppler effect simply.") is None
    assert structure.clash_en(
        "Explain the Doppler effect simply.", "Explain the Doppler effect precisely."
    )


@needs_wordnet
def test_synonyms_are_sought_in_the_parts_of_speech_the_parse_gave() -> None:
    # "mother" and "father" share only a verb's synset ("beget"); as nouns they differ.
    assert wordnet.same_meaning("mother", "father")
    assert not wordnet.same_meaning("mother", "father", wordnet.pos_of("noun", "noun"))
    assert structure.clash_en("Who is the mother of Zeus?", "Who is the father of Zeus?")
    # A "does" question whose verb the tagger read as a noun ("start") is read loosely.
    assert (
        structure.clash_en(
            "When does the sailing race start on Sunday?",
            "When does the sailing race commence on Sunday?",
        )
        is None
    )
