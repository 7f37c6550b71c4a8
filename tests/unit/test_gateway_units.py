"""The gateway's pure parts: chat requests as job specs, conversation context in the answer
prompt, key parsing, the tenant rule, and the WebSocket's messages."""

from __future__ import annotations

import pytest

from runtime.agent.answer_prompt import CONTEXT_KEY, build_answer_messages, context_turns
from runtime.agent.reuse import eligible
from runtime.errors import SpecError
from runtime.gateway.auth import Caller, parse
from runtime.gateway.chat import chat_spec
from runtime.gateway.jobs import spec_for
from runtime.gateway.streams import resume_from, ws_message
from runtime.schemas import Event, EventType, JobSpec

CHAT = [
    {"role": "system", "content": "be brief"},
    {"role": "user", "content": "I live in Lyon"},
    {"role": "assistant", "content": [{"type": "text", "text": "Noted."}]},
    {"role": "user", "content": "what is the weather there"},
]


def test_the_last_user_message_is_the_query_and_earlier_ones_the_context() -> None:
    spec = chat_spec({"model": "fake-fast", "messages": CHAT})
    assert spec["query"] == "what is the weather there" and spec["model"] == "fake-fast"
    assert spec["metadata"][CONTEXT_KEY][2] == {"role": "assistant", "content": "Noted."}
    assert "model" not in chat_spec({"model": "auto", "messages": CHAT[-1:]})
    assert "metadata" not in chat_spec({"model": "auto", "messages": CHAT[-1:]})
    with pytest.raises(SpecError, match="no user message"):
        chat_spec({"model": "auto", "messages": CHAT[:1]})
    with pytest.raises(SpecError, match="`model`"):
        chat_spec({"messages": CHAT})


def test_a_conversation_id_carries_the_history_instead_of_the_messages() -> None:
    spec = chat_spec({"model": "auto", "messages": [CHAT[0], CHAT[-1]], "conversation_id": "c1"})
    assert spec["conversation_id"] == "c1" and spec["query"] == "what is the weather there"
    assert JobSpec.model_validate(spec).conversation_id == "c1"
    with pytest.raises(SpecError, match="only the new user message"):
        chat_spec({"model": "auto", "messages": CHAT, "conversation_id": "c1"})
    for bad in ("", 7):
        with pytest.raises(SpecError, match="non-empty string"):
            chat_spec({"model": "auto", "messages": CHAT[-1:], "conversation_id": bad})


def test_context_turns_reach_the_answer_prompt_and_skip_the_semantic_cache() -> None:
    metadata = chat_spec({"model": "auto", "messages": CHAT})["metadata"]
    turns = context_turns(metadata)
    assert [t["role"] for t in turns] == ["user", "assistant"]  # the caller's system: dropped
    messages = build_answer_messages("what is the weather there", [], context=turns)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "I live in Lyon"
    assert "be brief" not in str(messages)
    assert not eligible(JobSpec(query="what is the weather there", metadata=metadata))
    assert eligible(JobSpec(query="what is the weather there"))


def test_key_parsing() -> None:
    assert parse("ca_0a1b2c_s3cr_et-x") == ("0a1b2c", "s3cr_et-x")
    for bad in ("", "ca_", "ca_abc", "ca_ab-c_x", "sk_abc_def", "ca__x"):
        assert parse(bad) is None, bad


def test_the_key_decides_the_tenant() -> None:
    caller = Caller(key_id="k", tenant="acme")
    assert spec_for(caller, {"query": "q"}, None)["tenant"] == "acme"
    assert spec_for(caller, {"query": "q", "tenant": "acme"}, "i1")["idempotency_key"] == "i1"
    with pytest.raises(SpecError, match="leave `tenant` out"):
        spec_for(caller, {"query": "q", "tenant": "other"}, None)
    with pytest.raises(SpecError, match="differ"):
        spec_for(caller, {"query": "q", "idempotency_key": "a"}, "b")


def test_event_ids_are_checked() -> None:
    assert resume_from("1712345678901-0") == "1712345678901-0"
    assert resume_from(None) is None and resume_from("") is None
    with pytest.raises(SpecError, match="not an event id"):
        resume_from("$")


def event(type_: EventType, **data: object) -> Event:
    return Event(id="1-0", type=type_, ts=1.0, data=data)


def test_websocket_messages() -> None:
    assert ws_message(event(EventType.planned, layers=[["a"]], source="user"))["type"] == "plan"
    finished = ws_message(event(EventType.step_finished, id="a", tool="echo", error="boom"))
    assert finished["type"] == "step" and finished["state"] == "failed"
    assert ws_message(event(EventType.token, text="hi"))["text"] == "hi"
    done = ws_message(event(EventType.cancelled))
    assert done["type"] == "done" and done["status"] == "cancelled" and done["result"] is None
    assert ws_message(event(EventType.submitted)) is None


def test_every_error_is_json_with_a_sentence() -> None:
    import json

    from redis.exceptions import ConnectionError as RedisConnectionError

    from runtime.errors import JobNotFound, RateLimited
    from runtime.gateway.http import error_response

    def body(exc: BaseException) -> tuple[int, dict]:
        response = error_response(exc)
        return response.status_code, json.loads(response.body)["error"]

    assert body(JobNotFound("job 'x' does not exist."))[0] == 404
    limited = error_response(RateLimited("slow down.", 7))
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
    status, error = body(RedisConnectionError("refused"))
    assert status == 503 and "cannot reach Redis" in error["message"]
    status, error = body(KeyError("boom"))
    assert status == 500 and "KeyError" in error["message"] and "boom" not in error["message"]


def test_a_job_refused_by_admission_control_is_a_503_with_retry_after() -> None:
    import json

    from runtime.errors import Overloaded
    from runtime.gateway.http import error_response

    response = error_response(Overloaded("the service is overloaded: retry in 12 s.", 12.0))
    assert response.status_code == 503 and response.headers["Retry-After"] == "12"
    body = json.loads(bytes(response.body))
    assert body["error"]["type"] == "Overloaded" and "retry in 12 s" in body["error"]["message"]
