"""Fitting a conversation into a model call (runtime/conversation/context.py)."""

from __future__ import annotations

from runtime.conversation.context import SUMMARY_PREFIX, fit_history, with_history
from runtime.conversation.store import History, Round
from runtime.llm.tokens import count, counter_for

COUNTER = counter_for("gpt-4o-mini")


def _history(n: int, *, words: int = 40, summary: str | None = None, upto: int = 0) -> History:
    rounds = [
        Round(
            i,
            f"Question {i}: " + " ".join(f"q{i}w{k}" for k in range(words)),
            f"Answer {i}: " + " ".join(f"a{i}w{k}" for k in range(words)),
            tools=f'calculator -> {{"result": {i}}}' if i % 2 else "",
        )
        for i in range(n)
    ]
    return History(rounds=rounds, summary=summary, summary_upto=upto, total=n)


def _contents(messages: list[dict[str, str]]) -> str:
    return "\n".join(m["content"] for m in messages)


def test_everything_fits_without_summary() -> None:
    fitted = fit_history(_history(4, summary="old stuff", upto=1), COUNTER, 10_000)
    text = _contents(fitted.messages)
    assert SUMMARY_PREFIX not in text  # nothing dropped: the summary is not needed
    assert all(f"Question {i}:" in text for i in range(4))
    assert fitted.info["dropped"] == 0 and fitted.info["whole"] == 4


def test_window_respected_last_three_rounds_whole_summary_present() -> None:
    history = _history(40, summary="The user is Ada; her cat is Milo.", upto=37)
    system = {"role": "system", "content": "You answer questions."}
    question = {"role": "user", "content": "What is my cat's name?"}
    window, reserve = 2_500, 160
    fitted = with_history([system, question], history, COUNTER, window, reserve, 10_000)
    assert count(fitted.messages, COUNTER) <= window - reserve
    text = _contents(fitted.messages)
    for i in (37, 38, 39):  # the last three rounds, whole (question, answer, tool digest)
        whole = history.rounds[i]
        assert whole.question in text and whole.answer in text
    assert "[tools used: calculator" in text  # round 37 or 39 carries its digest
    assert SUMMARY_PREFIX + "The user is Ada; her cat is Milo." in text
    assert "Question 0:" not in text  # dropped, stood for by the summary
    assert fitted.info["summary"] and fitted.info["dropped"] > 0
    assert fitted.messages[0] == system and fitted.messages[-1] == question


def test_history_cap_flat_whatever_the_length() -> None:
    sizes = []
    for n in (10, 20, 40):
        fitted = fit_history(_history(n, summary="facts", upto=n - 3), COUNTER, 800)
        assert fitted.info["tokens"] <= 800
        sizes.append(fitted.info["tokens"])
    assert max(sizes) - min(sizes) < 150  # flat once full, not growing with the turns


def test_compression_before_dropping() -> None:
    padded = History(
        rounds=[
            Round(
                i,
                f"Please note that in order to plan, round {i}?\n" + "Same footer line.\n" * 12,
                f"Round {i} is fine.\n" + "It is important to note that nothing changed.\n" * 12,
            )
            for i in range(8)
        ],
        summary=None,
        summary_upto=0,
        total=8,
    )
    whole_size = fit_history(padded, COUNTER, 100_000).info["tokens"]
    fitted = fit_history(padded, COUNTER, int(whole_size * 0.7))
    assert fitted.info["compressed"] > 0
    assert fitted.info["whole"] >= 3
    assert fitted.info["tokens"] <= int(whole_size * 0.7)


def test_recent_rounds_squeezed_only_when_the_window_cannot_hold_them() -> None:
    fitted = fit_history(_history(5, words=200), COUNTER, 500)
    assert fitted.info["tokens"] <= 500
    assert fitted.info["whole"] + fitted.info["compressed"] <= 3


def test_no_conversation_leaves_messages_alone() -> None:
    msgs = [{"role": "user", "content": "hi"}]
    assert with_history(msgs, None, COUNTER, 100, 10, 50).messages == msgs
