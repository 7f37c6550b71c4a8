"""Side-effecting tools wait for a human: approve, deny, or let the approval time out."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from runtime import keys
from runtime.errors import SpecError
from runtime.job.client import Client
from runtime.schemas import EventType, JobStatus

pytestmark = pytest.mark.integration


def notify_plan(channel: str) -> dict:
    return {
        "calls": [
            {"id": "total", "name": "calculator", "arguments": {"expression": "19 * 3"}},
            {
                "id": "send",
                "name": "notify",
                "depends_on": ["total"],
                "arguments": {"channel": channel, "message": "the total is ready"},
            },
        ]
    }


def wait_for_approval_request(handle) -> dict:
    for event in handle.events(timeout=30):
        if event.type is EventType.approval_required:
            return event.data
    raise AssertionError("no approval_required event")


def test_an_approved_side_effect_runs_once(client: Client, redis_url: str) -> None:
    channel = f"a{uuid.uuid4().hex[:8]}"
    handle = client.submit({"plan": notify_plan(channel)})
    asked = wait_for_approval_request(handle)
    assert asked["id"] == "send" and asked["arguments"]["channel"] == channel
    assert handle.status() is JobStatus.running
    assert client.redis.llen(keys.outbox(channel)) == 0  # nothing sent before approval

    subprocess.run(
        [".venv/bin/celeragent", "approve", handle.id, "send"],
        env={"CELERAGENT_REDIS_URL": redis_url, "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    result = handle.result(timeout=30)
    assert result.status is JobStatus.done
    assert {s.id: s.ok for s in result.steps} == {"total": True, "send": True}
    assert client.redis.llen(keys.outbox(channel)) == 1
    with pytest.raises(SpecError, match="not waiting for approval"):
        handle.approve("send")  # a decision is final


def test_a_denied_side_effect_is_a_failed_step(client: Client) -> None:
    channel = f"d{uuid.uuid4().hex[:8]}"
    handle = client.submit({"plan": notify_plan(channel)})
    wait_for_approval_request(handle)
    handle.approve("send", approve=False)
    result = handle.result(timeout=30)
    assert result.status is JobStatus.done
    assert "approval denied" in {s.id: s for s in result.steps}["send"].error
    assert client.redis.llen(keys.outbox(channel)) == 0


def test_an_unanswered_approval_times_out_and_the_job_finishes(client: Client) -> None:
    channel = f"t{uuid.uuid4().hex[:8]}"
    handle = client.submit({"plan": notify_plan(channel)})
    wait_for_approval_request(handle)
    result = handle.result(timeout=30)  # nobody answers: the monitor denies it
    assert "not approved in time" in {s.id: s for s in result.steps}["send"].error
    assert client.redis.llen(keys.outbox(channel)) == 0
