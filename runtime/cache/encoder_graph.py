"""The sentence encoder as one ONNX graph, built in memory from the model's own files.

A BERT encoder (sentence-transformers layout: `config.json`, `model.safetensors`, mean pooling,
L2 normalisation) becomes a single graph from token ids and attention mask to unit vectors, run
by ONNX Runtime. Why not PyTorch: for one short query the cost is reading ~42 MB of fp32 weights,
and ONNX Runtime's kernels do that in about half the time of torch's (measured 7.3 ms vs 14.9 ms
for the same functional forward pass, 18.7 ms through SentenceTransformer, one thread, 2 cores).

The graph is written with onnx.helper rather than exported from torch: no tracer (an export of
the transformers model traced its mask handling and gave cosine 0.85 on other lengths), no
file cache to invalidate, and torch is not needed to embed. It is the textbook post-LN BERT:
embeddings + LayerNorm; per layer self-attention with an additive padding mask, output
projection + residual + LayerNorm, GELU (erf) feed-forward + residual + LayerNorm; then the
mean over unmasked tokens, L2-normalised. ONNX Runtime fuses LayerNorm, GELU and the bias adds.

`build(..., int8=True)` writes each dense layer as ONNX Runtime's DynamicQuantizeMatMul: the
weights int8 per output column (quantised here, in numpy, in well under a second; no onnx
quantisation tooling), the activations quantised per call. A query then reads a quarter of the
dense weights, which is what its time goes on (embedder.py has the figures).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

OPSET = 17  # LayerNormalization is a standard op from 17 on.


class UnsupportedModel(ValueError):
    pass


def _config(model_dir: Path) -> dict[str, Any]:
    config = json.loads((model_dir / "config.json").read_text())
    pooling_file = model_dir / "1_Pooling" / "config.json"
    pooling = json.loads(pooling_file.read_text()) if pooling_file.exists() else {}
    modules = model_dir / "modules.json"
    normalise = modules.exists() and "Normalize" in modules.read_text()
    problems = []
    if config.get("model_type") != "bert":
        problems.append(f"model_type {config.get('model_type')!r}, not 'bert'")
    if config.get("hidden_act") != "gelu":
        problems.append(f"hidden_act {config.get('hidden_act')!r}, not 'gelu'")
    if config.get("position_embedding_type", "absolute") != "absolute":
        problems.append("position embeddings are not absolute")
    if pooling and not pooling.get("pooling_mode_mean_tokens"):
        problems.append("pooling is not the mean of the tokens")
    if not normalise:
        problems.append("the model does not L2-normalise its output")
    if problems:
        raise UnsupportedModel(f"{model_dir}: {'; '.join(problems)}")
    return config


def max_seq_length(model_dir: str | Path, default: int = 256) -> int:
    """Tokens kept per text, as sentence-transformers truncates (sentence_bert_config.json)."""
    path = Path(model_dir) / "sentence_bert_config.json"
    if path.exists():
        return int(json.loads(path.read_text()).get("max_seq_length", default))
    return default


def _quantise(weight: np.ndarray, levels: int = 63) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column: weight ~ q * scale. 7 bits (+-63), not 8: ONNX
    Runtime's u8 x s8 kernels on AVX2 add pairs of products in int16, which can saturate
    with full-range weights."""
    scale = np.abs(weight).max(axis=0) / levels
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    q = np.clip(np.rint(weight / scale), -levels, levels).astype(np.int8)
    return q, scale


def build(
    model_dir: str | Path,
    int8: bool = False,
    tokens: bool = False,
    weights: dict[str, np.ndarray] | None = None,
) -> bytes:
    """The serialised ONNX model: inputs ids, mask (int64, [batch, tokens]); output emb
    (float32, [batch, hidden]), unit vectors. `int8`: the dense layers' weights as int8 (see
    `_quantise`). `tokens`: a second output, tokens (float32, [batch, tokens, hidden]), the
    last layer's hidden states, for token alignment (ops/bench/token_alignment.py); serving
    builds without it. `weights`: tensors that replace the model's own, by name; with a
    `head.weight` ([1, hidden]) and `head.bias` among them the graph is a pair classifier
    (pair_model.py): a third input, types (int64, [batch, tokens], BERT's segment ids), and
    one output, logit (float32, [batch]), the head over the mean of the unmasked tokens."""
    from safetensors.numpy import load_file

    model_dir = Path(model_dir)
    config = _config(model_dir)
    w = load_file(str(model_dir / "model.safetensors"))
    w = {k.removeprefix("bert."): v for k, v in w.items()} | dict(weights or {})
    return graph(config, w, int8=int8, tokens=tokens)


def graph(
    config: dict[str, Any],
    w: dict[str, np.ndarray],
    int8: bool = False,
    tokens: bool = False,
    embeds: bool = False,
) -> bytes:
    """`build` from a configuration and the tensors themselves (BERT's names). `embeds`: the
    first input is embeds (float32, [batch, tokens, hidden]), the word embeddings already
    looked up, instead of ids: a multilingual word table (250k rows, e5_weights.py) would be
    most of the graph, and a question needs a few dozen of its rows."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    pair = "head.weight" in w
    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    head_dim = hidden // heads
    eps = float(config.get("layer_norm_eps", 1e-12))

    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    counter = [0]

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(kind: str, *inputs: str, **attrs: Any) -> str:
        counter[0] += 1
        out = f"{kind.lower()}_{counter[0]}"
        nodes.append(helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    def linear(x: str, prefix: str, scale: float = 1.0) -> str:
        weight = (w[f"{prefix}.weight"].T * scale).astype(np.float32)  # [in, out] for MatMul
        bias = (w[f"{prefix}.bias"] * scale).astype(np.float32)
        if not int8:
            product = op("MatMul", x, const(f"{prefix}.w", weight))
            return op("Add", product, const(f"{prefix}.b", bias))
        q, q_scale = _quantise(weight)
        counter[0] += 1
        out = f"qmatmul_{counter[0]}"
        inputs = [x, const(f"{prefix}.wq", q), const(f"{prefix}.ws", q_scale)]
        inputs += [const(f"{prefix}.wz", np.zeros_like(q_scale, dtype=np.int8))]
        inputs += [const(f"{prefix}.b", bias)]
        nodes.append(
            helper.make_node("DynamicQuantizeMatMul", inputs, [out], domain="com.microsoft")
        )
        return out

    def layer_norm(x: str, prefix: str) -> str:
        g = const(f"{prefix}.g", w[f"{prefix}.weight"])
        b = const(f"{prefix}.beta", w[f"{prefix}.bias"])
        return op("LayerNormalization", x, g, b, axis=-1, epsilon=eps)

    def heads_of(x: str, perm: list[int]) -> str:
        return op("Transpose", op("Reshape", x, split_shape), perm=perm)

    i64 = lambda *v: np.asarray(v, dtype=np.int64)  # noqa: E731
    f32 = lambda v: np.asarray(v, dtype=np.float32)  # noqa: E731
    split_shape = const("split_shape", i64(0, 0, heads, head_dim))
    merge_shape = const("merge_shape", i64(0, 0, hidden))

    # Embeddings: word + position (0..n-1) + token type 0.
    first = "embeds" if embeds else "ids"
    n = op("Shape", first, start=1, end=2)  # [tokens]
    if embeds:
        x = "embeds"
    else:
        x = op("Gather", const("word_emb", w["embeddings.word_embeddings.weight"]), "ids", axis=0)
    pos = const("pos_emb", w["embeddings.position_embeddings.weight"])
    x = op("Add", x, op("Slice", pos, const("zero", i64(0)), n, const("axis0", i64(0))))
    types = w["embeddings.token_type_embeddings.weight"]
    if pair:  # segment A (the first question, with [CLS]) or B
        x = op("Add", x, op("Gather", const("type_emb", types), "types", axis=0))
    else:
        x = op("Add", x, const("type_emb", types[0]))
    x = layer_norm(x, "embeddings.LayerNorm")

    # Padding: -1e9 on the scores of masked keys, [batch, 1, 1, tokens].
    maskf = op("Cast", "mask", to=TensorProto.FLOAT)
    bias = op("Mul", op("Sub", const("one_f", f32(1.0)), maskf), const("neg", f32(-1e9)))
    bias = op("Unsqueeze", bias, const("axes12", i64(1, 2)))

    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}"
        # 1/sqrt(head_dim) is folded into the query projection.
        q = heads_of(linear(x, f"{p}.attention.self.query", 1 / math.sqrt(head_dim)), [0, 2, 1, 3])
        k = heads_of(linear(x, f"{p}.attention.self.key"), [0, 2, 3, 1])
        v = heads_of(linear(x, f"{p}.attention.self.value"), [0, 2, 1, 3])
        probs = op("Softmax", op("Add", op("MatMul", q, k), bias), axis=-1)
        context = op("Transpose", op("MatMul", probs, v), perm=[0, 2, 1, 3])
        context = op("Reshape", context, merge_shape)
        attn = linear(context, f"{p}.attention.output.dense")
        x = layer_norm(op("Add", attn, x), f"{p}.attention.output.LayerNorm")
        h = linear(x, f"{p}.intermediate.dense")
        erf = op("Erf", op("Div", h, const(f"{p}.sqrt2", f32(math.sqrt(2.0)))))
        h = op("Mul", op("Mul", h, op("Add", erf, "one_f")), const(f"{p}.half", f32(0.5)))
        x = layer_norm(op("Add", linear(h, f"{p}.output.dense"), x), f"{p}.output.LayerNorm")

    if tokens:
        nodes.append(helper.make_node("Identity", [x], ["tokens"]))

    # Mean over the unmasked tokens, then unit length.
    m = op("Unsqueeze", maskf, const("axis2", i64(2)))
    total = op("ReduceSum", op("Mul", x, m), const("axis1", i64(1)), keepdims=0)
    count = op("Max", op("ReduceSum", m, "axis1", keepdims=0), const("tiny", f32(1e-9)))
    mean = op("Div", total, count)
    if pair:
        head = const("head.w", w["head.weight"].T.astype(np.float32))
        logit = op("Add", op("MatMul", mean, head), const("head.b", w["head.bias"]))
        nodes.append(helper.make_node("Squeeze", [logit, const("axis_1", i64(1))], ["logit"]))
        out = helper.make_tensor_value_info("logit", TensorProto.FLOAT, ["batch"])
        return _serialise(nodes, inits, [first, "mask", "types"], [out], int8, hidden)
    norm = op("Max", op("ReduceL2", mean, axes=[1], keepdims=1), const("tiny12", f32(1e-12)))
    nodes.append(helper.make_node("Div", [mean, norm], ["emb"]))

    outputs = [helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["batch", hidden])]
    if tokens:
        shape: list[str | int] = ["batch", "tokens", hidden]
        outputs.append(helper.make_tensor_value_info("tokens", TensorProto.FLOAT, shape))
    return _serialise(nodes, inits, [first, "mask"], outputs, int8, hidden)


def _serialise(
    nodes: list[Any],
    inits: list[Any],
    inputs: list[str],
    outputs: list[Any],
    int8: bool,
    hidden: int,
) -> bytes:
    from onnx import TensorProto, helper

    names = [
        helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch", "tokens", hidden])
        if n == "embeds"
        else helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "tokens"])
        for n in inputs
    ]
    body = helper.make_graph(nodes, "sentence_encoder", names, outputs, inits)
    opsets = [helper.make_opsetid("", OPSET)]
    if int8:
        opsets.append(helper.make_opsetid("com.microsoft", 1))
    model = helper.make_model(body, opset_imports=opsets)
    model.ir_version = 8  # Readable by every ONNX Runtime from 1.14 on.
    return bytes(model.SerializeToString())
