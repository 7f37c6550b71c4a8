"""Linear layers packed for oneDNN (packed_linear.py): same results as nn.Linear, or no swap."""

from __future__ import annotations

import os

import pytest
import torch

from runtime.config import reset_settings
from runtime.llm.local import packed_linear
from runtime.llm.local.model import LocalModel, shared_model
from runtime.llm.local.packed_linear import PackedLinear, pack_linear_layers
from tests.support.env import restored_env

pytestmark = pytest.mark.skipif(not packed_linear.available(), reason="no oneDNN in this torch")


def small_net() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(32, 64),
        torch.nn.SiLU(),
        torch.nn.Sequential(torch.nn.Linear(64, 48, bias=False)),  # nested: found too
        torch.nn.Linear(48, 8).double(),  # not fp32: left alone
    )


def test_every_fp32_linear_is_swapped_and_computes_the_same():
    net = small_net()
    first = torch.nn.Linear(32, 64)
    first.load_state_dict(net[0].state_dict())  # a reference copy of the first layer
    x = torch.randn(16, 1, 32)
    with torch.inference_mode():
        hidden = net[2](net[1](net[0](x)))
        assert pack_linear_layers(net) == 2
        packed_hidden = net[2](net[1](net[0](x)))
        torch.testing.assert_close(packed_hidden, hidden, rtol=1e-5, atol=1e-5)
        for y in (torch.randn(1, 32), torch.randn(5, 32), torch.randn(2, 3, 32)):
            torch.testing.assert_close(net[0](y), first(y), rtol=1e-5, atol=1e-5)
    assert isinstance(net[0], PackedLinear) and isinstance(net[2][0], PackedLinear)
    assert type(net[3]) is torch.nn.Linear and net[3].weight.dtype == torch.float64


def test_a_layer_whose_packed_result_disagrees_is_left_as_it_was(monkeypatch):
    net = small_net()
    wrong = PackedLinear.forward
    monkeypatch.setattr(PackedLinear, "forward", lambda self, x: wrong(self, x) + 1.0)
    assert pack_linear_layers(net) == 0
    assert type(net[0]) is torch.nn.Linear and type(net[2][0]) is torch.nn.Linear


def test_without_onednn_nothing_is_swapped(monkeypatch):
    monkeypatch.setattr(packed_linear, "available", lambda: False)
    net = small_net()
    assert pack_linear_layers(net) == 0 and type(net[0]) is torch.nn.Linear


PROMPTS = ["What is the capital of France?", "Name three colours.", "Count from 1 to 10."]


@pytest.mark.model
def test_the_local_model_gives_the_same_logits_and_greedy_text_packed_or_not():
    packed = shared_model().load()
    if packed.device != "cpu":
        pytest.skip("packing applies on CPU only")
    assert packed.packed_layers > 0
    name = "CELERAGENT_LOCAL_PACKED_LINEAR"
    with restored_env([name]):
        os.environ[name] = "false"
        reset_settings()
        plain = LocalModel(packed.folder / packed.gguf_file if packed.gguf_file else packed.folder)
        plain.load()
    assert plain.packed_layers == 0
    assert not any(isinstance(m, PackedLinear) for m in plain.model.modules())
    for text in PROMPTS:
        ids = torch.tensor([packed.encode([{"role": "user", "content": text}])])
        with torch.inference_mode():
            a = packed.model(ids).logits[0, -1]
            b = plain.model(ids).logits[0, -1]
            # Only the order of fp32 additions differs: far below any logit gap that matters.
            assert (a - b).abs().max() <= 1e-3 * b.abs().max()
            texts = [
                m.model.generate(ids, max_new_tokens=24, do_sample=False, pad_token_id=m.pad_id)
                for m in (packed, plain)
            ]
        assert texts[0].tolist() == texts[1].tolist(), text
