"""A step delivered again after its worker died: side effects never repeat, poison steps are
dead-lettered, and the CLI lists and retries them. Deliveries are driven directly through the
executor, the code a `tools` worker runs for each delivery, so every case is deterministic."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from runtime import keys
from runtime.config import get_settings
from runtime.job.client import Client
from runtime.job.executor import execute_call
from runtime.recovery.redelivery import dead_letters

pytestmark = pytest.mark.integration


def deliver(client: Client, job_id: str, call: dict, settings=None):
    return execute_call(
        client.redis,
        job_id,
        call,
        settings=settings or get_settings(),
        enqueued_at=None,
        attempt=1,
        max_attempts=1,
    )


def test_a_redelivered_side_effect_is_not_repeated(client: Client) -> None:
    channel = f"c{uuid.uuid4().hex[:8]}"
    call = {"id": "send", "name": "notify", "arguments": {"channel": channel, "message": "hi"}}
    job_id = uuid.uuid4().hex
    first = deliver(client, job_id, call)
    again = deliver(client, job_id, call)  # the message came back: the worker "died" after
    assert first.ok and again == first
    assert client.redis.llen(keys.outbox(channel)) == 1


def test_a_side_effect_interrupted_mid_call_is_not_retried_blindly(client: Client) -> None:
    channel = f"c{uuid.uuid4().hex[:8]}"
    call = {"id": "send", "name": "notify", "arguments": {"channel": channel, "message": "hi"}}
    job_id = uuid.uuid4().hex
    client.redis.hset(keys.job_effects(job_id), "send", "1")  # started, then the worker died
    step = deliver(client, job_id, call)
    assert step.error.startswith("not repeated")
    assert client.redis.llen(keys.outbox(channel)) == 0


def test_a_poison_step_goes_to_the_dead_letters_and_can_be_retried(
    client: Client, redis_url: str
) -> None:
    settings = get_settings().model_copy(update={"max_deliveries": 2})
    call = {"id": "calc", "name": "calculator", "arguments": {"expression": "6 * 7"}}
    job_id = uuid.uuid4().hex
    key = keys.job_deliveries(job_id)
    client.redis.hset(key, "calc:1", 2)  # two deliveries already died with their workers
    step = deliver(client, job_id, call, settings)
    assert step.error.startswith("poison step")
    newest = dead_letters(client.redis, limit=1)[0]
    assert newest["job_id"] == job_id and newest["call"] == call

    env = {"CELERAGENT_REDIS_URL": redis_url, "PATH": "/usr/bin:/bin"}
    listed = subprocess.run(
        [".venv/bin/celeragent", "dead-letters", "--json", "--limit", "1"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(listed.stdout)[0]["job_id"] == job_id
    retried = subprocess.run(
        [".venv/bin/celeragent", "dead-letters", "--retry", "0"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result = client.job(retried.stdout.strip()).result(timeout=30)
    assert result.status.value == "done" and result.steps[0].output["result"] == 42
