"""A layer's messages leave in one Redis pipeline (runtime/broker/batch.py): the members of
a layer's group sent inside `one_round_trip` reach their queue together, in one round trip; a block
that raises sends none of them. On a database of the test Redis that no worker consumes,
so the messages stay where they were put."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import redis

from runtime.broker.app import create_app
from runtime.broker.batch import one_round_trip
from runtime.broker.queues import TOOLS, queue_depths
from runtime.broker.result_backend import untracked
from runtime.job.canvas import layer_canvas

pytestmark = pytest.mark.integration

CALLS = [{"id": f"c{i}", "name": "calculator", "arguments": {"expression": "1"}} for i in range(3)]


@pytest.fixture
def quiet_db(redis_url: str) -> Iterator[tuple[Any, redis.Redis]]:
    url = urlparse(redis_url)._replace(path="/9").geturl()
    r = redis.Redis.from_url(url)
    r.flushdb()
    app = create_app(url, include_tasks=False)
    try:
        yield app, r
    finally:
        r.flushdb()
        r.close()
        app.close()


def queued(r: redis.Redis) -> int:
    return queue_depths(r, (TOOLS,))[TOOLS]


def test_a_layers_members_leave_in_one_pipeline(
    quiet_db: tuple[Any, redis.Redis], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, r = quiet_db
    pushes: list[list[str]] = []
    execute = redis.client.Pipeline.execute

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        pushes.append([str(c[0][0]) for c in self.command_stack if c[0][0] == "LPUSH"])
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", recording)
    with untracked(), one_round_trip(app):
        layer_canvas("job1", 0, CALLS, 5, app).apply_async()
        assert queued(r) == 0  # buffered until the block ends
    assert queued(r) == 3
    assert [p for p in pushes if p] == [["LPUSH"] * 3]


def test_a_block_that_raises_sends_nothing(quiet_db: tuple[Any, redis.Redis]) -> None:
    app, r = quiet_db
    with pytest.raises(RuntimeError), untracked(), one_round_trip(app):
        layer_canvas("job2", 0, CALLS, 5, app).apply_async()
        raise RuntimeError("the dispatch failed after building the layer")
    assert queued(r) == 0
    # Outside a block, the app publishes each message at once, as plain Celery does.
    with untracked():
        layer_canvas("job3", 0, CALLS, 5, app).apply_async()
    assert queued(r) == 3
