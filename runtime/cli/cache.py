"""`celeragent cache eval|stats|flush`: tune the semantic cache, watch hit ratios, drop entries.

`eval` needs no Redis: it measures the semantic cache's serving rule on labelled pairs with the
real embedder. `stats` and `flush` talk to the Redis every worker shares (`--redis-url`, else
Settings.resolve_redis_url()).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from runtime.cli.options import JSON_OUTPUT, REDIS_URL
from runtime.config import get_settings
from runtime.errors import CeleragentError

err = Console(stderr=True)
out = Console()


class PairsFileError(CeleragentError, ValueError):
    """The labelled pairs file is missing or malformed; the message names the line."""


def _redis(args: argparse.Namespace) -> Any:
    from runtime.broker.connection import get_redis

    return get_redis(args.redis_url or get_settings().resolve_redis_url())


# --- eval ----------------------------------------------------------------------------------
def read_pairs(path: str | Path) -> list[dict[str, Any]]:
    """Parse a JSONL file of {"cached", "query", "should_hit"}; errors name the line."""
    path = Path(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise PairsFileError(
            f"{path} {what}; give a JSONL file with one "
            '{"cached": ..., "query": ..., "should_hit": true|false} per line.'
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PairsFileError(f"{path} is not UTF-8 text ({exc.reason}).") from exc
    pairs: list[dict[str, Any]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            pair = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PairsFileError(f"{path} line {n}: not valid JSON ({exc.msg}).") from exc
        if not isinstance(pair, dict):
            raise PairsFileError(
                f"{path} line {n}: expected a JSON object, got {type(pair).__name__}."
            )
        missing = sorted({"cached", "query", "should_hit"} - set(pair))
        if missing:
            raise PairsFileError(f"{path} line {n}: missing {', '.join(missing)}.")
        for name in ("cached", "query"):
            if not isinstance(pair[name], str) or not pair[name].strip():
                raise PairsFileError(f"{path} line {n}: {name!r} must be a non-empty string.")
        if not isinstance(pair["should_hit"], bool):
            raise PairsFileError(f"{path} line {n}: 'should_hit' must be true or false.")
        pairs.append(pair)
    if not pairs:
        raise PairsFileError(f"{path} holds no pairs.")
    return pairs


def _eval_pairs(path: str | None, split: str | None) -> list[dict[str, Any]]:
    """The pairs to measure: a file (optionally only its pairs of one split), else the
    repository's own pairs of `split` (default: test, the split nothing was tuned on)."""
    from runtime.cache.evaluate import split_of, split_pairs

    if path is None:
        return split_pairs(split or "test")
    pairs = read_pairs(path)
    if split in (None, "all"):
        return pairs
    chosen = [p for p in pairs if split_of(p) == split]
    if not chosen:
        raise PairsFileError(f"{path} holds no pairs of split {split!r}.")
    return chosen


def cmd_cache_eval(args: argparse.Namespace) -> int:
    from runtime.cache.embedder import get_embedder
    from runtime.cache.evaluate import evaluate_pairs, format_report

    threshold = args.threshold if args.threshold is not None else get_settings().semantic_threshold
    if not (0 < threshold <= 1) or math.isnan(threshold):
        raise PairsFileError(f"--threshold must be in (0, 1], got {threshold}.")
    pairs = _eval_pairs(args.pairs, args.split)
    if not args.json:
        err.print(f"embedding {len(pairs)} pairs ...")
    zh = (
        args.zh_threshold if args.zh_threshold is not None else get_settings().semantic_threshold_zh
    )
    result = evaluate_pairs(pairs, threshold, get_embedder(), zh)
    if args.crowd:
        from runtime.cache.evaluate import evaluate_crowd
        from runtime.cache.semantic import NEIGHBOURS

        result["crowd"] = evaluate_crowd(pairs, threshold, get_embedder(), zh, NEIGHBOURS)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(format_report(result))
    return 0


# --- stats ---------------------------------------------------------------------------------
def _fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def cmd_cache_stats(args: argparse.Namespace) -> int:
    from runtime.cli.status import cache_stats

    stats = cache_stats(_redis(args))
    if args.json:
        print(json.dumps(stats))
        return 0
    table = Table(title="cache counters (since the counters were created)")
    for col in ("cache", "hits", "misses", "refused", "hit ratio", "other"):
        table.add_column(col, justify="left" if col in ("cache", "other") else "right")
    for cache, s in stats.items():
        shown = {"hit", "miss", "refused", "lru_hit", "waste", "shadow:check", "shadow:disagree"}
        other = ", ".join(
            f"{k}={v}"
            for k, v in s["counters"].items()
            if k not in shown and not k.startswith("refused:")
        )
        if s.get("refusals"):
            other = ", ".join(
                filter(None, [other, *(f"refused {k}={v}" for k, v in s["refusals"].items())])
            )
        table.add_row(
            cache,
            str(s["hits"]),
            str(s["misses"]),
            str(s["refused"]),
            _fmt_ratio(s["hit_ratio"]),
            other,
        )
    out.print(table)
    shadow = stats.get("semantic", {}).get("shadow")
    if shadow:
        est = shadow["estimate"]
        out.print(
            f"semantic false-hit estimate (shadow checks): "
            f"{'-' if est is None else f'{est:.1%}'} "
            f"({shadow['disagreements']} of {shadow['checks']} checks disagreed); "
            f"suspended scopes: {', '.join(shadow['suspended']) or 'none'}"
        )
        for sid, g in shadow["scopes"].items():
            out.print(
                f"  scope {sid}: {g['disagreements']}/{g['checks']} in window, "
                f"threshold +{g['tighten']:.3f}{', SUSPENDED' if g['suspended'] else ''}"
            )
    return 0


# --- flush ---------------------------------------------------------------------------------
class _NoEmbedder:
    """Flushing never embeds; this spares loading the model just to delete keys."""

    dim = 384


def flush_caches(
    r: Any, *, tool: str | None, semantic: bool, prompt: bool, everything: bool
) -> dict[str, int]:
    """Delete cache entries; returns keys removed per cache. Counters are kept."""
    from runtime import keys
    from runtime.cache.base import to_str
    from runtime.cache.prompt_cache import PromptCache
    from runtime.cache.semantic import SemanticCache
    from runtime.cache.tool_cache import ToolCache

    settings = get_settings()
    removed: dict[str, int] = {}
    if everything or tool is not None:
        removed["tool"] = ToolCache(r).invalidate(tool_name=tool)
    if everything or prompt:
        removed["prompt"] = PromptCache(r, settings.prompt_cache_ttl_s, 0).flush()
    if everything or semantic:
        sem = SemanticCache(r, _NoEmbedder(), settings.semantic_threshold, settings.semantic_ttl_s)
        scopes = sorted(to_str(s) or "" for s in r.smembers(keys.SEMANTIC_SCOPES))
        # The prefetch predictor keeps its memory of plans in `prefetch-<tenant>` scopes: a
        # full flush drops it too, `--semantic` alone only drops cached answers.
        removed["semantic"] = 0
        if everything:
            removed["prefetch"] = 0
        for sid in scopes:
            name = "prefetch" if sid.startswith("prefetch-") else "semantic"
            if name in removed:
                removed[name] += sem.flush(sid)
    return removed


def cmd_cache_flush(args: argparse.Namespace) -> int:
    everything = args.tool is None and not args.semantic and not args.prompt
    removed = flush_caches(
        _redis(args),
        tool=args.tool,
        semantic=args.semantic,
        prompt=args.prompt,
        everything=everything,
    )
    total = sum(removed.values())
    if args.json:
        print(json.dumps({"removed": total, "by_cache": removed}))
        return 0
    label = {"tool": f"tool {args.tool!r}" if args.tool else "tool"}
    detail = ", ".join(f"{label.get(name, name)} {n}" for name, n in removed.items())
    print(f"removed {total} cache key{'s' if total != 1 else ''} ({detail})")
    return 0


def add_cache_commands(subparsers: Any) -> None:
    cache = subparsers.add_parser("cache", help="evaluate, inspect and flush the caches")
    sub = cache.add_subparsers(dest="cache_command", required=True)

    ev = sub.add_parser(
        "eval",
        parents=[JSON_OUTPUT],
        help="measure the semantic cache on labelled pairs (recall, false hits, sweep)",
        description='Each line of PAIRS.jsonl: {"cached": ..., "query": ..., "should_hit": '
        "true|false}. Each pair is judged alone against a cache holding only its cached "
        "question, with the semantic cache's threshold and verification.",
    )
    ev.add_argument(
        "pairs",
        metavar="PAIRS.jsonl",
        nargs="?",
        default=None,
        help="labelled pairs (default: the repository's own, see --split)",
    )
    ev.add_argument(
        "--zh-threshold",
        type=float,
        default=None,
        help="cosine threshold for Chinese questions (default: CELERAGENT_SEMANTIC_THRESHOLD_ZH)",
    )
    ev.add_argument(
        "--split",
        choices=("tune", "test", "all"),
        default=None,
        help="only the pairs of this split (without PAIRS: the repository's pairs; default test)",
    )
    ev.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="cosine threshold (default: CELERAGENT_SEMANTIC_THRESHOLD)",
    )
    ev.add_argument(
        "--crowd",
        action="store_true",
        help="also put every cached question in one index, as a cache holds them, and look "
        "each query up among its nearest: is the right one found and served?",
    )
    ev.set_defaults(fn=cmd_cache_eval)

    stats = sub.add_parser(
        "stats",
        parents=[REDIS_URL, JSON_OUTPUT],
        help="hit/miss/refusal counters and hit ratios per cache",
    )
    stats.set_defaults(fn=cmd_cache_stats)

    flush = sub.add_parser(
        "flush",
        parents=[REDIS_URL, JSON_OUTPUT],
        help="delete cache entries (no flag: every cache, prefetch memory included)",
    )
    flush.add_argument("--tool", metavar="NAME", default=None, help="only this tool's results")
    flush.add_argument("--semantic", action="store_true", help="the semantic answer cache")
    flush.add_argument("--prompt", action="store_true", help="the exact prompt cache")
    flush.set_defaults(fn=cmd_cache_flush)
