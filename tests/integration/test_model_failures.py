"""A remote model over real HTTP, and every way a model step can go wrong: each ends with a
clear error or a recorded fallback, never a hung job."""

from __future__ import annotations

import pytest

from runtime.job.client import Client
from runtime.schemas import EventType, JobStatus
from tests.support.openai_server import OpenAITestServer

pytestmark = pytest.mark.integration


def with_plan(query: str, model: str) -> dict:
    calls = [{"id": "c", "name": "calculator", "arguments": {"expression": "5 * 5"}}]
    return {"query": query, "model": model, "plan": {"calls": calls}}


@pytest.fixture
def server(openai_server: OpenAITestServer) -> OpenAITestServer:
    openai_server.reset()
    return openai_server


def test_a_remote_model_streams_its_answer_over_sse(client: Client, server) -> None:
    server.reset(reply="Twenty five, from the remote model.")
    handle = client.submit(with_plan("What is 5 squared? (remote)", "remote-test"))
    seen = list(handle.events(timeout=30))
    result = handle.result(timeout=5)
    assert result.status is JobStatus.done
    assert result.answer == "Twenty five, from the remote model."
    tokens = [e.data["text"] for e in seen if e.type is EventType.token]
    assert len(tokens) > 1 and "".join(tokens) == result.answer  # streamed, not one blob
    assert result.models == ["remote-test"] and result.usage.cost_usd > 0
    sent = server.requests[-1]
    assert "5 * 5" in str(sent.body) or "25" in str(sent.body)  # tool output reached the prompt


def test_server_errors_are_retried_with_backoff(client: Client, server) -> None:
    server.reset(reply="Recovered.", fail_status=503, fail_times=2)
    result = client.submit(with_plan("What is 5 squared? (flaky)", "remote-test")).result(
        timeout=30
    )
    assert result.status is JobStatus.done and result.answer == "Recovered."
    assert len(server.requests) == 3


def test_a_rejected_api_key_fails_the_job_with_a_clear_error(client: Client, server) -> None:
    server.reset(require_key="a-different-key")
    result = client.submit(with_plan("What is 5 squared? (401)", "remote-test")).result(timeout=30)
    assert result.status in (JobStatus.failed, JobStatus.degraded)
    assert "CELERAGENT_TEST_REMOTE_KEY" in result.error or "401" in result.error


def test_a_prompt_larger_than_the_window_fails_with_a_clear_error(client: Client) -> None:
    spec = with_plan("Please explain " + "in great detail " * 60, "tiny")
    result = client.submit(spec).result(timeout=30)
    assert result.status is JobStatus.failed
    assert "window" in result.error and "tokens" in result.error


def test_a_model_that_never_returns_valid_json_falls_back_to_a_plan(client: Client) -> None:
    result = client.submit({"query": "What is 12 * 12?", "model": "garbage"}).result(timeout=30)
    assert result.status is JobStatus.done
    plan_step = [s for s in result.steps if s.kind == "plan"][0]
    assert plan_step.output["source"] == "fallback"
    assert "not valid JSON" in plan_step.error
    tool_steps = [s for s in result.steps if s.kind == "tool"]
    assert [s.output["result"] for s in tool_steps] == [144]
