"""A stack that fails to start stops what it had started (no orphan workers or server)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from runtime.cli.stack import Child, Stack
from runtime.errors import ConfigError

pytestmark = pytest.mark.integration


@dataclass
class RecordingStack(Stack):
    spawned: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _spawn(self, child: Child) -> None:
        super()._spawn(child)
        assert child.process is not None
        self.spawned.append(child.process)


def test_a_stack_that_does_not_become_ready_leaves_no_process(tmp_path: Path) -> None:
    stack = RecordingStack(data_dir=tmp_path, queues=("tools",), beat=False)
    # No worker imports Celery and the tools in 10 ms: start gives up.
    with pytest.raises(ConfigError, match="did not start"):
        stack.start(wait=True, timeout_s=0.01)
    assert stack.spawned, "the worker was never started"
    assert all(p.poll() is not None for p in stack.spawned)
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(stack.redis_url or "", socket_connect_timeout=1).ping()
