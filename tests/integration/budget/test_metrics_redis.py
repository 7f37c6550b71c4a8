"""Metrics against a real Valkey: percentiles from real streams, the time window, MAXLEN."""

from __future__ import annotations

import pytest

from runtime import keys
from runtime.guard.metrics import diagnose, record_job, record_step, snapshot


def test_percentiles_from_a_real_stream(redis):
    pipe = redis.pipeline(transaction=False)
    for ms in range(1, 201):
        record_step(pipe, kind="tool", name="search", queue_wait_ms=ms / 2, run_ms=float(ms))
    for ms in (1000.0, 3000.0):
        record_step(
            pipe,
            kind="llm",
            name="gpt",
            queue_wait_ms=None,
            run_ms=ms,
            tokens=500,
            cost_usd=0.01,
            cached=ms == 1000.0,
            job_id="a",
        )
    record_job(pipe, job_id="a", e2e_ms=5000, status="done", steps=3, tokens=1000, cost_usd=0.02)
    pipe.execute()

    snap = snapshot(redis, window_s=60)
    tool = snap.kinds["tool"]
    assert tool.count == 200
    assert tool.p50_ms == pytest.approx(100.5)
    assert tool.p95_ms == pytest.approx(190.05)
    assert tool.p99_ms == pytest.approx(198.01)
    assert tool.wait_p95_ms == pytest.approx(95.025)
    assert snap.kinds["llm"].tokens == 1000
    assert snap.names["llm"]["gpt"].cached == 1
    assert snap.jobs.count == 1 and snap.jobs.e2e_p95_ms == 5000
    assert snap.llm_share_of_e2e == pytest.approx(0.8)
    assert snap.cost_per_minute_usd == pytest.approx(0.02)
    assert snap.truncated is False


def test_window_excludes_old_records(redis):
    seconds, micros = redis.time()
    now_ms = int(seconds) * 1000 + int(micros) // 1000
    # An entry stamped ten minutes ago: explicit ids are how the stream encodes time.
    redis.xadd(
        keys.METRICS_STEPS,
        {"k": "tool", "n": "old", "r": "99999", "w": ""},
        id=f"{now_ms - 600_000}-0",
    )
    record_step(redis, kind="tool", name="new", queue_wait_ms=1, run_ms=5)
    snap = snapshot(redis, window_s=60)
    assert set(snap.names["tool"]) == {"new"}
    assert "old" in snapshot(redis, window_s=3600).names["tool"]


def test_max_records_bounds_the_read(redis):
    pipe = redis.pipeline(transaction=False)
    for _ in range(30):
        record_step(pipe, kind="plan", name="p", queue_wait_ms=None, run_ms=1)
    pipe.execute()
    snap = snapshot(redis, window_s=60, max_records=10)
    assert snap.kinds["plan"].count == 10 and snap.truncated is True


def test_stream_length_is_bounded(redis):
    pipe = redis.pipeline(transaction=False)
    for _ in range(3000):
        record_step(pipe, kind="join", name="j", queue_wait_ms=None, run_ms=1, maxlen=1000)
    pipe.execute()
    # MAXLEN ~ trims whole radix-tree nodes, so the length is near the cap, not exact.
    assert redis.xlen(keys.METRICS_STEPS) < 1500


def test_diagnose_from_real_records(raw_redis):
    for _ in range(3):
        record_step(raw_redis, kind="llm", name="big", queue_wait_ms=None, run_ms=7000, job_id="x")
    record_job(
        raw_redis, job_id="x", e2e_ms=22_000, status="done", steps=12, tokens=20_000, cost_usd=0.3
    )
    rules = {r.rule for r in diagnose(snapshot(raw_redis, 60))}
    assert rules == {"llm_latency", "llm_share_of_e2e", "steps_per_job", "tokens_per_request"}
