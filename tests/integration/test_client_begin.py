"""A job with an explicit plan is begun by the client (Client.submit -> lifecycle.begin):
no START message, so a stack with no `agent` worker still runs a chain of tool calls to its
end, and runs the members of a first-layer chord, whose join then waits for an agent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime import keys
from runtime.cli.stack import Stack
from runtime.job.client import Client
from runtime.schemas import EventType, JobStatus

pytestmark = pytest.mark.integration


def call(cid: str, expression: str, depends_on: tuple[str, ...] = ()) -> dict:
    return {
        "id": cid,
        "name": "calculator",
        "arguments": {"expression": expression},
        "depends_on": list(depends_on),
    }


@pytest.fixture(scope="module")
def tools_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    data_dir = Path(tmp_path_factory.mktemp("tools-only"))
    stack = Stack(data_dir=data_dir, queues=("tools",), beat=False)
    url = stack.start(wait=True)
    client = Client(url)
    try:
        yield client
    finally:
        client.close()
        stack.stop()


def test_a_chain_runs_to_its_end_without_an_agent_worker(tools_only: Client) -> None:
    plan = {"calls": [call("a", "2 * 3"), call("b", "7 + 1", ("a",)), call("c", "9 - 4", ("b",))]}
    handle = tools_only.submit({"plan": plan})
    result = handle.result(timeout=60)
    assert result.status is JobStatus.done, result.error
    assert [s.output["result"] for s in sorted(result.steps, key=lambda s: s.id)] == [6, 8, 5]
    types = [e.type for e in handle.events()]
    # Adopted with the record: `planned` right after `submitted`, before any step.
    assert types[:3] == [EventType.submitted, EventType.planned, EventType.step_started]
    assert tools_only.redis.llen(keys.job_done(handle.id)) == 1


def test_a_chord_first_layer_leaves_from_the_client_and_waits_for_its_join(
    tools_only: Client,
) -> None:
    plan = {"calls": [call("a", "1 + 1"), call("b", "2 + 2"), call("c", "3 + 3", ("a", "b"))]}
    handle = tools_only.submit({"plan": plan})
    # No agent worker consumes START or the layer's join: the chord's members were sent by
    # the client and run on the tools worker; the dependent call waits for the join.
    deadline = time.monotonic() + 30
    finished: set[str] = set()
    while time.monotonic() < deadline and finished != {"a", "b"}:
        finished = {
            str(e.data["id"])
            for e in handle.events(follow=False)
            if e.type is EventType.step_finished
        }
        time.sleep(0.1)
    assert finished == {"a", "b"}
    time.sleep(0.5)
    assert handle.status() is JobStatus.running
    types = [e.type for e in handle.events(follow=False)]
    assert types[:2] == [EventType.submitted, EventType.planned]
    assert types.count(EventType.step_started) == 2  # c never started: its join has not run
    handle.cancel()
