"""Where a tool call runs so that its timeout holds: its own thread lane, or a killable process.

Python cannot stop a thread. Before this module every call ran on one shared pool of 64
threads: a tool that ignored its timeout kept its thread for good, and 64 such calls stopped
every tool in the worker. Now:

- `thread` (the default, `CELERAGENT_TOOL_ISOLATION`): each tool has its own lane of threads,
  of which at most `tools_concurrency` run calls that are within their timeout. A call past
  its timeout fails its step at once; its thread is left to finish but no longer counts
  against the lane, so the lane keeps its size. At most `tools_concurrency` such abandoned
  threads per tool: then that tool's calls are refused at once (only that tool's),
  with a sentence saying to isolate it in a process. Cost: a thread handoff per call
  (ops/bench/tool_isolation.py measures it).
- `process` (`@tool(..., isolation="process")`, or the setting for every tool): the call runs
  in a child interpreter (`runtime/tools/tool_process.py`) over JSON lines on its
  stdin/stdout; at the timeout the child is killed (SIGKILL) and reaped and a fresh one is
  started, so nothing survives the timeout and the pool keeps its size. Children are
  `subprocess` interpreters, not `multiprocessing` ones: no pickling, no fork of a threaded
  worker. Cost: a JSON round trip per call, plus an interpreter start after each kill.

`deadline(s)` bounds everything run inside it (runtime/job/executor.py run_with_timeout sets
the step's timeout): the tool gets what is left, so a step that first waited on the tool
cache still ends on time.
"""

from __future__ import annotations

import contextvars
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import Any

from runtime.config import get_settings
from runtime.errors import ToolError
from runtime.tools.base import Tool
from runtime.tools.process_pool import ProcessPool, timed_out
from runtime.tools.registry import all_tools

THREAD, PROCESS = "thread", "process"

_deadline: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "celeragent_tool_deadline", default=None
)


@contextmanager
def deadline(timeout_s: float) -> Iterator[None]:
    """Calls made through `run_tool` in this block end within `timeout_s` of its start."""
    token = _deadline.set((time.monotonic() + timeout_s, timeout_s))
    try:
        yield
    finally:
        _deadline.reset(token)


def _budget(tool: Tool) -> tuple[float, float]:
    """(seconds left for this call, the timeout to name in its error): what is left of the
    enclosing deadline (the step's, which executor sets to the tool's timeout), else the
    tool's own timeout (a prefetch)."""
    bound = _deadline.get()
    if bound is None:
        own = tool.timeout_s or get_settings().tool_timeout_s
        return own, own
    return bound[0] - time.monotonic(), bound[1]


class DaemonThreads:
    """A minimal thread pool of daemon threads, made on demand up to `most` and reused.

    Not concurrent.futures.ThreadPoolExecutor: its threads are joined at interpreter exit,
    so one call stuck past its timeout kept a worker from stopping (seen: a tools worker
    waiting out its stop timeout until SIGKILL). A daemon thread dies with the process."""

    def __init__(self, name: str, most: int) -> None:
        self.name, self.most = name, most
        self._work: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self.threads = 0

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        self._work.put((future, fn))
        if not self._idle.acquire(timeout=0):  # no idle thread will take it: make one
            with self._lock:
                if self.threads < self.most:
                    self.threads += 1
                    name = f"celeragent-tool:{self.name}:{self.threads}"
                    threading.Thread(target=self._serve, name=name, daemon=True).start()
        return future

    def _serve(self) -> None:
        while (item := self._work.get()) is not None:
            future, fn = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn())
                except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                    future.set_exception(exc)
            del item, future, fn
            self._idle.release()
        with self._lock:
            self.threads -= 1

    def close(self) -> None:
        """Idle threads exit now, busy ones after their call."""
        with self._lock:
            count = self.threads
        for _ in range(count):
            self._work.put(None)


class Lane:
    """One tool's threads: `size` calls within their timeout, plus up to `size` abandoned."""

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size
        self._slots = threading.BoundedSemaphore(size)
        # Reentrant: add_done_callback runs _returned at once, under this lock, if the call
        # finished just after the timeout.
        self._lock = threading.RLock()
        self.abandoned = 0
        # Admission allows `size` running calls while fewer than `size` are abandoned, so at
        # most 2 * size - 1 abandoned plus size running threads: the executor never queues.
        # Threads are made on demand, so a well-behaved tool uses only its peak concurrency.
        self._executor = DaemonThreads(name, 3 * size)

    def run(self, tool: Tool, fn: Callable[[], Any], left_s: float, timeout_s: float) -> Any:
        start = time.monotonic()
        with self._lock:
            if self.abandoned >= self.size:
                raise ToolError(
                    f"tool {tool.name!r} is refused: {self.size} of its calls are still running "
                    "past their timeout, the most one tool may leave behind; it ignores its "
                    'timeout, so run it with @tool(..., isolation="process").'
                )
        if left_s <= 0 or not self._slots.acquire(timeout=left_s):
            raise timed_out(tool, timeout_s, "waiting for a free thread")
        future: Future[Any] = self._executor.submit(fn)
        try:
            return future.result(timeout=max(0.0, left_s - (time.monotonic() - start)))
        except FutureTimeout:
            with self._lock:
                finished = future.done()  # it may have finished since the wait gave up
                if not finished:
                    self.abandoned += 1
                    future.add_done_callback(self._returned)
            if finished:
                return future.result()
            raise timed_out(tool, timeout_s, "its thread is left to finish") from None
        finally:
            self._slots.release()  # an abandoned call no longer holds a slot: the size holds

    def _returned(self, _: Future[Any]) -> None:
        with self._lock:
            self.abandoned -= 1

    def close(self) -> None:
        self._executor.close()


_lanes: dict[str, Lane] = {}
_processes: ProcessPool | None = None
_owner = os.getpid()
_lock = threading.Lock()


def _forked() -> None:
    """After a fork (a prefork pool) the lanes' threads and the children's pipes belong to
    the parent: this process starts its own. Called with _lock held."""
    global _processes, _owner
    if _owner != os.getpid():
        _lanes.clear()
        _processes = None
        _owner = os.getpid()


def lane(tool: Tool) -> Lane:
    with _lock:
        _forked()
        found = _lanes.get(tool.name)
        if found is None:
            found = _lanes[tool.name] = Lane(tool.name, get_settings().tools_concurrency)
        return found


def processes() -> ProcessPool:
    global _processes
    with _lock:
        _forked()
        if _processes is None:
            _processes = ProcessPool(get_settings().tools_concurrency)
        return _processes


def isolation_of(tool: Tool) -> str:
    return tool.isolation or get_settings().tool_isolation


def warm() -> None:
    """Start the tool processes now when some tool runs in one (a `tools` worker at start),
    so the first call does not pay an interpreter start out of its timeout."""
    if any(isolation_of(t) == PROCESS for t in all_tools()):
        processes().warm()


def run_tool(tool: Tool, arguments: dict[str, Any]) -> Any:
    """`tool.run(arguments)` where its timeout holds (see the module docstring)."""
    left_s, timeout_s = _budget(tool)
    if left_s <= 0:
        raise timed_out(tool, timeout_s, "its time was used up before it started")
    if isolation_of(tool) == PROCESS:
        return processes().run(tool, arguments, left_s, timeout_s)
    return lane(tool).run(tool, lambda: tool.run(arguments), left_s, timeout_s)


def shutdown() -> None:
    """Stop every child process and drop the lanes (tests; a worker simply exits)."""
    global _processes
    with _lock:
        lanes, pool = list(_lanes.values()), _processes
        _lanes.clear()
        _processes = None
    for each in lanes:
        each.close()
    if pool is not None:
        pool.close()
