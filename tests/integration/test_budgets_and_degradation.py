"""Budgets hold exactly, caches save money, degradation sheds load, failures fall back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from runtime import keys
from runtime.errors import SpecError
from runtime.guard import degrade, metrics
from runtime.guard.budget import tenant_spent
from runtime.job.client import Client
from runtime.schemas import JobStatus
from tests.conftest import TENANT_LIMIT_USD

pytestmark = pytest.mark.integration


def one_call(expression: str = "1 + 1") -> dict:
    return {"calls": [{"id": "c", "name": "calculator", "arguments": {"expression": expression}}]}


def test_a_plan_longer_than_its_step_budget_is_refused_at_submit(client: Client) -> None:
    # Accepted, it could only end budget_exhausted before running anything.
    plan = {"calls": [{"id": f"s{i}", "name": "sleep", "arguments": {"ms": 1}} for i in range(3)]}
    before = client.redis.zcard(keys.JOBS_INDEX)
    with pytest.raises(SpecError, match="max_steps is 2"):
        client.submit({"plan": plan, "budget": {"max_steps": 2}})
    assert client.redis.zcard(keys.JOBS_INDEX) == before  # nothing recorded or queued


def test_concurrent_jobs_never_overshoot_a_tenant_budget(client: Client) -> None:
    def run(i: int):
        spec = {
            "query": f"question {i}: what is the total?",
            "model": "fake-fast",
            "tenant": "capped",
            "plan": one_call(f"{i} + 1"),
            # The burst queues up to 30 answer steps on `llm` at once. A deadline that a long
            # queue cannot break keeps admission's wait estimate (tests/unit/test_admission.py)
            # from refusing some of them here, where the budget is what is tested.
            "budget": {"deadline_s": 900},
        }
        return client.submit(spec).result(timeout=60)

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(run, range(30)))
    statuses = [r.status for r in results]
    assert JobStatus.done in statuses and JobStatus.budget_exhausted in statuses
    assert set(statuses) <= {JobStatus.done, JobStatus.budget_exhausted}
    refused = [r for r in results if r.status is JobStatus.budget_exhausted]
    assert all("tenant" in r.error for r in refused)
    spent = tenant_spent(client.redis, "capped")
    assert 0 < spent <= TENANT_LIMIT_USD
    assert spent == pytest.approx(sum(r.usage.cost_usd for r in results), rel=1e-6)


def test_a_repeated_prompt_is_answered_from_the_prompt_cache(client: Client) -> None:
    spec = {"query": "Explain the result briefly", "model": "fake-fast", "plan": one_call("7*6")}
    first = client.submit(spec).result(timeout=30)
    second = client.submit(spec).result(timeout=30)
    assert first.answer == second.answer
    assert first.usage.llm_calls == 1 and first.usage.cost_usd > 0
    assert second.usage.llm_calls == 0 and second.usage.cost_usd == 0
    assert [s.cached for s in second.steps if s.kind == "answer"] == [True]


def test_level_two_sheds_low_priority_jobs_with_a_canned_reply(client: Client) -> None:
    degrade.force_level(client.redis, degrade.CANNED, "test: forced")
    try:
        low = client.submit({"query": "hello there", "priority": 1, "model": "fake-fast"})
        high = client.submit({"query": "hello there", "priority": 9, "model": "fake-fast"})
        shed, kept = low.result(timeout=20), high.result(timeout=20)
    finally:
        degrade.release(client.redis, "test: done")
        degrade.set_level(client.redis, degrade.NORMAL, "test: restored")
    assert shed.status is JobStatus.degraded
    assert low.id in shed.answer and shed.usage.llm_calls == 0
    assert kept.status is JobStatus.done and kept.usage.llm_calls >= 1


def test_a_failing_model_falls_back_to_the_fastest_other_one(client: Client) -> None:
    spec = {"query": "What is it?", "model": "dead", "plan": one_call("2+2")}
    result = client.submit(spec).result(timeout=60)
    assert result.status is JobStatus.done
    answer = [s for s in result.steps if s.kind == "answer"][-1]
    assert answer.output["fallback_from"]["model"] == "dead"
    assert "fake-fast" in result.models and result.answer


def test_steps_and_model_calls_are_in_the_live_metrics(client: Client) -> None:
    client.submit({"query": "numbers?", "model": "fake-fast", "plan": one_call("3*3")}).result(
        timeout=30
    )
    snap = metrics.snapshot(client.redis, 300)
    assert snap.kinds["tool"].count > 0
    assert snap.kinds["llm"].count > 0
    assert snap.jobs.count > 0
