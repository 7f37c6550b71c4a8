"""A worker process's record of held messages (runtime/recovery/liveness.py `Holds`): a hold
is written at once, a release rides on the next hold's round trip (or a flush), and a late
release never removes a newer hold of the same task id. On a database of the test Redis that
no worker uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import redis

from runtime.recovery.liveness import Holds

pytestmark = pytest.mark.integration


@pytest.fixture
def quiet_redis(redis_url: str) -> Iterator[redis.Redis]:
    url = urlparse(redis_url)._replace(path="/11").geturl()
    r = redis.Redis.from_url(url, decode_responses=True)
    r.flushdb()
    try:
        yield r
    finally:
        r.flushdb()
        r.close()


def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The commands of each pipeline executed from now on."""
    sent: list[list[str]] = []
    execute = redis.client.Pipeline.execute

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append([str(c[0][0]) for c in self.command_stack])
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", recording)
    return sent


def test_a_release_rides_on_the_next_hold(
    quiet_redis: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    holds = Holds("w@h/1")
    sent = round_trips(monkeypatch)
    holds.hold(quiet_redis, "t1", "tag1")
    assert quiet_redis.hgetall(holds.key) == {"t1": "tag1"}  # written at once
    holds.release("t1")
    assert quiet_redis.hgetall(holds.key) == {"t1": "tag1"}  # only noted
    holds.hold(quiet_redis, "t2", "tag2")
    assert quiet_redis.hgetall(holds.key) == {"t2": "tag2"}
    assert sent == [["HSET"], ["HDEL", "HSET"]]  # one round trip per message
    holds.release("t2")
    holds.flush(quiet_redis)  # what the worker's flush thread does when no message comes
    assert quiet_redis.hgetall(holds.key) == {}


def test_a_late_release_keeps_a_newer_hold_of_the_same_task(quiet_redis: redis.Redis) -> None:
    holds = Holds("w@h/2")
    holds.hold(quiet_redis, "t1", "tag1")
    holds.release("t1")
    holds.hold(quiet_redis, "t1", "tag9")  # the same task's message, delivered again here
    holds.flush(quiet_redis)
    assert quiet_redis.hgetall(holds.key) == {"t1": "tag9"}


def test_flush_after_linger_writes_what_is_still_noted(quiet_redis: redis.Redis) -> None:
    holds = Holds("w@h/3", linger_s=0.01)
    holds.hold(quiet_redis, "t1", "tag1")
    holds.release("t1")
    holds.flush_after_linger(quiet_redis)  # returns at once: a release was noted
    assert quiet_redis.hgetall(holds.key) == {}
