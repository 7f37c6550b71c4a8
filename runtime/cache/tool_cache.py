"""The tool-result cache: per-tool TTL, batch lookup for a whole layer, single-flight.

Key = tool name + tool version + sha256 of the canonical JSON arguments, so a new tool version
never serves an old result and `{"a":1,"b":2}` equals `{"b":2,"a":1}`. Only `tool.cacheable`
tools are cached (side-effecting tools are never cacheable, see Tool.__post_init__), and only
successful results: a failure must be retried, not replayed for the TTL.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from runtime import keys
from runtime.cache.base import KV, as_kv, canonical_json, to_str
from runtime.tools.base import Tool

NAME = "tool"  # Counter prefix in keys.CACHE_COUNTERS.


@dataclass(frozen=True)
class CacheHit:
    tool: str
    key: str
    output: Any
    stored_at: float  # Wall-clock time the result was stored.

    @property
    def age_s(self) -> float:
        return max(0.0, time.time() - self.stored_at)


def args_hash(arguments: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(arguments).encode("utf-8")).hexdigest()


class ToolCache:
    def __init__(self, kv_or_redis: Any, ttl_overrides: dict[str, int] | None = None) -> None:
        self.kv: KV = as_kv(kv_or_redis)
        self.ttl_overrides = dict(ttl_overrides or {})

    # --- keys and policy ---------------------------------------------------------------
    def key(self, tool: Tool, arguments: dict[str, Any]) -> str:
        return keys.tool_cache(tool.name, tool.version, args_hash(arguments))

    def ttl_for(self, tool: Tool) -> int:
        return int(self.ttl_overrides.get(tool.name, tool.ttl_s))

    def cacheable(self, tool: Tool) -> bool:
        return tool.cacheable and not tool.side_effecting and self.ttl_for(tool) > 0

    # --- lookups ------------------------------------------------------------------------
    def lookup_many(self, items: Sequence[tuple[Tool, dict[str, Any]]]) -> list[CacheHit | None]:
        """Resolve a whole layer in one round trip; uncacheable tools are always None."""
        slots = [i for i, (t, _) in enumerate(items) if self.cacheable(t)]
        result: list[CacheHit | None] = [None] * len(items)
        if not slots:
            return result
        cache_keys = [self.key(*items[i]) for i in slots]
        values = self.kv.mget_counted(
            cache_keys, keys.CACHE_COUNTERS, f"{NAME}:hit", f"{NAME}:miss"
        )
        for slot, key, raw in zip(slots, cache_keys, values, strict=True):
            if raw is not None:
                result[slot] = _decode(items[slot][0].name, key, raw)
        return result

    def get(self, tool: Tool, arguments: dict[str, Any]) -> CacheHit | None:
        return self.lookup_many([(tool, arguments)])[0]

    def set(self, tool: Tool, arguments: dict[str, Any], output: Any) -> bool:
        """Store a successful result; returns False for tools that are not cached."""
        if not self.cacheable(tool):
            return False
        envelope = json.dumps({"v": output, "t": time.time()}, ensure_ascii=False)
        self.kv.set(self.key(tool, arguments), envelope, ttl_s=self.ttl_for(tool))
        self.kv.incr(keys.CACHE_COUNTERS, f"{NAME}:set")
        return True

    # --- single-flight ------------------------------------------------------------------
    def run_single_flight(
        self,
        tool: Tool,
        arguments: dict[str, Any],
        compute: Callable[[], Any],
        wait_timeout_s: float,
        lock_ttl_s: float | None = None,
    ) -> tuple[Any, bool]:
        """Run `compute` once for identical concurrent calls; returns (output, shared).

        `shared` is True when the output came from the cache or from another caller's run.
        The first caller takes a SET NX lock (with a TTL, so a crashed leader frees it) and
        computes; the others poll the result key with short backoff waits. If the leader
        fails (its lock disappears with no result) or does not finish within
        `wait_timeout_s`, a waiter computes itself: nobody ever hangs on someone else.
        `compute` should raise on failure; exceptions propagate and are never cached.
        """
        if not self.cacheable(tool):
            return compute(), False
        hit = self.get(tool, arguments)
        if hit is not None:
            return hit.output, True
        digest = args_hash(arguments)
        result_key = keys.tool_cache(tool.name, tool.version, digest)
        lock_key = keys.tool_inflight(tool.name, tool.version, digest)
        token = uuid.uuid4().hex
        ttl = lock_ttl_s if lock_ttl_s is not None else max(1.0, wait_timeout_s)
        deadline = time.monotonic() + wait_timeout_s
        delay = 0.001
        while True:
            if self.kv.set(lock_key, token, ttl_s=ttl, nx=True):
                return self._lead(tool, arguments, compute, lock_key, token), False
            # Someone else is computing: wait for their result, or for their lock to go.
            while True:
                raw = self.kv.get(result_key)
                if raw is not None:
                    self.kv.incr(keys.CACHE_COUNTERS, f"{NAME}:shared")
                    return _decode(tool.name, result_key, raw).output, True
                if time.monotonic() >= deadline:
                    self.kv.incr(keys.CACHE_COUNTERS, f"{NAME}:wait_timeout")
                    return compute(), False
                if self.kv.get(lock_key) is None:
                    break  # The leader failed or expired; try to lead ourselves.
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    def _lead(
        self,
        tool: Tool,
        arguments: dict[str, Any],
        compute: Callable[[], Any],
        lock: str,
        token: str,
    ) -> Any:
        try:
            output = compute()
            self.set(tool, arguments, output)
            return output
        finally:
            # On success the result is stored before the lock goes, so waiters find it;
            # on failure the lock goes at once, so a waiter takes over instead of waiting.
            self.kv.delete_if_equals(lock, token)

    # --- management ---------------------------------------------------------------------
    def invalidate(self, tool_name: str | None = None, key: str | None = None) -> int:
        """Drop one key, every result of one tool, or (no arguments) the whole tool cache."""
        if key is not None:
            if not key.startswith(keys.tool_cache_pattern()[:-3]):
                raise ValueError(f"{key!r} is not a tool-cache key; keys start with ca:cache:tool:")
            return self.kv.delete(key)
        return self.kv.scan_delete(keys.tool_cache_pattern(tool_name))

    def stats(self) -> dict[str, Any]:
        counters = self.kv.counters(keys.CACHE_COUNTERS)
        mine = {k.split(":", 1)[1]: v for k, v in counters.items() if k.startswith(f"{NAME}:")}
        hits, misses = mine.get("hit", 0), mine.get("miss", 0)
        return {**mine, "hit": hits, "miss": misses, "hit_rate": hits / (hits + misses or 1)}


def _decode(tool: str, key: str, raw: bytes | str) -> CacheHit:
    envelope = json.loads(to_str(raw) or "null")
    return CacheHit(tool=tool, key=key, output=envelope["v"], stored_at=float(envelope["t"]))
