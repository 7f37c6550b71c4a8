"""Pure parts of runtime.guard.metrics: summarize() statistics and the chapter's diagnose() rules,
plus what record_step/record_job send (checked against a recording stand-in for a pipeline)."""

from __future__ import annotations

import pytest

from runtime import keys
from runtime.guard.metrics import (
    DiagnoseRules,
    MetricsSnapshot,
    diagnose,
    record_job,
    record_step,
    summarize,
)


class RecordingPipe:
    def __init__(self):
        self.calls = []

    def xadd(self, key, fields, maxlen=None, approximate=False):
        self.calls.append((key, fields, maxlen, approximate))
        return "1-0"


def step(
    kind="tool",
    name="search",
    run_ms=100.0,
    wait_ms=None,
    cached=False,
    ok=True,
    job_id=None,
    tokens=0,
    cost_usd=0.0,
):
    return {
        "kind": kind,
        "name": name,
        "run_ms": run_ms,
        "wait_ms": wait_ms,
        "cached": cached,
        "ok": ok,
        "job_id": job_id,
        "tokens": tokens,
        "cost_usd": cost_usd,
    }


def job(job_id="j", e2e_ms=1000.0, status="done", steps=3, tokens=100, cost_usd=0.01):
    return {
        "job_id": job_id,
        "e2e_ms": e2e_ms,
        "status": status,
        "steps": steps,
        "tokens": tokens,
        "cost_usd": cost_usd,
    }


def test_record_step_is_one_bounded_xadd():
    pipe = RecordingPipe()
    record_step(
        pipe,
        kind="llm",
        name="gpt",
        queue_wait_ms=None,
        run_ms=12.5,
        tokens=7,
        cost_usd=0.001,
        cached=True,
        ok=False,
        job_id="j1",
        maxlen=500,
    )
    assert len(pipe.calls) == 1
    key, fields, maxlen, approximate = pipe.calls[0]
    assert key == keys.METRICS_STEPS and maxlen == 500 and approximate is True
    assert fields["k"] == "llm" and fields["w"] == "" and fields["h"] == 1 and fields["ok"] == 0
    assert fields["j"] == "j1" and float(fields["c"]) == 0.001


def test_record_step_refuses_unknown_kind():
    with pytest.raises(ValueError, match="llm, tool, plan, join"):
        record_step(RecordingPipe(), kind="gpu", name="x", queue_wait_ms=1, run_ms=1)


def test_record_job_writes_the_jobs_stream():
    pipe = RecordingPipe()
    record_job(pipe, job_id="j", e2e_ms=1500, status="done", steps=4, tokens=900, cost_usd=0.02)
    key, fields, _, approximate = pipe.calls[0]
    assert key == keys.METRICS_JOBS and approximate
    assert fields["st"] == 4 and fields["t"] == 900 and fields["s"] == "done"


def test_summarize_percentiles_per_kind_and_name():
    steps = [step(run_ms=float(ms), wait_ms=float(ms) / 10) for ms in range(1, 101)]
    steps += [step(kind="llm", name="gpt", run_ms=2000.0, cached=True)]
    snap = summarize(steps, [], window_s=60)
    tool = snap.kinds["tool"]
    assert tool.count == 100
    assert tool.p50_ms == pytest.approx(50.5)
    assert tool.p95_ms == pytest.approx(95.05)
    assert tool.p99_ms == pytest.approx(99.01)
    assert tool.wait_p50_ms == pytest.approx(5.05)
    assert snap.names["tool"]["search"].count == 100
    assert snap.names["llm"]["gpt"].p95_ms == 2000.0
    assert snap.kinds["llm"].wait_p50_ms is None
    assert snap.cache_hit_ratio == pytest.approx(1 / 101)
    assert snap.step_count == 101


def test_summarize_jobs_tokens_cost_and_steps():
    jobs = [
        job(
            f"j{i}",
            e2e_ms=1000.0 * i,
            tokens=100 * i,
            steps=i,
            cost_usd=0.01 * i,
            status="done" if i < 4 else "failed",
        )
        for i in range(1, 5)
    ]
    steps = [step(kind="llm", cost_usd=0.03), step(kind="llm", cost_usd=0.03)]
    snap = summarize(steps, jobs, window_s=120)
    assert snap.jobs.count == 4 and snap.jobs.by_status == {"done": 3, "failed": 1}
    assert snap.jobs.e2e_p50_ms == pytest.approx(2500)
    assert snap.tokens_per_request == pytest.approx(250)
    assert snap.cost_per_request_usd == pytest.approx(0.025)
    assert snap.avg_steps_per_job == pytest.approx(2.5)
    assert snap.cost_per_minute_usd == pytest.approx(0.03)  # $0.06 over two minutes


def test_llm_share_joins_steps_to_their_jobs():
    steps = [
        step(kind="llm", run_ms=800, job_id="a"),
        step(kind="tool", run_ms=100, job_id="a"),
        step(kind="llm", run_ms=100, job_id="b"),
        step(kind="llm", run_ms=99_999, job_id="still-running"),
    ]
    jobs = [job("a", e2e_ms=1000), job("b", e2e_ms=1000)]
    assert summarize(steps, jobs, 60).llm_share_of_e2e == pytest.approx(0.45)


def test_llm_share_falls_back_to_totals_without_job_ids():
    steps = [step(kind="llm", run_ms=900), step(kind="tool", run_ms=100)]
    assert summarize(steps, [job(e2e_ms=1000)], 60).llm_share_of_e2e == pytest.approx(0.9)
    assert summarize(steps, [], 60).llm_share_of_e2e is None


def test_empty_window_means_no_data_not_zero():
    snap = summarize([], [], 60)
    assert snap.kinds == {} and snap.jobs.count == 0
    assert snap.tokens_per_request is None and snap.cache_hit_ratio is None
    assert diagnose(snap) == []


def test_diagnose_applies_every_rule():
    steps = [step(kind="llm", run_ms=6000, job_id="a"), step(kind="tool", run_ms=2500, job_id="a")]
    jobs = [job("a", e2e_ms=7000, steps=12, tokens=12_000)]
    recs = diagnose(summarize(steps, jobs, 60))
    by_rule = {r.rule: r for r in recs}
    assert set(by_rule) == {
        "llm_latency",
        "llm_share_of_e2e",
        "tool_latency",
        "steps_per_job",
        "tokens_per_request",
    }
    assert by_rule["llm_latency"].observed == pytest.approx(6.0)
    assert by_rule["llm_latency"].threshold == 5.0
    assert by_rule["llm_share_of_e2e"].observed == pytest.approx(6000 / 7000)
    assert all(r.advice for r in recs)


def test_diagnose_is_quiet_below_thresholds_and_thresholds_are_configurable():
    steps = [step(kind="llm", run_ms=4000, job_id="a"), step(kind="tool", run_ms=1000, job_id="a")]
    jobs = [job("a", e2e_ms=10_000, steps=5, tokens=3000)]
    snap = summarize(steps, jobs, 60)
    assert diagnose(snap) == []
    assert [r.rule for r in diagnose(snap, DiagnoseRules(llm_latency_s=3.0))] == ["llm_latency"]


def test_snapshot_to_dict_is_plain_data():
    data = summarize([step()], [job()], 60).to_dict()
    assert data["kinds"]["tool"]["count"] == 1 and data["jobs"]["count"] == 1
    assert isinstance(MetricsSnapshot(window_s=1).to_dict(), dict)
