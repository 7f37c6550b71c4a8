"""What `celeragent status` shows: one job, or the system (queues, workers, recent jobs)."""

from __future__ import annotations

from typing import Any

import redis

from runtime import jobs, keys
from runtime.client import Client
from runtime.queues import QUEUES

PRIORITY_STEPS = (0, 3, 6, 9)  # as in Settings.celery_config's broker_transport_options


def queue_depths(r: redis.Redis) -> dict[str, int]:
    """Messages waiting per queue, summed over the Redis transport's priority lists."""
    pipe = r.pipeline(transaction=False)
    for queue in QUEUES:
        for step in PRIORITY_STEPS:
            pipe.llen(queue if step == 0 else f"{queue}:{step}")
    counts = pipe.execute()
    n = len(PRIORITY_STEPS)
    return {q: sum(counts[i * n : (i + 1) * n]) for i, q in enumerate(QUEUES)}


def workers_per_queue(client: Client, timeout_s: float = 1.0) -> dict[str, list[str]]:
    active = client._app.control.inspect(timeout=timeout_s).active_queues() or {}
    found: dict[str, list[str]] = {q: [] for q in QUEUES}
    for worker, queues in active.items():
        for queue in queues:
            found.setdefault(queue["name"], []).append(worker)
    return found


def job_status(client: Client, job_id: str) -> dict[str, Any]:
    status = jobs.status(client.redis, job_id)
    result = jobs.get_result(client.redis, job_id)
    data: dict[str, Any] = {"job_id": job_id, "status": status.value}
    if result is not None:
        data["result"] = result.model_dump(mode="json")
    return data


def system_status(client: Client) -> dict[str, Any]:
    r = client.redis
    recent = client.recent_jobs(10)
    pipe = r.pipeline(transaction=False)
    for job_id in recent:
        pipe.hget(keys.job(job_id), "status")
    statuses = pipe.execute()
    return {
        "queues": queue_depths(r),
        "workers": workers_per_queue(client),
        "recent_jobs": [
            {"job_id": j, "status": s or "expired"} for j, s in zip(recent, statuses, strict=True)
        ],
    }
