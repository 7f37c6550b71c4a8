"""Continuous batching on the real SmolLM2 (continuous.py + kvcache.py).

Each test builds its own ContinuousBatcher on the one shared, already loaded model, with
small max_tokens: on a shared 2-core machine a decode step is 20-200 ms.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

import pytest
import torch

from runtime.llm.local import kvcache
from runtime.llm.local.continuous import ContinuousBatcher, GenRequest, GenResult
from runtime.llm.local.model import LocalModel, shared_model
from runtime.llm.local.prefix_cache import PrefixCache, common_length

PROMPTS = [
    "What is the capital of France?",
    "Name three colours.",
    "Count from 1 to 10.",
    "Write a haiku about the sea.",
    "Explain gravity in one sentence.",
    "What is 2+2?",
]
LONG = "Count from 1 to 100, one number per line."


@pytest.fixture(scope="module")
def model() -> LocalModel:
    return shared_model().load()


def req(text: str, max_tokens: int = 16, **kw) -> GenRequest:
    return GenRequest([{"role": "user", "content": text}], max_tokens, **kw)


def chat(text: str, system: str | None = None) -> list[dict[str, str]]:
    head = [] if system is None else [{"role": "system", "content": system}]
    return [*head, {"role": "user", "content": text}]


def solo_generate(model: LocalModel, text: str, max_tokens: int, system: str | None = None) -> str:
    """The reference: transformers' own generate(), batch of one, greedy."""
    ids = torch.tensor([model.encode(chat(text, system))])
    with torch.inference_mode():
        out = model.model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=max_tokens,
            do_sample=False,
            pad_token_id=model.pad_id,
        )
    new: list[int] = []
    for token in out[0, ids.shape[1] :].tolist():
        if token in model.eos_ids:
            break
        new.append(token)
    return model.tokenizer.decode(new, skip_special_tokens=True)


def wait_until(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


@pytest.mark.model
def test_greedy_output_is_the_same_alone_or_joining_a_batch(model):
    n = 20
    expected = [solo_generate(model, p, n) for p in PROMPTS]
    batcher = ContinuousBatcher(model, window_ms=0, max_batch_size=16)
    futures: list[Future[GenResult]] = []
    for i, p in enumerate(PROMPTS):
        futures.append(batcher.submit(req(p, n)))
        if i == 2:  # the rest arrive while the first ones are decoding
            wait_until(lambda: batcher.stats.steps >= 2)
    # A sampled row shares the loop and must not disturb the greedy ones.
    hot = batcher.submit(req("Tell me a story.", n, temperature=0.8))
    got = [f.result(timeout=300).text for f in futures]
    assert hot.result(timeout=300).completion_tokens > 0
    assert batcher.stats.prefills >= 2 and batcher.stats.largest >= 3
    # Padding changes the shapes of the matmuls, so a float can differ in its last bits
    # from the unpadded solo run; a near-tie in the logits could then flip one greedy
    # token. Measured here: every prompt identical. Allow one mismatch, never more, and
    # show it rather than hide it.
    mismatches = [(p, e, g) for p, e, g in zip(PROMPTS, expected, got, strict=True) if e != g]
    assert len(mismatches) <= 1, mismatches
    if mismatches:
        print("greedy mismatch vs solo generate():", mismatches)


@pytest.mark.model
def test_a_short_row_completes_while_longer_rows_decode(model):
    batcher = ContinuousBatcher(model, window_ms=200, max_batch_size=16)
    long_rows = [batcher.submit(req(LONG, 40)) for _ in range(2)]
    short = batcher.submit(req(LONG, 3))
    result = short.result(timeout=300)
    assert result.completion_tokens == 3
    assert not any(f.done() for f in long_rows)  # it did not wait for the batch to end
    assert [f.result(timeout=300).completion_tokens for f in long_rows] == [40, 40]
    assert result.batch_size == 3


@pytest.mark.model
def test_a_request_arriving_mid_decode_joins_without_waiting(model):
    batcher = ContinuousBatcher(model, window_ms=0, max_batch_size=16)
    streamed: list[str] = []
    first = batcher.submit(req(LONG, 48, on_token=streamed.append))
    wait_until(lambda: len(streamed) >= 3)  # the first request is decoding now
    steps_before = batcher.stats.steps
    late = batcher.submit(req("What is 2+2?", 4))
    late_result = late.result(timeout=300)
    assert not first.done()  # the late one joined and left while the first still ran
    assert late_result.batch_size == 2
    assert first.result(timeout=300).completion_tokens == 48
    # ... and it needed only its own few steps, not the remainder of the first request.
    assert batcher.stats.steps - steps_before < 48


@pytest.mark.model
def test_max_tokens_is_honoured(model):
    batcher = ContinuousBatcher(model, window_ms=50, max_batch_size=4)
    futures = {n: batcher.submit(req(LONG, n)) for n in (1, 2, 7)}
    assert {n: f.result(timeout=300).completion_tokens for n, f in futures.items()} == {
        1: 1,
        2: 2,
        7: 7,
    }
    empty = batcher.call(req(LONG, 0), timeout=5)
    assert empty.text == "" and empty.completion_tokens == 0 and empty.prompt_tokens > 5


@pytest.mark.model
def test_on_token_streams_every_row_as_it_decodes(model):
    batcher = ContinuousBatcher(model, window_ms=200, max_batch_size=8)
    streams: list[list[str]] = [[] for _ in range(3)]
    seen_before_done = [0, 0, 0]
    futures: list[Future[GenResult]] = []

    def on_token(i: int):
        def callback(text: str) -> None:
            streams[i].append(text)
            if not futures[i].done():
                seen_before_done[i] += 1

        return callback

    prompts = [LONG, "Name three colours.", "Write a haiku about the sea."]
    for i, p in enumerate(prompts):
        futures.append(batcher.submit(req(p, 12, on_token=on_token(i))))
    results = [f.result(timeout=300) for f in futures]
    assert max(r.batch_size for r in results) >= 2
    for r, s, before in zip(results, streams, seen_before_done, strict=True):
        assert "".join(s) == r.text
        assert len(s) > 1 and before == len(s)  # tokens arrived before the Future completed


@pytest.mark.model
def test_a_failing_request_fails_alone(model, monkeypatch):
    batcher = ContinuousBatcher(model, window_ms=200, max_batch_size=8)
    real_prefill = kvcache.prefill
    poison = model.encode([{"role": "user", "content": "poison"}])

    def prefill(m, prompts, pad_id, prefix=None):
        if poison in prompts:
            raise RuntimeError("bad request")
        return real_prefill(m, prompts, pad_id, prefix)

    monkeypatch.setattr(kvcache, "prefill", prefill)

    def broken_callback(_text: str) -> None:
        raise RuntimeError("callback broke")

    good = batcher.submit(req("What is 2+2?", 6))
    bad = batcher.submit(req("poison", 6))
    rude = batcher.submit(req("Name three colours.", 6, on_token=broken_callback))
    too_long = batcher.submit(req("hi", (model.max_positions or 10**6) + 1))
    with pytest.raises(RuntimeError, match="bad request"):
        bad.result(timeout=300)
    with pytest.raises(ValueError, match="exceeds"):
        too_long.result(timeout=1)
    assert good.result(timeout=300).completion_tokens == 6
    # A callback that raises is its caller stopping the call (fence.Stopped, a cancel): its
    # row ends with that error; no other row notices.
    with pytest.raises(RuntimeError, match="callback broke"):
        rude.result(timeout=300)


@pytest.mark.model
def test_a_failed_decode_step_fails_its_rows_and_the_loop_goes_on(model, monkeypatch):
    batcher = ContinuousBatcher(model, window_ms=0, max_batch_size=4)
    real_decode = kvcache.decode
    broken = threading.Event()
    broken.set()

    def decode(m, batch, tokens):
        if broken.is_set():
            broken.clear()
            raise RuntimeError("device lost")
        return real_decode(m, batch, tokens)

    monkeypatch.setattr(kvcache, "decode", decode)
    with pytest.raises(RuntimeError, match="device lost"):
        batcher.call(req("What is 2+2?", 6), timeout=300)
    assert batcher.call(req("What is 2+2?", 6), timeout=300).completion_tokens == 6


@pytest.mark.model
def test_a_cancelled_request_leaves_the_batch(model):
    batcher = ContinuousBatcher(model, window_ms=0, max_batch_size=4)
    streamed: list[str] = []
    gone = batcher.submit(req(LONG, 200, on_token=streamed.append))
    wait_until(lambda: len(streamed) >= 2)
    assert gone.cancel()  # what LocalBackend does when its caller times out
    steps = batcher.stats.steps
    assert batcher.call(req("What is 2+2?", 3), timeout=300).batch_size == 1
    assert batcher.stats.steps - steps < 10


SYSTEM = (
    "You are a careful assistant for a planning service. Answer briefly and plainly, "
    "in full sentences, and never invent facts you are not sure about."
)


@pytest.mark.model
def test_a_second_request_with_the_same_system_prompt_prefills_only_its_suffix(model):
    batcher = ContinuousBatcher(model, window_ms=0, max_batch_size=4)
    first, second = chat("What is 2+2?", SYSTEM), chat("Name three colours.", SYSTEM)
    a, b = model.encode(first), model.encode(second)
    shared = common_length(a, b)
    assert shared > model.count_tokens(SYSTEM)  # the template header and system message
    batcher.call(GenRequest(first, 3), timeout=300)
    assert batcher.stats.prefill_tokens == len(a) and batcher.stats.prefix_hits == 0
    result = batcher.call(GenRequest(second, 8), timeout=300)
    assert batcher.stats.prefix_hits == 1
    assert batcher.stats.prefill_tokens - len(a) == len(b) - shared  # only its suffix ran
    assert result.text == solo_generate(model, "Name three colours.", 8, SYSTEM)


@pytest.mark.model
def test_greedy_output_is_the_same_with_a_shared_system_prompt_together_and_mid_decode(model):
    n = 16
    expected = [solo_generate(model, p, n, SYSTEM) for p in PROMPTS]
    batcher = ContinuousBatcher(model, window_ms=300, max_batch_size=16)
    futures: list[Future[GenResult]] = []
    for i, p in enumerate(PROMPTS):
        if i == 3:  # the rest arrive while the first three decode, with suffixes of
            wait_until(lambda: batcher.stats.steps >= 2)  # different lengths
        futures.append(batcher.submit(GenRequest(chat(p, SYSTEM), n)))
    got = [f.result(timeout=300).text for f in futures]
    # The first three arrive together with no cached prefix yet: they share one computed
    # for them; the late ones reuse it, prefilled together with middle padding.
    assert batcher.stats.prefix_hits == len(PROMPTS)
    assert batcher.stats.largest >= 4
    assert sum(len(model.encode(chat(p, SYSTEM))) for p in PROMPTS) > batcher.stats.prefill_tokens
    mismatches = [(p, e, g) for p, e, g in zip(PROMPTS, expected, got, strict=True) if e != g]
    assert len(mismatches) <= 1, mismatches  # as in the test above: never more than one
    if mismatches:
        print("greedy mismatch vs solo generate():", mismatches)


def test_prefix_cache_keeps_the_longest_shared_prefix_and_evicts_the_oldest():
    cache = PrefixCache(entries=2, min_tokens=2)
    kv = [(torch.zeros((1, 1, 3, 2)), torch.zeros((1, 1, 3, 2)))]
    cache._add((1, 2, 3), kv)
    cache._add((1, 2), kv)
    assert cache.find([1, 2, 3, 4]).tokens == (1, 2, 3)  # the longest that fits
    assert cache.find([1, 2, 3]).tokens == (1, 2)  # one token must be left to run
    assert cache.find([2, 1, 3]) is None
    cache._add((5, 6), kv)  # (1, 2, 3) was used least recently
    assert cache.find([1, 2, 3, 4]).tokens == (1, 2)


def _kv(rows: int, width: int, fill: float) -> kvcache.Batch:
    k = torch.full((rows, 1, width, 2), fill)
    cache = kvcache.build_cache([(k, k + 100)])
    return kvcache.Batch(cache, torch.ones((rows, width), dtype=torch.long))


def test_kv_merge_left_pads_and_select_trims_padding_columns():
    a, b = _kv(2, 3, 1.0), _kv(1, 5, 2.0)
    merged = a.merge(b)
    assert merged.rows == 3 and merged.width == 5
    assert merged.mask.tolist() == [[0, 0, 1, 1, 1], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]]
    keys, values = kvcache.layers_of(merged.cache)[0]
    assert keys[0, 0, :, 0].tolist() == [0, 0, 1, 1, 1]  # zeros, not garbage, in the pads
    assert values[2, 0, :, 0].tolist() == [102] * 5
    assert merged.positions().squeeze(1).tolist() == [3, 3, 5]
    kept = merged.select([1])  # the long row left: its columns go too
    assert kept.width == 3 and kept.mask.tolist() == [[1, 1, 1]]
    assert kvcache.layers_of(kept.cache)[0][0].shape == (1, 1, 3, 2)
    assert kept.grow().tolist() == [[1, 1, 1, 1]]
