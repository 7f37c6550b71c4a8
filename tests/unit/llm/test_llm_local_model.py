"""The real SmolLM2 through LocalBackend and the batcher. Loaded once for the module."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from runtime.llm.local.backend import LocalBackend
from runtime.llm.local.model import memory_usage, resolve_model_path
from runtime.llm.profiles import default_models_file, load_profiles

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def backend():
    profile = load_profiles(default_models_file())["local"]
    b = LocalBackend(profile)
    b.batcher.window_s = 0.2  # generous on a shared 2-core machine, so the batch test batches
    b.warm()
    return b


def ask(backend, text, max_tokens=16, on_token=None):
    msgs = [{"role": "user", "content": text}]
    return backend.complete(msgs, model="local", max_tokens=max_tokens, on_token=on_token)


def test_default_model_is_the_packaged_gguf():
    folder, name = resolve_model_path(None)
    assert name == "SmolLM2-135M-Instruct.Q4_1.gguf" and (folder / name).is_file()


def test_single_request_streams_and_is_greedy(backend):
    seen: list[str] = []
    first = ask(backend, "What is the capital of France?", on_token=seen.append)
    assert first.text.strip() and "".join(seen) == first.text and len(seen) > 1
    assert 0 < first.usage.completion_tokens <= 16 and first.usage.prompt_tokens > 5
    assert first.ttft_ms is not None and first.ttft_ms < first.latency_ms
    again = ask(backend, "What is the capital of France?")
    assert again.text == first.text  # temperature 0 is greedy: deterministic


def test_concurrent_requests_share_a_batch_and_get_their_own_answers(backend):
    prompts = ["Name a fruit.", "Count from 1 to 5.", "Name a fruit.", "Count from 1 to 5."]
    streams: list[list[str]] = [[] for _ in prompts]
    before = backend.batcher.stats.largest
    with ThreadPoolExecutor(len(prompts)) as pool:
        futures = [
            pool.submit(ask, backend, p, 12, streams[i].append) for i, p in enumerate(prompts)
        ]
        results = [f.result(timeout=240) for f in futures]
    assert max(before, backend.batcher.stats.largest) >= 2
    assert results[0].text == results[2].text and results[1].text == results[3].text
    assert results[0].text != results[1].text
    for r, s in zip(results, streams, strict=True):
        assert "".join(s) == r.text and r.usage.completion_tokens <= 12


def test_memory_usage_reports_the_loaded_model(backend):
    stats = memory_usage()
    assert stats["models_loaded"] >= 1 and stats["rss_bytes"] > 100 * 2**20
