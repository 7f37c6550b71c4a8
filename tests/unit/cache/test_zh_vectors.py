"""Chinese questions indexed by their characters (runtime/cache/zh_vectors.py), and the
crowded evaluation that shows why (runtime/cache/evaluate.py `evaluate_crowd`)."""

from __future__ import annotations

import numpy as np

from runtime.cache.evaluate import evaluate_crowd
from runtime.cache.zh_vectors import QuestionVectors, vector
from tests.unit.cache.test_cache_substitutes_and_index import ToyEmbedder


class Blind(ToyEmbedder):
    """An embedder that, like all-MiniLM-L6-v2 on CJK, sees no Chinese character at all."""

    def embed(self, texts: list[str]) -> np.ndarray:
        return super().embed(["".join(c for c in t if c.isascii()) or "unk" for t in texts])


def test_a_paraphrase_shares_more_characters_than_another_question() -> None:
    a = vector("北京明天的天气怎么样", 384)
    assert np.isclose(np.linalg.norm(a), 1.0)
    assert np.array_equal(a, vector("北京明天的天气怎么样", 384))  # stable: crc32, not hash()
    paraphrase = float(a @ vector("请问北京明天天气如何", 384))
    other = float(a @ vector("上海的房价为什么这么高", 384))
    assert paraphrase > 0.5 > other


def test_only_chinese_questions_change_vectors() -> None:
    toy, both = ToyEmbedder(), QuestionVectors(ToyEmbedder())
    english = "How do I reset my password?"
    assert np.array_equal(both.embed_one(english), toy.embed_one(english))
    rows = both.embed([english, "怎么重置密码"])
    assert np.array_equal(rows[0], toy.embed_one(english))
    assert np.array_equal(rows[1], vector("怎么重置密码", toy.dim))
    assert both.dim == toy.dim  # the index is built from the embedder's own dimension


def test_in_a_crowd_a_blind_embedder_loses_the_chinese_paraphrase() -> None:
    # Ten Chinese questions that a blind embedder maps to one point: pair by pair each would
    # be fine, but in one index the right entry is only found by its characters.
    topics = ["天气", "房价", "地铁", "交通", "学校", "公园", "美食", "夜景", "空气", "邮局"]
    pairs = [
        {"cached": f"北京的{t}怎么样", "query": f"请问北京{t}怎么样", "should_hit": True}
        for t in topics
    ]
    for pair in pairs:
        pair["lang"] = "zh"
    crowd = evaluate_crowd(pairs, 0.85, Blind(), zh_threshold=0.3, neighbours=2)
    assert crowd["entries"] == 10
    zh = crowd["by_language"]["zh"]
    assert zh["must_hit"] == 10 and zh["served"] == 10 and zh["served_other"] == 0
    # The same crowd through the blind embedder's own vectors: all ten tie, two are examined,
    # so at most two queries can find their question.
    blind = Blind().embed([p["cached"] for p in pairs])
    assert np.allclose(blind @ blind.T, 1.0)
