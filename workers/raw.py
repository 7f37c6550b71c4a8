"""Plain Celery tasks with no runtime around them: the floor that ops/bench/dag_overhead.py
compares celeragent's orchestration against, on the same workers and queues."""

from __future__ import annotations

import time
from typing import Any

from runtime.broker import tasks
from runtime.broker.app import app


@app.task(name=tasks.RAW_SLEEP, acks_late=True)
def sleep(ms: int) -> int:
    time.sleep(ms / 1000)
    return ms


@app.task(name=tasks.RAW_JOIN, acks_late=True)
def join(results: Any) -> int:
    return len(results) if isinstance(results, list) else 1
