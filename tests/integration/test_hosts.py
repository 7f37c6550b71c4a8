"""Workers on five hosts (network namespaces; ops/bench/hosts.py builds them): Redis, agent +
llm + beat, two tools hosts, the client. Jobs run across hosts; every process of one tools
host is SIGKILLed mid-run and its steps finish on the other within 60 s; then that host's link
is cut for 30 s and restored: nothing lost, no side effect twice, and it consumes again.
About 2 minutes; root only (CI runs as root)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.netns import available

pytestmark = [pytest.mark.integration, pytest.mark.chaos]

ROOT = Path(__file__).resolve().parents[2]
JOBS = 24


def hosts_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_hosts", ROOT / "ops/bench/hosts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.timeout(600)
@pytest.mark.skipif(available() is not None, reason=str(available()))
def test_jobs_survive_a_killed_host_and_a_cut_link(tmp_path: Path) -> None:
    hosts = hosts_module()
    cluster, env = hosts.start(tmp_path)
    try:
        hosts.wait_workers(cluster, env, ["agent@", "llm@"])
        killed = hosts.kill_scenario(cluster, env, JOBS)
        print("kill:", json.dumps(killed))
        assert killed["killed_processes"] == 2
        assert killed["statuses"] == {"done": JOBS}, killed
        assert killed["side_effects"] == {"once": JOBS, "twice_or_more": 0, "missing": 0}
        assert killed["jobs_done_after_kill"] > 0  # the kill came mid-run
        assert killed["last_done_after_kill_s"] <= 60, killed

        cut = hosts.cut_scenario(cluster, env, JOBS, 30.0)
        print("cut:", json.dumps(cut))
        assert cut["statuses"] == {"done": JOBS}, cut
        assert cut["side_effects"] == {"once": JOBS, "twice_or_more": 0, "missing": 0}
        consumed = cut["cut_host_tasks_after_restore"]
        assert consumed and all(n > 0 for n in consumed.values()), cut
    finally:
        cluster.down()
    assert not any(cluster.ns(h) in ns for h in hosts.HOSTS for ns in _namespaces())


def _namespaces() -> list[str]:
    import subprocess

    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]
