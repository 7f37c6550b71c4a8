"""runtime/recovery/heartbeat.py: the heartbeat process reads its worker's state from the
kernel, so a stopped worker stops beating while a busy one keeps beating."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from runtime.recovery.heartbeat import worker_state


def _wait_for(pid: int, state: str) -> str:
    seen = ""
    for _ in range(100):
        seen = worker_state(pid)
        if seen == state:
            break
        time.sleep(0.05)
    return seen


def test_a_worker_is_alive_while_busy_stopped_under_sigstop_and_gone_after_exit() -> None:
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        assert _wait_for(busy.pid, "alive") == "alive"
        busy.send_signal(signal.SIGSTOP)
        assert _wait_for(busy.pid, "stopped") == "stopped"
        busy.send_signal(signal.SIGCONT)
        assert _wait_for(busy.pid, "alive") == "alive"
    finally:
        busy.kill()
        busy.wait()
    assert worker_state(busy.pid) == "gone"
