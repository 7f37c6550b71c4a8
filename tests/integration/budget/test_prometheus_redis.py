"""The Prometheus collector reads live numbers from a real Valkey; serve() exposes them."""

from __future__ import annotations

import socket
import urllib.request

import redis as redis_lib
from prometheus_client import generate_latest
from redis.backoff import NoBackoff
from redis.retry import Retry

from runtime import keys
from runtime.broker.queues import PRIORITY_SEP, queue_depths
from runtime.guard.budget import JobLedger
from runtime.guard.degrade import set_level
from runtime.guard.metrics import record_job, record_step
from runtime.guard.prometheus import registry, serve
from runtime.schemas import Budget


def _value(text: str, line_start: str) -> float:
    for line in text.splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{line_start} not in exposition:\n{text}")


def test_queue_depth_sums_priority_sublists(redis):
    redis.rpush("llm", "a", "b")
    redis.rpush(f"llm{PRIORITY_SEP}6", "c")
    redis.rpush("tools", "d")
    assert queue_depths(redis) == {"agent": 0, "llm": 3, "tools": 1, "gpu": 0}


def test_collector_exposes_live_numbers(redis):
    for ms in (100.0, 200.0, 300.0):
        record_step(redis, kind="tool", name="search", queue_wait_ms=10, run_ms=ms)
    record_job(redis, job_id="j", e2e_ms=2000, status="done", steps=3, tokens=10, cost_usd=0.1)
    redis.hset(keys.CACHE_COUNTERS, mapping={"tool:hit": 3, "tool:miss": 1, "junk": 5})
    JobLedger(redis, "j", Budget(), tenant="acme", tenant_limit_usd=5).reserve(cost_usd=0.25)
    set_level(redis, 2, "test")
    redis.rpush("agent", "x")

    text = generate_latest(registry(redis, window_s=60)).decode()
    assert _value(text, "celeragent_up") == 1
    assert _value(text, 'celeragent_job_e2e_seconds{quantile="0.95"}') == 2.0
    assert _value(text, 'celeragent_step_seconds{kind="tool",quantile="0.5"}') == 0.2
    assert _value(text, 'celeragent_steps{kind="tool"}') == 3
    assert _value(text, 'celeragent_cache_hit_ratio{cache="tool"}') == 0.75
    assert _value(text, 'celeragent_tenant_spend_usd{tenant="acme"}') == 0.25
    assert _value(text, "celeragent_degradation_level") == 2
    assert _value(text, 'celeragent_queue_depth{queue="agent"}') == 1
    assert _value(text, 'celeragent_jobs_finished{status="done"}') == 1


def test_collector_reports_down_instead_of_failing():
    dead = redis_lib.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    text = generate_latest(registry(dead, window_s=60)).decode()
    assert _value(text, "celeragent_up") == 0


def test_serve_answers_http(valkey_url):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = serve(port, valkey_url, addr="127.0.0.1", window_s=60, block=False)
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
        assert b"celeragent_up 1.0" in body
    finally:
        server.shutdown()
        server.server_close()
