"""The semantic cache's index vector for a Chinese question: its characters, not MiniLM's guess.

all-MiniLM-L6-v2 reads most CJK characters as [UNK] (chinese.py says more), so two Chinese
questions about different things can sit closer in its space than a question and its own
paraphrase. Judged pair by pair that costs little, because the verifier decides Chinese; but a
cache holds many questions and a lookup examines only its few nearest (semantic.NEIGHBOURS):
with every cached question of the tune split in one index (2,284; session 15), the right entry
was among a Chinese paraphrase's 4 nearest for 215 of 287, and served for 140.

So a Chinese question is indexed by what the verifier reads: its characters and their bigrams
(Latin words and numbers whole), hashed into the embedder's dimensions with a random sign
(feature hashing: unrelated questions land near cosine 0), function characters at half weight.
On the same crowd the right entry was among the 4 nearest for 280 of 287 and served for 183,
with no more wrong entries served (weights chosen there, on the tune split only). English
questions keep the embedder's vectors. A Chinese and an English vector share the index but are
never compared for serving: verify.py refuses a change of language first.

A number is hashed as its value ("二十七" and "27" are one token, as the verifier reads them:
zh_numbers.py), and an arithmetic operator as one word ("乘以" / "乘"): else "二十七乘以三十九
等于多少" and "27乘39等于几" share almost no feature and fall below the threshold before the
verifier, which accepts them, is ever asked. A failure is reported one way too (zh_errors.py:
"运行cargo build时出现E0499错误" is "cargo build 报错 E0499").

The threshold for Chinese (SEMANTIC_THRESHOLD_ZH) is a cosine of these vectors. An entry stored
before this (session 15) has a MiniLM vector: a Chinese question finds it only by chance until
it expires (a miss, never a wrong hit, since the verifier still decides).
"""

from __future__ import annotations

import re
import zlib
from typing import Any

import numpy as np

from runtime.cache import zh_errors, zh_numbers
from runtime.cache.chinese import CJK
from runtime.cache.verify import language

_TOKEN = re.compile(r"[A-Za-z0-9]+|" + CJK.pattern)
# The same function characters chinese.py drops from the content check: they say how a
# question asks, not what about, so they weigh less in finding it.
_FUNCTION = set(
    "的了吗呢吧啊呀嘛么是有在我你您他她它们给和与及或把被让就都也还要会能该应得地着过这那哪些个谁几为想一多少怎样如何什请问"
)
_FUNCTION_WEIGHT = 0.5


def _normalise(text: str) -> str:
    """Numerals as digits ("二十七" -> " 27 "; 一样, 一下 left alone) and operators one way."""
    return zh_numbers.as_values(zh_numbers.operators(zh_errors.one_form(text)))


def vector(text: str, dim: int) -> np.ndarray:
    """Unigrams and bigrams of `text`'s tokens, hashed into `dim` signed buckets, L2-normed."""
    tokens = [t.lower() for t in _TOKEN.findall(_normalise(text))]
    out = np.zeros(dim, dtype=np.float32)

    def add(feature: str, weight: float) -> None:
        h = zlib.crc32(feature.encode("utf-8"))  # stable across processes, unlike hash()
        out[h % dim] += weight if (h >> 16) & 1 else -weight

    for t in tokens:
        add("u:" + t, _FUNCTION_WEIGHT if t in _FUNCTION else 1.0)
    for a, b in zip(tokens, tokens[1:], strict=False):
        add("b:" + a + b, _FUNCTION_WEIGHT if a in _FUNCTION and b in _FUNCTION else 1.0)
    norm = float(np.linalg.norm(out))
    return out / norm if norm else out


class QuestionVectors:
    """An embedder whose Chinese questions get `vector` instead: what SemanticCache indexes
    and what `cache eval` compares, so both see the same similarities."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    def __getattr__(self, name: str) -> Any:  # dim, forget_recent, ...: the embedder's own
        return getattr(self.embedder, name)

    def embed(self, texts: list[str]) -> np.ndarray:
        zh = [i for i, t in enumerate(texts) if language(t) == "zh"]
        if not zh:
            return self.embedder.embed(texts)
        english = [i for i in range(len(texts)) if language(texts[i]) != "zh"]
        dim = int(self.embedder.dim)
        out = np.zeros((len(texts), dim), dtype=np.float32)
        if english:
            out[english] = np.asarray(self.embedder.embed([texts[i] for i in english]))
        for i in zh:
            out[i] = vector(texts[i], dim)
        return out

    def embed_one(self, text: str) -> np.ndarray:
        if language(text) == "zh":
            return vector(text, int(self.embedder.dim))
        return np.asarray(self.embedder.embed_one(text))
