"""parses: a question's parse survives its JSON form, and a stored parse that cannot be
trusted (another version, malformed, missing) is ignored rather than misread."""

from __future__ import annotations

import json

from runtime.cache import parses, structure


def test_a_stored_parse_round_trips_and_is_used_instead_of_parsing(monkeypatch) -> None:
    question = "Was Keiko hired by Anna at 7 am?"
    stored = structure.stored_parse(question)
    original = structure.parse_en(parses.prepared(question))
    parses.forget()

    def refuse(text: str) -> parses.Parsed:
        raise AssertionError(f"parsed {text!r} again")

    monkeypatch.setattr(structure, "_parse", refuse)
    assert parses.carry(question, stored)
    assert structure.parse_en(parses.prepared(question)) == original
    assert structure.clash_en(question, question) is None  # Both sides from the stored parse.


def test_untrusted_stored_parses_are_ignored() -> None:
    question = "Did Priya hire Tomas?"
    good = json.loads(structure.stored_parse(question))
    parses.forget()
    assert not parses.carry(question, None)
    assert not parses.carry(question, "")
    assert not parses.carry(question, "{not json")
    assert not parses.carry(question, json.dumps({**good, "v": parses.VERSION + 1}))
    assert not parses.carry(question, json.dumps({**good, "extra": 1}))
    assert not parses.carry(question, json.dumps([1, 2]))
    assert parses.recall(parses.prepared(question)) is None


def test_the_memo_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(parses, "MEMO", 3)
    parses.forget()
    parsed = structure.parse_en("a question")
    for text in ("one", "two", "three", "four"):
        parses.keep(text, parsed)
    assert parses.recall("one") is None and parses.recall("four") == parsed
