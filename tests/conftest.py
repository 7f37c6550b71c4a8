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

# Long enough for `celeragent approve`, a fresh process, to start and answer on a loaded 2-core
# machine: at 4 s, a full run at load 4 saw the step time out before the command had started.
APPROVAL_TIMEOUT_S = 10

STACK_ENV = {
    "CELERAGENT_MODELS_FILE": str(TEST_MODELS),
    "CELERAGENT_APPROVAL_TOOLS": "notify",
    "CELERAGENT_APPROVAL_TIMEOUT_S": str(APPROVAL_TIMEOUT_S),
    "CELERAGENT_TENANT_BUDGET_USD": f'{{"capped": {TENANT_LIMIT_USD}}}',
    "CELERAGENT_MONITOR_INTERVAL_S": "1",
    # Lost-message recovery (runtime/recovery/stalls.py) reacts within seconds here, so every test
    # that leaves a job quiet for a while also checks it is never re-driven by mistake.
    "CELERAGENT_STALL_AFTER_S": "4",
    "CELERAGENT_STALL_CONFIRM_S": "1",
    "CELERAGENT_STALL_CHECK_EVERY_S": "1",
    "CELERAGENT_FORBID_NETWORK_LLM": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}


REMOTE_KEY = "test-key-not-a-secret"
GARBAGE_REPLIES = 200  # the `garbage` model never returns a valid plan within a session


def session_models(server_url: str) -> str:
    """The test models plus profiles that need the session's OpenAI-compatible server."""
    garbage = ", ".join(['"this is not json {"'] * GARBAGE_REPLIES)
    return (
        TEST_MODELS.read_text()
        + f"""
[models.remote-test]
backend = "openai"
queue = "llm"
model_id = "test-model"
base_url = "{server_url}"
api_key_env = "CELERAGENT_TEST_REMOTE_KEY"
encoding = "o200k_base"
context_window = 8192
input_per_m = 1.0
output_per_m = 2.0
typical_latency_s = 0.5
quality = 0.8
tier = "strong"
routable = false
max_retries = 2
backoff_base_s = 0.05
timeout_s = 5

# remote-test with a shared limit (tests/integration/test_limits.py).
[models.remote-capped]
backend = "openai"
queue = "llm"
model_id = "test-model"
base_url = "{server_url}"
api_key_env = "CELERAGENT_TEST_REMOTE_KEY"
encoding = "o200k_base"
typical_latency_s = 0.5
routable = false
timeout_s = 10
max_concurrency = 1

[models.tiny]
backend = "fake"
queue = "llm"
context_window = 64
input_per_m = 0.1
output_per_m = 0.1
typical_latency_s = 0.05
quality = 0.5
tier = "fast"
routable = false

[models.garbage]
backend = "fake"
queue = "llm"
context_window = 8192
input_per_m = 0.1
output_per_m = 0.1
typical_latency_s = 0.05
quality = 0.5
tier = "fast"
routable = false
script = [{garbage}]
"""
    )


@pytest.fixture(scope="session")
def openai_server() -> Iterator[object]:
    """A real OpenAI-compatible HTTP server (SSE streaming) on loopback for the session."""
    from tests.support.openai_server import OpenAITestServer

    server = OpenAITestServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, openai_server: object) -> Iterator[object]:
    """Valkey + one worker per queue + beat, for the whole session."""
    from runtime.cli.stack import Stack
    from runtime.config import reset_settings
    from runtime.llm.profiles import reset_profiles

    data_dir = Path(tmp_path_factory.mktemp("stack"))
    models = data_dir / "models.toml"
    models.write_text(session_models(openai_server.base_url))  # type: ignore[attr-defined]
    env = {
        **STACK_ENV,
        "CELERAGENT_MODELS_FILE": str(models),
        "CELERAGENT_TEST_REMOTE_KEY": REMOTE_KEY,
    }
    os.environ.update(env)
    reset_settings()
    reset_profiles()
    server = None
    if binary := os.environ.get("CELERAGENT_TEST_REDIS_SERVER"):
        # The real-Redis run (ops/test): Debian's redis-server instead of the embedded Valkey.
        from tests.support.redis_server import RedisServer

        server = RedisServer(binary, data_dir / "redis").start()
    running = Stack(data_dir=data_dir, extra_env=env, redis_url=server.url if server else None)
    try:
        running.start(wait=True, timeout_s=120)
    except Exception:
        for log in sorted((data_dir / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-3000:]}")
        running.stop()
        if server is not None:
            server.stop()
        raise
    # The test process is a client of this stack, like any process with the variable set
    # (tools that reach Redis themselves, such as `notify`, resolve it from settings).
    os.environ["CELERAGENT_REDIS_URL"] = running.redis_url or ""
    reset_settings()
    yield running
    os.environ.pop("CELERAGENT_REDIS_URL", None)
    reset_settings()
    running.stop()
    if server is not None:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(stack: object) -> str:
    return stack.redis_url  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def client(redis_url: str) -> Iterator[object]:
    from runtime.job.client import Client

    with Client(redis_url) as c:
        yield c
