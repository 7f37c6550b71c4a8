"""The local transformers model: loading (model.py), backend, continuous batching, KV and
prefix caches, packed linear weights."""
