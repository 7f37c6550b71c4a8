"""Every worker process: a heartbeat process of its own (runtime/recovery/heartbeat.py), and
a record of the messages it holds, so the beat tick can requeue them within seconds if this
process dies (runtime/recovery/liveness.py)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from typing import Any

from celery import signals

from runtime.broker import tasks
from runtime.broker.app import app
from runtime.broker.connection import get_redis
from runtime.recovery import heartbeat, liveness
from runtime.recovery.releases import Releases

_releases: Releases | None = None
# The benchmarks' raw tasks (workers/raw.py) stand for Celery alone, which records nothing:
# recording theirs would charge this runtime's round trips to the baseline.
_UNRECORDED = frozenset({tasks.RAW_SLEEP, tasks.RAW_JOIN})
_beater: subprocess.Popen[bytes] | None = None


def _redis() -> Any:
    return get_redis(app.conf.broker_url)


@signals.celeryd_after_setup.connect
def _start_heartbeat(sender: str, instance: Any = None, **_: Any) -> None:
    global _beater, _releases
    holder = liveness.holder_id(sender, os.getpid())
    _releases = Releases(_redis, holder)
    liveness.set_holder(holder)
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


@signals.worker_shutdown.connect
def _stop_heartbeat(**_: Any) -> None:
    global _beater
    if _beater is not None:
        beater, _beater = _beater, None
        beater.terminate()
    if _releases is not None:
        _releases.flush()  # a clean exit leaves no entry behind for the tick to restore


@signals.task_received.connect
def _hold(request: Any, **_: Any) -> None:
    # The delivery tag is on the kombu message (Celery's delivery_info leaves it out).
    tag = getattr(getattr(request, "message", None), "delivery_tag", None)
    if _releases and tag is not None and request.name not in _UNRECORDED:
        _releases.hold(request.id, str(tag))


@signals.task_postrun.connect
def _release(task_id: str, sender: Any = None, **_: Any) -> None:
    if _releases and getattr(sender, "name", None) not in _UNRECORDED:
        _releases.release(task_id)  # written in a batch, off this task's path


@signals.task_revoked.connect
def _revoked(request: Any, **_: Any) -> None:
    # Revoked before it ran: acknowledged and dropped with no postrun, so released here.
    if _releases and getattr(request, "name", None) not in _UNRECORDED:
        _releases.release(request.id)
