"""The benchmark harness every `ops/bench/*.py` script uses: measure first, then tune.

`measure` runs warm-up calls that are thrown away (imports, connection pools, caches and JIT-ish
first-call costs would otherwise skew the numbers), then times `repeats` calls with
`time.perf_counter`. Samples are in seconds. `write_report` writes JSON (never pickle) with
enough about the machine to compare runs; `plot` writes a PNG with matplotlib's Agg backend,
imported lazily so the runtime does not need matplotlib installed.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_OUT_DIR = "ops/bench/results"


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    if not samples:
        raise ValueError("percentile of no samples is undefined; measure at least one")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be between 0 and 100, got {q}")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclasses.dataclass(frozen=True)
class Stats:
    """Summary of timing samples, in seconds."""

    mean: float
    median: float
    p95: float
    min: float
    max: float
    std: float
    n: int
    samples: list[float]

    @classmethod
    def from_samples(cls, samples: Sequence[float]) -> Stats:
        values = [float(s) for s in samples]
        if not values:
            raise ValueError("cannot summarise zero samples")
        return cls(
            mean=statistics.fmean(values),
            median=statistics.median(values),
            p95=percentile(values, 95),
            min=min(values),
            max=max(values),
            std=statistics.stdev(values) if len(values) > 1 else 0.0,
            n=len(values),
            samples=values,
        )

    def to_dict(self, *, samples: bool = True) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if not samples:
            data.pop("samples")
        return data


def measure(fn: Callable[[], Any], *, warmup: int, repeats: int) -> Stats:
    """Call `fn` `warmup` times untimed, then `repeats` times timed."""
    if warmup < 0 or repeats < 1:
        raise ValueError(f"need warmup >= 0 and repeats >= 1, got {warmup} and {repeats}")
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Stats.from_samples(samples)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} to a JSON report; convert it first")


def environment() -> dict[str, Any]:
    """What a reader needs to compare two reports: interpreter, OS, CPU count."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
    }


def write_report(
    name: str, results: Mapping[str, Any], out_dir: str | Path = DEFAULT_OUT_DIR
) -> Path:
    """Write `{out_dir}/{name}.json` with the results, a timestamp and the environment."""
    path = Path(out_dir) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "name": name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": environment(),
        "results": dict(results),
    }
    path.write_text(json.dumps(document, indent=2, default=_jsonable) + "\n")
    return path


def plot(
    name: str,
    series: Mapping[str, Stats | Sequence[float]],
    *,
    out_dir: str | Path = DEFAULT_OUT_DIR,
    title: str | None = None,
    ylabel: str = "seconds",
    kind: str = "box",
) -> Path:
    """Write `{out_dir}/{name}.png`: a box plot of samples, or bars of median with p95 marks."""
    if kind not in ("box", "bar"):
        raise ValueError(f"plot kind must be 'box' or 'bar', got {kind!r}")
    if not series:
        raise ValueError("nothing to plot: give at least one series")
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and CI
    import matplotlib.pyplot as plt

    labels = list(series)
    stats = [s if isinstance(s, Stats) else Stats.from_samples(s) for s in series.values()]
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(labels) + 2), 4))
    try:
        if kind == "box":
            ax.boxplot([s.samples for s in stats], tick_labels=labels, showfliers=True)
        else:
            xs = range(len(labels))
            ax.bar(xs, [s.median for s in stats], label="median")
            ax.scatter(xs, [s.p95 for s in stats], color="black", marker="_", s=400, label="p95")
            ax.set_xticks(list(xs), labels)
            ax.legend()
        ax.set_ylabel(ylabel)
        ax.set_title(title or name)
        fig.tight_layout()
        path = Path(out_dir) / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)
    return path


def batch_backend(model: str) -> tuple[Any, Any, float]:
    """(profile, backend, seconds to load) for a benchmark that sends many requests at once:
    the model is loaded before timing starts, and the worker's per-request timeout (meant for
    interactive jobs) is lifted, since a batch queues behind itself on a 2-core CPU."""
    from runtime.llm.profiles import get_profile
    from runtime.llm.registry import get_backend

    profile = get_profile(model)
    backend = get_backend(profile)
    if hasattr(backend, "timeout_s"):
        backend.timeout_s = max(backend.timeout_s, 1800.0)
    started = time.perf_counter()
    if hasattr(backend, "warm"):
        backend.warm()
    return profile, backend, time.perf_counter() - started
