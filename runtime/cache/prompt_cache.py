"""The exact prompt cache: model + canonical messages + sampling parameters -> completion.

A small in-process LRU sits in front of Redis so a repeated prompt in the same worker costs no
round trip. Each LRU entry carries the expiry fixed when the completion was first written, so
the LRU never serves anything Redis would already have dropped.

Only deterministic requests are cached (temperature 0) unless `any_temperature`: replaying one
sample of a sampled request would silently remove the variety the caller asked for. A request
without an explicit temperature is treated as sampled, since providers default to 1.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from runtime import keys
from runtime.cache.base import KV, as_kv, canonical_json, to_str

NAME = "prompt"

# Parameters that change what the model returns; anything else (timeouts, stream, job ids)
# must not split the cache.
KEY_PARAMS = (
    "temperature",
    "max_tokens",
    "json_schema",
    "response_format",
    "top_p",
    "stop",
    "seed",
    "tools",
)


class PromptCache:
    def __init__(
        self,
        redis: Any,
        ttl_s: int,
        lru_size: int,
        any_temperature: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.kv: KV = as_kv(redis)
        self.ttl_s = ttl_s
        self.lru_size = lru_size
        self.any_temperature = any_temperature
        self._clock = clock
        # Completions are kept as JSON text so a caller mutating its copy cannot corrupt the cache.
        self._lru: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def cacheable(self, params: dict[str, Any]) -> bool:
        if self.any_temperature:
            return True
        temperature = params.get("temperature")
        return temperature is not None and float(temperature) == 0.0

    def digest(self, model: str, messages: list[dict[str, Any]], params: dict[str, Any]) -> str:
        material = {
            "model": model,
            "messages": messages,
            "params": {k: params[k] for k in KEY_PARAMS if params.get(k) is not None},
        }
        return hashlib.sha256(canonical_json(material).encode("utf-8")).hexdigest()

    def get(
        self, model: str, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> dict[str, Any] | None:
        if not self.cacheable(params):
            return None
        digest = self.digest(model, messages, params)
        now = self._clock()
        text: str | None = None
        with self._lock:
            local = self._lru.get(digest)
            if local is not None and local[1] > now:
                self._lru.move_to_end(digest)
                text = local[0]
            elif local is not None:
                del self._lru[digest]
        if text is not None:
            self.kv.incr(keys.CACHE_COUNTERS, f"{NAME}:lru_hit")
            return json.loads(text)
        raw = self.kv.mget_counted(
            [keys.prompt_cache(digest)], keys.CACHE_COUNTERS, f"{NAME}:hit", f"{NAME}:miss"
        )[0]
        if raw is None:
            return None
        envelope = json.loads(to_str(raw) or "null")
        completion, expires_at = envelope["c"], float(envelope["exp"])
        if expires_at <= now:
            return None
        self._remember(digest, completion, expires_at)
        return completion

    def set(
        self,
        model: str,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        completion: dict[str, Any],
    ) -> bool:
        if not self.cacheable(params):
            return False
        digest = self.digest(model, messages, params)
        expires_at = self._clock() + self.ttl_s
        envelope = json.dumps({"c": completion, "exp": expires_at}, ensure_ascii=False)
        self.kv.set(keys.prompt_cache(digest), envelope, ttl_s=self.ttl_s)
        self.kv.incr(keys.CACHE_COUNTERS, f"{NAME}:set")
        self._remember(digest, completion, expires_at)
        return True

    def _remember(self, digest: str, completion: dict[str, Any], expires_at: float) -> None:
        if self.lru_size <= 0:
            return
        text = json.dumps(completion, ensure_ascii=False)
        with self._lock:
            self._lru[digest] = (text, expires_at)
            self._lru.move_to_end(digest)
            while len(self._lru) > self.lru_size:
                self._lru.popitem(last=False)

    def flush(self) -> int:
        """Drop every cached prompt (this process's LRU too; other processes' LRUs expire)."""
        with self._lock:
            self._lru.clear()
        return self.kv.scan_delete(keys.prompt_cache("*"))

    def stats(self) -> dict[str, Any]:
        counters = self.kv.counters(keys.CACHE_COUNTERS)
        mine = {k.split(":", 1)[1]: v for k, v in counters.items() if k.startswith(f"{NAME}:")}
        hits = mine.get("hit", 0) + mine.get("lru_hit", 0)
        misses = mine.get("miss", 0)
        return {
            **mine,
            "hit_rate": hits / (hits + misses or 1),
            "lru_entries": len(self._lru),
        }
