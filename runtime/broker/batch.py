"""One layer's Celery messages in one Redis round trip.

Sending a layer of n calls (a Celery group) publishes n messages, and kombu's Redis transport
sends each with its own LPUSH, on a redis-py client it builds for that one message. kombu 5.7
can buffer a producer's publishes in one pipeline (`Producer.batch()`), but Celery's group
(and chord) publishes its members through a producer it takes from the app's pool itself,
not the one its caller holds. `BatchingCelery` lets a dispatch lend its producer to
everything sent inside `one_round_trip(app)`, so the layer's members leave in one pipeline
when the block ends.

What stays the same: every message is still a Celery message on its queue (a chord's size,
for a caller that still sends one, is written to the result backend while Celery walks the
members, before any of them reaches Redis). If the
pipeline fails, kombu raises `BatchPublishError` ("delivery is uncertain") and the dispatch
fails as a single failed publish would; the job's monitor re-drives a job left with no
message (runtime/recovery/stalls.py). Where kombu cannot batch safely (a Redis client that
retries writes on its own), it publishes each message at once, as before.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Celery

_LENT: contextvars.ContextVar[Any] = contextvars.ContextVar("lent_producer", default=None)


class BatchingCelery(Celery):
    """A Celery app whose publishes inside `one_round_trip` use the producer lent there."""

    def producer_or_acquire(self, producer: Any = None) -> Any:
        return super().producer_or_acquire(producer or _LENT.get())


@contextmanager
def one_round_trip(app: Celery) -> Iterator[None]:
    """Inside: messages sent through `app` are buffered and leave together at the end (or
    are discarded if the block raises). Nested blocks join the outer one."""
    if not isinstance(app, BatchingCelery) or _LENT.get() is not None:
        yield
        return
    with app.producer_or_acquire() as producer, producer.batch():
        token = _LENT.set(producer)
        try:
            yield
        finally:
            _LENT.reset(token)
