"""The local transformers model: backend, continuous batching, KV and prefix caches,
packed linear weights."""
