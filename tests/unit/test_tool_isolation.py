"""A tool that ignores its timeout fails its step at the timeout and cannot take a shared
thread; the pool keeps its size afterwards; nothing is left running (runtime/tools/isolation.py).

How many calls run at once is shown by a rendezvous, not by timing: each `meet` call leaves
a file and waits until N are there, so N calls succeed only if N ran at the same time.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from runtime.config import reset_settings
from runtime.errors import RetryableError, ToolError
from runtime.job.executor import describe_error, direct_runner, run_with_timeout
from runtime.tools import isolation
from runtime.tools.registry import get_tool
from tests.support import stubborn_tools
from tests.support.env import restored_env

SIZE = 3  # tools_concurrency for these tests: the size each pool must keep
PATIENT_S = 40.0  # a timeout long enough for a rendezvous on a loaded machine


@pytest.fixture(autouse=True)
def small_pools() -> Iterator[None]:
    with restored_env(["CELERAGENT_TOOLS_CONCURRENCY", "CELERAGENT_TOOL_ISOLATION"]):
        os.environ["CELERAGENT_TOOLS_CONCURRENCY"] = str(SIZE)
        os.environ.pop("CELERAGENT_TOOL_ISOLATION", None)
        reset_settings()
        isolation.shutdown()
        stubborn_tools.RELEASE.clear()
        try:
            with stubborn_tools.registered():
                yield
        finally:
            stubborn_tools.RELEASE.set()
            isolation.shutdown()


def call(name: str, timeout_s: float, **arguments: Any) -> Any:
    """One call the way execute_call makes it: the step's timeout around the runner."""
    output, _ = run_with_timeout(lambda: direct_runner(get_tool(name), arguments), timeout_s)
    return output


def meet_all(name: str, folder: Path, n: int) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=n) as callers:
        futures = [
            callers.submit(call, name, PATIENT_S, mode="meet", folder=str(folder), n=n)
            for _ in range(n)
        ]
        return [f.result() for f in futures]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def lane_threads(name: str) -> list[threading.Thread]:
    prefix = f"celeragent-tool:{name}:"
    return [t for t in threading.enumerate() if t.name.startswith(prefix)]


def wait_for(condition: Any, within_s: float = 20.0) -> bool:
    give_up = time.monotonic() + within_s
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def tool_children() -> list[int]:
    """Live child interpreters of this process running tool calls (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and b"tool_process" in cmdline:
            found.append(int(entry.name))
    return found


def warmed() -> None:
    """All SIZE children started: an interpreter start must not eat a short timeout."""
    pool = isolation.processes()
    pool.warm()
    assert wait_for(lambda: len(pool.pids()) == SIZE, within_s=120)


def test_a_process_tool_past_its_timeout_is_killed_and_the_pool_keeps_its_size(
    tmp_path: Path,
) -> None:
    warmed()
    spinner = isolation.processes().pids()[-1]  # the idle child handed out next
    with pytest.raises(TimeoutError) as exc:
        call("stubborn_process", stubborn_tools.TIMEOUT_S, mode="spin", folder=str(tmp_path))
    assert describe_error(exc.value) == (
        "TimeoutError: tool 'stubborn_process' timed out after 2 s (its process was stopped)."
    )
    assert not alive(spinner)  # killed and reaped: no zombie either
    # (On a loaded machine the child may be killed before it even starts spinning.)
    assert {p.name for p in tmp_path.glob("spin-*")} <= {f"spin-{spinner}"}
    met = tmp_path / "meet"
    met.mkdir()
    replies = meet_all("stubborn_process", met, SIZE)
    assert all(r["met"] for r in replies)  # SIZE calls ran at once after the kill
    pids = {r["pid"] for r in replies}
    assert len(pids) == SIZE and spinner not in pids and os.getpid() not in pids
    assert isolation.processes().started == SIZE + 1  # the killed child was replaced once
    isolation.shutdown()
    assert not any(alive(pid) for pid in pids)
    assert wait_for(lambda: not tool_children())  # no tool process outlives the pool


def test_a_thread_tool_past_its_timeout_gives_its_slot_back() -> None:
    with pytest.raises(TimeoutError, match=r"'stubborn' timed out after 2 s \(its thread"):
        call("stubborn", stubborn_tools.TIMEOUT_S, mode="hold")
    tool_lane = isolation.lane(get_tool("stubborn"))
    assert tool_lane.abandoned == 1


def test_the_lane_keeps_its_size_and_refuses_only_that_tool_when_full(tmp_path: Path) -> None:
    for _ in range(SIZE - 1):  # calls that do not return within their timeout
        with pytest.raises(TimeoutError):
            call("stubborn", stubborn_tools.TIMEOUT_S, mode="hold")
    # The lane still runs SIZE calls at once: abandoned calls gave their slots back.
    (tmp_path / "a").mkdir()
    assert all(r["met"] for r in meet_all("stubborn", tmp_path / "a", SIZE))
    with pytest.raises(TimeoutError):
        call("stubborn", stubborn_tools.TIMEOUT_S, mode="hold")
    # SIZE abandoned is the cap: this tool is now refused at once, with a way out ...
    with pytest.raises(ToolError, match=r'still running past their timeout.*isolation="process"'):
        call("stubborn", PATIENT_S, mode="ok")
    # ... and other tools are not affected.
    assert call("echo", PATIENT_S, value="still here") is not None
    held = lane_threads("stubborn")
    assert len(held) <= 3 * SIZE
    assert all(t.daemon for t in held)  # a stuck call cannot keep the worker from exiting
    stubborn_tools.RELEASE.set()  # the held calls return; their threads count again
    assert wait_for(lambda: isolation.lane(get_tool("stubborn")).abandoned == 0)
    assert call("stubborn", PATIENT_S, mode="ok")["pid"] == os.getpid()
    isolation.shutdown()
    assert wait_for(lambda: not lane_threads("stubborn"))  # no thread left behind


def test_a_process_tool_fails_as_it_would_in_a_thread() -> None:
    warmed()
    # A RetryableError stays one (the task retries it); a plain exception is worded as
    # describe_error words it in-thread; a tool may print without corrupting the replies.
    with pytest.raises(RetryableError, match="try again later"):
        call("stubborn_process", PATIENT_S, mode="retry")
    with pytest.raises(ToolError, match="^ValueError: bad value$"):
        call("stubborn_process", PATIENT_S, mode="value")
    served = {call("stubborn_process", PATIENT_S, mode="print")["pid"] for _ in range(SIZE)}
    assert os.getpid() not in served and served <= {*isolation.processes().pids()}
    with pytest.raises(ToolError, match=r"'stubborn_process': its process died \(exit code 3\)"):
        call("stubborn_process", PATIENT_S, mode="exit")
    # The dead child is replaced: a fresh one is started in its place.
    pool = isolation.processes()
    assert wait_for(lambda: len(pool.pids()) == SIZE, within_s=120) and pool.started == SIZE + 1
    # A child that dies while idle costs the call that finds it a retry, not a failed step.
    victim = pool.pids()[-1]  # the next one handed out
    os.kill(victim, signal.SIGKILL)
    # Wait until every thread of it has exited (its pipes closed), without reaping it: a
    # zombie leader alone does not mean its watchdog thread has let go of stdin yet.
    os.waitid(os.P_PID, victim, os.WEXITED | os.WNOWAIT)
    with pytest.raises(RetryableError, match="its idle process had exited"):
        call("stubborn_process", PATIENT_S, mode="ok")
    assert not alive(victim)  # reaped


def test_the_setting_runs_every_tool_in_a_process() -> None:
    os.environ["CELERAGENT_TOOL_ISOLATION"] = "process"
    reset_settings()
    assert call("calculator", PATIENT_S, expression="6 * 7")["result"] == 42
    assert isolation.processes().started >= 1  # it ran in a child
    # A tool that says where it runs is not moved.
    assert call("stubborn", PATIENT_S, mode="ok")["pid"] == os.getpid()


def test_an_invalid_isolation_is_refused_at_registration() -> None:
    from pydantic import BaseModel

    from runtime.tools.base import Tool

    with pytest.raises(ValueError, match="isolation must be"):
        Tool(name="x", description="", args_model=BaseModel, fn=lambda a: a, isolation="fork")


def test_a_forked_process_gets_its_own_lanes_and_tool_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tool = get_tool("stubborn")
    parents_lane, parents_pool = isolation.lane(tool), isolation.processes()
    monkeypatch.setattr(isolation, "_owner", -1)  # as if this process were a fork's child
    assert isolation.lane(tool) is not parents_lane
    assert isolation.processes() is not parents_pool
    assert isolation.lane(tool) is isolation.lane(tool)  # then kept, in this process
