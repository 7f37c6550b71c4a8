"""When a conversation's summary is due, what it folds in, and tool digests."""

from __future__ import annotations

from runtime.config import Settings
from runtime.conversation.store import History, Round, tool_digest
from runtime.conversation.summary import _due, grounded, summary_messages
from runtime.schemas import StepResult


def _history(total: int, upto: int) -> History:
    rounds = [Round(i, f"q{i}", f"a{i}") for i in range(total)]
    return History(rounds=rounds, summary="s" if upto else None, summary_upto=upto, total=total)


def test_due_only_for_rounds_that_left_the_recent_ones() -> None:
    settings = Settings(conversation_recent_rounds=3, conversation_summary_every=2)
    assert _due(_history(4, 0), settings) is None  # only round 0 left the last three
    assert [x.number for x in _due(_history(5, 0), settings) or []] == [0, 1]
    assert _due(_history(6, 2), settings) is None  # one new round since the last summary
    assert [x.number for x in _due(_history(7, 2), settings) or []] == [2, 3]


def test_summary_prompt_carries_the_previous_summary_and_the_new_rounds() -> None:
    msgs = summary_messages("Ada has a cat.", [Round(2, "My cat is Milo.", "Noted.")])
    text = msgs[-1]["content"]
    assert "Summary so far: Ada has a cat." in text
    assert "User: My cat is Milo." in text and "Assistant: Noted." in text


def test_tool_digest_is_short_and_skips_model_steps() -> None:
    steps = [
        StepResult(id="plan_1", tool="fake-fast", kind="plan", output={"calls": 1}),
        StepResult(id="c", tool="calculator", output={"expression": "2+2", "result": 4}),
        StepResult(id="h", tool="http_get", output={"body": "x" * 5000}),
        StepResult(id="f", tool="fail", error="boom"),
    ]
    digest = tool_digest(steps)
    assert "fake-fast" not in digest
    assert 'calculator -> {"expression": "2+2", "result": 4}' in digest
    assert "fail -> error: boom" in digest
    assert len(digest) < 3 * 160 + 10  # the 5000-character body is not replayed


def test_summary_sentences_the_turns_do_not_support_are_dropped() -> None:
    rounds = [
        Round(4, "My wife is called Priya.", "Nice to meet Priya."),
        Round(5, "Tell me about kites.", "Kites fly on the wind, held by a line."),
    ]
    written = (
        "The user's wife is called Priya. Kites fly on the wind.\n"
        "User: What is the name of the movie? Assistant: The movie is called Rex. "
        "The user's favourite colour is blue."
    )
    assert (
        grounded(written, None, rounds) == "The user's wife is called Priya. Kites fly on the wind."
    )
    # What the previous summary said is support too; a summary of nothing grounded is empty.
    assert grounded("Ada has a cat.", "Ada has a cat named Milo.", rounds) == "Ada has a cat."
    assert grounded("Submarines dive deep.", None, rounds) == ""
