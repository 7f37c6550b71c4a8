"""Models with sliding-window layers (Gemma 3) in our KV cache, and Gemma's chat template.

A tiny random Gemma 3 stands in for the real one (no download, milliseconds): what matters
is that a sliding-window layer keeps every column in our cache, so that rows can be padded,
merged and sliced like a full-attention layer's, while the mask still applies the window.
"""

from __future__ import annotations

import torch
from jinja2.sandbox import ImmutableSandboxedEnvironment

from runtime.llm.local import kvcache
from runtime.llm.local.model import GEMMA_TEMPLATE

WINDOW = 6


def tiny_gemma3() -> torch.nn.Module:
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    torch.manual_seed(0)
    config = Gemma3TextConfig(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=16,
        sliding_window=WINDOW,
        layer_types=["sliding_attention", "full_attention"],
        max_position_embeddings=128,
    )
    return Gemma3ForCausalLM(config).eval()


def greedy_without_cache(model: torch.nn.Module, prompt: list[int], n: int) -> list[int]:
    """The reference: the whole sequence through the model at every step, no cache at all."""
    seq = list(prompt)
    with torch.inference_mode():
        for _ in range(n):
            logits = model(input_ids=torch.tensor([seq]), use_cache=False).logits
            seq.append(int(logits[0, -1].argmax()))
    return seq[len(prompt) :]


def test_sliding_window_rows_longer_than_the_window_decode_like_the_uncached_model():
    model = tiny_gemma3()
    prompts = [list(range(3, 23)), list(range(5, 14)), list(range(7, 10))]  # 20, 9, 3 tokens
    n = 8
    expected = [greedy_without_cache(model, p, n) for p in prompts]
    with torch.inference_mode():
        batch, logits = kvcache.prefill(model, prompts, pad_id=0)
        # every layer, the sliding one too, holds all of the mask's columns
        assert {k.shape[2] for k, _ in kvcache.layers_of(batch.cache)} == {batch.width}
        tokens = logits.argmax(dim=-1)
        got = [[int(t)] for t in tokens]
        for step in range(n - 1):
            if step == 3:  # drop the middle row: select trims and re-builds every layer
                batch, tokens = batch.select([0, 2]), tokens[[0, 2]]
                got = [got[0], got[2]]
                expected = [expected[0], expected[2]]
            tokens = kvcache.decode(model, batch, tokens).argmax(dim=-1)
            for row, t in zip(got, tokens.tolist(), strict=True):
                row.append(t)
    assert got == expected


def test_gemma_template_folds_the_system_prompt_into_the_first_user_turn():
    template = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True).from_string(
        GEMMA_TEMPLATE
    )
    messages = [
        {"role": "system", "content": "Plan."},
        {"role": "user", "content": "hi "},
        {"role": "assistant", "content": "{}"},
        {"role": "user", "content": "again"},
    ]
    text = template.render(messages=messages, bos_token="<bos>", add_generation_prompt=True)
    assert text == (
        "<bos><start_of_turn>user\nPlan.\n\nhi<end_of_turn>\n"
        "<start_of_turn>model\n{}<end_of_turn>\n"
        "<start_of_turn>user\nagain<end_of_turn>\n"
        "<start_of_turn>model\n"
    )
