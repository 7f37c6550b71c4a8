"""A worker's heartbeat, from a small process of its own, so that a busy worker is never
taken for a dead one.

The heartbeat used to be a thread of the worker process. A task thread that holds the GIL
(a long C call that does not release it) or a worker pinned at 100% CPU starved that thread,
the key expired, and the monitor requeued a step that was still running: it ran twice. A
separate process has its own interpreter and its own GIL, so nothing the worker does can
starve it. It beats while its worker process exists and is not stopped, and reads the
worker's state from the kernel (psutil), not from the worker:

- running, sleeping, or busy in C with the GIL held: it beats; the worker is alive;
- stopped (SIGSTOP, a debugger, a frozen VM's process): it stops beating, so the worker's
  steps are run elsewhere after `liveness.HEARTBEAT_TTL_S`; their leases
  (runtime/job/fence.py) refuse whatever the worker records after it resumes;
- gone: it exits too.

It also marks each queue the worker consumes as served (`keys.queue_alive`), which is how a
job for a model that no live worker serves is refused at submit (runtime/job/admission.py).

Run as `python -m runtime.recovery.heartbeat PID HOLDER [QUEUE...]`; the Redis URL comes from the
environment variable `HEARTBEAT_URL_ENV` (never on the command line, where `ps` shows it).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import psutil

from runtime.broker.connection import get_redis
from runtime.recovery import liveness

HEARTBEAT_URL_ENV = "CELERAGENT_HEARTBEAT_REDIS_URL"
_STOPPED = {psutil.STATUS_STOPPED, psutil.STATUS_TRACING_STOP}
_GONE = {psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD}


def worker_state(pid: int) -> str:
    """ "alive", "stopped" or "gone", as the kernel sees process `pid`."""
    try:
        status = psutil.Process(pid).status()
    except psutil.NoSuchProcess:
        return "gone"
    if status in _GONE:
        return "gone"
    return "stopped" if status in _STOPPED else "alive"


def run(pid: int, holder: str, url: str, queues: list[str]) -> None:
    r = get_redis(url)
    while True:
        state = worker_state(pid)
        if state == "gone" or os.getppid() != pid:
            return  # the worker is gone (and we were handed to init): nothing to vouch for
        if state == "alive":
            # Redis down: the next beat tries again.
            with contextlib.suppress(Exception):
                liveness.heartbeat(r, holder, queues)
        time.sleep(liveness.HEARTBEAT_EVERY_S)


def spawn(holder: str, url: str, queues: list[str]) -> subprocess.Popen[bytes]:
    """Start the heartbeat process for this (the calling) worker process."""
    env = {**os.environ, HEARTBEAT_URL_ENV: url}
    cmd = [sys.executable, "-m", "runtime.recovery.heartbeat", str(os.getpid()), holder]
    cmd += queues
    return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL)


if __name__ == "__main__":
    run(int(sys.argv[1]), sys.argv[2], os.environ[HEARTBEAT_URL_ENV], sys.argv[3:])
