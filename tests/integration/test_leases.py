"""Never twice, never after the end (runtime/job/fence.py, runtime/recovery/heartbeat.py).

A private stack (agent, llm, two tools workers, beat with a 1 s tick) so that stopping a
worker never disturbs the session stack: a busy worker is not taken for dead; a stopped one
loses its step to the other tools worker and its late result is refused; no job appends an
event after its terminal one, however it ends; a cancel stops a streaming answer.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from runtime import keys
from runtime.broker import tasks
from runtime.broker.app import create_app
from runtime.broker.queues import GPU, TOOLS, priority_lists, queue_depths
from runtime.cli.stack import Child, Stack, worker_command
from runtime.config import get_settings, reset_settings
from runtime.errors import SpecError
from runtime.job import events, store
from runtime.job.client import Client, JobHandle
from runtime.llm.profiles import reset_profiles
from runtime.schemas import EventType, JobResult, JobStatus
from runtime.tools import registry
from runtime.tools.registry import load_tools
from tests.integration.test_chaos import call, logs, wait_until
from tests.support.env import restored_env

pytestmark = [pytest.mark.integration, pytest.mark.chaos]

LEASE_TOOLS = ("gil_hog", "nap")  # tests/support/lease_tools.py

LEASE_ENV = {
    "CELERAGENT_MONITOR_INTERVAL_S": "1",
    "CELERAGENT_FORBID_NETWORK_LLM": "1",
    "CELERAGENT_VISIBILITY_TIMEOUT_S": "600",  # redelivery only through dead-worker detection
    "CELERAGENT_APPROVAL_TOOLS": "",
    "CELERAGENT_TOOL_MODULES": "tests.support.lease_tools",
    "CELERAGENT_MODELS_FILE": str(Path(__file__).parents[1] / "data" / "models.toml"),
}


@pytest.fixture(scope="module")
def lease_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Client]]:
    data_dir = tmp_path_factory.mktemp("leases")
    with restored_env([*LEASE_ENV, "CELERAGENT_REDIS_URL"]):
        os.environ.update(LEASE_ENV)
        os.environ.pop("CELERAGENT_REDIS_URL", None)
        reset_settings()
        reset_profiles()
        # This process validates specs too: its tool registry was loaded before this module
        # set CELERAGENT_TOOL_MODULES. The tools leave it again afterwards, so that tests
        # listing every registered tool never see them.
        load_tools(["tests.support.lease_tools"])
        stack = Stack(data_dir=data_dir, extra_env=dict(LEASE_ENV), queues=("agent", "llm", TOOLS))
        try:
            stack.start(wait=True, timeout_s=120)
            second = Child("tools2", worker_command(TOOLS, get_settings(), "tools2@%h"))
            stack.children["tools2"] = second
            stack._spawn(second)
            _wait_for_node(stack, "tools2", 60)
            with Client(stack.redis_url) as client:
                yield stack, client
        except BaseException:
            print(logs(data_dir))
            raise
        finally:
            stack.stop()
            for name in LEASE_TOOLS:
                registry._TOOLS.pop(name, None)
    reset_settings()
    reset_profiles()


def _wait_for_node(stack: Stack, name: str, timeout_s: float) -> None:
    app = create_app(stack.redis_url or "", include_tasks=False)
    try:
        assert wait_until(
            lambda: any(name in n for reply in app.control.ping(timeout=0.5) for n in reply),
            timeout_s,
        ), f"worker {name} did not start"
    finally:
        app.close()


def holder_of(client: Client, task_id: str) -> str | None:
    """The worker process (`nodename/pid`) holding the task's message now."""
    r = client.redis
    for holder in cast(set[str], r.smembers(keys.WORKERS)):
        if task_id in r.hvals(keys.worker_holding(holder)):
            return holder
    return None


def step_events(client: Client, handle: JobHandle, kind: EventType, step: str) -> int:
    return sum(
        1
        for e in events.read(client.redis, handle.id)
        if e.type is kind and e.data.get("id") == step
    )


def assert_final(client: Client, handle: JobHandle, result: JobResult) -> None:
    """One terminal event, the last; status and steps as the result left them."""
    trail = events.read(client.redis, handle.id)
    terminal = [i for i, e in enumerate(trail) if e.type.terminal]
    assert terminal == [len(trail) - 1], [(e.type.value, e.data.get("id")) for e in trail[-6:]]
    assert handle.status() is result.status
    assert set(store.steps(client.redis, handle.id)) == {s.id for s in result.steps}


# --- busy is not dead -----------------------------------------------------------------------


def test_a_worker_holding_the_gil_for_30_s_is_not_taken_for_dead(lease_stack: Any) -> None:
    stack, client = lease_stack
    plan = {"calls": [call("hog", "gil_hog", {"seconds": 30})]}
    handle = client.submit({"plan": plan, "budget": {"deadline_s": 150}})
    task_id = tasks.job_task_id(handle.id, "tool", "hog")
    assert wait_until(lambda: holder_of(client, task_id) is not None, 30)
    holder = cast(str, holder_of(client, task_id))
    time.sleep(3)  # the spin has begun
    app = create_app(stack.redis_url, include_tasks=False)
    try:
        # Proof that the GIL is held: the worker's own consumer thread cannot answer.
        node = holder.split("/")[0]
        assert not app.control.ping(destination=[node], timeout=3)
    finally:
        app.close()
    alive: list[bool] = []
    while store.get_result(client.redis, handle.id) is None and len(alive) < 240:
        alive.append(bool(client.redis.exists(keys.worker_alive(holder))))
        time.sleep(0.5)
    result = handle.result(timeout=60)
    assert result.status is JobStatus.done and result.steps[0].ok, result
    assert len(alive) > 30 and all(alive), "the busy worker's heartbeat lapsed"
    assert client.redis.hgetall(keys.job_deliveries(handle.id)) == {"hog:1": "1"}
    assert step_events(client, handle, EventType.step_started, "hog") == 1
    assert_final(client, handle, result)


# --- stopped is dead, and its late result is refused ----------------------------------------


def test_a_stopped_worker_loses_its_step_and_its_late_result_is_refused(lease_stack: Any) -> None:
    _stack, client = lease_stack
    channel = f"lease-{time.time_ns()}"
    plan = {
        "calls": [
            call("s", "sleep", {"ms": 8000}),
            call("send", "notify", {"channel": channel, "message": "after s"}, ("s",)),
        ]
    }
    handle = client.submit({"plan": plan, "budget": {"deadline_s": 150}})
    task_id = tasks.job_task_id(handle.id, "tool", "s")
    assert wait_until(lambda: step_events(client, handle, EventType.step_started, "s") == 1, 30)
    holder = cast(str, holder_of(client, task_id))
    pid = int(holder.rsplit("/", 1)[1])
    os.kill(pid, signal.SIGSTOP)
    stopped_at = time.time()
    try:
        result = handle.result(timeout=90)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert result.status is JobStatus.done, (result.status, result.error)
    by_id = {s.id: s for s in result.steps}
    assert by_id["s"].ok and by_id["send"].ok, result.steps
    assert (by_id["s"].started_at or 0) > stopped_at  # it ran again, elsewhere
    # The resumed worker's sleep ended long ago: it tries to record now, and is refused.
    time.sleep(5)
    assert step_events(client, handle, EventType.step_started, "s") == 2
    assert step_events(client, handle, EventType.step_finished, "s") == 1
    assert client.redis.llen(keys.outbox(channel)) == 1  # the side effect happened once
    assert store.get_result(client.redis, handle.id) == result
    assert_final(client, handle, result)


# --- a terminal status is final -------------------------------------------------------------


def _submit_mix(client: Client) -> dict[str, list[JobHandle]]:
    jobs: dict[str, list[JobHandle]] = {k: [] for k in ("done", "cancel", "deadline", "budget")}
    jobs["failed"] = []
    echo = {"calls": [call("e", "echo", {"value": 1})]}
    for i in range(60):
        spec: dict[str, Any] = {"plan": echo, "budget": {"deadline_s": 120}}
        if i % 2:
            spec |= {"query": f"what is one? ({i})", "model": "fake-fast"}
        jobs["done"].append(client.submit(spec))
    naps = {"calls": [call("n1", "nap", {"ms": 1500}), call("n2", "nap", {"ms": 1500}, ("n1",))]}
    for i in range(60):
        handle = client.submit({"plan": naps, "budget": {"deadline_s": 120}})
        time.sleep(0.002 * (i % 20))  # cancelled at every point: queued, running, between
        handle.cancel()
        jobs["cancel"].append(handle)
    for _ in range(50):
        jobs["deadline"].append(client.submit({"plan": naps, "budget": {"deadline_s": 1}}))
    for i in range(40):
        spec = {
            "plan": echo,
            "query": f"explain it ({i})",
            "model": "fake-fast",
            "budget": {"max_tokens": 40},
        }
        jobs["budget"].append(client.submit(spec))
    for i in range(20):
        # The dead model cannot plan: two retries, then the job fails with the reason.
        jobs["failed"].append(client.submit({"query": f"answer ({i})", "model": "dead"}))
    return jobs


def test_no_event_follows_a_terminal_one_however_the_job_ends(lease_stack: Any) -> None:
    _stack, client = lease_stack
    jobs = _submit_mix(client)
    expected = {
        "done": {JobStatus.done},
        "cancel": {JobStatus.cancelled},
        "deadline": {JobStatus.timed_out},
        "budget": {JobStatus.budget_exhausted},
        "failed": {JobStatus.failed},
    }
    results: dict[str, JobResult] = {}
    for kind, handles in jobs.items():
        for handle in handles:
            result = handle.result(timeout=120)
            assert result.status in expected[kind], (kind, result.status, result.error)
            results[handle.id] = result
    time.sleep(5)  # late steps and model calls of ended jobs have had their chance
    for handles in jobs.values():
        for handle in handles:
            assert_final(client, handle, results[handle.id])
    assert len(results) == 230


# --- cancel stops a streaming answer --------------------------------------------------------


def test_cancel_during_a_streaming_answer_stops_the_model(lease_stack: Any) -> None:
    stack, client = lease_stack
    query = " ".join(f"word{i}" for i in range(40))  # the fake model streams it back, 5 words/s
    spec = {
        "plan": {"calls": [call("e", "echo", {"value": "x"})]},
        "query": query,
        "model": "fake-stream",
        "budget": {"deadline_s": 120},
    }
    handle = client.submit(spec)
    tokens = 0
    for event in handle.events(timeout=60):
        if event.type is EventType.token:
            tokens += 1
            if tokens == 3:
                cancelled_at = time.monotonic()
                assert handle.cancel()
                took = time.monotonic() - cancelled_at
                break
    else:
        pytest.fail("the answer never streamed")
    result = handle.result(timeout=10)
    assert result.status is JobStatus.cancelled and took < 5
    time.sleep(3)  # the stream would have gone on for ~8 s
    streamed = sum(1 for e in events.read(client.redis, handle.id) if e.type is EventType.token)
    assert streamed <= tokens + 1  # at most the one in flight when the job ended
    assert "answer_1" not in store.steps(client.redis, handle.id)
    assert_final(client, handle, result)
    log = (stack.data_dir / "logs" / "llm.log").read_text(errors="replace")
    assert re.search(rf"of job {handle.id} stopped: the job has already ended", log), log[-2000:]


# --- specs that cannot run are refused at submit --------------------------------------------


def test_a_model_no_live_worker_serves_is_refused_at_submit(lease_stack: Any) -> None:
    _stack, client = lease_stack
    with pytest.raises(SpecError) as info:
        client.submit({"query": "hello", "model": "local"})  # this stack has no gpu worker
    assert "no live worker consumes it" in str(info.value) and "-Q gpu" in str(info.value)
    assert client.submit({"query": "hello"}).result(timeout=60).status is JobStatus.done


def test_a_model_whose_worker_is_restarting_is_admitted_and_waits_for_it(
    lease_stack: Any,
) -> None:
    """A gpu worker that beat a moment ago (the key its heartbeat writes, set by hand: this
    stack has none) is restarting: a job for its model is admitted and its plan step waits
    in the gpu queue instead of being refused."""
    _stack, client = lease_stack
    assert client.redis.exists(keys.queue_seen("llm"))  # written by the llm worker's heartbeat
    client.redis.set(keys.queue_seen(GPU), "gpu@restarting/1", ex=60)
    try:
        handle = client.submit({"query": "hello", "model": "local"})
        assert wait_until(lambda: queue_depths(client.redis, (GPU,))[GPU] == 1, timeout_s=30)
        assert handle.cancel()
        assert handle.result(timeout=30).status is JobStatus.cancelled
    finally:
        client.redis.delete(keys.queue_seen(GPU), *priority_lists(GPU))
