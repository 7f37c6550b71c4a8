"""The official `openai` package against the gateway's /v1/chat/completions."""

from __future__ import annotations

import time
import uuid

import httpx
import openai
import pytest

from runtime.conversation import store as conversation_store
from runtime.job.client import Client

pytestmark = pytest.mark.integration

CONVERSATION = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "my favourite colour is teal"},
    {"role": "assistant", "content": "Noted."},
    {"role": "user", "content": "say hello to the gateway"},
]


@pytest.fixture
def sdk(api: httpx.Client, gateway: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gateway}/v1", api_key=api.key, max_retries=0)  # type: ignore[attr-defined]


def test_completion_is_the_jobs_answer(sdk: openai.OpenAI, client: Client) -> None:
    raw = sdk.chat.completions.with_raw_response.create(model="fake-fast", messages=CONVERSATION)
    job_id = raw.headers["x-celeragent-job-id"]
    reply = raw.parse()
    result = client.job(job_id).result(timeout=30)
    assert result.status.value == "done"
    assert reply.choices[0].message.content == result.answer
    assert "say hello to the gateway" in (result.answer or "")
    assert reply.usage is not None and reply.usage.completion_tokens > 0
    spec = client.redis.hget(f"ca:job:{job_id}", "spec")
    assert '"query":"say hello to the gateway"' in spec
    assert '"chat_context":[{"role":"system"' in spec and "teal" in spec


def test_streaming_completion_streams_the_answer(sdk: openai.OpenAI, client: Client) -> None:
    # A question of its own: one asked before would be answered whole from a cache.
    fresh = [{"role": "user", "content": f"describe the number {uuid.uuid4().int} in words"}]
    stream = sdk.chat.completions.create(model="fake-fast", messages=fresh, stream=True)
    chunks = list(stream)
    job_id = chunks[0].id.removeprefix("chatcmpl-")
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len([c for c in chunks if c.choices[0].delta.content]) > 3  # word by word
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert text == client.job(job_id).result(timeout=30).answer


def test_a_conversation_through_chat_completions(
    sdk: openai.OpenAI, api: httpx.Client, client: Client
) -> None:
    tenant = api.tenant  # type: ignore[attr-defined]
    cid = f"conv-{uuid.uuid4().hex[:6]}"
    first = [{"role": "user", "content": f"My locker number is {uuid.uuid4().int % 9000 + 1000}."}]
    second = [{"role": "user", "content": "What is my locker number?"}]
    ids = []
    for messages in (first, second):
        raw = sdk.chat.completions.with_raw_response.create(
            model="fake-fast", messages=messages, extra_body={"conversation_id": cid}
        )
        ids.append(raw.headers["x-celeragent-job-id"])
        assert raw.parse().choices[0].message.content
        # The round is appended just after the result: wait for it before the next turn.
        deadline = time.monotonic() + 10
        while conversation_store.load(client.redis, tenant, cid).total < len(ids):
            assert time.monotonic() < deadline, "the round was not appended"
            time.sleep(0.1)
    answer = next(s for s in client.job(ids[1]).result(timeout=30).steps if s.kind == "answer")
    # The second turn saw the first (one earlier round) and the fact it stated.
    assert answer.output["conversation"]["rounds"] == 1
    assert answer.output["conversation"]["facts"] == 1
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.chat.completions.create(
            model="fake-fast", messages=CONVERSATION, extra_body={"conversation_id": cid}
        )
    assert "only the new user message" in str(raised.value)


def test_auto_model_and_an_unknown_one(sdk: openai.OpenAI) -> None:
    reply = sdk.chat.completions.create(model="auto", messages=CONVERSATION[-1:])
    assert reply.choices[0].message.content
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.chat.completions.create(model="gpt-nope", messages=CONVERSATION)
    assert "unknown model 'gpt-nope'" in str(raised.value)


def test_a_bad_key_is_an_authentication_error(gateway: str) -> None:
    bad = openai.OpenAI(base_url=f"{gateway}/v1", api_key="ca_00_wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.chat.completions.create(model="auto", messages=CONVERSATION)
