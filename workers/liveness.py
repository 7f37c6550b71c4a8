"""Every worker process: a heartbeat process of its own (runtime/recovery/heartbeat.py), and
a record of the messages it holds, so the beat tick can requeue them within seconds if this
process dies (runtime/recovery/liveness.py)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from typing import Any

from celery.signals import celeryd_after_setup, task_postrun, task_received, worker_shutdown

from runtime.broker import tasks
from runtime.broker.app import app
from runtime.broker.connection import get_redis
from runtime.recovery import heartbeat, liveness

_holder: str | None = None
# The benchmarks' raw Celery tasks (workers/raw.py) stand for Celery alone, which keeps no
# such record: recording theirs would charge the baseline two round trips of this runtime's
# per message, and flatter the comparison (ops/bench/orchestration.py).
_UNRECORDED = frozenset({tasks.RAW_SLEEP, tasks.RAW_JOIN})
_beater: subprocess.Popen[bytes] | None = None


def _redis() -> Any:
    return get_redis(app.conf.broker_url)


@celeryd_after_setup.connect
def _start_heartbeat(sender: str, instance: Any = None, **_: Any) -> None:
    global _holder, _beater
    _holder = liveness.holder_id(sender, os.getpid())
    liveness.set_holder(_holder)
    holder = _holder
    queues = _consumed_queues(instance)
    liveness.heartbeat(_redis(), holder, queues)  # alive now, before the beater has started
    _beater = heartbeat.spawn(holder, app.conf.broker_url, queues)

    def supervise() -> None:
        # A beater that died (killed by hand, OOM) would make this live worker look dead.
        global _beater
        while True:
            time.sleep(liveness.HEARTBEAT_EVERY_S)
            if _beater is not None and _beater.poll() is not None:
                _beater = heartbeat.spawn(holder, app.conf.broker_url, queues)

    threading.Thread(target=supervise, name="celeragent-heartbeat", daemon=True).start()


def _consumed_queues(instance: Any) -> list[str]:
    """The queues this worker was started with (`-Q`); all of them when it was not told."""
    try:
        return sorted(instance.app.amqp.queues.consume_from)
    except AttributeError:
        return []


@worker_shutdown.connect
def _stop_heartbeat(**_: Any) -> None:
    global _beater
    if _beater is not None:
        beater, _beater = _beater, None
        beater.terminate()


@task_received.connect
def _hold(request: Any, **_: Any) -> None:
    # The delivery tag is on the kombu message (Celery's delivery_info leaves it out).
    tag = getattr(getattr(request, "message", None), "delivery_tag", None)
    if _holder and tag is not None and request.name not in _UNRECORDED:
        liveness.holding(_redis(), _holder, request.id, str(tag))


@task_postrun.connect
def _release(task_id: str, sender: Any = None, **_: Any) -> None:
    if _holder and getattr(sender, "name", None) not in _UNRECORDED:
        liveness.released(_redis(), _holder, task_id)
