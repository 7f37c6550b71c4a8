"""What `celeragent status` shows: one job, or the system.

The system view: queue depths, workers per queue, the degradation level, p50/p95 per step kind
and job e2e over the metrics window, cache hit rates, spend rate, and the most recent jobs.
Everything is read from Redis (and one broadcast to the workers), so it is cheap to poll.
"""

from __future__ import annotations

from typing import Any

import redis

from runtime import keys
from runtime.broker.queues import QUEUES
from runtime.broker.queues import queue_depths as _queue_depths
from runtime.guard.degrade import get_level
from runtime.guard.limits import stats as limit_stats
from runtime.guard.metrics import snapshot
from runtime.job import store
from runtime.job.client import Client

CACHES = ("tool", "prompt", "semantic", "prefetch")


def queue_depths(r: redis.Redis) -> dict[str, int]:
    """Messages waiting per queue, summed over the Redis transport's priority lists."""
    return _queue_depths(r)


def workers_per_queue(client: Client, timeout_s: float = 1.0) -> dict[str, list[str]]:
    active = client._app.control.inspect(timeout=timeout_s).active_queues() or {}
    found: dict[str, list[str]] = {q: [] for q in QUEUES}
    for worker, queues in active.items():
        for queue in queues:
            found.setdefault(queue["name"], []).append(worker)
    return found


def job_status(client: Client, job_id: str) -> dict[str, Any]:
    status = store.status(client.redis, job_id)
    result = store.get_result(client.redis, job_id)
    data: dict[str, Any] = {"job_id": job_id, "status": status.value}
    if result is not None:
        data["result"] = result.model_dump(mode="json")
    return data


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def cache_stats(r: redis.Redis) -> dict[str, dict[str, Any]]:
    """The counters in keys.CACHE_COUNTERS, per cache, with a hit ratio (None: no lookups yet).

    tool: hit/miss per lookup (`shared` = served by another caller's in-flight run).
    prompt: Redis hit/miss plus `lru_hit` (served from a worker's in-process LRU).
    semantic: hit/miss/refused (a neighbour above the threshold that verification refused),
    with the refusals by reason and `shadow`: the live false-hit estimate from shadow checks
    (runtime/cache/shadow.py) and the scopes suspended by their error budget.
    prefetch: calls issued, later used (hit) or wasted.
    """
    raw = {_text(k): int(float(_text(v))) for k, v in r.hgetall(keys.CACHE_COUNTERS).items()}
    grouped: dict[str, dict[str, int]] = {}
    for field, value in raw.items():
        cache, _, event = field.partition(":")
        grouped.setdefault(cache, {})[event or "count"] = value
    out: dict[str, dict[str, Any]] = {}
    for cache in sorted(set(CACHES) | set(grouped)):
        c = grouped.get(cache, {})
        entry: dict[str, Any] = {"counters": dict(sorted(c.items()))}
        if cache == "prompt":
            hits, misses = c.get("hit", 0) + c.get("lru_hit", 0), c.get("miss", 0)
        elif cache == "prefetch":
            # A prefetched result is a hit when a job used it, waste when it expired unused.
            hits, misses = c.get("hit", 0), c.get("waste", 0)
            entry["issued"] = c.get("issued", 0)
        else:
            hits, misses = c.get("hit", 0), c.get("miss", 0)
        refused = c.get("refused", 0)
        entry.update(hits=hits, misses=misses, refused=refused)
        entry["hit_ratio"] = _ratio(hits, hits + misses + refused)
        if cache == "semantic":
            from runtime.cache.shadow import false_hit_estimate

            entry["shadow"] = false_hit_estimate(r)
        if cache == "semantic" or refused:
            entry["refusals"] = {
                k.split(":", 1)[1]: v for k, v in sorted(c.items()) if k.startswith("refused:")
            }
        out[cache] = entry
    return out


def latency_stats(r: redis.Redis, window_s: float) -> dict[str, Any]:
    """p50/p95 per step kind and job e2e, over the last `window_s` seconds of metrics."""
    snap = snapshot(r, window_s)
    kinds = {
        kind: {
            "count": st.count,
            "p50_ms": round(st.p50_ms, 3),
            "p95_ms": round(st.p95_ms, 3),
            "errors": st.errors,
            "cached": st.cached,
        }
        for kind, st in sorted(snap.kinds.items())
    }
    jobs_ = snap.jobs
    return {
        "window_s": window_s,
        "kinds": kinds,
        "jobs": {
            "count": jobs_.count,
            "by_status": jobs_.by_status,
            "e2e_p50_ms": round(jobs_.e2e_p50_ms, 3) if jobs_.count else None,
            "e2e_p95_ms": round(jobs_.e2e_p95_ms, 3) if jobs_.count else None,
        },
        "cost_per_minute_usd": snap.cost_per_minute_usd,
    }


def system_status(client: Client) -> dict[str, Any]:
    r = client.redis
    recent = client.recent_jobs(10)
    pipe = r.pipeline(transaction=False)
    for job_id in recent:
        pipe.hget(keys.job(job_id), "status")
    statuses = pipe.execute()
    latency = latency_stats(r, client.settings.metrics_window_s)
    return {
        "queues": queue_depths(r),
        "workers": workers_per_queue(client),
        "degradation_level": get_level(r),
        "metrics_window_s": latency["window_s"],
        "latency": latency["kinds"],
        "jobs": latency["jobs"],
        "cost_per_minute_usd": latency["cost_per_minute_usd"],
        "cache_hit_rates": {c: s["hit_ratio"] for c, s in cache_stats(r).items()},
        # Waits on shared limits per scope ("model:gpt-4o"): runtime/guard/limits.py.
        "limits": limit_stats(r),
        "recent_jobs": [
            {"job_id": j, "status": s or "expired"} for j, s in zip(recent, statuses, strict=True)
        ],
    }
