"""ToolCache on the in-memory KV: keys, TTLs, batch lookup, single-flight, invalidation."""

from __future__ import annotations

import threading
import time

import pytest
from pydantic import BaseModel

from runtime import keys
from runtime.cache import MemoryKV, ToolCache
from runtime.tools.base import Tool


class Args(BaseModel):
    q: str = ""


def make_tool(name: str = "search", **kw) -> Tool:
    return Tool(name=name, description="", args_model=Args, fn=lambda a: a.q, **kw)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_key_is_canonical_over_argument_order_and_versioned() -> None:
    cache = ToolCache(MemoryKV())
    t1, t2 = make_tool(version="1"), make_tool(version="2")
    assert cache.key(t1, {"a": 1, "b": [1, 2]}) == cache.key(t1, {"b": [1, 2], "a": 1})
    assert cache.key(t1, {"a": 1}) != cache.key(t2, {"a": 1})
    assert cache.key(t1, {"a": 1}) != cache.key(t1, {"a": 2})
    assert cache.key(t1, {"a": 1}).startswith("ca:cache:tool:search:1:")


def test_set_get_roundtrip_and_ttl_from_tool() -> None:
    clock = Clock()
    cache = ToolCache(MemoryKV(clock=clock))
    tool = make_tool(ttl_s=10)
    assert cache.get(tool, {"q": "x"}) is None
    assert cache.set(tool, {"q": "x"}, {"items": [1, 2]})
    hit = cache.get(tool, {"q": "x"})
    assert hit is not None and hit.output == {"items": [1, 2]} and hit.tool == "search"
    clock.now += 9.9
    assert cache.get(tool, {"q": "x"}) is not None
    clock.now += 0.2
    assert cache.get(tool, {"q": "x"}) is None


def test_ttl_override_from_settings_wins() -> None:
    clock = Clock()
    cache = ToolCache(MemoryKV(clock=clock), ttl_overrides={"search": 2})
    tool = make_tool(ttl_s=100)
    assert cache.ttl_for(tool) == 2
    cache.set(tool, {}, 1)
    clock.now += 3
    assert cache.get(tool, {}) is None


def test_uncacheable_and_side_effecting_tools_are_never_stored() -> None:
    kv = MemoryKV()
    cache = ToolCache(kv)
    for tool in (make_tool(cacheable=False), make_tool(side_effecting=True)):
        assert cache.set(tool, {"q": "x"}, 1) is False
        assert cache.get(tool, {"q": "x"}) is None
    assert len(kv) == 0


def test_lookup_many_resolves_a_layer_and_counts() -> None:
    kv = MemoryKV()
    cache = ToolCache(kv)
    a, b, side = make_tool("a"), make_tool("b"), make_tool("c", side_effecting=True)
    cache.set(a, {"q": "1"}, "A1")
    cache.set(b, {"q": "2"}, "B2")
    hits = cache.lookup_many([(a, {"q": "1"}), (b, {"q": "1"}), (side, {}), (b, {"q": "2"})])
    assert [h.output if h else None for h in hits] == ["A1", None, None, "B2"]
    stats = cache.stats()
    assert stats["hit"] == 2 and stats["miss"] == 1  # The side-effecting call is not a lookup.
    assert kv.counters(keys.CACHE_COUNTERS)["tool:hit"] == 2


def test_lookup_many_uses_one_round_trip() -> None:
    class CountingKV(MemoryKV):
        calls = 0

        def mget_counted(self, *a, **kw):
            CountingKV.calls += 1
            return super().mget_counted(*a, **kw)

        def get(self, key):  # pragma: no cover - must not be used by lookup_many
            raise AssertionError("lookup_many must not issue single GETs")

    cache = ToolCache(CountingKV())
    tools = [make_tool(f"t{i}") for i in range(20)]
    cache.lookup_many([(t, {"q": "x"}) for t in tools])
    assert CountingKV.calls == 1


def test_single_flight_runs_identical_calls_once() -> None:
    cache = ToolCache(MemoryKV())
    tool = make_tool()
    runs = 0
    gate = threading.Event()

    def compute():
        nonlocal runs
        runs += 1
        gate.wait(2)
        return {"v": 42}

    results: list[tuple[object, bool]] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(cache.run_single_flight(tool, {"q": "x"}, compute, 5))
        )
        for _ in range(8)
    ]
    for th in threads:
        th.start()
    time.sleep(0.1)  # Let every thread reach the lock before the leader finishes.
    gate.set()
    for th in threads:
        th.join(5)
    assert runs == 1
    assert [r[0] for r in results] == [{"v": 42}] * 8
    assert sum(1 for r in results if r[1] is False) == 1  # Only the leader computed.


def test_single_flight_leader_failure_is_not_cached_and_waiters_take_over() -> None:
    kv = MemoryKV()
    cache = ToolCache(kv)
    tool = make_tool()
    started = threading.Event()
    release = threading.Event()
    calls: list[str] = []

    def failing():
        calls.append("leader")
        started.set()
        release.wait(2)
        raise RuntimeError("upstream 500")

    def ok():
        calls.append("waiter")
        return "fresh"

    errors: list[BaseException] = []

    def lead():
        try:
            cache.run_single_flight(tool, {}, failing, 5)
        except RuntimeError as exc:
            errors.append(exc)

    leader = threading.Thread(target=lead)
    leader.start()
    started.wait(2)
    out: list[tuple[object, bool]] = []
    waiter = threading.Thread(target=lambda: out.append(cache.run_single_flight(tool, {}, ok, 5)))
    waiter.start()
    time.sleep(0.05)
    release.set()
    leader.join(5)
    waiter.join(5)
    assert len(errors) == 1 and "upstream 500" in str(errors[0])
    assert out == [("fresh", False)]
    assert calls == ["leader", "waiter"]
    assert cache.get(tool, {}).output == "fresh"  # The waiter's success is cached, not the error.


def test_single_flight_wait_timeout_computes_instead_of_hanging() -> None:
    kv = MemoryKV()
    cache = ToolCache(kv)
    tool = make_tool()
    lock = keys.tool_inflight(tool.name, tool.version, cache.key(tool, {}).rsplit(":", 1)[1])
    kv.set(lock, "someone-else", ttl_s=60)  # A stuck leader.
    assert cache.run_single_flight(tool, {}, lambda: "mine", wait_timeout_s=0.05) == ("mine", False)


def test_single_flight_for_uncacheable_tool_just_runs() -> None:
    cache = ToolCache(MemoryKV())
    tool = make_tool(side_effecting=True)
    n = []
    for _ in range(2):
        cache.run_single_flight(tool, {}, lambda: n.append(1), 1)
    assert len(n) == 2


def test_invalidate_by_tool_by_key_and_all() -> None:
    kv = MemoryKV()
    cache = ToolCache(kv)
    a, b = make_tool("a"), make_tool("b")
    for i in range(3):
        cache.set(a, {"q": str(i)}, i)
        cache.set(b, {"q": str(i)}, i)
    assert cache.invalidate(key=cache.key(a, {"q": "0"})) == 1
    assert cache.get(a, {"q": "0"}) is None and cache.get(a, {"q": "1"}) is not None
    assert cache.invalidate("a") == 2
    assert cache.get(b, {"q": "1"}) is not None
    assert cache.invalidate() == 3
    assert len(kv) == 0
    with pytest.raises(ValueError, match="not a tool-cache key"):
        cache.invalidate(key="ca:job:123")
