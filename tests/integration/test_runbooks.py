"""The runbooks in ops/runbooks/ run what they say: the commands that exist today are run
here against the session stack, as an operator would (subprocess, CELERAGENT_REDIS_URL set);
every `celeragent` subcommand a runbook names exists."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.broker.queues import QUEUES
from runtime.job.client import Client

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
RUNBOOKS = ROOT / "ops" / "runbooks"
CLI = [sys.executable, "-m", "runtime.cli.main"]


def run(args: list[str], redis_url: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, CELERAGENT_REDIS_URL=redis_url)
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def existing_subcommands() -> set[str]:
    out = subprocess.run(
        [*CLI, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    found = re.search(r"\{([a-z0-9_,-]+)\}", out)
    assert found, out
    return set(found.group(1).split(","))


def test_every_runbook_is_in_the_index() -> None:
    index = (RUNBOOKS / "README.md").read_text()
    pages = sorted(p.name for p in RUNBOOKS.glob("*.md") if p.name != "README.md")
    assert len(pages) >= 8
    for page in pages:
        assert f"({page})" in index, f"{page} is not linked from ops/runbooks/README.md"


def test_every_celeragent_command_in_a_runbook_exists() -> None:
    existing = existing_subcommands()
    assert {"up", "submit", "status"} <= existing
    used = set()
    for page in RUNBOOKS.glob("*.md"):
        used |= set(re.findall(r"(?:bin/|`)celeragent ([a-z][a-z-]+)", page.read_text()))
    assert {"status", "submit", "diagnose", "cache", "dead-letters"} <= used
    unknown = used - existing
    assert not unknown, f"runbooks name commands that do not exist: {unknown}"


def test_status_json_shows_queues_workers_and_recent_jobs(redis_url: str, client: Client) -> None:
    plan = {"calls": [{"id": "a", "name": "echo", "arguments": {"value": 1}}]}
    done = client.submit({"plan": plan})
    done.result(timeout=30)
    proc = run([*CLI, "status", "--json"], redis_url)
    assert proc.returncode == 0, proc.stderr
    status = json.loads(proc.stdout)
    assert set(status["queues"]) == set(QUEUES)
    assert all(isinstance(n, int) and n >= 0 for n in status["queues"].values())
    for queue in QUEUES:  # the session stack runs one worker per queue
        assert status["workers"][queue], f"no worker listed for {queue}: {status['workers']}"
    assert {"job_id": done.id, "status": "done"} in status["recent_jobs"]


def test_status_of_one_job_gives_its_steps_with_queue_wait(redis_url: str, client: Client) -> None:
    handle = client.submit(
        {"plan": {"calls": [{"id": "t", "name": "calculator", "arguments": {"expression": "2+2"}}]}}
    )
    handle.result(timeout=30)
    proc = run([*CLI, "status", handle.id, "--json"], redis_url)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "done"
    step = data["result"]["steps"][0]
    assert step["id"] == "t" and "queue_wait_ms" in step


def test_budget_exhausted_runbook_submit_with_a_larger_budget(
    redis_url: str, tmp_path: Path
) -> None:
    spec = {
        "plan": {"calls": [{"id": "a", "name": "echo", "arguments": {"value": "ok"}}]},
        "budget": {"max_tokens": 100000, "max_cost_usd": 1.0},
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    proc = run([*CLI, "submit", "--plan", str(path), "--json", "--timeout", "30"], redis_url)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "done"


def test_degraded_mode_runbook_reads_the_level_and_recent_system_events(redis_url: str) -> None:
    snippet = (
        "from runtime.broker.connection import get_redis; "
        "from runtime.config import get_settings as s; "
        "from runtime import keys; from runtime.guard import degrade; "
        "r = get_redis(s().resolve_redis_url()); "
        "print(degrade.get_level(r)); print(r.xrevrange(keys.SYSTEM_EVENTS, count=5))"
    )
    assert snippet in (RUNBOOKS / "degraded-mode.md").read_text()
    proc = run([sys.executable, "-c", snippet], redis_url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] in {"0", "1", "2"}


def test_cache_runbook_invalidates_one_tools_results(redis_url: str, client: Client) -> None:
    value = f"runbook-{os.getpid()}"
    plan = {"calls": [{"id": "e", "name": "echo", "arguments": {"value": value}}]}
    client.submit({"plan": plan}).result(timeout=30)
    assert client.redis.keys("ca:cache:tool:echo:*"), "echo's result was not cached"
    page = (RUNBOOKS / "cache.md").read_text()
    snippet = page.split("<<'PY'\n", 1)[1].split("PY\n", 1)[0].replace('"http_get"', '"echo"')
    proc = run([sys.executable, "-c", snippet], redis_url)
    assert proc.returncode == 0, proc.stderr
    removed = int(proc.stdout.rsplit(":", 1)[1])
    assert removed >= 1
    assert client.redis.keys("ca:cache:tool:echo:*") == []
