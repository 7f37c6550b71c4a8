"""Every worker process: a heartbeat process of its own (runtime/recovery/heartbeat.py), and
a record of the messages it holds, so the beat tick can requeue them within seconds if this
process dies (runtime/recovery/liveness.py). The record is written by the broker transport in
kombu's own transactions (runtime/broker/transport.py); this module names the holder."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from typing import Any

from celery import signals

from runtime.broker import transport
from runtime.broker.app import app
from runtime.broker.connection import get_redis
from runtime.recovery import heartbeat, liveness

_beater: subprocess.Popen[bytes] | None = None


def _redis() -> Any:
    return get_redis(app.conf.broker_url)


@signals.celeryd_after_setup.connect
def _start_heartbeat(sender: str, instance: Any = None, **_: Any) -> None:
    global _beater
    holder = liveness.holder_id(sender, os.getpid())
    liveness.set_holder(holder)
    # From here on, each message this process receives is recorded as held in the same
    # transaction as kombu's `unacked` entry, and its record leaves with that entry.
    transport.hold_as(holder)
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
