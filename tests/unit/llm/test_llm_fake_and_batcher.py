from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from runtime.errors import RetryableError
from runtime.llm import base
from runtime.llm.batcher import Batcher
from runtime.llm.fake import FakeBackend
from runtime.llm.router import default_models_file, load_profiles

MSG = [{"role": "user", "content": "What is   the answer?"}]


def test_fake_script_then_default_and_streaming():
    fake = FakeBackend(["first reply here", "second"])
    seen: list[str] = []
    one = fake.complete(MSG, model="m", max_tokens=50, on_token=seen.append)
    assert one.text == "first reply here" and seen == ["first ", "reply ", "here"]
    assert one.usage.completion_tokens == 3 and one.usage.prompt_tokens > 0
    assert fake.complete(MSG, model="m", max_tokens=50).text == "second"
    assert fake.complete(MSG, model="m", max_tokens=50).text == "Answer: What is the answer?"
    assert fake.complete(MSG, model="m", max_tokens=50, json_schema={}).text == '{"calls": []}'
    assert len(fake.calls) == 4 and fake.calls[3]["json_schema"] == {}


def test_fake_callable_errors_and_max_tokens():
    fake = FakeBackend(lambda msgs: "x " * 10, errors=[RetryableError("boom")])
    with pytest.raises(RetryableError):
        fake.complete(MSG, model="m", max_tokens=5)
    out = fake.complete(MSG, model="m", max_tokens=4)
    assert out.usage.completion_tokens == 4 and out.text == "x x x x "


def test_fake_latency_is_real():
    fast, slow = FakeBackend(latency_ms=0), FakeBackend(latency_ms=100, tokens_per_s=100)
    a = fast.complete(MSG, model="m", max_tokens=50)
    b = slow.complete(MSG, model="m", max_tokens=50)
    assert b.latency_ms >= 100 + 4 * 10 * 0.9 and b.ttft_ms >= 100
    assert b.latency_ms > 10 * a.latency_ms


def test_get_backend_is_cached_per_profile():
    base.clear_backends()
    profiles = load_profiles(default_models_file())
    one = base.get_backend(profiles["fake-fast"])
    assert one is base.get_backend(profiles["fake-fast"])
    assert isinstance(one, FakeBackend) and one.latency_ms == 20 and one.tokens_per_s == 500
    assert base.get_backend(profiles["fake-slow"]) is not one
    scripted = FakeBackend(["x"])
    base.set_backend("fake-fast", scripted)
    assert base.get_backend(profiles["fake-fast"]) is scripted
    base.clear_backends()


def test_batcher_groups_concurrent_requests_and_never_overlaps():
    active = 0
    overlap = []
    lock = threading.Lock()

    def run(batch):
        nonlocal active
        with lock:
            active += 1
            overlap.append(active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return [x * 2 for x in batch]

    batcher = Batcher(run, window_ms=30, max_batch_size=8)
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(batcher.call, range(16)))
    assert results == [x * 2 for x in range(16)]
    assert max(overlap) == 1  # one dispatcher thread: batches never run concurrently
    assert batcher.stats.requests == 16
    assert batcher.stats.batches <= 6 and batcher.stats.largest >= 4


def test_batcher_respects_max_size_and_keys():
    sizes = []

    def run(batch):
        sizes.append([r[0] for r in batch])
        return batch

    batcher = Batcher(run, window_ms=50, max_batch_size=3, key=lambda r: r[0])
    futures = [batcher.submit(("a" if i % 2 else "b", i)) for i in range(6)]
    assert [f.result(5)[1] for f in futures] == list(range(6))
    assert all(len(s) <= 3 and len(set(s)) == 1 for s in sizes)


def test_batcher_failure_reaches_every_caller_and_loop_survives():
    calls = []

    def run(batch):
        calls.append(batch)
        if len(calls) == 1:
            raise ValueError("model crashed")
        return batch

    batcher = Batcher(run, window_ms=20, max_batch_size=4)
    futures = [batcher.submit(i) for i in range(3)]
    for f in futures:
        with pytest.raises(ValueError, match="model crashed"):
            f.result(5)
    assert batcher.call(7, timeout=5) == 7
