"""OpenAIBackend against a real OpenAI-compatible HTTP server on 127.0.0.1 (no SDK patching)."""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest

from runtime.agent.plan_schema import plan_schema
from runtime.errors import RetryableError, TerminalError
from runtime.llm import tokens
from runtime.llm.openai_backend import OpenAIBackend
from runtime.llm.profiles import ModelProfile
from runtime.llm.response_format import strict_schema
from runtime.tools.registry import all_tools
from tests.support.openai_server import OpenAITestServer

KEY_ENV = "CELERAGENT_TEST_OPENAI_KEY"
MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Say hello."},
]


@pytest.fixture(scope="module")
def server():
    with OpenAITestServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def guard(monkeypatch):
    monkeypatch.setenv("CELERAGENT_FORBID_NETWORK_LLM", "1")
    monkeypatch.setenv(KEY_ENV, "sk-test-123")


def make_backend(base_url: str, **params) -> OpenAIBackend:
    params = {"max_retries": 3, "backoff_base_s": 0.01, "timeout_s": 5, **params}
    profile = ModelProfile(
        name="test-remote",
        backend="openai",
        base_url=base_url,
        api_key_env=KEY_ENV,
        encoding="o200k_base",
        model_id="test-model-id",
        params=params,
    )
    return OpenAIBackend(profile)


def call(backend: OpenAIBackend, **kwargs):
    return backend.complete(MESSAGES, model="test-model-id", max_tokens=50, **kwargs)


def test_streams_tokens_and_reports_server_usage(server):
    server.reset(reply="Hello there, friend.", require_key="sk-test-123")
    seen: list[str] = []
    result = call(make_backend(server.base_url), on_token=seen.append)
    assert result.text == "Hello there, friend."
    assert "".join(seen) == result.text and len(seen) == 3
    assert result.usage.prompt_tokens == 11 and result.usage.completion_tokens == 3
    assert result.ttft_ms is not None and result.ttft_ms <= result.latency_ms
    body = server.requests[0].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["model"] == "test-model-id" and body["max_tokens"] == 50
    assert body["messages"] == MESSAGES
    assert server.requests[0].headers["authorization"] == "Bearer sk-test-123"


def test_reuses_one_keepalive_connection(server):
    server.reset()
    backend = make_backend(server.base_url)
    for _ in range(5):
        call(backend)
    ports = {r.client_port for r in server.requests}
    assert len(server.requests) == 5
    assert len(ports) == 1, f"expected one pooled connection, saw client ports {ports}"


def test_retries_429_then_succeeds_honouring_retry_after(server):
    server.reset(fail_status=429, fail_times=2, retry_after=0.2)
    started = time.perf_counter()
    result = call(make_backend(server.base_url))
    assert result.text == "Hello from the test server."
    assert len(server.requests) == 3
    assert time.perf_counter() - started >= 0.4  # two Retry-After waits of 0.2 s


def test_persistent_500_becomes_retryable_after_all_attempts(server):
    server.reset(fail_status=500, fail_times=100)
    with pytest.raises(RetryableError, match="kept failing after 3 attempts"):
        call(make_backend(server.base_url, max_retries=2))
    assert len(server.requests) == 3


@pytest.mark.parametrize("mode", ["bad_key", "forbidden"])
def test_auth_failures_are_terminal_and_name_the_env_var(server, mode):
    if mode == "bad_key":
        server.reset(require_key="another-key")
    else:
        server.reset(forbid=True)
    with pytest.raises(TerminalError, match=KEY_ENV):
        call(make_backend(server.base_url))
    assert len(server.requests) == 1  # no retry: a new attempt cannot fix a key


def test_slow_server_times_out_as_retryable(server):
    server.reset(delay_s=1.0)
    with pytest.raises(RetryableError, match="did not answer in time after 2 attempts"):
        call(make_backend(server.base_url, timeout_s=0.2, max_retries=1))


def test_unreachable_server_is_retryable_with_a_clear_sentence():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(RetryableError, match="could not be reached after 2 attempts"):
        call(make_backend(f"http://127.0.0.1:{port}/v1", max_retries=1))


def test_missing_usage_is_counted_with_tiktoken(server):
    server.reset(reply="Counting tokens offline works.", omit_usage=True)
    result = call(make_backend(server.base_url))
    enc = tokens.encoding_for("o200k_base")
    assert result.usage.completion_tokens == len(enc.encode(result.text))
    assert result.usage.prompt_tokens == tokens.count(MESSAGES, "o200k_base")
    assert result.usage.prompt_tokens != 11  # not the server's number: it sent none


def test_json_schema_becomes_response_format(server):
    server.reset(reply='{"calls": []}')
    schema = {"type": "object", "properties": {"calls": {"type": "array"}}}
    call(make_backend(server.base_url), json_schema=schema)
    fmt = server.requests[0].body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["schema"] == schema and fmt["json_schema"]["name"]


# Real tools whose arguments are all required and typed: strict mode takes their plan schema.
STRICT_TOOLS = ["calculator", "http_get", "notify", "sleep"]
PLAN = '{"calls": [{"id": "a", "name": "sleep", "arguments": {"ms": 1}, "depends_on": []}]}'


def walk_objects(node):
    if isinstance(node, list):
        for v in node:
            yield from walk_objects(v)
    elif isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for key, value in node.items():
            if key in ("properties", "$defs"):
                yield from walk_objects(list(value.values()))
            elif key in ("items", "anyOf"):
                yield from walk_objects(value)


def test_plan_schema_goes_out_as_a_strict_json_schema(server):
    server.reset(reply=PLAN)
    schema = plan_schema(all_tools(STRICT_TOOLS), max_calls=8)
    result = call(make_backend(server.base_url), json_schema=schema)
    assert json.loads(result.text)["calls"][0]["name"] == "sleep"
    fmt = server.requests[0].body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True and fmt["json_schema"]["name"] == "response"
    sent = fmt["json_schema"]["schema"]
    assert sent == strict_schema(schema)
    for obj in walk_objects(sent):  # OpenAI's two strict-mode rules, on every object
        assert obj["additionalProperties"] is False
        assert sorted(obj.get("required", [])) == sorted(obj.get("properties", {}))
    names = [
        v["properties"]["name"]["const"] for v in sent["properties"]["calls"]["items"]["anyOf"]
    ]
    assert names == STRICT_TOOLS


def test_plan_schema_with_optional_or_any_arguments_goes_out_non_strict(server):
    # fail/current_date have optional arguments and echo takes any JSON: strict mode would
    # change what those plans mean, so the schema goes out as built, without "strict".
    server.reset(reply='{"calls": []}')
    schema = plan_schema(all_tools(), max_calls=8)
    call(make_backend(server.base_url), json_schema=schema)
    sent = server.requests[0].body["response_format"]["json_schema"]
    assert "strict" not in sent and sent["schema"] == schema


def test_server_without_response_format_gets_the_request_without_it_and_remembers(server, caplog):
    server.reset(reply=PLAN, reject_formats={"any": "response_format not supported"})
    backend = make_backend(server.base_url, max_retries=0)  # the fallback is not a retry
    schema = plan_schema(all_tools(STRICT_TOOLS), max_calls=8)
    with caplog.at_level(logging.INFO, logger="runtime.llm.openai_backend"):
        first = call(backend, json_schema=schema)
        assert first.text == PLAN
        assert [("response_format" in r.body) for r in server.requests] == [True, False]
        assert server.requests[1].body["messages"] == MESSAGES
        server.requests.clear()
        second = call(backend, json_schema=schema)
    assert second.text == PLAN
    assert len(server.requests) == 1 and "response_format" not in server.requests[0].body
    refusals = [r for r in caplog.records if "refused response_format" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].levelno == logging.WARNING
    server.requests.clear()
    backend.complete(MESSAGES, model="another-model", max_tokens=50, json_schema=schema)
    assert "response_format" in server.requests[0].body  # remembered per (server, model)


def test_server_without_json_schema_gets_json_object(server):
    llama_cpp = 'response_format type must be one of "text" or "json_object", but got: json_schema'
    server.reset(reply=PLAN, reject_formats={"json_schema": llama_cpp})
    backend = make_backend(server.base_url)
    schema = plan_schema(all_tools(STRICT_TOOLS), max_calls=8)
    assert call(backend, json_schema=schema).text == PLAN
    formats = [r.body.get("response_format", {}).get("type") for r in server.requests]
    assert formats == ["json_schema", "json_object"]
    server.requests.clear()
    call(backend, json_schema=schema)
    assert server.requests[0].body["response_format"] == {"type": "json_object"}


def test_server_refusing_strict_gets_the_schema_without_it(server):
    refusal = (
        "1 validation error: response_format.json_schema.strict: Extra inputs are not permitted"
    )
    server.reset(reply=PLAN, reject_formats={"strict": refusal})
    schema = plan_schema(all_tools(STRICT_TOOLS), max_calls=8)
    assert call(make_backend(server.base_url), json_schema=schema).text == PLAN
    second = server.requests[1].body["response_format"]
    assert second == {"type": "json_schema", "json_schema": {"name": "response", "schema": schema}}


@pytest.mark.parametrize(
    "message",
    [None, "'max_tokens' is not supported with this model. Use 'max_completion_tokens'."],
)
def test_other_400s_stay_terminal_with_a_schema(server, message):
    server.reset(fail_status=400, fail_times=5, fail_message=message)
    schema = plan_schema(all_tools(STRICT_TOOLS), max_calls=8)
    with pytest.raises(TerminalError, match=r"rejected the request \(HTTP 400\)"):
        call(make_backend(server.base_url), json_schema=schema)
    assert len(server.requests) == 1
    assert server.requests[0].body["response_format"]["json_schema"]["strict"] is True


def test_broken_stream_after_tokens_is_not_replayed(server):
    server.reset(reply="one two three four five", break_after_chunks=2)
    seen: list[str] = []
    with pytest.raises(RetryableError, match="broke after 2 tokens"):
        call(make_backend(server.base_url), on_token=seen.append)
    assert seen == ["one ", "two "]
    assert len(server.requests) == 1


def test_network_guard_refuses_non_loopback_hosts(server):
    server.reset()
    backend = make_backend("https://api.openai.com/v1")
    with pytest.raises(TerminalError, match="network model calls are disabled in the test suite"):
        call(backend)


def test_missing_key_for_remote_host_names_the_variable(monkeypatch):
    monkeypatch.delenv("CELERAGENT_FORBID_NETWORK_LLM")
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(TerminalError, match=f"set the environment variable {KEY_ENV}"):
        call(make_backend("https://models.example.invalid/v1"))
