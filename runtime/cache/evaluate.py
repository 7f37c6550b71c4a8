"""Measure the semantic cache on labelled pairs: does it serve paraphrases and refuse the rest?

Each pair {"cached", "query", "should_hit"} is judged alone, against a fresh index holding
only its cached question, with the same search and serving rule as SemanticCache (`decide`:
threshold, then verify_match). Beside it, plain cosine thresholds without verification show
what the verifier buys.

The repository's labelled pairs come in two fixed splits (tests/data/semantic/build.py says
how they are kept apart): `tune`, the pairs the verifier may be developed against, and
`test`, the pairs it is measured on and never tuned on. `split_pairs` loads either or both.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from runtime.cache.serving import Candidate, decide
from runtime.cache.vector_index import VectorIndex
from runtime.cache.verify import language
from runtime.cache.zh_vectors import QuestionVectors

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
SPLIT_FILES = {
    "tune": [DATA / "semantic_pairs.jsonl", DATA / "semantic" / "tune.jsonl"],
    "test": [DATA / "semantic" / "test.jsonl"],
}
SPLITS = ("tune", "test", "all")
SWEEP = [round(0.70 + 0.025 * i, 3) for i in range(12)]  # 0.70 ... 0.975
BASELINES = [0.8, 0.9, 0.95]


def load_pairs(path: str | Path) -> list[dict[str, Any]]:
    pairs = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        pair = json.loads(line)
        missing = {"cached", "query", "should_hit"} - set(pair)
        if missing:
            raise ValueError(f"{path}:{n}: pair lacks {', '.join(sorted(missing))}.")
        pairs.append(pair)
    return pairs


def split_of(pair: dict[str, Any]) -> str:
    """A pair's split; pairs that name none (the legacy file) are tune pairs."""
    return str(pair.get("split", "tune"))


def split_pairs(split: str) -> list[dict[str, Any]]:
    """The repository's labelled pairs of one split ("tune", "test" or "all")."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}.")
    names = ["tune", "test"] if split == "all" else [split]
    return [p for name in names for path in SPLIT_FILES[name] for p in load_pairs(path)]


def _similarities(pairs: list[dict[str, Any]], embedder: Any) -> np.ndarray:
    embedder = QuestionVectors(embedder)  # what SemanticCache indexes (zh_vectors.py)
    cached = embedder.embed([p["cached"] for p in pairs])
    queries = embedder.embed([p["query"] for p in pairs])
    sims = np.empty(len(pairs), dtype=np.float32)
    for i in range(len(pairs)):
        index = VectorIndex(cached.shape[1])  # A fresh cache holding only this question.
        index.add(["cached"], cached[i : i + 1], [float("inf")])
        found = index.search(queries[i], 1)
        sims[i] = found[0][1] if found else -1.0
    return sims


def _score(hits: list[bool], labels: list[bool]) -> dict[str, float]:
    tp = sum(h and y for h, y in zip(hits, labels, strict=True))
    fp = sum(h and not y for h, y in zip(hits, labels, strict=True))
    positives = sum(labels)
    negatives = len(labels) - positives
    return {
        "recall": tp / positives if positives else 0.0,
        "false_hit_rate": fp / negatives if negatives else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
    }


def evaluate_pairs(
    pairs: list[dict[str, Any]],
    threshold: float,
    embedder: Any,
    zh_threshold: float | None = None,
) -> dict[str, Any]:
    if not pairs:
        raise ValueError("no pairs to evaluate; give a JSONL file of {cached, query, should_hit}.")
    sims = _similarities(pairs, embedder)
    labels = [bool(p["should_hit"]) for p in pairs]

    def verified(t: float) -> tuple[list[bool], list[str | None]]:
        hits, reasons = [], []
        for p, s in zip(pairs, sims, strict=True):
            # The sweep moves both thresholds together, keeping the Chinese one's offset.
            zh = None if zh_threshold is None else zh_threshold + (t - threshold)
            d = decide(p["query"], [Candidate("cached", float(s), p["cached"])], t, zh)
            hits.append(d.served is not None)
            reasons.append(d.refusals[0][1] if d.refusals else None)
        return hits, reasons

    hits, reasons = verified(threshold)
    by_category: dict[str, dict[str, int]] = defaultdict(lambda: {"pairs": 0, "correct": 0})
    errors = []
    for p, s, h, y, r in zip(pairs, sims, hits, labels, reasons, strict=True):
        cat = by_category[p.get("category", "uncategorised")]
        cat["pairs"] += 1
        cat["correct"] += int(h == y)
        if h != y:
            errors.append(
                {
                    "cached": p["cached"],
                    "query": p["query"],
                    "should_hit": y,
                    "similarity": round(float(s), 4),
                    "refusal": r,
                    "category": p.get("category"),
                }
            )
    sweep = [{"threshold": t, **_score(verified(t)[0], labels)} for t in SWEEP]
    baselines = [
        {"threshold": t, **_score([bool(s >= t) for s in sims], labels)} for t in BASELINES
    ]
    return {
        "threshold": threshold,
        "zh_threshold": zh_threshold,
        **_score(hits, labels),
        "pairs": len(pairs),
        "should_hit": sum(labels),
        "should_miss": len(labels) - sum(labels),
        "refused": sum(r is not None and not h for h, r in zip(hits, reasons, strict=True)),
        "by_category": dict(by_category),
        "errors": errors,
        "sweep": sweep,
        "baselines": baselines,
    }


def evaluate_crowd(
    pairs: list[dict[str, Any]],
    threshold: float,
    embedder: Any,
    zh_threshold: float | None = None,
    neighbours: int = 4,
) -> dict[str, Any]:
    """The pairs' cached questions all in one index, as a cache holds them: each query looks
    up its `neighbours` nearest (SemanticCache's NEIGHBOURS) under the serving rule. Judged
    pair by pair, a paraphrase competes with nothing; here it must also be found among the
    others. Per language: must-hit queries served their own cached question (`served`) or
    one no pair allows (`served_other`); must-miss queries served their pair's cached
    question (`false_hits`) or one no pair allows (`served_other`: unlabelled, right or
    wrong). A query may be served any question a must-hit pair gives it, and its own text."""
    vectors = QuestionVectors(embedder)
    cached = sorted({p["cached"] for p in pairs})
    index = VectorIndex(vectors.dim)
    index.add(
        [str(i) for i in range(len(cached))], vectors.embed(cached), [float("inf")] * len(cached)
    )
    allowed: dict[str, set[str]] = defaultdict(set)
    for p in pairs:
        allowed[p["query"]] |= {p["query"]} | ({p["cached"]} if p["should_hit"] else set())
    zero = {"must_hit": 0, "served": 0, "must_miss": 0, "false_hits": 0, "served_other": 0}
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict(zero))
    queries = vectors.embed([p["query"] for p in pairs])
    for p, vector in zip(pairs, queries, strict=True):
        found = [Candidate(e, s, cached[int(e)]) for e, s in index.search(vector, neighbours)]
        served = decide(p["query"], found, threshold, zh_threshold).served
        row = out[p.get("lang") or language(p["query"])]  # a user's pairs may not say
        row["must_hit" if p["should_hit"] else "must_miss"] += 1
        if served is None:
            continue
        if served.question == p["cached"]:
            row["served" if p["should_hit"] else "false_hits"] += 1
        elif served.question not in allowed[p["query"]]:
            row["served_other"] += 1
    return {"entries": len(cached), "neighbours": neighbours, "by_language": dict(out)}


def format_report(result: dict[str, Any]) -> str:
    lines = [
        f"semantic cache on {result['pairs']} labelled pairs "
        f"({result['should_hit']} should hit, {result['should_miss']} should miss)",
        f"threshold {result['threshold']:.3f} + verification: recall {result['recall']:.3f}, "
        f"false-hit rate {result['false_hit_rate']:.3f}, precision {result['precision']:.3f} "
        f"({result['refused']} neighbours refused by verification)",
        "",
        "by category (correct / pairs):",
    ]
    for cat, c in sorted(result["by_category"].items()):
        lines.append(f"  {cat:<14} {c['correct']:>4} / {c['pairs']}")
    lines += [
        "",
        "threshold sweep (with verification):",
        "  threshold  recall  false-hit  precision",
    ]
    for row in result["sweep"]:
        lines.append(
            f"  {row['threshold']:>9.3f}  {row['recall']:>6.3f}  {row['false_hit_rate']:>9.3f}"
            f"  {row['precision']:>9.3f}"
        )
    lines += ["", "plain cosine baselines (no verification):"]
    for row in result["baselines"]:
        lines.append(
            f"  {row['threshold']:>9.3f}  {row['recall']:>6.3f}  {row['false_hit_rate']:>9.3f}"
            f"  {row['precision']:>9.3f}"
        )
    crowd = result.get("crowd")
    if crowd:
        lines += [
            "",
            f"in one index of {crowd['entries']} cached questions, {crowd['neighbours']} nearest"
            " examined (served: the pair's own question; other: one no pair allows):",
        ]
        for lang, row in sorted(crowd["by_language"].items()):
            lines.append(
                f"  {lang:<6} must-hit served {row['served']} / {row['must_hit']}, "
                f"must-miss served {row['false_hits']} / {row['must_miss']}, "
                f"other served {row['served_other']}"
            )
    if result["errors"]:
        lines += ["", f"errors ({len(result['errors'])}):"]
        for e in result["errors"]:
            kind = "missed paraphrase" if e["should_hit"] else "FALSE HIT"
            why = f" [{e['refusal']}]" if e["refusal"] else ""
            lines.append(f"  {kind}: {e['cached']!r} ~ {e['query']!r} (cos {e['similarity']}){why}")
    return "\n".join(lines)
