"""A tool that ignores its timeout, run as a `tools` worker runs it (executor.execute_call on
the real Redis): the step is recorded failed at the timeout with a sentence that says so."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from runtime import keys
from runtime.config import get_settings, reset_settings
from runtime.job.client import Client
from runtime.job.executor import execute_call
from runtime.tools import isolation
from tests.support import stubborn_tools
from tests.support.env import restored_env

pytestmark = pytest.mark.integration


@pytest.fixture
def pools() -> Iterator[None]:
    with restored_env(["CELERAGENT_TOOLS_CONCURRENCY"]):
        os.environ["CELERAGENT_TOOLS_CONCURRENCY"] = "2"
        reset_settings()
        isolation.shutdown()
        stubborn_tools.RELEASE.clear()  # an earlier test may have set it
        try:
            with stubborn_tools.registered():
                yield
        finally:
            stubborn_tools.RELEASE.set()
            isolation.shutdown()


@pytest.mark.parametrize(
    ("tool", "mode", "how"),
    [("stubborn", "hold", "its thread is left to finish"),
     ("stubborn_process", "spin", "its process was stopped")],
)  # fmt: skip
def test_a_step_past_its_tool_timeout_is_recorded_failed(
    client: Client, pools: None, tool: str, mode: str, how: str
) -> None:
    if tool == "stubborn_process":
        pool = isolation.processes()
        pool.warm()  # an interpreter start is not what this test times
        assert _eventually(lambda: len(pool.pids()) == pool.size)
    job_id = uuid.uuid4().hex
    call = {"id": "s", "name": tool, "arguments": {"mode": mode}}
    step = execute_call(
        client.redis, job_id, call, settings=get_settings(),
        enqueued_at=None, attempt=1, max_attempts=1,
    )  # fmt: skip
    expected = f"TimeoutError: tool {tool!r} timed out after 2 s ({how})."
    assert step.error == expected and step.output is None
    recorded = json.loads(client.redis.hget(keys.job_steps(job_id), "s"))
    assert recorded["error"] == expected


def _eventually(condition: Callable[[], bool], within_s: float = 120.0) -> bool:
    give_up = time.monotonic() + within_s
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.05)
    return False
