from __future__ import annotations

import pytest

from runtime.errors import RetryableError
from runtime.llm import registry
from runtime.llm.fake import FakeBackend
from runtime.llm.profiles import default_models_file, load_profiles

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
    registry.clear_backends()
    profiles = load_profiles(default_models_file())
    one = registry.get_backend(profiles["fake-fast"])
    assert one is registry.get_backend(profiles["fake-fast"])
    assert isinstance(one, FakeBackend) and one.latency_ms == 20 and one.tokens_per_s == 500
    assert registry.get_backend(profiles["fake-slow"]) is not one
    scripted = FakeBackend(["x"])
    registry.set_backend("fake-fast", scripted)
    assert registry.get_backend(profiles["fake-fast"]) is scripted
    registry.clear_backends()
