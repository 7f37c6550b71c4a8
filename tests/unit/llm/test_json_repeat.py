"""runtime/llm/local/json_repeat.py: a constrained row stops at a copy of an earlier call."""

from __future__ import annotations

import json

from runtime.llm.local.json_repeat import cut_repeat

CALL = {"name": "calculator", "arguments": {"expression": "17 * 23 + 4"}}


def _plan_text(*calls: dict) -> str:
    return json.dumps({"calls": list(calls)}, separators=(",", ":"))[:-2]  # still open


def test_a_copied_call_ends_the_plan_without_the_copy():
    text = _plan_text(CALL, CALL)
    assert json.loads(cut_repeat(text)) == {"calls": [CALL]}
    # The token that closed the copy may carry the next comma too.
    assert json.loads(cut_repeat(text + ",")) == {"calls": [CALL]}


def test_different_calls_and_unfinished_ones_go_on():
    other = {"name": "calculator", "arguments": {"expression": "2 ** 8"}}
    assert cut_repeat(_plan_text(CALL, other)) is None
    assert cut_repeat(_plan_text(CALL) + "," + json.dumps(CALL)[:-1]) is None  # half written
    assert cut_repeat(_plan_text(CALL)) is None


def test_repeats_inside_arguments_and_strings_are_left_alone():
    same_points = {"name": "area", "arguments": {"points": [{"x": 0}, {"x": 0}]}}
    text = json.dumps({"calls": [same_points]})
    assert cut_repeat(text[: text.index("]") + 1]) is None  # inside an argument
    tricky = '{"calls":[{"s":"},{"},{"s":"},{"}'
    assert json.loads(cut_repeat(tricky)) == {"calls": [{"s": "},{"}]}
    assert cut_repeat('{"a":[1,1,') is None  # scalars are not calls
    assert cut_repeat("not json }") is None
