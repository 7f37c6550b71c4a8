"""Workers across hosts: network namespaces on this machine stand in for machines (root only).

Redis on one host, agent + llm workers and beat on a second, tools workers on a third and a
fourth, the client on a fifth (tests/support/netns.py builds them). It measures tool-only
jobs/s with 1, 2 and 4 tools worker processes on one host and split across the two tools
hosts, then two failures: SIGKILL of every process of one tools host mid-run, and a 30 s cut of
one tools host's link. JSON + PNG into ops/bench/results/ (hosts.json, hosts.png).

    sudo .venv/bin/python ops/bench/hosts.py [--jobs 60] [--skip-failures]

tests/integration/test_hosts.py runs the two failure scenarios with fewer jobs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support.netns import Cluster, redis_binary  # noqa: E402

HOSTS = ["redis", "agent", "tools1", "tools2", "client"]
TOOLS_HOSTS = ("tools1", "tools2")
TOOLS_THREADS = 4
STEP_MS = 3000  # the failure scenarios' sleep step: long enough to be cut off mid-run


def base_env(cluster: Cluster, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERAGENT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        CELERAGENT_REDIS_URL=f"redis://{cluster.addr('redis')}:6379/0",
        CELERAGENT_DATA_DIR=str(data_dir),
        CELERAGENT_MONITOR_INTERVAL_S="1",
        CELERAGENT_STALL_AFTER_S="8",
        CELERAGENT_APPROVAL_TOOLS="",
        # Far longer than any scenario: a step of a dead host can only come back through
        # dead-worker detection (runtime/recovery/liveness.py), not the visibility timeout.
        CELERAGENT_VISIBILITY_TIMEOUT_S="600",
        CELERAGENT_FORBID_NETWORK_LLM="1",
        CELERAGENT_TOOLS_CONCURRENCY=str(TOOLS_THREADS),
        CELERAGENT_SEMANTIC_ENABLED="false",
        CELERAGENT_PREFETCH_ENABLED="false",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


def serve(*args: str) -> list[str]:
    return [sys.executable, "-m", "runtime.cli.serve", *args]


def start(work: Path) -> tuple[Cluster, dict[str, str]]:
    cluster = Cluster(HOSTS, work / "logs").up()
    env = base_env(cluster, work / "state")
    redis_argv = [redis_binary(), "--bind", cluster.addr("redis"), "--port", "6379",
                  "--protected-mode", "no", "--save", "", "--dir", str(work)]  # fmt: skip
    cluster.spawn("redis", "redis", redis_argv, env)
    for queue in ("agent", "llm"):
        cluster.spawn("agent", queue, serve("worker", queue), env)
    cluster.spawn("agent", "beat", serve("beat"), env)
    return cluster, env


def start_tools(cluster: Cluster, env: dict[str, str], host: str, count: int) -> list[str]:
    names = []
    for i in range(count):
        name = f"{host}-{i}"
        cluster.spawn(host, name, serve("worker", "tools", "--name", name), env)
        names.append(f"{name}@")
    return names


def client(cluster: Cluster, env: dict[str, str], *args: str, timeout_s: float = 300) -> Any:
    argv = [sys.executable, str(Path(__file__).resolve()), "client", *args]
    return json.loads(cluster.run("client", argv, env, timeout_s))


def wait_workers(cluster: Cluster, env: dict[str, str], expect: list[str], timeout_s=120) -> None:
    deadline = time.monotonic() + timeout_s
    seen: list[str] = []
    while time.monotonic() < deadline:
        seen = client(cluster, env, "ping", timeout_s=60)
        if all(any(n.startswith(e) for n in seen) for e in expect):
            return
        time.sleep(1)
    raise RuntimeError(f"workers {expect} did not answer; seen {seen}")


# --- the client, run inside the client host's namespace -----------------------------------


def client_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("ping", "jobs", "stats"))
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--sleep-ms", type=int, default=10)
    parser.add_argument("--notify", action="store_true", help="add a side effect per job")
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args(argv)
    url = os.environ["CELERAGENT_REDIS_URL"]
    from runtime.broker.app import create_app

    if args.what in ("ping", "stats"):
        app = create_app(url, include_tasks=False)
        if args.what == "ping":
            replies = app.control.ping(timeout=2.0) or []
            print(json.dumps(sorted(n for r in replies for n in r)))
        else:
            stats = app.control.inspect(timeout=3.0).stats() or {}
            print(json.dumps({n: sum(s.get("total", {}).values()) for n, s in stats.items()}))
        app.close()
        return 0
    from runtime import keys
    from runtime.job.client import Client

    run = f"{os.getpid()}-{int(time.time())}"
    with Client(url) as c:
        started = time.time()
        handles = []
        for i in range(args.jobs):
            calls = [{"id": "s", "name": "sleep", "arguments": {"ms": args.sleep_ms}}]
            if args.notify:
                channel = f"hosts-{run}-{i}"
                calls.append(
                    {"id": "n", "name": "notify", "arguments": {"channel": channel, "message": "x"}}
                )
            handles.append(c.submit({"plan": {"calls": calls}}))
        statuses: dict[str, int] = {}
        finished: list[float] = []
        for handle in handles:
            try:
                status = handle.result(timeout=args.timeout).status.value
            except TimeoutError:
                status = "lost"
            statuses[status] = statuses.get(status, 0) + 1
            finished.append(time.time())
        elapsed = max(finished) - started
        effects = [c.redis.llen(keys.outbox(f"hosts-{run}-{i}")) for i in range(args.jobs)]
    print(json.dumps({
        "jobs": args.jobs, "statuses": statuses, "started": started, "last_done": max(finished),
        "seconds": round(elapsed, 3), "jobs_per_s": round(args.jobs / elapsed, 2),
        "finished": [round(t, 2) for t in finished],
        "side_effects": {"once": effects.count(1), "twice_or_more": sum(e > 1 for e in effects),
                         "missing": effects.count(0)} if args.notify else None,
    }))  # fmt: skip
    return 0


# --- scenarios ------------------------------------------------------------------------------


def throughput(cluster: Cluster, env: dict[str, str], jobs: int) -> dict[str, Any]:
    layouts = {
        "1 proc, one host": {"tools1": 1},
        "2 procs, one host": {"tools1": 2},
        "4 procs, one host": {"tools1": 4},
        "2 procs, two hosts": {"tools1": 1, "tools2": 1},
        "4 procs, two hosts": {"tools1": 2, "tools2": 2},
    }
    out: dict[str, Any] = {}
    for label, layout in layouts.items():
        names = []
        for host, count in layout.items():
            names += start_tools(cluster, env, host, count)
        wait_workers(cluster, env, names)
        client(cluster, env, "jobs", "--jobs", "10")  # warm-up, thrown away
        runs = [client(cluster, env, "jobs", "--jobs", str(jobs)) for _ in range(3)]
        for run in runs:
            run.pop("finished")
        out[label] = {"jobs_per_s": [r["jobs_per_s"] for r in runs], "runs": runs}
        for host in TOOLS_HOSTS:
            cluster.kill_host(host, signal.SIGTERM)
            cluster.procs.pop(host, None)
    return out


def in_background(cluster: Cluster, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    argv = [sys.executable, str(Path(__file__).resolve()), "client", *args]
    return subprocess.Popen(
        ["ip", "netns", "exec", cluster.ns("client"), *argv],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def kill_scenario(cluster: Cluster, env: dict[str, str], jobs: int) -> dict[str, Any]:
    names = start_tools(cluster, env, "tools1", 2) + start_tools(cluster, env, "tools2", 2)
    wait_workers(cluster, env, names)
    running = in_background(cluster, env, "jobs", "--jobs", str(jobs), "--sleep-ms",
                            str(STEP_MS), "--notify")  # fmt: skip
    time.sleep(2.0)  # both tools hosts hold and run steps (16 threads, more steps queued)
    killed_at = time.time()
    killed = cluster.kill_host("tools1", signal.SIGKILL)
    out, err = running.communicate(timeout=400)
    if running.returncode != 0:
        raise RuntimeError(err[-3000:])
    result = json.loads(out)
    finished = result.pop("finished")
    result.update(
        killed_processes=killed,
        jobs_done_after_kill=sum(t > killed_at for t in finished),
        last_done_after_kill_s=round(result["last_done"] - killed_at, 1),
    )
    cluster.procs.pop("tools1", None)
    return result


def cut_scenario(cluster: Cluster, env: dict[str, str], jobs: int, cut_s: float) -> dict:
    names = start_tools(cluster, env, "tools1", 2)
    wait_workers(cluster, env, names + ["tools2-"])
    running = in_background(cluster, env, "jobs", "--jobs", str(jobs), "--sleep-ms",
                            str(STEP_MS), "--notify", "--timeout", "300")  # fmt: skip
    time.sleep(2.0)
    cut_at = time.time()
    cluster.cut("tools1")
    time.sleep(cut_s)
    cluster.restore("tools1")
    restored_at = time.time()
    out, err = running.communicate(timeout=600)
    if running.returncode != 0:
        raise RuntimeError(err[-3000:])
    result = json.loads(out)
    finished = result.pop("finished")
    result.update(
        jobs_done_during_cut=sum(cut_at < t <= restored_at for t in finished),
        jobs_done_after_restore=sum(t > restored_at for t in finished),
        last_done_after_cut_s=round(result["last_done"] - cut_at, 1),
    )
    # Does the cut host consume again? Its workers' task totals must grow with new jobs.
    deadline = time.monotonic() + 90
    before = client(cluster, env, "stats")
    grew: dict[str, int] = {}
    while time.monotonic() < deadline:
        client(cluster, env, "jobs", "--jobs", "20", "--timeout", "60")
        after = client(cluster, env, "stats")
        grew = {n: after.get(n, 0) - before.get(n, 0) for n in after if n.startswith("tools1-")}
        if grew and all(v > 0 for v in grew.values()):
            break
    result["cut_host_tasks_after_restore"] = grew
    return result


def plot_throughput(results: dict[str, Any]) -> None:
    from runtime.cli.bench import plot

    series = {k.replace(", ", "\n"): v["jobs_per_s"] for k, v in results.items()}
    plot("hosts", series, title="tool-only jobs/s (sleep 10 ms, 4 threads/process)",
         ylabel="jobs/s", kind="bar")  # fmt: skip


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "client":
        return client_main(sys.argv[2:])
    from tests.support.netns import available

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--failure-jobs", type=int, default=40)
    parser.add_argument("--skip-failures", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--work", default="/tmp/celeragent-hosts")
    args = parser.parse_args()
    if reason := available():
        sys.exit(f"ops/bench/hosts.py: {reason}")
    work = Path(args.work) / str(os.getpid())
    cluster, env = start(work)
    results: dict[str, Any] = {}
    try:
        wait_workers(cluster, env, ["agent@", "llm@"])
        if not args.skip_throughput:
            results["throughput"] = throughput(cluster, env, args.jobs)
        if not args.skip_failures:
            results["kill_tools_host"] = kill_scenario(cluster, env, args.failure_jobs)
            results["cut_tools_host_30s"] = cut_scenario(cluster, env, args.failure_jobs, 30.0)
    finally:
        cluster.down()
    from runtime.cli.bench import write_report

    print(write_report("hosts", results))
    if "throughput" in results:
        plot_throughput(results["throughput"])
        summary = {k: v["jobs_per_s"] for k, v in results["throughput"].items()}
        print(json.dumps(summary, indent=1))
    for name in ("kill_tools_host", "cut_tools_host_30s"):
        if name in results:
            shown = {k: v for k, v in results[name].items() if k not in ("started", "last_done")}
            print(name, json.dumps(shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
