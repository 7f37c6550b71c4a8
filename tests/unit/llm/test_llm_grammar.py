"""Constrained decoding on the real SmolLM2 (grammar.py inside continuous.py): a row with a
JSON schema can only produce JSON of that schema; rows without one are untouched."""

from __future__ import annotations

import json

import pytest
import torch

from runtime.agent.plan_schema import plan_schema
from runtime.llm.local import grammar
from runtime.llm.local.continuous import ContinuousBatcher, GenRequest
from runtime.llm.local.model import LocalModel, shared_model
from runtime.schemas import Plan
from runtime.tools.registry import all_tools, get_tool

COLOUR = {
    "type": "object",
    "properties": {"colour": {"enum": ["red", "green", "blue"]}, "count": {"type": "integer"}},
    "required": ["colour", "count"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def model() -> LocalModel:
    return shared_model().load()


def ask(text: str, max_tokens: int, **kw) -> GenRequest:
    return GenRequest([{"role": "user", "content": text}], max_tokens, **kw)


def test_apply_masks_only_the_constrained_rows() -> None:
    logits = torch.zeros(3, 70)
    bitmask = torch.zeros(1, 3, dtype=torch.int32)
    bitmask[0, 0] = 1 << 5  # only token 5
    bitmask[0, 2] = 1 << 1  # and token 65
    out = grammar.apply(logits, bitmask, [1])
    assert torch.isfinite(out[0]).all() and torch.isfinite(out[2]).all()
    allowed = torch.isfinite(out[1]).nonzero().flatten().tolist()
    assert allowed == [5, 65]
    assert torch.isfinite(logits).all()  # the input is not modified


def test_a_constrained_row_writes_json_of_its_schema(model: LocalModel) -> None:
    batcher = ContinuousBatcher(model, window_ms=0)
    result = batcher.call(ask("Pick a colour and a number.", 40, json_schema=COLOUR), timeout=300)
    data = json.loads(result.text)
    assert set(data) == {"colour", "count"}
    assert data["colour"] in ("red", "green", "blue") and isinstance(data["count"], int)


def test_constrained_and_free_rows_share_a_batch(model: LocalModel) -> None:
    batcher = ContinuousBatcher(model, window_ms=200)
    free_alone = ContinuousBatcher(model, window_ms=0).call(ask("Name a fruit.", 8), timeout=300)
    futures = [
        batcher.submit(ask("Pick a colour and a number.", 40, json_schema=COLOUR)),
        batcher.submit(ask("Name a fruit.", 8)),
    ]
    constrained, free = (f.result(timeout=300) for f in futures)
    assert json.loads(constrained.text)["colour"] in ("red", "green", "blue")
    assert free.text == free_alone.text  # the grammar never touched the free row
    assert constrained.batch_size == 2


def test_a_plan_from_the_local_model_has_the_right_shape(model: LocalModel) -> None:
    tools = all_tools(["calculator", "current_date"])
    schema = plan_schema(tools, max_calls=3, refs=False)
    request = ask("Plan tool calls as JSON for: what is 12 * 7?", 120, json_schema=schema)
    result = ContinuousBatcher(model, window_ms=0).call(request, timeout=300)
    plan = Plan.model_validate_json(result.text)  # ids, fields: the schema's rules
    assert 1 <= len(plan.calls) <= 3
    for call in plan.calls:
        get_tool(call.name).validate_arguments(call.arguments, call.id)


def test_a_bad_schema_fails_its_own_request_only(model: LocalModel) -> None:
    batcher = ContinuousBatcher(model, window_ms=0)
    bad = batcher.submit(ask("Hi", 4, json_schema={"type": "object", "required": 7}))
    with pytest.raises(Exception):  # noqa: B017 - llguidance's own error type
        bad.result(timeout=60)
    assert batcher.call(ask("Hi", 4), timeout=300).completion_tokens >= 1


def test_a_free_row_stuck_in_a_cycle_stops_early() -> None:
    from runtime.llm.local.repetition import looping

    assert looping([5, 6] * 8)  # a two-token cycle over 16 tokens
    assert looping([1] + [3, 4, 5] * 6)
    assert not looping(list(range(40)))  # ordinary text
    assert not looping([7] * 15)  # too short a span to call it a loop
    assert not looping([1, 2, 3, 4, 5, 6, 7, 8, 9] * 2)  # period longer than MAX_PERIOD


def test_a_sentence_said_three_times_is_a_loop_and_is_kept_once() -> None:
    from runtime.llm.local.repetition import repeated_tail

    sentence = list(range(100, 120))  # 20 tokens, past the short cycles' MAX_PERIOD
    assert repeated_tail([1, 2] + sentence * 3) == 40  # two repeats dropped, one kept
    assert repeated_tail([1, 2] + sentence * 2) == 0  # said twice: not yet a loop
    assert repeated_tail([5, 6] * 8) == 14  # a short cycle keeps one period too
    # A sentence that comes back with one token changed is text, not a loop.
    assert repeated_tail(sentence + sentence[:-1] + [7] + sentence) == 0


def test_the_batcher_ends_a_looping_row_before_max_tokens(model: LocalModel) -> None:
    batcher = ContinuousBatcher(model, window_ms=0)
    # Asked to repeat a word forever, greedy SmolLM2 cycles; the guard ends the row.
    text = "Repeat the word 'code' forever: code code code code code code code code"
    result = batcher.call(ask(text, 120), timeout=300)
    assert result.completion_tokens < 120


def test_a_constrained_row_ends_at_a_copied_array_element(model: LocalModel) -> None:
    # The tokens of a plan that repeats its call, fed to a row's grammar state one by one.
    schema = plan_schema(all_tools(["calculator"]), 4, refs=False, query="what is 2 + 3")
    call = '{"name":"calculator","arguments":{"expression":"2 + 3"}}'
    ids = model.tokenizer.encode('{"calls":[' + call + "," + call, add_special_tokens=False)
    vocab = int(model.model.config.vocab_size)
    constraint = grammar.Constraint(schema, model.tokenizer, vocab)
    ended = [constraint.consume(token) for token in ids]
    assert ended[-1] and not any(ended[:-1])
    assert json.loads(constraint.cut_text) == {"calls": [json.loads(call)]}
