"""Step and job timings in Redis streams; rolling percentiles; rules that say what to tune.

Why streams: recording must be cheap on the hot path (one XADD, which a caller can put in the
pipeline it already sends), bounded (MAXLEN ~ trims whole nodes, so it costs nothing extra),
and readable by time without a separate index, because a stream id *is* the Redis server's
millisecond clock at insert. `snapshot` reads the last `window_s` seconds with one XREVRANGE
per stream, capped at `max_records`, and computes the percentiles in Python: the window is
small, and exact percentiles beat a histogram's bucket guesses for the monitor's decisions.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import defaultdict
from typing import Any

from runtime import keys
from runtime.cli.bench import percentile

STEP_KINDS = ("llm", "tool", "plan", "join")
STEPS_MAXLEN = 100_000
JOBS_MAXLEN = 20_000
MAX_RECORDS = 50_000  # per stream per snapshot: bounds the monitor's work under a flood


def record_step(
    redis: Any,
    *,
    kind: str,
    name: str,
    queue_wait_ms: float | None,
    run_ms: float,
    tokens: int = 0,
    cost_usd: float = 0.0,
    cached: bool = False,
    ok: bool = True,
    job_id: str | None = None,
    maxlen: int = STEPS_MAXLEN,
) -> Any:
    """Append one step record. `redis` may be a pipeline: the XADD then rides along with it."""
    if kind not in STEP_KINDS:
        raise ValueError(f"step kind must be one of {', '.join(STEP_KINDS)}, got {kind!r}")
    fields = {
        "k": kind,
        "n": name,
        "w": "" if queue_wait_ms is None else f"{queue_wait_ms:.3f}",
        "r": f"{run_ms:.3f}",
        "t": int(tokens),
        "c": repr(float(cost_usd)),
        "h": int(bool(cached)),
        "ok": int(bool(ok)),
        "j": job_id or "",
    }
    return redis.xadd(keys.METRICS_STEPS, fields, maxlen=maxlen, approximate=True)


def record_job(
    redis: Any,
    *,
    job_id: str,
    e2e_ms: float,
    status: str,
    steps: int,
    tokens: int,
    cost_usd: float,
    models: str = "",
    maxlen: int = JOBS_MAXLEN,
) -> Any:
    """Append one finished job's end-to-end record (pipeline-friendly like `record_step`).
    `models`: the models it used, comma-separated (its e2e budget depends on them)."""
    fields = {
        "j": job_id,
        "e": f"{e2e_ms:.3f}",
        "s": status,
        "st": int(steps),
        "t": int(tokens),
        "c": repr(float(cost_usd)),
        "m": models,
    }
    return redis.xadd(keys.METRICS_JOBS, fields, maxlen=maxlen, approximate=True)


@dataclasses.dataclass(frozen=True)
class LatencyStats:
    count: int
    errors: int
    cached: int
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    wait_p50_ms: float | None
    wait_p95_ms: float | None
    tokens: int
    cost_usd: float

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> LatencyStats:
        run = [r["run_ms"] for r in rows]
        waits = [r["wait_ms"] for r in rows if r["wait_ms"] is not None]
        return cls(
            count=len(rows),
            errors=sum(1 for r in rows if not r["ok"]),
            cached=sum(1 for r in rows if r["cached"]),
            mean_ms=statistics.fmean(run),
            p50_ms=percentile(run, 50),
            p95_ms=percentile(run, 95),
            p99_ms=percentile(run, 99),
            wait_p50_ms=percentile(waits, 50) if waits else None,
            wait_p95_ms=percentile(waits, 95) if waits else None,
            tokens=sum(r["tokens"] for r in rows),
            cost_usd=sum(r["cost_usd"] for r in rows),
        )


@dataclasses.dataclass(frozen=True)
class JobStats:
    count: int = 0
    by_status: dict[str, int] = dataclasses.field(default_factory=dict)
    e2e_mean_ms: float = 0.0
    e2e_p50_ms: float = 0.0
    e2e_p95_ms: float = 0.0
    e2e_p99_ms: float = 0.0


@dataclasses.dataclass(frozen=True)
class MetricsSnapshot:
    """Rolling numbers over the last `window_s` seconds. None means "no data", not zero."""

    window_s: float
    kinds: dict[str, LatencyStats] = dataclasses.field(default_factory=dict)
    names: dict[str, dict[str, LatencyStats]] = dataclasses.field(default_factory=dict)
    jobs: JobStats = dataclasses.field(default_factory=JobStats)
    # The same, per set of models the jobs used ("" for jobs that used none).
    jobs_by_model: dict[str, JobStats] = dataclasses.field(default_factory=dict)
    step_count: int = 0
    tokens_per_request: float | None = None
    cost_per_request_usd: float | None = None
    cost_per_minute_usd: float = 0.0
    cache_hit_ratio: float | None = None
    # Sum of LLM step time over sum of job e2e time. It can exceed 1 when a job's LLM calls
    # overlap; the diagnosis rule only asks whether it is above 0.8 (DiagnoseRules).
    llm_share_of_e2e: float | None = None
    avg_steps_per_job: float | None = None
    truncated: bool = False  # True when a stream held more than max_records in the window

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _read_window(redis: Any, key: str, start_ms: int, limit: int) -> list[dict[str, str]]:
    entries = redis.xrevrange(key, max="+", min=str(start_ms), count=limit)
    return [{_s(k): _s(v) for k, v in fields.items()} for _id, fields in entries]


def _step_row(f: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": f.get("k", ""),
        "name": f.get("n", ""),
        "wait_ms": float(f["w"]) if f.get("w") else None,
        "run_ms": float(f.get("r", 0)),
        "tokens": int(f.get("t", 0)),
        "cost_usd": float(f.get("c", 0)),
        "cached": f.get("h") == "1",
        "ok": f.get("ok", "1") == "1",
        "job_id": f.get("j") or None,
    }


def snapshot(redis: Any, window_s: float, *, max_records: int = MAX_RECORDS) -> MetricsSnapshot:
    """Compute rolling statistics from the last `window_s` seconds of both streams."""
    if window_s <= 0:
        raise ValueError(f"window_s must be positive, got {window_s}")
    seconds, micros = redis.time()  # the server's clock: the same one that stamped the ids
    start_ms = int(seconds) * 1000 + int(micros) // 1000 - int(window_s * 1000)
    raw_steps = _read_window(redis, keys.METRICS_STEPS, start_ms, max_records)
    raw_jobs = _read_window(redis, keys.METRICS_JOBS, start_ms, max_records)
    steps = [_step_row(f) for f in raw_steps]
    return summarize(
        steps,
        [
            {
                "job_id": f.get("j", ""),
                "e2e_ms": float(f.get("e", 0)),
                "status": f.get("s", ""),
                "steps": int(f.get("st", 0)),
                "tokens": int(f.get("t", 0)),
                "cost_usd": float(f.get("c", 0)),
                "models": f.get("m", ""),
            }
            for f in raw_jobs
        ],
        window_s,
        truncated=len(raw_steps) >= max_records or len(raw_jobs) >= max_records,
    )


def summarize(
    steps: list[dict[str, Any]],
    jobs: list[dict[str, Any]],
    window_s: float,
    *,
    truncated: bool = False,
) -> MetricsSnapshot:
    """The pure part of `snapshot`: rows in, statistics out (unit-testable without Redis)."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_name: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in steps:
        by_kind[row["kind"]].append(row)
        by_name[row["kind"]][row["name"]].append(row)
    kinds = {k: LatencyStats.of(rows) for k, rows in by_kind.items()}
    names = {k: {n: LatencyStats.of(rows) for n, rows in d.items()} for k, d in by_name.items()}

    job_stats = JobStats()
    tokens_per_request = cost_per_request = avg_steps = None
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for j in jobs:
        groups[j.get("models", "")].append(j)
    if jobs:
        job_stats = _job_stats(jobs)
        tokens_per_request = statistics.fmean(j["tokens"] for j in jobs)
        cost_per_request = statistics.fmean(j["cost_usd"] for j in jobs)
        avg_steps = statistics.fmean(j["steps"] for j in jobs)

    return MetricsSnapshot(
        window_s=window_s,
        kinds=kinds,
        names=names,
        jobs=job_stats,
        jobs_by_model={models: _job_stats(rows) for models, rows in groups.items()},
        step_count=len(steps),
        tokens_per_request=tokens_per_request,
        cost_per_request_usd=cost_per_request,
        # Cost from step records, not job records: it counts jobs still in flight.
        cost_per_minute_usd=sum(r["cost_usd"] for r in steps) / (window_s / 60.0),
        cache_hit_ratio=sum(1 for r in steps if r["cached"]) / len(steps) if steps else None,
        llm_share_of_e2e=_llm_share(steps, jobs),
        avg_steps_per_job=avg_steps,
        truncated=truncated,
    )


def _job_stats(jobs: list[dict[str, Any]]) -> JobStats:
    e2e = [j["e2e_ms"] for j in jobs]
    statuses: dict[str, int] = defaultdict(int)
    for j in jobs:
        statuses[j["status"]] += 1
    return JobStats(
        count=len(jobs),
        by_status=dict(statuses),
        e2e_mean_ms=statistics.fmean(e2e),
        e2e_p50_ms=percentile(e2e, 50),
        e2e_p95_ms=percentile(e2e, 95),
        e2e_p99_ms=percentile(e2e, 99),
    )


def _llm_share(steps: list[dict[str, Any]], jobs: list[dict[str, Any]]) -> float | None:
    # Prefer the exact per-job join (LLM time of the jobs that finished in the window over
    # their e2e); fall back to window totals when steps carry no job ids.
    llm_by_job: dict[str, float] = defaultdict(float)
    seen_jobs = set()
    for row in steps:
        if row["job_id"]:
            seen_jobs.add(row["job_id"])
            if row["kind"] == "llm":
                llm_by_job[row["job_id"]] += row["run_ms"]
    linked = [j for j in jobs if j["job_id"] in seen_jobs]
    if linked:
        e2e = sum(j["e2e_ms"] for j in linked)
        return sum(llm_by_job[j["job_id"]] for j in linked) / e2e if e2e > 0 else None
    llm_total = sum(r["run_ms"] for r in steps if r["kind"] == "llm")
    e2e_total = sum(j["e2e_ms"] for j in jobs)
    return llm_total / e2e_total if llm_total > 0 and e2e_total > 0 else None


@dataclasses.dataclass(frozen=True)
class Recommendation:
    rule: str
    observed: float
    threshold: float
    advice: str


@dataclasses.dataclass(frozen=True)
class DiagnoseRules:
    """When `diagnose` recommends a change. Rules of thumb for agent workloads: model calls
    are usually 60-80% of a request's latency, tools 10-30%; above these lines that part is
    the one to tune first. Latencies compare the mean (a rule about the typical call, not the
    tail: the tail is the performance budget's job, PerformanceBudget)."""

    llm_latency_s: float = 5.0
    llm_share: float = 0.8
    tool_latency_s: float = 2.0
    steps_per_job: float = 10.0
    tokens_per_request: float = 10_000.0


def diagnose(snapshot: MetricsSnapshot, rules: DiagnoseRules | None = None) -> list[Recommendation]:
    """What to tune first, from the rolling numbers; empty when nothing breaks a rule."""
    rules = rules or DiagnoseRules()
    out: list[Recommendation] = []

    def check(rule: str, observed: float | None, threshold: float, advice: str) -> None:
        if observed is not None and observed > threshold:
            out.append(Recommendation(rule, observed, threshold, advice))

    llm, tool = snapshot.kinds.get("llm"), snapshot.kinds.get("tool")
    check(
        "llm_latency",
        llm.mean_ms / 1000 if llm else None,
        rules.llm_latency_s,
        "LLM calls average over the threshold (seconds): route to a faster model, stream, "
        "cap max_tokens, or cache prompts.",
    )
    check(
        "llm_share_of_e2e",
        snapshot.llm_share_of_e2e,
        rules.llm_share,
        "The model is the bottleneck: shorten prompts, compress context, use a smaller model "
        "for easy requests.",
    )
    check(
        "tool_latency",
        tool.mean_ms / 1000 if tool else None,
        rules.tool_latency_s,
        "Tools average over the threshold (seconds): cache their results, run independent "
        "tools in parallel, add timeouts.",
    )
    check(
        "steps_per_job",
        snapshot.avg_steps_per_job,
        rules.steps_per_job,
        "Jobs take too many steps: improve the planner prompt or give it better tools.",
    )
    check(
        "tokens_per_request",
        snapshot.tokens_per_request,
        rules.tokens_per_request,
        "Requests use many tokens: trim history, summarise context, compress tool outputs.",
    )
    return out
