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

A client also dispatches layers (a job with an explicit plan sends its first layer from
`Client.submit`), and outside a worker the first rule does not hold: `untracked()` marks a
dispatch whose results nobody will wait for, so the chord's members are not tracked there
either.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery._state import task_join_will_block
from celery.backends.redis import RedisBackend

_UNTRACKED: contextvars.ContextVar[bool] = contextvars.ContextVar("untracked", default=False)


@contextmanager
def untracked() -> Iterator[None]:
    """Inside: results sent are not tracked for a `get()` (nobody here waits on them)."""
    token = _UNTRACKED.set(True)
    try:
        yield
    finally:
        _UNTRACKED.reset(token)


class RedisResultBackend(RedisBackend):
    def on_task_call(self, producer: Any, task_id: str) -> None:
        return None  # no subscription at send time; get() subscribes when it is called

    def add_pending_result(
        self, result: Any, weak: bool = False, start_drainer: bool = True
    ) -> Any:
        if task_join_will_block() or _UNTRACKED.get():
            return result  # inside a worker (or a dispatch nobody waits on): track nothing
        return super().add_pending_result(result, weak=weak, start_drainer=start_drainer)


def backend_url(redis_url: str) -> str:
    """The `result_backend` setting: this class, on the given Redis URL."""
    return f"{__name__}:{RedisResultBackend.__name__}+{redis_url}"
