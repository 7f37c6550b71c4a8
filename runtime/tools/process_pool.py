"""ProcessPool: child interpreters for process-isolated tool calls, killed at the timeout.

`size` children (`tools_concurrency`: one per task thread of the worker), started ahead and
reused; each runs one call at a time (runtime/tools/tool_process.py). A call that passes
its timeout has its child killed and reaped, and a fresh child is started in its place, so
the size is kept and no process outlives its call. A child that dies on its own is
replaced the same way.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from typing import Any

import runtime.errors
from runtime.errors import CeleragentError, RetryableError, ToolError
from runtime.tools.base import Tool

START_TIMEOUT_S = 60.0  # an interpreter start on a loaded box; not charged to one call


def timed_out(tool: Tool, timeout_s: float, what: str) -> TimeoutError:
    return TimeoutError(f"tool {tool.name!r} timed out after {timeout_s:g} s ({what}).")


class Child:
    """One child interpreter and the JSON lines to and from it."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "runtime.tools.tool_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            close_fds=True,
        )
        self._buffer = b""
        try:
            ready = self.receive(time.monotonic() + START_TIMEOUT_S)
        except (EOFError, ValueError):
            ready = None
        if not ready or ready.get("ready") != self.proc.pid:
            self.kill()
            raise ToolError("a tool process did not start; see the worker's log.")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")

    def receive(self, until: float) -> dict[str, Any] | None:
        """The next reply, or None at `until`; EOFError when the child has exited."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = until - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise EOFError
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        reply: dict[str, Any] = json.loads(line)
        return reply

    def kill(self) -> None:
        """SIGKILL (a tool that ignores its timeout may ignore SIGTERM too) and reap."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


def decode(reply: dict[str, Any]) -> Any:
    """A child's reply as the call's output, or its error raised as it would be in-thread:
    the same CeleragentError class (so a RetryableError still retries), else a ToolError
    worded like executor.describe_error words a plain exception."""
    if "error" not in reply:
        return reply.get("output")
    error = reply["error"]
    cls = getattr(runtime.errors, str(error.get("celeragent") or ""), None)
    if isinstance(cls, type) and issubclass(cls, CeleragentError):
        raise cls(error["message"])
    raise ToolError(f"{error['type']}: {error['message']}")


class ProcessPool:
    """`size` children, kept started: a child is started in the background whenever the pool
    has fewer than `size` (at `warm`, at first use, after a kill), because an interpreter
    start (importing `runtime`: about 0.7 s of CPU) would eat a short timeout if a call
    paid for it. A call waits for an idle child within its own timeout."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: list[Child] = []
        self._live = 0  # started or starting
        self._closed = False
        self._cond = threading.Condition()
        self.started = 0  # children ever started (tests and the benchmark read it)

    def warm(self) -> None:
        """Start children in the background until there are `size`."""
        with self._cond:
            missing = 0 if self._closed else self.size - self._live
            self._live += missing
        for _ in range(missing):
            threading.Thread(target=self._start, name="celeragent-tool-start", daemon=True).start()

    def _start(self) -> None:
        try:
            child = Child()
        except Exception:  # noqa: BLE001 - counted out; the next call's warm tries again
            with self._cond:
                self._live -= 1
                self._cond.notify_all()
            return
        with self._cond:
            self.started += 1
        self._release(child)

    def run(self, tool: Tool, arguments: dict[str, Any], left_s: float, timeout_s: float) -> Any:
        until = time.monotonic() + left_s
        child = self._acquire(tool, until, timeout_s)
        request = {"tool": tool.name, "module": tool.fn.__module__, "arguments": arguments}
        try:
            child.send(request)
        except OSError:  # it died while idle: not this call's fault, so the task retries
            self._discard(child)
            raise RetryableError(f"tool {tool.name!r}: its idle process had exited.") from None
        try:
            reply = child.receive(until)
        except (EOFError, OSError, ValueError):
            try:
                code: int | None = child.proc.wait(timeout=2)  # its own exit, if it exited
            except subprocess.TimeoutExpired:
                code = None
            self._discard(child)
            raise ToolError(f"tool {tool.name!r}: its process died (exit code {code}).") from None
        if reply is None:
            self._discard(child)
            raise timed_out(tool, timeout_s, "its process was stopped")
        self._release(child)
        return decode(reply)

    def _acquire(self, tool: Tool, until: float, timeout_s: float) -> Child:
        self.warm()
        with self._cond:
            while not self._idle:
                left = until - time.monotonic()
                if left <= 0 or self._closed:
                    raise timed_out(tool, timeout_s, "waiting for a tool process")
                self._cond.wait(left)
            return self._idle.pop()

    def _release(self, child: Child) -> None:
        with self._cond:
            if not self._closed:
                self._idle.append(child)
                self._cond.notify()
                return
        self._discard(child)

    def _discard(self, child: Child) -> None:
        child.kill()
        with self._cond:
            self._live -= 1
        self.warm()  # a fresh child takes its place: the pool keeps its size

    def pids(self) -> list[int]:
        """The idle children's process ids."""
        with self._cond:
            return [child.pid for child in self._idle]

    def close(self) -> None:
        """Kill the idle children now; busy and starting ones when they come back."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for child in idle:
            self._discard(child)
