"""`celeragent chat` shows what the final answer adds to its stream: the answer check's lead
line (the tool's result, when the model's streamed answer did not state it)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from runtime.agent.answer_check import unstreamed
from runtime.cli.chat import _turn
from runtime.schemas import Event, EventType, JobStatus


def test_the_lead_line_is_what_the_stream_lacks() -> None:
    streamed = "The result of the calculation is 17."
    answer = f"17 * 23 + 4 = 395.\n\n{streamed}"
    assert unstreamed(answer, streamed) == "17 * 23 + 4 = 395."
    assert unstreamed(streamed, streamed + "\n") == ""
    # A loop's repeats were streamed and dropped from the answer: nothing to add.
    assert unstreamed("It is sunny.", "It is sunny. It is sunny. It is sunny.") == ""
    assert unstreamed("Another answer.", "What was streamed.") == "Another answer."


@dataclass
class FakeResult:
    status: JobStatus
    answer: str | None
    error: str | None = None


class FakeHandle:
    def __init__(self, tokens: list[str], answer: str) -> None:
        self.tokens, self.answer = tokens, answer

    def events(self, timeout: Any = None) -> Any:
        for i, text in enumerate(self.tokens):
            yield Event(id=f"{i}-0", type=EventType.token, ts=0.0, data={"text": text})

    def result(self, timeout: Any = None) -> FakeResult:
        return FakeResult(JobStatus.done, self.answer)


def test_a_chat_turn_prints_the_lead_after_the_stream() -> None:
    out = io.StringIO()
    handle = FakeHandle(["The answer ", "is 17."], "17 * 23 + 4 = 395.\n\nThe answer is 17.")
    assert _turn(handle, out, None)
    assert out.getvalue() == "The answer is 17.\n17 * 23 + 4 = 395.\n"
