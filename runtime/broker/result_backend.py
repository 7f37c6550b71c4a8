"""Celery's Redis result backend without its client-side result tracking.

Celery's backend keeps every AsyncResult it is told about in an in-process map and subscribes
to that task's result channel on a pub/sub connection, until someone waits for the result
with `get()`. Two paths told it about results nobody here waits for, and both leaked:

- each chord's header (a ResultSet) registers every member through `then()`: the `agent`
  worker, which dispatches every layer, grew by one entry and one Redis subscription per
  tool call, forever (RSS +3 MiB/min at 5 jobs/s in ops/bench/load.py; Valkey kept pushing
  the members' results into a connection nobody read);
- `send_task` subscribes to each task's channel at once, for a `get()` that in this project
  never comes: clients follow the job's event stream instead.

Chords are unaffected (their join is counted in Redis by the member tasks, not by these
promises), and `AsyncResult.get()` outside a worker still works: it registers the result
itself and reads the stored meta before it waits.
"""

from __future__ import annotations

from typing import Any

from celery._state import task_join_will_block
from celery.backends.redis import RedisBackend


class RedisResultBackend(RedisBackend):
    def on_task_call(self, producer: Any, task_id: str) -> None:
        return None  # no subscription at send time; get() subscribes when it is called

    def add_pending_result(
        self, result: Any, weak: bool = False, start_drainer: bool = True
    ) -> Any:
        if task_join_will_block():
            return result  # inside a worker nothing may wait on a result: track nothing
        return super().add_pending_result(result, weak=weak, start_drainer=start_drainer)


def backend_url(redis_url: str) -> str:
    """The `result_backend` setting: this class, on the given Redis URL."""
    return f"{__name__}:{RedisResultBackend.__name__}+{redis_url}"
