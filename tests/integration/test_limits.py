"""Shared limits on the real stack: a provider's 429 cools down a model for a worker in
another process, a capped model is never called more at once than its cap (counted by the
model server), and a tool's limit and retry policy as its worker applies them."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid

import pytest

from runtime.agent.guarded import GuardedBackend
from runtime.config import get_settings
from runtime.errors import RetryableError, RetryStep
from runtime.guard import limits
from runtime.job.client import Client
from runtime.job.executor import execute_call
from runtime.llm.openai_backend import OpenAIBackend
from runtime.llm.profiles import get_profile
from runtime.schemas import JobStatus
from tests.support.openai_server import OpenAITestServer

pytestmark = pytest.mark.integration

RETRY_AFTER_S = 4.0


def with_plan(query: str, model: str) -> dict:
    calls = [{"id": "c", "name": "echo", "arguments": {"value": query}}]
    return {"query": query, "model": model, "plan": {"calls": calls}}


@pytest.fixture
def server(openai_server: OpenAITestServer) -> OpenAITestServer:
    openai_server.reset()
    return openai_server


def stat(client: Client, scope: str, name: str) -> int:
    return limits.stats(client.redis).get(scope, {}).get(name, 0)


def test_a_429_in_one_process_holds_the_models_calls_in_a_worker(client: Client, server) -> None:
    # A first job warms the worker's path, so the next one reaches its model call while
    # the cool-down is still on (the count of waits below is what proves the wait).
    assert client.submit(with_plan(f"warm {uuid.uuid4().hex}", "remote-test")).result(timeout=60)
    server.reset(reply="After the cool-down.", fail_status=429, fail_times=1)
    server.behaviour.retry_after = RETRY_AFTER_S
    settings = get_settings()
    profile = get_profile("remote-test")
    once = dataclasses.replace(profile, params={**profile.params, "max_retries": 0})
    gate = limits.model_gate(client.redis, profile, settings)
    backend = GuardedBackend(OpenAIBackend(once), profile, gate=gate, wait_s=5)
    waits_before = stat(client, "model:remote-test", "by_cooldown")
    with pytest.raises(RetryableError):  # this process gives up at once ...
        backend.complete([{"role": "user", "content": "hi"}], model="test-model", max_tokens=8)
    # ... and the llm worker, another process, waits out the provider's Retry-After.
    result = client.submit(with_plan(f"cool down {uuid.uuid4().hex}", "remote-test")).result(
        timeout=30
    )
    assert result.status is JobStatus.done and result.answer == "After the cool-down."
    first, second = server.requests[0], server.requests[1]
    assert second.at - first.at >= RETRY_AFTER_S
    assert stat(client, "model:remote-test", "by_cooldown") > waits_before


def test_a_capped_model_is_never_called_more_at_once_than_its_cap(client: Client, server) -> None:
    server.reset(reply="One at a time.", delay_s=0.5)  # long enough for the calls to meet
    handles = [
        client.submit(with_plan(f"capped {i} {uuid.uuid4().hex}", "remote-capped"))
        for i in range(4)
    ]
    results = [h.result(timeout=60) for h in handles]
    assert all(r.status is JobStatus.done for r in results)
    assert len(server.requests) == 4
    assert server.state.peak_in_flight == 1  # max_concurrency = 1, from the server's side
    assert stat(client, "model:remote-capped", "by_concurrency") >= 1


def deliver(client: Client, call: dict, settings, attempt: int = 1):
    return execute_call(
        client.redis, uuid.uuid4().hex, call, settings=settings, enqueued_at=None, attempt=attempt
    )


def test_a_tools_retry_policy_sets_its_attempts_backoff_and_errors(client: Client) -> None:
    retry = {"fail": {"attempts": 2, "backoff_s": 0.4, "retry_on": ["RetryableError"]}}
    settings = get_settings().model_copy(update={"tool_retry": retry})
    flaky = {"id": "f", "name": "fail", "arguments": {"message": "503", "retryable": True}}
    with pytest.raises(RetryStep) as info:
        deliver(client, flaky, settings, attempt=1)
    assert 0.2 <= info.value.delay_s <= 0.4
    last = deliver(client, flaky, settings, attempt=2)
    assert last.error == "failed after 2 attempts: 503"
    # A ToolError is not in retry_on: no retry, whatever the attempt.
    broken = {"id": "b", "name": "fail", "arguments": {"message": "bad input"}}
    assert deliver(client, broken, settings).error == "bad input"
    retry["fail"]["retry_on"] = ["ToolError"]
    with pytest.raises(RetryStep):
        deliver(client, broken, get_settings().model_copy(update={"tool_retry": retry}))


def test_a_tools_concurrency_limit_makes_the_second_call_wait(client: Client) -> None:
    tool = f"sleep-{uuid.uuid4().hex[:6]}"  # a scope of its own: the setting names the tool
    settings = get_settings().model_copy(update={"tool_limits": {"sleep": {"max_concurrency": 1}}})
    scope_waits = stat(client, "tool:sleep", "by_concurrency")
    steps = []

    def run(ms: int) -> None:
        call = {"id": tool, "name": "sleep", "arguments": {"ms": ms}}
        steps.append(deliver(client, call, settings))

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(ms,)) for ms in (300, 301)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s.ok for s in steps)
    assert time.monotonic() - started >= 0.6  # one after the other
    assert stat(client, "tool:sleep", "by_concurrency") > scope_waits
