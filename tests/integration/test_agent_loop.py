"""Model steps and caches in real jobs: planning, answering, streaming, caching."""

from __future__ import annotations

import json
import time

import pytest

from runtime.errors import SpecError
from runtime.job.client import Client
from runtime.schemas import EventType, JobStatus

pytestmark = pytest.mark.integration


def test_a_repeated_dag_is_served_from_the_tool_cache(client: Client) -> None:
    plan = {
        "calls": [
            {"id": "x", "name": "calculator", "arguments": {"expression": "12345 * 6789"}},
            {
                "id": "y",
                "name": "echo",
                "arguments": {"value": {"$ref": "x.result"}},
                "depends_on": ["x"],
            },
        ]
    }
    first = client.submit({"plan": plan}).result(timeout=30)
    handle = client.submit({"plan": plan})
    second = handle.result(timeout=30)
    assert first.answer == second.answer == json.dumps({"y": {"value": 12345 * 6789}})
    assert all(s.cached for s in second.steps)
    started = [e for e in handle.events(follow=False) if e.type is EventType.step_started]
    assert started == []  # a fully cached DAG runs no tool task at all


def test_a_query_with_a_plan_is_answered_by_the_model_with_streamed_tokens(
    client: Client,
) -> None:
    spec = {
        "query": "What is the total?",
        "model": "fake-fast",
        "plan": {"calls": [{"id": "t", "name": "calculator", "arguments": {"expression": "40+2"}}]},
    }
    handle = client.submit(spec)
    seen = list(handle.events(timeout=30))
    result = handle.result(timeout=5)
    assert result.status is JobStatus.done
    tokens = "".join(e.data["text"] for e in seen if e.type is EventType.token)
    assert tokens and tokens == result.answer
    assert result.models == ["fake-fast"]
    assert result.usage.llm_calls == 1 and result.usage.completion_tokens > 0
    kinds = [s.kind for s in result.steps]
    assert kinds == ["tool", "answer"]


def test_a_bare_question_is_planned_then_answered(client: Client) -> None:
    result = client.submit({"query": "Compute 6 * 7 please", "model": "fake-fast"}).result(
        timeout=30
    )
    assert result.status is JobStatus.done
    # The fake model answers {"calls": []} to planning: no tools, straight to the answer.
    assert [s.kind for s in result.steps] == ["plan", "answer"]
    assert result.steps[0].output["source"] == "model"
    assert result.answer


def test_an_unknown_model_is_refused_at_submit(client: Client) -> None:
    with pytest.raises(SpecError, match="unknown model 'gpt-17'"):
        client.submit({"query": "hi", "model": "gpt-17"})


def _wait_until_remembered(client: Client, question: str, timeout_s: float = 30.0) -> None:
    """Until an agent worker has stored this question's answer in the semantic cache."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for key in client.redis.scan_iter(match="ca:cache:sem:*:e:*", count=1000):
            if question in str(client.redis.hgetall(key) or client.redis.get(key) or ""):
                return
        time.sleep(0.2)
    raise AssertionError(f"{question!r} was not remembered within {timeout_s} s")


def test_a_reworded_question_is_answered_from_the_semantic_cache(client: Client) -> None:
    question = "What is the capital city of Australia?"
    first = client.submit({"query": question}).result(timeout=60)
    assert first.status is JobStatus.done and first.usage.llm_calls >= 1
    _wait_until_remembered(client, question)  # by an agent worker, after the job

    again = client.submit({"query": "what's the capital city of Australia"}).result(timeout=60)
    assert again.status is JobStatus.done
    assert again.answer == first.answer
    assert again.usage.llm_calls == 0
    assert [s.id for s in again.steps] == ["semantic_cache"]

    other = client.submit({"query": "What is the capital city of Austria?"}).result(timeout=60)
    assert other.usage.llm_calls >= 1  # a different entity is never served the cached answer


def test_a_utc_date_call_is_answered_by_its_substitute_without_a_task(client: Client) -> None:
    plan = {"calls": [{"id": "now", "name": "current_date", "arguments": {}}]}
    handle = client.submit({"plan": plan})
    result = handle.result(timeout=30)
    step = result.steps[0]
    assert step.substituted and step.ok and step.output["timezone"] == "UTC"
    assert not [e for e in handle.events(follow=False) if e.type is EventType.step_started]
