"""Tool and prompt caches against a real Valkey."""

from __future__ import annotations

import threading

from pydantic import BaseModel

from runtime import keys
from runtime.cache import PromptCache, RedisKV, ToolCache
from runtime.tools.base import Tool


class Args(BaseModel):
    q: str = ""


def make_tool(name: str = "search", ttl_s: int = 300) -> Tool:
    return Tool(name=name, description="", args_model=Args, fn=lambda a: a.q, ttl_s=ttl_s)


def test_tool_cache_roundtrip_ttl_and_counters(rc) -> None:
    cache = ToolCache(rc)
    tool = make_tool(ttl_s=120)
    cache.set(tool, {"q": "x"}, {"items": ["a", "ü"]})
    key = cache.key(tool, {"q": "x"})
    assert 0 < rc.pttl(key) <= 120_000
    hits = cache.lookup_many([(tool, {"q": "x"}), (tool, {"q": "y"})])
    assert hits[0].output == {"items": ["a", "ü"]} and hits[1] is None
    counters = rc.hgetall(keys.CACHE_COUNTERS)
    norm = {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in counters.items()}
    assert norm["tool:hit"] == 1 and norm["tool:miss"] == 1
    assert cache.invalidate("search") == 1 and rc.exists(key) == 0


def test_single_flight_across_clients(rc, cache_valkey_url) -> None:
    import redis as redis_lib

    tool = make_tool()
    runs = []
    gate = threading.Event()

    def compute():
        runs.append(1)
        gate.wait(3)
        return "once"

    out = []

    def worker():
        # Each thread its own client and cache object, as separate worker processes would be.
        client = redis_lib.Redis.from_url(cache_valkey_url)
        out.append(ToolCache(client).run_single_flight(tool, {"q": "z"}, compute, 10))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    import time

    time.sleep(0.2)
    gate.set()
    for t in threads:
        t.join(10)
    assert len(runs) == 1
    assert sorted(o[1] for o in out) == [False, True, True, True, True, True]
    assert {o[0] for o in out} == {"once"}
    lock = keys.tool_inflight(tool.name, tool.version, ToolCache(rc).key(tool, {"q": "z"})[-64:])
    assert rc.exists(lock) == 0  # The leader released its lock.


def test_redis_kv_delete_if_equals_guards_foreign_locks(rc) -> None:
    kv = RedisKV(rc)
    assert kv.set("ca:test:lock", "me", ttl_s=5, nx=True)
    assert not kv.set("ca:test:lock", "you", ttl_s=5, nx=True)
    assert kv.delete_if_equals("ca:test:lock", "you") is False
    assert kv.delete_if_equals("ca:test:lock", "me") is True


def test_prompt_cache_shared_between_processes_and_flush(rc) -> None:
    msgs = [{"role": "user", "content": "2+2?"}]
    a = PromptCache(rc, ttl_s=60, lru_size=4)
    b = PromptCache(rc, ttl_s=60, lru_size=4)
    a.set("m", msgs, {"temperature": 0}, {"text": "4"})
    assert b.get("m", msgs, {"temperature": 0}) == {"text": "4"}
    assert 0 < rc.ttl(keys.prompt_cache(a.digest("m", msgs, {"temperature": 0}))) <= 60
    assert a.flush() == 1
    assert a.get("m", msgs, {"temperature": 0}) is None
