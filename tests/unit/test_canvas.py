"""runtime/job/canvas.py: layers become Celery signatures; nothing is sent."""

from __future__ import annotations

import pytest
from celery import chain, chord, group
from celery.canvas import Signature

from runtime.broker import tasks
from runtime.broker.queues import AGENT, TOOLS
from runtime.job import canvas


def links_of(sig: Signature) -> list[Signature]:
    link = sig.options.get("link")
    if link is None:
        return []
    return list(link) if isinstance(link, list | tuple) else [link]


@pytest.mark.parametrize(("user", "broker"), [(9, 0), (0, 9), (5, 4), (7, 2), (42, 0), (-3, 9)])
def test_broker_priority_inverts_and_clamps(user: int, broker: int) -> None:
    assert canvas.broker_priority(user) == broker


def test_one_call_layer_is_a_plain_tool_task_that_joins_itself() -> None:
    call = {"id": "a", "name": "echo", "arguments": {"value": 1}}
    sig = canvas.layer_canvas("job1", 2, [call], priority=9)
    assert not isinstance(sig, chord | group)
    assert sig.task == tasks.TOOL
    assert sig.options["queue"] == TOOLS
    assert sig.options["priority"] == 0
    assert sig.immutable
    job_id, layer, sent_call, meta = sig.args
    assert (job_id, layer, sent_call) == ("job1", 2, call)
    assert isinstance(meta["enqueued_at"], float)
    # No join task: the tool task advances the job itself (one Celery hop fewer).
    assert meta["layer_calls"] == ["a"]
    assert not links_of(sig)


def test_multi_call_layer_is_a_plain_group_whose_members_join_it() -> None:
    calls = [{"id": f"c{i}", "name": "sleep", "arguments": {"ms": i}} for i in range(3)]
    sig = canvas.layer_canvas("job2", 0, calls, priority=0)
    # A group, not a chord: no join task, no chord counter; the member whose record
    # completes the layer advances the job (executor.run_call, workers/tools.py).
    assert isinstance(sig, group)
    assert not isinstance(sig, chord)
    members = list(sig.tasks)
    assert [t.args[2] for t in members] == calls  # plan order is kept
    for task in members:
        assert task.task == tasks.TOOL
        assert task.options["queue"] == TOOLS
        assert task.options["priority"] == 9
        assert task.immutable  # a tool task never receives a previous result
        assert task.args[:2] == ("job2", 0)
        assert task.args[3]["layer_calls"] == ["c0", "c1", "c2"]  # every member knows the layer
        assert not links_of(task)
        assert "chord" not in task.options


def test_join_signature_still_serves_an_older_dispatchers_chords() -> None:
    body = canvas.join_signature("job2", 4, priority=0)
    assert body.task == tasks.JOIN
    assert tuple(body.args) == ("job2", 4)
    assert body.options["queue"] == AGENT
    assert body.options["priority"] == 9
    assert not body.immutable  # a chord hands it the header's results


def test_empty_layer_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one call"):
        canvas.layer_canvas("job", 0, [], priority=5)


def test_signatures_are_json_serialisable() -> None:
    import json

    sig = canvas.layer_canvas("j", 0, [{"id": "a"}, {"id": "b"}], priority=5)
    json.dumps(sig)  # Messages are JSON only.


def test_raw_canvas_is_a_chain_of_plain_tasks_and_chords() -> None:
    flow = canvas.raw_canvas([1, 3, 1, 2], ms=7)
    assert isinstance(flow, chain)
    parts = list(flow.tasks)
    assert [isinstance(p, chord) for p in parts] == [False, True, False, True]

    for single in (parts[0], parts[2]):
        assert single.task == tasks.RAW_SLEEP
        assert tuple(single.args) == (7,)
        assert single.options["queue"] == TOOLS
        assert single.immutable

    for chord_part, size in ((parts[1], 3), (parts[3], 2)):
        members = list(chord_part.tasks)
        assert len(members) == size
        assert all(m.task == tasks.RAW_SLEEP and tuple(m.args) == (7,) for m in members)
        assert all(m.options["queue"] == TOOLS and m.immutable for m in members)
        assert chord_part.body.task == tasks.RAW_JOIN
        assert chord_part.body.options["queue"] == AGENT


def test_raw_canvas_single_layer() -> None:
    flow = canvas.raw_canvas([1], ms=1)
    assert [p.task for p in flow.tasks] == [tasks.RAW_SLEEP]


def test_a_message_describes_its_arguments_by_ids() -> None:
    # Celery would saferepr the whole arguments; the runtime names them by a few ids.
    calls = [{"id": f"c{i}", "name": "echo", "arguments": {"value": "x" * 500}} for i in range(2)]
    sig = canvas.layer_canvas("job3", 1, calls, priority=5)
    member = list(sig.tasks)[0]
    assert member.options["argsrepr"] == "('job3', 1, 'c0', 'echo')"
    assert member.options["kwargsrepr"] == "{}"
    assert canvas.join_signature("job3", 1, 5).options["argsrepr"] == "('job3', 1)"


def test_tasks_carry_shadow_names_that_say_what_runs() -> None:
    """Flower and worker logs list `tools.run[calculator]`, not one name for every tool."""
    calls = [
        {"id": "a", "name": "calculator", "arguments": {"expression": "1+1"}},
        {"id": "b", "name": "echo", "arguments": {"value": 1}},
    ]
    one = canvas.layer_canvas("job1", 0, calls[:1], priority=5)
    assert one.options["shadow"] == "tools.run[calculator]"
    assert one.task == tasks.TOOL  # routing and registration keep the real name
    both = canvas.layer_canvas("job1", 3, calls, priority=5)
    assert [m.options["shadow"] for m in both.tasks] == ["tools.run[calculator]", "tools.run[echo]"]
    assert canvas.join_signature("job1", 3, 5).options["shadow"] == "agent.join[layer 3]"
    assert tasks.shadow(tasks.PLAN, "local") == "llm.plan[local]"
