"""Every worker process: a heartbeat thread, and a record of the messages it holds, so the
beat tick can requeue them within seconds if this process dies (runtime/recovery/liveness.py)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from celery.signals import celeryd_after_setup, task_postrun, task_received

from runtime.broker.app import app
from runtime.broker.connection import get_redis
from runtime.recovery import liveness

_holder: str | None = None


def _redis() -> Any:
    return get_redis(app.conf.broker_url)


@celeryd_after_setup.connect
def _start_heartbeat(sender: str, **_: Any) -> None:
    global _holder
    _holder = liveness.holder_id(sender, os.getpid())
    holder = _holder

    def beat() -> None:
        while True:
            time.sleep(liveness.HEARTBEAT_EVERY_S)
            try:
                liveness.heartbeat(_redis(), holder)
            except Exception:  # noqa: BLE001, S112 - Redis down: the next beat tries again
                continue

    liveness.heartbeat(_redis(), holder)
    threading.Thread(target=beat, name="celeragent-heartbeat", daemon=True).start()


@task_received.connect
def _hold(request: Any, **_: Any) -> None:
    # The delivery tag is on the kombu message (Celery's delivery_info leaves it out).
    tag = getattr(getattr(request, "message", None), "delivery_tag", None)
    if _holder and tag is not None:
        liveness.holding(_redis(), _holder, request.id, str(tag))


@task_postrun.connect
def _release(task_id: str, **_: Any) -> None:
    if _holder:
        liveness.released(_redis(), _holder, task_id)
