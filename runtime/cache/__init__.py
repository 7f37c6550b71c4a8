"""Caches: tool results, exact prompts, semantically similar questions, prefetch predictions.

The light modules are imported here; those needing numpy/FAISS/sentence-transformers (the
`local` extra) load on first attribute access, so `import runtime.cache` works without them.
"""

from __future__ import annotations

import importlib
from typing import Any

from runtime.cache.base import KV, RedisKV, as_kv, canonical_json
from runtime.cache.memory import MemoryKV
from runtime.cache.prompt_cache import PromptCache
from runtime.cache.tool_cache import CacheHit, ToolCache

_LAZY = {
    "Embedder": "runtime.cache.embedder",
    "get_embedder": "runtime.cache.embedder",
    "Scope": "runtime.cache.semantic",
    "SemanticCache": "runtime.cache.semantic",
    "SemanticHit": "runtime.cache.semantic",
    "verify_match": "runtime.cache.verify",
    "evaluate_pairs": "runtime.cache.evaluate",
    "format_report": "runtime.cache.evaluate",
    "load_pairs": "runtime.cache.evaluate",
    "PrefetchPredictor": "runtime.cache.prefetch",
}

__all__ = [
    "KV",
    "CacheHit",
    "MemoryKV",
    "PromptCache",
    "RedisKV",
    "ToolCache",
    "as_kv",
    "canonical_json",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'runtime.cache' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
