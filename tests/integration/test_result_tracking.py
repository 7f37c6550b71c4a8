"""Celery's result tracking must not grow with traffic (runtime/broker/result_backend.py): no
result channel stays subscribed after jobs with layers of several calls ran, in a worker or in
a client, and `AsyncResult.get()` from a client still works; the raw baseline's tasks carry
none of the runtime's per-message records."""

from __future__ import annotations

import pytest

from runtime.broker.app import create_app
from runtime.broker.tasks import RAW_SLEEP
from runtime.cli.traffic import Traffic
from runtime.job.client import Client
from runtime.schemas import JobStatus

pytestmark = pytest.mark.integration


def result_channels(client: Client) -> list[str]:
    return [str(c) for c in client.redis.pubsub_channels("celery-task-meta-*")]


def test_no_result_channel_stays_subscribed_after_fan_out_layers(client: Client) -> None:
    calls = [
        {"id": f"c{i}", "name": "calculator", "arguments": {"expression": f"{i} + 1"}}
        for i in range(4)
    ]
    handles = [client.submit({"plan": {"calls": calls}}) for _ in range(3)]
    for handle in handles:
        assert handle.result(timeout=60).status is JobStatus.done
    # With Celery's own backend the agent worker held one subscription per chord member
    # (12 here, when layers were chords) and the client one per submitted job; the client
    # still sends each job's first layer as a group, whose members it must not track.
    assert result_channels(client) == []


def test_a_client_can_still_wait_on_a_celery_result(client: Client) -> None:
    app = create_app(client.redis_url, include_tasks=False)
    try:
        result = app.send_task(RAW_SLEEP, args=[1], queue="tools")
        assert result.get(timeout=30) is not None
    finally:
        app.close()
    assert result_channels(client) == []


def test_raw_baseline_tasks_leave_no_worker_record(client: Client) -> None:
    # The benchmarks' raw tasks stand for Celery alone (runtime/broker/transport.py): no hold is
    # recorded for them, while a runtime tool task's is.
    app = create_app(client.redis_url, include_tasks=False)
    try:
        with Traffic(client.redis_url) as raw:
            sent = [app.send_task(RAW_SLEEP, args=[1], queue="tools") for _ in range(10)]
            for result in sent:
                result.get(timeout=30)
    finally:
        app.close()
    plan = {"plan": {"calls": [{"id": "s", "name": "sleep", "arguments": {"ms": 1}}]}}
    with Traffic(client.redis_url) as ours:
        for _ in range(3):
            assert client.submit(plan).result(timeout=30).status is JobStatus.done
    # The shared stack's own tasks (the monitor's tick) may be recorded meanwhile, a few
    # at most: ten raw tasks recorded would be ten more.
    assert raw.commands.get(("liveness", "HSET"), 0) < 10
    assert ours.commands.get(("liveness", "HSET"), 0) >= 3
