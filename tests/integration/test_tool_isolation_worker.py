"""End to end on real `agent` and `tools` workers (a stack of its own, whose tools worker
loads the stubborn test tools and runs 3 calls at once): a tool that ignores its timeout
fails its step at the timeout, then the worker still runs 3 calls of it at once (a
rendezvous, not a timing); and stopping the worker leaves no tool process behind."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime.cli.stack import Stack
from runtime.job.client import Client
from runtime.schemas import JobSpec
from tests.conftest import STACK_ENV
from tests.support import stubborn_tools

pytestmark = pytest.mark.integration

SIZE = 3


def tool_processes(parent: int | None = None) -> list[int]:
    """Live tool-process interpreters (children of `parent` when given), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ours = parent is None or int(fields[1]) == parent
        if ours and fields[0] != "Z" and b"runtime.tools.tool_process" in cmdline:
            found.append(int(entry.name))
    return found


def wait_for(condition: Any, within_s: float = 120.0) -> bool:
    give_up = time.monotonic() + within_s
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


@pytest.fixture(scope="module")
def tools_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, int]]:
    env = {
        **STACK_ENV,
        "CELERAGENT_TOOL_MODULES": "tests.support.stubborn_tools",
        "CELERAGENT_TOOLS_CONCURRENCY": str(SIZE),
    }
    stack = Stack(data_dir=tmp_path_factory.mktemp("tools-stack"), queues=("agent", "tools"))
    stack.beat = False
    stack.extra_env = env
    stack.start(wait=True, timeout_s=180)
    try:
        worker = stack.children["tools"].process
        assert worker is not None
        # worker_ready starts the tool processes; an interpreter start is not what is tested.
        assert wait_for(lambda: len(tool_processes(worker.pid)) == SIZE)
        yield stack, worker.pid
    finally:
        stack.stop()


def _plan(*calls: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"calls": [{"id": f"c{i}", "name": n, "arguments": a} for i, (n, a) in enumerate(calls)]}


@pytest.mark.parametrize(
    ("stuck", "mode", "patient"),
    [("stubborn_process", "spin", "patient_process"), ("stubborn", "hold", "patient")],
)
def test_a_stuck_tool_fails_its_step_and_the_worker_keeps_its_size(
    tools_stack: tuple[Stack, int], tmp_path: Path, stuck: str, mode: str, patient: str
) -> None:
    stack, worker = tools_stack
    how = "its process was stopped" if mode == "spin" else "its thread is left to finish"
    with Client(stack.redis_url) as client, stubborn_tools.registered():  # the client checks
        # A call with a long timeout first: a tool process is ready (started, tools loaded).
        ready = client.submit(JobSpec(plan=_plan((patient, {})))).result(timeout=120)
        assert ready.steps[0].error is None
        before = set(tool_processes(worker))
        job = client.submit(JobSpec(plan=_plan((stuck, {"mode": mode}))))
        step = job.result(timeout=120).steps[0]
        assert step.error == f"TimeoutError: tool {stuck!r} timed out after 2 s ({how})."
        # Then SIZE calls at once (each waits for the others) on the same worker.
        meet = {"mode": "meet", "folder": str(tmp_path), "n": SIZE}
        met = client.submit(JobSpec(plan=_plan(*[(patient, meet)] * SIZE))).result(timeout=120)
    assert [s.error for s in met.steps] == [None] * SIZE
    assert all(s.output["met"] for s in met.steps)
    if mode == "spin":  # the shared process pool: one child killed, one new, SIZE in all
        after = set(tool_processes(worker))
        assert len(after) == SIZE and len(before - after) == 1
        assert {s.output["pid"] for s in met.steps} == after


def test_stopping_the_worker_leaves_no_tool_process(tools_stack: tuple[Stack, int]) -> None:
    """Last in this module: it stops the module's stack (stopping twice is harmless)."""
    stack, worker = tools_stack
    children = tool_processes(worker)
    assert len(children) == SIZE
    stack.stop()
    assert wait_for(lambda: not set(children) & set(tool_processes()), within_s=30)
