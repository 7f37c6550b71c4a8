"""A job with an explicit plan is begun by the client (Client.submit -> lifecycle.begin):
no START message, and a layer of several calls joins itself (its last member to record
advances the job), so a stack with no `agent` worker runs a tool-only plan to its end."""

from __future__ import annotations

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


def test_a_fan_out_joins_itself_once_without_an_agent_worker(tools_only: Client) -> None:
    fan = [call(f"f{i}", f"{i} + 1") for i in range(6)]
    after = [call(f"g{i}", f"{i} * 10", tuple(c["id"] for c in fan)) for i in range(2)]
    handle = tools_only.submit({"plan": {"calls": [*fan, *after]}})
    result = handle.result(timeout=60)
    # No agent worker: no JOIN task could have run; the members joined their layer.
    assert result.status is JobStatus.done, result.error
    outputs = {s.id: s.output["result"] for s in result.steps}
    assert outputs == {**{f"f{i}": i + 1 for i in range(6)}, "g0": 0, "g1": 10}
    events = list(handle.events(follow=False))
    started = [str(e.data["id"]) for e in events if e.type is EventType.step_started]
    # The layer advanced exactly once: each call of the next layer was sent (and started)
    # once, and only after every member of the fan-out was recorded.
    assert sorted(started) == sorted(outputs)
    order = [(e.type, str(e.data.get("id"))) for e in events]
    last_fan = max(order.index((EventType.step_finished, c["id"])) for c in fan)
    first_after = min(order.index((EventType.step_started, c["id"])) for c in after)
    assert last_fan < first_after
    assert tools_only.redis.llen(keys.job_done(handle.id)) == 1
