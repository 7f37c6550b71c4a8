"""A Prometheus exporter that reads live numbers from Redis at scrape time.

Workers write metrics to Redis (streams, counters); they never hold a prometheus_client
registry, because Celery prefork children would each hold a partial one. This collector
turns the shared Redis state into gauges on every scrape, so any number of exporters agree.
A scrape that cannot reach Redis reports `celeragent_up 0` instead of failing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from runtime import keys
from runtime.broker.queues import queue_depths
from runtime.guard.budget import NANO, current_period
from runtime.guard.degrade import get_level
from runtime.guard.limits import stats as limit_stats
from runtime.guard.metrics import snapshot

QUANTILES = (("0.5", "p50_ms"), ("0.95", "p95_ms"), ("0.99", "p99_ms"))
_COUNTER_FIELD = re.compile(r"^(?P<cache>.+?)[:._](?P<event>hits?|miss(?:es)?)$")


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def cache_counters(redis: Any) -> dict[str, dict[str, int]]:
    """CACHE_COUNTERS fields "<cache>:hit" / "<cache>:miss" (also _ . and plurals) by cache."""
    out: dict[str, dict[str, int]] = {}
    for field, value in redis.hgetall(keys.CACHE_COUNTERS).items():
        match = _COUNTER_FIELD.match(_s(field))
        if not match:
            continue
        event = "hit" if match["event"].startswith("hit") else "miss"
        entry = out.setdefault(match["cache"], {"hit": 0, "miss": 0})
        entry[event] += int(float(_s(value)))
    return out


def tenant_spend(redis: Any, period: str | None = None) -> dict[str, float]:
    """Dollars per tenant in the period, by SCAN over the tenant budget keys."""
    period = period or current_period()
    pattern = keys.tenant_budget("*", period)
    prefix, suffix = pattern.split("*", 1)
    out: dict[str, float] = {}
    for key in redis.scan_iter(match=pattern, count=500):
        name = _s(key)
        tenant = name[len(prefix) : len(name) - len(suffix)]
        value = redis.hget(name, "cost_n")
        out[tenant] = int(_s(value)) / NANO if value is not None else 0.0
    return out


class CeleragentCollector(Collector):
    def __init__(self, redis: Any, window_s: float = 300.0) -> None:
        self.redis = redis
        self.window_s = window_s

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("celeragent_up", "1 when the exporter could read Redis")
        try:
            families = list(self._families())
        except Exception:  # noqa: BLE001 - any Redis failure: say so in the metric, not a 500
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterator[Metric]:
        started = time.perf_counter()
        snap = snapshot(self.redis, self.window_s)
        jobs = snap.jobs
        e2e = GaugeMetricFamily(
            "celeragent_job_e2e_seconds",
            f"Job end-to-end latency quantiles over the last {self.window_s:g} s",
            labels=["quantile"],
        )
        if jobs.count:
            for q, attr in (("0.5", "e2e_p50_ms"), ("0.95", "e2e_p95_ms"), ("0.99", "e2e_p99_ms")):
                e2e.add_metric([q], getattr(jobs, attr) / 1000)
        yield e2e
        finished = GaugeMetricFamily(
            "celeragent_jobs_finished", "Jobs finished in the window", labels=["status"]
        )
        for status, count in sorted(jobs.by_status.items()):
            finished.add_metric([status], count)
        yield finished

        step = GaugeMetricFamily(
            "celeragent_step_seconds",
            "Step run-time quantiles in the window, per kind (llm, tool, plan, join)",
            labels=["kind", "quantile"],
        )
        wait = GaugeMetricFamily(
            "celeragent_step_queue_wait_seconds",
            "Median time steps waited in their queue, per kind",
            labels=["kind"],
        )
        steps = GaugeMetricFamily("celeragent_steps", "Steps in the window", labels=["kind"])
        for kind, st in sorted(snap.kinds.items()):
            for q, attr in QUANTILES:
                step.add_metric([kind, q], getattr(st, attr) / 1000)
            if st.wait_p50_ms is not None:
                wait.add_metric([kind], st.wait_p50_ms / 1000)
            steps.add_metric([kind], st.count)
        yield step
        yield wait
        yield steps

        for name, value, doc in (
            ("celeragent_tokens_per_request", snap.tokens_per_request, "Mean tokens per job"),
            ("celeragent_cost_per_minute_usd", snap.cost_per_minute_usd, "Spend rate (USD/min)"),
            ("celeragent_step_cache_hit_ratio", snap.cache_hit_ratio, "Cached share of steps"),
            ("celeragent_llm_share_of_e2e", snap.llm_share_of_e2e, "LLM time over e2e time"),
        ):
            family = GaugeMetricFamily(name, doc)
            if value is not None:
                family.add_metric([], value)
            yield family

        ratio = GaugeMetricFamily(
            "celeragent_cache_hit_ratio", "Hits over lookups per cache", labels=["cache"]
        )
        lookups = GaugeMetricFamily(
            "celeragent_cache_lookups", "Cache lookups by outcome", labels=["cache", "outcome"]
        )
        for cache, counts in sorted(cache_counters(self.redis).items()):
            total = counts["hit"] + counts["miss"]
            if total:
                ratio.add_metric([cache], counts["hit"] / total)
            for outcome in ("hit", "miss"):
                lookups.add_metric([cache, outcome], counts[outcome])
        yield ratio
        yield lookups

        spend = GaugeMetricFamily(
            "celeragent_tenant_spend_usd",
            "Tenant spend in the current day (UTC)",
            labels=["tenant"],
        )
        for tenant, usd in sorted(tenant_spend(self.redis).items()):
            spend.add_metric([tenant], usd)
        yield spend

        limited = GaugeMetricFamily(
            "celeragent_limit_total",
            "Shared limits (runtime/guard/limits.py) per scope since the keys were made: waits, "
            "wait_ms, timeouts, cooldowns, by_concurrency, by_rate, by_cooldown",
            labels=["scope", "counter"],
        )
        for scope, counters in sorted(limit_stats(self.redis).items()):
            for name, value in sorted(counters.items()):
                limited.add_metric([scope, name], value)
        yield limited

        level = GaugeMetricFamily("celeragent_degradation_level", "0 normal, 1 fast, 2 canned")
        level.add_metric([], get_level(self.redis))
        yield level

        depth = GaugeMetricFamily("celeragent_queue_depth", "Tasks waiting", labels=["queue"])
        for queue, count in queue_depths(self.redis).items():
            depth.add_metric([queue], count)
        yield depth

        scrape = GaugeMetricFamily("celeragent_scrape_seconds", "Time to read Redis")
        scrape.add_metric([], time.perf_counter() - started)
        yield scrape


def registry(redis: Any, window_s: float | None = None) -> CollectorRegistry:
    """A registry holding only the celeragent collector (no process metrics of the exporter)."""
    if window_s is None:
        from runtime.config import get_settings

        window_s = get_settings().metrics_window_s
    reg = CollectorRegistry()
    reg.register(CeleragentCollector(redis, window_s))
    return reg


def serve(
    port: int,
    redis_url: str,
    *,
    addr: str = "0.0.0.0",  # noqa: S104 - an exporter is scraped from other hosts
    window_s: float | None = None,
    block: bool = True,
) -> Any:
    """Serve /metrics on `port`. Blocks forever unless `block=False` (then returns the server)."""
    import redis as redis_lib
    from prometheus_client import start_http_server

    from runtime.broker.connection import redis_client_kwargs

    client = redis_lib.Redis.from_url(
        redis_url, decode_responses=True, **redis_client_kwargs(redis_url)
    )
    server, thread = start_http_server(port, addr=addr, registry=registry(client, window_s))
    if not block:
        return server
    thread.join()
    return server
