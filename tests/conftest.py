"""Shared fixtures: a real embedded Valkey and real Celery worker processes.

A Valkey or a worker that will not start fails the run instead of skipping it: a test suite
that silently skips its integration tests proves nothing (dramatiq's conftest does the same).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# The suite never calls a model over the network: runtime/llm/openai_backend.py refuses any
# non-loopback base URL while this is set. Tests that need a server start one on 127.0.0.1.
os.environ["CELERAGENT_FORBID_NETWORK_LLM"] = "1"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TEST_MODELS = Path(__file__).parent / "data" / "models.toml"
TENANT_LIMIT_USD = 0.0005  # tenant "capped": a few fake-fast answers, then refusals

STACK_ENV = {
    "CELERAGENT_MODELS_FILE": str(TEST_MODELS),
    "CELERAGENT_TENANT_BUDGET_USD": f'{{"capped": {TENANT_LIMIT_USD}}}',
    "CELERAGENT_MONITOR_INTERVAL_S": "1",
    "CELERAGENT_FORBID_NETWORK_LLM": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Valkey + one worker per queue + beat, for the whole session."""
    from runtime.config import reset_settings
    from runtime.llm.router import reset_profiles
    from runtime.stack import Stack

    os.environ.update(STACK_ENV)
    reset_settings()
    reset_profiles()
    data_dir = Path(tmp_path_factory.mktemp("stack"))
    running = Stack(data_dir=data_dir, extra_env=STACK_ENV)
    try:
        running.start(wait=True, timeout_s=120)
    except Exception:
        for log in sorted((data_dir / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-3000:]}")
        running.stop()
        raise
    yield running
    running.stop()


@pytest.fixture(scope="session")
def redis_url(stack: object) -> str:
    return stack.redis_url  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def client(redis_url: str) -> Iterator[object]:
    from runtime.client import Client

    with Client(redis_url) as c:
        yield c
