"""encoder_graph: the ONNX sentence encoder equals a plain numpy BERT, padding included.

A tiny random BERT (written here, no model download) is run through the built graph and through
the textbook forward pass below; the real model is checked against sentence-transformers in
tests/integration/cache/test_embedder.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from runtime.cache import encoder_graph

HIDDEN, HEADS, LAYERS, FFN, VOCAB, MAX_POS = 16, 4, 2, 32, 50, 24


def write_model(path: Path, **overrides: object) -> dict[str, np.ndarray]:
    from safetensors.numpy import save_file

    rng = np.random.default_rng(3)
    config = {
        "model_type": "bert",
        "hidden_act": "gelu",
        "hidden_size": HIDDEN,
        "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS,
        "intermediate_size": FFN,
        "layer_norm_eps": 1e-12,
        "position_embedding_type": "absolute",
        **overrides,
    }
    (path / "config.json").write_text(json.dumps(config))
    (path / "modules.json").write_text('[{"type": "sentence_transformers.models.Normalize"}]')
    (path / "1_Pooling").mkdir()
    (path / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": true}')
    (path / "sentence_bert_config.json").write_text('{"max_seq_length": 12}')

    def r(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.3).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": r(VOCAB, HIDDEN),
        "embeddings.position_embeddings.weight": r(MAX_POS, HIDDEN),
        "embeddings.token_type_embeddings.weight": r(2, HIDDEN),
        "embeddings.LayerNorm.weight": 1 + r(HIDDEN),
        "embeddings.LayerNorm.bias": r(HIDDEN),
    }
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            w[f"{p}attention.self.{name}.weight"] = r(HIDDEN, HIDDEN)
            w[f"{p}attention.self.{name}.bias"] = r(HIDDEN)
        w[f"{p}attention.output.dense.weight"] = r(HIDDEN, HIDDEN)
        w[f"{p}attention.output.dense.bias"] = r(HIDDEN)
        w[f"{p}intermediate.dense.weight"] = r(FFN, HIDDEN)
        w[f"{p}intermediate.dense.bias"] = r(FFN)
        w[f"{p}output.dense.weight"] = r(HIDDEN, FFN)
        w[f"{p}output.dense.bias"] = r(HIDDEN)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[f"{p}{ln}.weight"] = 1 + r(HIDDEN)
            w[f"{p}{ln}.bias"] = r(HIDDEN)
    save_file(w, str(path / "model.safetensors"))
    return w


def reference(w: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """Post-LN BERT on one unpadded sequence, mean-pooled and normalised, in float64."""
    from math import erf

    def ln(x: np.ndarray, p: str) -> np.ndarray:
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * w[f"{p}.weight"] + w[f"{p}.bias"]

    def lin(x: np.ndarray, p: str) -> np.ndarray:
        return x @ w[f"{p}.weight"].T.astype(np.float64) + w[f"{p}.bias"]

    n, d = len(ids), HIDDEN // HEADS
    x = w["embeddings.word_embeddings.weight"][ids].astype(np.float64)
    x = (
        x
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = ln(x, "embeddings.LayerNorm")
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        q, k, v = (lin(x, f"{p}.attention.self.{m}").reshape(n, HEADS, d).transpose(1, 0, 2)
                   for m in ("query", "key", "value"))  # fmt: skip
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.exp(s - s.max(-1, keepdims=True))
        a = ((s / s.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
        x = ln(lin(a, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
        h = lin(x, f"{p}.intermediate.dense")
        h = 0.5 * h * (1 + np.vectorize(erf)(h / math.sqrt(2)))
        x = ln(lin(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
    v = x.mean(0)
    return v / np.linalg.norm(v)


def session(model_dir: Path):  # noqa: ANN201
    import onnxruntime as ort

    return ort.InferenceSession(encoder_graph.build(model_dir), providers=["CPUExecutionProvider"])


def test_graph_matches_numpy_bert_with_and_without_padding(tmp_path: Path) -> None:
    w = write_model(tmp_path)
    sess = session(tmp_path)
    seqs = [[2, 7, 9, 3], [2, 11, 4, 4, 30, 8, 49, 3], [2, 3]]
    for seq in seqs:  # One at a time: no padding.
        ids = np.asarray([seq], dtype=np.int64)
        got = sess.run(["emb"], {"ids": ids, "mask": np.ones_like(ids)})[0][0]
        np.testing.assert_allclose(got, reference(w, seq), atol=2e-5)
    width = max(map(len, seqs))  # As a padded batch: padding must not leak into any row.
    ids = np.zeros((len(seqs), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, seq in enumerate(seqs):
        ids[i, : len(seq)], mask[i, : len(seq)] = seq, 1
    batch = sess.run(["emb"], {"ids": ids, "mask": mask})[0]
    for i, seq in enumerate(seqs):
        np.testing.assert_allclose(batch[i], reference(w, seq), atol=2e-5)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_max_seq_length_comes_from_the_sentence_transformers_config(tmp_path: Path) -> None:
    write_model(tmp_path)
    assert encoder_graph.max_seq_length(tmp_path) == 12
    assert encoder_graph.max_seq_length(tmp_path / "elsewhere") == 256


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"model_type": "roberta"}, "model_type"),
        ({"hidden_act": "relu"}, "hidden_act"),
        ({"position_embedding_type": "relative_key"}, "position embeddings"),
    ],
)
def test_other_architectures_are_refused_with_the_reason(
    tmp_path: Path, override: dict[str, str], problem: str
) -> None:
    write_model(tmp_path, **override)
    with pytest.raises(encoder_graph.UnsupportedModel, match=problem):
        encoder_graph.build(tmp_path)


def test_cls_pooling_is_refused(tmp_path: Path) -> None:
    write_model(tmp_path)
    (tmp_path / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": false}')
    with pytest.raises(encoder_graph.UnsupportedModel, match="pooling"):
        encoder_graph.build(tmp_path)


def test_int8_graph_stays_close_to_the_float_one_and_keeps_padding_out(tmp_path: Path) -> None:
    import onnxruntime as ort

    w = write_model(tmp_path)
    sess = ort.InferenceSession(
        encoder_graph.build(tmp_path, int8=True), providers=["CPUExecutionProvider"]
    )
    seqs = [[2, 7, 9, 3], [2, 11, 4, 4, 30, 8, 49, 3], [2, 3]]
    width = max(map(len, seqs))
    ids = np.zeros((len(seqs), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, seq in enumerate(seqs):
        ids[i, : len(seq)], mask[i, : len(seq)] = seq, 1
    batch = sess.run(["emb"], {"ids": ids, "mask": mask})[0]
    for i, seq in enumerate(seqs):
        alone = np.asarray([seq], dtype=np.int64)
        single = sess.run(["emb"], {"ids": alone, "mask": np.ones_like(alone)})[0][0]
        # Approximate, not exact: int8 weights and activations. Padding still changes nothing
        # beyond the activations' own quantisation (their range is per call).
        assert float(batch[i] @ reference(w, seq)) > 0.98
        assert float(single @ reference(w, seq)) > 0.98
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_quantise_is_symmetric_per_column_within_half_a_step() -> None:
    weight = np.asarray([[0.5, -2.0, 0.0], [-0.25, 1.0, 0.0]], dtype=np.float32)
    q, scale = encoder_graph._quantise(weight)
    assert q.dtype == np.int8 and int(np.abs(q).max()) == 63
    assert scale[2] == 1.0  # An all-zero column keeps a usable scale.
    assert np.all(np.abs(q * scale - weight) <= scale / 2 + 1e-7)


def test_tokens_output_is_the_hidden_states_the_embedding_pools(tmp_path: Path) -> None:
    import onnxruntime as ort

    write_model(tmp_path)
    graph = encoder_graph.build(tmp_path, tokens=True)
    sess = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    ids = np.asarray([[2, 11, 4, 4, 30, 8, 49, 3]], dtype=np.int64)
    emb, states = sess.run(["emb", "tokens"], {"ids": ids, "mask": np.ones_like(ids)})
    assert states.shape == (1, 8, HIDDEN)
    mean = states[0].mean(axis=0)
    np.testing.assert_allclose(emb[0], mean / np.linalg.norm(mean), atol=1e-5)
    plain = ort.InferenceSession(encoder_graph.build(tmp_path), providers=["CPUExecutionProvider"])
    assert [o.name for o in plain.get_outputs()] == ["emb"]  # serving's graph is unchanged
