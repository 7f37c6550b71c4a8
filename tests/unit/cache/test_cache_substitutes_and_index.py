"""Local substitutes, the FAISS index wrapper, and the evaluation maths with a toy embedder."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from runtime.cache.evaluate import evaluate_pairs, format_report
from runtime.cache.vector_index import VectorIndex
from runtime.tools.substitutes import register_substitute, substitute_for


def test_current_date_without_timezone_is_substituted_with_the_tools_format() -> None:
    sub = substitute_for("current_date", {})
    assert sub is not None
    out = sub()
    assert set(out) == {"date", "time", "timezone", "iso"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", out["date"])
    assert re.fullmatch(r"\d{2}:\d{2}:\d{2}", out["time"])
    assert out["timezone"] == "UTC" and out["iso"].startswith(out["date"])
    from runtime.tools.current_date import CurrentDateArgs, current_date

    real = current_date(CurrentDateArgs())
    assert set(real) == set(out) and real["timezone"] == out["timezone"]


def test_no_substitute_when_the_condition_fails() -> None:
    assert substitute_for("current_date", {"timezone": "Asia/Shanghai"}) is None
    assert substitute_for("http_get", {"url": "http://x"}) is None


def test_custom_substitute_and_broken_condition() -> None:
    register_substitute("echo_test_only", lambda a: a["text"] == "hi", lambda a: {"text": "hi"})
    assert substitute_for("echo_test_only", {"text": "hi"})() == {"text": "hi"}
    assert substitute_for("echo_test_only", {}) is None  # KeyError in the condition: no sub.


def unit(v: list[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def test_vector_index_search_remove_expire_and_dedupe() -> None:
    ix = VectorIndex(3)
    far = time.time() + 3600
    vecs = np.vstack([unit([1, 0, 0]), unit([0.9, 0.1, 0]), unit([0, 1, 0])])
    assert ix.add(["a", "b", "c"], vecs, [far, far, time.time() - 1]) == 3
    assert ix.add(["a"], vecs[:1], [far]) == 0
    found = ix.search(unit([1, 0, 0]), 3)
    assert [e for e, _ in found] == ["a", "b"]  # c has expired.
    assert found[0][1] == pytest.approx(1.0, abs=1e-5)
    ix.remove("a")
    assert [e for e, _ in ix.search(unit([1, 0, 0]), 3)] == ["b"]
    ix.clear()
    assert ix.search(unit([1, 0, 0]), 3) == [] and len(ix) == 0


def test_vector_index_switches_to_hnsw_and_keeps_finding() -> None:
    rng = np.random.default_rng(0)
    data = rng.standard_normal((300, 16)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    ix = VectorIndex(16, hnsw_after=100)
    far = time.time() + 3600
    ix.add([f"e{i}" for i in range(300)], data, [far] * 300)
    assert ix.kind == "hnsw" and len(ix) == 300
    found = sum(ix.search(data[i], 1)[0][0] == f"e{i}" for i in range(0, 300, 10))
    assert found >= 27  # Approximate, but near-exact at this size.
    for i in range(100):
        ix.remove(f"e{i}")  # Triggers compaction of the tombstones.
    assert len(ix) == 200 and ix.search(data[150], 1)[0][0] == "e150"


class ToyEmbedder:
    """Bag-of-words vectors: enough to exercise the evaluation arithmetic."""

    dim = 64

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                out[i, sum(map(ord, w)) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def test_evaluate_pairs_counts_and_baselines() -> None:
    pairs = [
        {"cached": "weather in Paris today", "query": "weather in Paris today", "should_hit": True},
        {"cached": "buy 3 apples now", "query": "buy 5 apples now", "should_hit": False},
        {"cached": "red car fast", "query": "blue sky slow", "should_hit": True},
        {"cached": "weather Paris", "query": "weather London", "should_hit": False},
    ]
    r = evaluate_pairs(pairs, 0.5, ToyEmbedder())
    assert r["pairs"] == 4 and r["recall"] == 0.5 and r["false_hit_rate"] == 0.0
    assert r["precision"] == 1.0
    assert r["refused"] >= 1  # The number pair (cosine 0.75) was refused by verification.
    sweep = {s["threshold"]: s for s in r["sweep"]}
    assert sweep[0.7]["false_hit_rate"] == 0.0 and sweep[0.7]["recall"] == 0.5
    assert [b["threshold"] for b in r["baselines"]] == [0.8, 0.9, 0.95]
    text = format_report(r)
    assert "recall 0.500" in text and "missed paraphrase" in text


def test_evaluate_rejects_empty() -> None:
    with pytest.raises(ValueError, match="no pairs"):
        evaluate_pairs([], 0.85, ToyEmbedder())
