"""PromptCache: canonical keys, determinism rule, LRU in front of the store, TTL, flush."""

from __future__ import annotations

from runtime import keys
from runtime.cache import MemoryKV, PromptCache

MSGS = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
DET = {"temperature": 0, "max_tokens": 64}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_roundtrip_and_key_sensitivity() -> None:
    cache = PromptCache(MemoryKV(), ttl_s=60, lru_size=0)
    cache.set("m", MSGS, DET, {"text": "hello"})
    assert cache.get("m", MSGS, DET) == {"text": "hello"}
    assert cache.get("m2", MSGS, DET) is None
    assert cache.get("m", MSGS, {**DET, "max_tokens": 65}) is None
    assert cache.get("m", MSGS, {**DET, "json_schema": {"type": "object"}}) is None
    assert cache.get("m", [*MSGS, {"role": "user", "content": "x"}], DET) is None
    # Parameters that do not change the output do not split the cache.
    assert cache.get("m", MSGS, {**DET, "timeout": 5, "job_id": "j1"}) == {"text": "hello"}
    # Key order inside messages does not matter.
    reordered = [{"content": m["content"], "role": m["role"]} for m in MSGS]
    assert cache.get("m", reordered, DET) == {"text": "hello"}


def test_sampled_requests_are_not_cached_unless_any_temperature() -> None:
    kv = MemoryKV()
    cache = PromptCache(kv, ttl_s=60, lru_size=8)
    assert cache.set("m", MSGS, {"temperature": 0.7}, {"text": "x"}) is False
    assert cache.set("m", MSGS, {}, {"text": "x"}) is False  # Providers default to sampling.
    assert cache.get("m", MSGS, {"temperature": 0.7}) is None
    assert len(kv) == 0
    loose = PromptCache(kv, ttl_s=60, lru_size=8, any_temperature=True)
    assert loose.set("m", MSGS, {"temperature": 0.7}, {"text": "x"})
    assert loose.get("m", MSGS, {"temperature": 0.7}) == {"text": "x"}


def test_lru_serves_without_the_store_and_respects_write_time_ttl() -> None:
    clock = Clock()
    kv = MemoryKV(clock=clock)
    cache = PromptCache(kv, ttl_s=10, lru_size=2, clock=clock)
    cache.set("m", MSGS, DET, {"text": "a"})
    kv.scan_delete("ca:cache:prompt:*")  # Only the LRU has it now.
    assert cache.get("m", MSGS, DET) == {"text": "a"}
    assert kv.counters(keys.CACHE_COUNTERS)["prompt:lru_hit"] == 1
    clock.now += 11
    assert cache.get("m", MSGS, DET) is None  # Expired in the LRU too.


def test_lru_is_bounded_and_returns_copies() -> None:
    cache = PromptCache(MemoryKV(), ttl_s=60, lru_size=2)
    for i in range(3):
        cache.set("m", [{"role": "user", "content": str(i)}], DET, {"text": str(i)})
    assert cache.stats()["lru_entries"] == 2
    got = cache.get("m", [{"role": "user", "content": "2"}], DET)
    got["text"] = "mutated"
    assert cache.get("m", [{"role": "user", "content": "2"}], DET) == {"text": "2"}


def test_other_process_hit_fills_lru_and_flush_clears_both() -> None:
    kv = MemoryKV()
    writer = PromptCache(kv, ttl_s=60, lru_size=8)
    reader = PromptCache(kv, ttl_s=60, lru_size=8)
    writer.set("m", MSGS, DET, {"text": "shared"})
    assert reader.get("m", MSGS, DET) == {"text": "shared"}
    assert kv.counters(keys.CACHE_COUNTERS)["prompt:hit"] == 1
    assert reader.flush() == 1
    assert reader.get("m", MSGS, DET) is None
    stats = reader.stats()
    assert stats["miss"] == 1 and 0 < stats["hit_rate"] < 1
