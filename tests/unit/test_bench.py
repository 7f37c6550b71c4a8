"""The benchmark harness: percentile maths, Stats, measure's warm-up, JSON and PNG output."""

from __future__ import annotations

import json

import pytest

from runtime.cli.bench import Stats, measure, percentile, plot, write_report


def test_percentile_matches_linear_interpolation():
    samples = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(samples, 0) == 1.0
    assert percentile(samples, 50) == 3.0
    assert percentile(samples, 100) == 5.0
    # rank (5 - 1) * 0.95 = 3.8 -> 4 + 0.8 * (5 - 4)
    assert percentile(samples, 95) == pytest.approx(4.8)
    assert percentile([7.0], 99) == 7.0


def test_percentile_refuses_empty_and_out_of_range():
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_stats_from_samples():
    stats = Stats.from_samples([1, 2, 3, 4, 10])
    assert stats.n == 5
    assert stats.mean == pytest.approx(4.0)
    assert stats.median == 3
    assert stats.min == 1 and stats.max == 10
    assert stats.std == pytest.approx(3.5355, rel=1e-3)
    assert stats.p95 == pytest.approx(8.8)
    assert Stats.from_samples([2.0]).std == 0.0


def test_measure_discards_warmup_calls():
    calls = []
    stats = measure(lambda: calls.append(1), warmup=3, repeats=7)
    assert len(calls) == 10
    assert stats.n == 7 and len(stats.samples) == 7
    assert all(s >= 0 for s in stats.samples)
    assert stats.min <= stats.median <= stats.max


def test_measure_validates_arguments():
    with pytest.raises(ValueError):
        measure(lambda: None, warmup=0, repeats=0)


def test_write_report_is_json_with_environment(tmp_path):
    stats = Stats.from_samples([0.1, 0.2, 0.3])
    path = write_report("demo", {"case": stats, "tags": ("a", "b")}, out_dir=tmp_path / "r")
    data = json.loads(path.read_text())
    assert path.name == "demo.json"
    assert data["name"] == "demo"
    assert data["results"]["case"]["n"] == 3
    assert data["results"]["case"]["samples"] == [0.1, 0.2, 0.3]
    assert data["results"]["tags"] == ["a", "b"]
    assert data["environment"]["cpu_count"] >= 1


def test_write_report_refuses_unserialisable(tmp_path):
    with pytest.raises(TypeError, match="JSON"):
        write_report("bad", {"x": object()}, out_dir=tmp_path)


@pytest.mark.parametrize("kind", ["box", "bar"])
def test_plot_writes_png(tmp_path, kind):
    path = plot(
        "lat",
        {"a": [0.1, 0.2, 0.3], "b": Stats.from_samples([0.2, 0.4])},
        out_dir=tmp_path,
        kind=kind,
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_refuses_unknown_kind(tmp_path):
    with pytest.raises(ValueError, match="box"):
        plot("x", {"a": [1.0]}, out_dir=tmp_path, kind="pie")


def test_batch_backend_returns_a_ready_backend_for_the_profile():
    from runtime.cli.bench import batch_backend

    profile, backend, load_s = batch_backend("fake-fast")
    assert profile.name == "fake-fast" and load_s >= 0
    assert backend.complete([{"role": "user", "content": "hi"}], model="", max_tokens=8).text
