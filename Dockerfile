# The one image every celeragent service runs: `docker compose build`.
# EXTRAS=local adds the transformers/FAISS stack for the `gpu` queue's worker.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml README.md ./
COPY runtime ./runtime
COPY workers ./workers

ARG EXTRAS=""
RUN pip install ".${EXTRAS:+[$EXTRAS]}"

RUN useradd --create-home --uid 10001 celeragent \
    && mkdir -p /app/.celeragent \
    && chown celeragent /app/.celeragent
USER celeragent

CMD ["celery", "-A", "runtime.broker.app:app", "worker", "-Q", "agent", "-P", "threads"]
