"""The operator commands against the real stack: cache stats/flush, status, diagnose, metrics."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import redis as redis_lib

from runtime import keys
from runtime.cli.main import main
from runtime.guard import metrics
from runtime.job.client import Client
from runtime.schemas import JobResult, JobStatus

pytestmark = pytest.mark.integration


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()  # drop anything printed before
    rc = main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 0, err
    return json.loads(out)


def echo_plan(tag: str) -> dict[str, Any]:
    """Two independent cacheable calls, both unique to this test run."""
    return {
        "calls": [
            {"id": "e", "name": "echo", "arguments": {"value": f"cli-ops {tag}"}},
            {
                "id": "c",
                "name": "calculator",
                "arguments": {"expression": f"{int(tag[:8], 16)} * 7919"},
            },
        ]
    }


def cached(result: JobResult) -> dict[str, bool]:
    return {s.id: s.cached for s in result.steps if s.kind == "tool"}


def run_plan(client: Client, plan: dict[str, Any]) -> JobResult:
    result = client.submit({"plan": plan}).result(timeout=30)
    assert result.status is JobStatus.done, result
    return result


def test_cache_stats_json_counts_tool_hits(
    client: Client, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = run_json(capsys, "cache", "stats", "--json", "--redis-url", redis_url)
    assert {"tool", "prompt", "semantic", "prefetch"} <= set(before)
    plan = echo_plan(uuid.uuid4().hex)
    run_plan(client, plan)  # two misses, then stored
    assert all(cached(run_plan(client, plan)).values())  # two hits
    after = run_json(capsys, "cache", "stats", "--json", "--redis-url", redis_url)
    tool = after["tool"]
    assert tool["hits"] - before["tool"]["hits"] >= 2
    assert tool["misses"] - before["tool"]["misses"] >= 2
    assert tool["hit_ratio"] == pytest.approx(tool["hits"] / (tool["hits"] + tool["misses"]))
    for name in ("prompt", "semantic", "prefetch"):
        entry = after[name]
        assert {"hits", "misses", "refused", "hit_ratio", "counters"} <= set(entry)
        assert entry["hit_ratio"] is None or 0.0 <= entry["hit_ratio"] <= 1.0
    assert "refusals" in after["semantic"]

    rc, out, _ = run_cli(capsys, "cache", "stats", "--redis-url", redis_url)
    assert rc == 0 and "tool" in out and "hit ratio" in out


def test_cache_flush_tool_drops_only_that_tool(
    client: Client, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = echo_plan(uuid.uuid4().hex)
    assert cached(run_plan(client, plan)) == {"e": False, "c": False}
    assert cached(run_plan(client, plan)) == {"e": True, "c": True}

    rc, out, err = run_cli(capsys, "cache", "flush", "--tool", "echo", "--redis-url", redis_url)
    assert rc == 0, err
    assert out.startswith("removed ") and "tool 'echo'" in out
    assert int(out.split()[1]) >= 1  # at least this test's echo result

    r = redis_lib.Redis.from_url(redis_url)
    try:
        assert list(r.scan_iter(match=keys.tool_cache_pattern("echo"))) == []
        assert list(r.scan_iter(match=keys.tool_cache_pattern("calculator")))  # untouched
    finally:
        r.close()
    # The echo step runs again; the calculator step is still served from the cache.
    assert cached(run_plan(client, plan)) == {"e": False, "c": True}

    flushed = run_json(
        capsys, "cache", "flush", "--tool", "echo", "--json", "--redis-url", redis_url
    )
    assert flushed["by_cache"] == {"tool": flushed["removed"]}
    assert flushed["removed"] >= 1  # the result the third run stored


def test_status_json_has_the_system_view(
    client: Client, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = echo_plan(uuid.uuid4().hex)
    run_plan(client, plan)
    run_plan(client, plan)  # served from the tool cache: the tool hit rate is above 0
    data = run_json(capsys, "status", "--json", "--redis-url", redis_url)
    expected = {
        "queues",
        "workers",
        "degradation_level",
        "latency",
        "jobs",
        "cost_per_minute_usd",
        "cache_hit_rates",
        "recent_jobs",
        "metrics_window_s",
    }
    assert expected <= set(data)
    assert set(data["queues"]) == {"agent", "llm", "tools", "gpu"}
    assert all(isinstance(n, int) and n >= 0 for n in data["queues"].values())
    assert data["workers"]["agent"] and data["workers"]["tools"]  # the stack's workers answer
    assert data["degradation_level"] in (0, 1, 2)
    tool = data["latency"]["tool"]
    assert tool["count"] >= 1 and 0 <= tool["p50_ms"] <= tool["p95_ms"]
    assert data["jobs"]["count"] >= 1 and data["jobs"]["e2e_p50_ms"] > 0
    assert data["cost_per_minute_usd"] >= 0
    assert {"tool", "prompt", "semantic", "prefetch"} <= set(data["cache_hit_rates"])
    assert 0 < data["cache_hit_rates"]["tool"] <= 1
    assert data["recent_jobs"] and data["recent_jobs"][0]["status"] == "done"


def test_diagnose_json_after_a_few_jobs(
    client: Client, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        run_plan(client, echo_plan(uuid.uuid4().hex))
    data = run_json(capsys, "diagnose", "--json", "--window", "120", "--redis-url", redis_url)
    assert data["window_s"] == 120
    assert data["jobs"] >= 3 and data["steps"] >= 6
    assert data["numbers"]["tool_mean_s"] is not None
    assert data["numbers"]["avg_steps_per_job"] is not None
    assert isinstance(data["recommendations"], list)
    for rec in data["recommendations"]:
        assert rec["observed"] > rec["threshold"] and rec["advice"]

    rc, out, _ = run_cli(capsys, "diagnose", "--window", "120", "--redis-url", redis_url)
    assert rc == 0
    if data["recommendations"]:
        assert "recommendations from" in out
    else:
        assert "no problems found" in out


@pytest.fixture
def scratch_db_url(redis_url: str) -> Iterator[str]:
    """The stack's server, another database: numbers written here never reach the monitor."""
    parts = urlsplit(redis_url)
    url = urlunsplit(parts._replace(path="/14"))
    r = redis_lib.Redis.from_url(url)
    r.flushdb()
    try:
        yield url
    finally:
        r.flushdb()
        r.close()


def test_diagnose_reports_the_chapters_rules(
    scratch_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run_cli(capsys, "diagnose", "--redis-url", scratch_db_url)
    assert rc == 0 and "no problems found (0 jobs and 0 steps" in " ".join(out.split())

    r = redis_lib.Redis.from_url(scratch_db_url)
    try:
        for i in range(4):
            metrics.record_step(r, kind="tool", name="slow", queue_wait_ms=1, run_ms=3000)
            metrics.record_step(r, kind="llm", name="big", queue_wait_ms=1, run_ms=6000)
            metrics.record_job(
                r, job_id=f"j{i}", e2e_ms=9000, status="done", steps=12, tokens=20_000, cost_usd=0
            )
    finally:
        r.close()
    data = run_json(capsys, "diagnose", "--json", "--redis-url", scratch_db_url)
    rules = {rec["rule"]: rec for rec in data["recommendations"]}
    assert set(rules) == {"llm_latency", "tool_latency", "steps_per_job", "tokens_per_request"}
    assert rules["tool_latency"]["observed"] == pytest.approx(3.0)
    assert rules["llm_latency"]["observed"] == pytest.approx(6.0)

    rc, out, _ = run_cli(capsys, "diagnose", "--redis-url", scratch_db_url)
    assert rc == 0 and "tool_latency" in out and "no problems found" not in out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_metrics_server_serves_one_scrape_and_stops_on_sigterm(redis_url: str) -> None:
    port = free_port()
    cmd = [sys.executable, "-m", "runtime.cli.main", "metrics-server", "--port", str(port)]
    cmd += ["--addr", "127.0.0.1", "--redis-url", redis_url]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            body = ""
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                try:
                    response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
                except httpx.TransportError:
                    time.sleep(0.2)
                    continue
                assert response.status_code == 200
                body = response.text
                break
            assert body, "the metrics server never answered"
            assert "celeragent_up 1.0" in body
            assert 'celeragent_queue_depth{queue="tools"}' in body
            assert "celeragent_degradation_level" in body
            assert 'celeragent_cache_hit_ratio{cache="tool"}' in body
        finally:
            proc.terminate()
            stdout, stderr = proc.communicate(timeout=15)
    assert proc.returncode == 0, stderr
    assert stdout.strip() == f"http://127.0.0.1:{port}/metrics"
    assert "metrics server stopped" in stderr


def test_metrics_server_refuses_a_port_in_use(
    redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        rc, _, err = run_cli(
            capsys, "metrics-server", "--port", str(port), "--addr", "127.0.0.1",
            "--redis-url", redis_url,
        )  # fmt: skip
    assert rc == 2
    assert f"cannot serve metrics on 127.0.0.1:{port}" in " ".join(err.split())


def test_cache_flush_semantic_prompt_and_everything(
    scratch_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import numpy as np

    from runtime.cache.prompt_cache import PromptCache
    from runtime.cache.semantic import SemanticCache

    class NoModel:
        dim = 384

    r = redis_lib.Redis.from_url(scratch_db_url)
    try:
        sem = SemanticCache(r, NoModel(), threshold=0.85, ttl_s=600)
        vec = np.ones(384, dtype=np.float32) / np.sqrt(384)
        sem.store("What is 2+2?", "4", "scope-a", embedding=vec)
        sem.store("What is 3+3?", "6", "scope-b", embedding=vec)
        sem.store("weather in Paris", [{"name": "echo"}], "prefetch-default", embedding=vec)
        prompts = PromptCache(r, ttl_s=600, lru_size=0)
        prompts.set("m", [{"role": "user", "content": "hi"}], {"temperature": 0}, {"text": "yo"})

        def count(pattern: str) -> int:
            return len(list(r.scan_iter(match=pattern)))

        flushed = run_json(
            capsys, "cache", "flush", "--semantic", "--json", "--redis-url", scratch_db_url
        )
        assert flushed == {"removed": 2, "by_cache": {"semantic": 2}}
        assert count(keys.semantic_entry("prefetch-default", "*")) == 1  # plans are kept
        assert count(keys.prompt_cache("*")) == 1

        rc, out, err = run_cli(capsys, "cache", "flush", "--redis-url", scratch_db_url)
        assert rc == 0, err
        assert out.strip() == "removed 2 cache keys (tool 0, prompt 1, semantic 0, prefetch 1)"
        assert count(keys.prompt_cache("*")) == 0
        assert count(keys.semantic_entry("*", "*")) == 0
    finally:
        r.close()


def test_cancel_ends_a_running_job_and_says_when_it_had_ended(
    client: Client, redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = {"calls": [{"id": "s", "name": "sleep", "arguments": {"ms": 20_000}}]}
    handle = client.submit({"plan": plan, "budget": {"deadline_s": 60}})
    rc, out, _ = run_cli(capsys, "cancel", handle.id, "--redis-url", redis_url)
    assert rc == 0 and f"cancelled: job {handle.id}" in out
    result = handle.result(timeout=5)  # ended at once, not after the 20 s sleep
    assert result.status is JobStatus.cancelled and handle.status() is JobStatus.cancelled
    rc, out, _ = run_cli(capsys, "cancel", handle.id, "--redis-url", redis_url)
    assert rc == 1 and "had already ended (cancelled)" in out
    rc, _, err = run_cli(capsys, "cancel", "no-such-job", "--redis-url", redis_url)
    assert rc == 2 and "does not exist" in err
