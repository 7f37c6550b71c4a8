"""The shared Task class: late acks, redelivery when a worker dies, JSON only, no stored
results."""

from __future__ import annotations

import os
from functools import cached_property

import redis
from celery import Task

from runtime.broker.connection import get_redis
from runtime.config import Settings, get_settings


class CeleragentTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    serializer = "json"
    # A task only ever retries on purpose (RetryableError); everything else is data.
    autoretry_for = ()
    max_retries = 3
    # No Celery result is stored: a job's outcome is its record and its event stream, and
    # a stored result nobody reads cost a GET and a SETEX + PUBLISH per message. Layers join
    # themselves (runtime/job/canvas.py); an older dispatcher's chord still counts its
    # members (`on_chord_part_return` runs whether or not the result is stored).
    ignore_result = True

    @cached_property
    def settings(self) -> Settings:
        return get_settings()

    @property
    def redis(self) -> redis.Redis:
        # Kept per process: reading `app.conf.broker_url` (Celery's layered config) and
        # keying get_redis's cache cost about 20 us per access, twice per tool task.
        kept = self.__dict__.get("_redis")
        if kept is None or kept[0] != os.getpid():
            kept = self.__dict__["_redis"] = (os.getpid(), get_redis(self.app.conf.broker_url))
        return kept[1]


# Every worker process loads this module, so every worker heartbeats (workers/liveness.py).
import workers.liveness  # noqa: E402, F401
