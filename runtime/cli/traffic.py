"""Count what a piece of work costs Redis: round trips, commands and Celery messages.

`Traffic(url)` is a context manager for benchmarks (ops/bench/orchestration.py). Inside it,
a MONITOR connection records every command the server runs, top-level or inside a Lua script,
and INFO's `total_reads_processed` counts client read events: one per request a client sends
(a pipeline or a script is one), so its delta is the number of round trips. A second window
with nothing running (`idle`) measures the background (workers polling their queues, the
heartbeats) so it can be subtracted.

Commands are put into buckets by what they touch: `job` (the runtime's own `ca:` keys),
`celery_msg` (LPUSH of a message onto a queue: one per Celery message sent), `broker` (the
rest of kombu's work: fetch, unacked bookkeeping, acks), `result` (Celery's result backend:
task results, chord counters), and `lua` for commands run inside a script (already counted
once as their EVALSHA), `liveness` for the workers' own bookkeeping (heartbeats, the messages
each holds), `tx` for MULTI and EXEC, `other` for the rest (EVALSHA among them: the runtime's
fence and budget scripts and Celery's chord scripts, whose first argument is the SHA).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import redis

from runtime import keys
from runtime.broker.queues import QUEUES, priority_lists

_QUEUE_KEYS = {k for q in QUEUES for k in priority_lists(q)}
_BROKER_KEYS = ("unacked", "unacked_index", "unacked_mutex", "_kombu.")
_LIVENESS = (keys.PREFIX + "worker", keys.PREFIX + "queue:")
_RESULT_KEYS = ("celery-task-meta-", "chord-unlock-", "celery-taskset-meta-")


def bucket(source: str, command: str, key: str | None) -> str:
    """The bucket of one MONITOR line (see the module docstring)."""
    if source == "lua":
        return "lua"
    key = key or ""
    if command == "LPUSH" and key in _QUEUE_KEYS:
        return "celery_msg"
    if key.startswith(_LIVENESS):
        return "liveness"
    if key.startswith(keys.PREFIX):
        return "job"
    if command in ("BRPOP", "BZPOPMIN") or key in _QUEUE_KEYS or key.startswith(_BROKER_KEYS):
        return "broker"
    if key.startswith(_RESULT_KEYS) or ".j" in key or command == "PUBLISH":
        return "result"
    if command in ("MULTI", "EXEC"):
        return "tx"
    return "other"


class Traffic:
    """`with Traffic(url) as t: ...` then `t.counts` (bucket -> commands), `t.commands`
    ((bucket, COMMAND) -> count), `t.round_trips` and `t.seconds`."""

    def __init__(self, url: str):
        self.url = url
        self.counts: Counter[str] = Counter()
        self.commands: Counter[tuple[str, str]] = Counter()
        self.round_trips = 0
        self.seconds = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._info = redis.Redis.from_url(url)

    def _reads(self) -> int:
        # Our own INFO is one read: it is subtracted so only the measured work counts.
        return int(self._info.info("stats")["total_reads_processed"]) - 1

    def _watch(self, ready: threading.Event) -> None:
        conn = redis.Redis.from_url(self.url, decode_responses=True)
        with conn.monitor() as monitor:
            ready.set()
            for entry in monitor.listen():
                parts = str(entry.get("command", "")).split(" ", 2)
                name = parts[0].upper()
                if name not in ("INFO", "MONITOR", "PING", ""):
                    source = "lua" if entry.get("client_type") == "lua" else "client"
                    b = bucket(source, name, parts[1] if len(parts) > 1 else None)
                    self.counts[b] += 1
                    self.commands[(b, name)] += 1
                if self._stop.is_set():
                    return

    def __enter__(self) -> Traffic:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(5)
        time.sleep(0.05)
        self._start_reads = self._reads()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0
        self.round_trips = self._reads() - self._start_reads
        time.sleep(0.1)  # let MONITOR catch up
        self._stop.set()
        self._info.ping()  # one more line wakes the watcher so it sees the stop
        if self._thread is not None:
            self._thread.join(2)
        self._info.close()

    def minus_idle(self, idle: Traffic, per: int = 1) -> dict[str, Any]:
        """This window's counts less the idle background over the same length, per unit."""
        scale = self.seconds / idle.seconds if idle.seconds else 0.0
        counts = {
            b: round((self.counts[b] - idle.counts[b] * scale) / per, 2)
            for b in sorted(set(self.counts) | set(idle.counts))
        }
        commands = {
            f"{b}:{c}": round((n - idle.commands[(b, c)] * scale) / per, 2)
            for (b, c), n in sorted(self.commands.items())
        }
        return {
            "round_trips": round((self.round_trips - idle.round_trips * scale) / per, 2),
            "celery_messages": counts.get("celery_msg", 0.0),
            "commands": counts,
            "by_command": {k: v for k, v in commands.items() if abs(v) >= 0.05},
        }
