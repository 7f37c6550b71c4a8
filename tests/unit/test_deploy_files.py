"""Procfile, docker-compose.yml and Dockerfile are checked for structure (no Docker engine
runs here): every queue has a worker consuming exactly it, with the pool, concurrency and
prefetch that `celeragent up` uses (runtime/cli/stack.worker_command)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from runtime.broker.queues import QUEUES, WORKERS
from runtime.cli.stack import APP, worker_command
from runtime.config import Settings

ROOT = Path(__file__).resolve().parents[2]
AUTH_VAR = "CELERAGENT_FLOWER_BASIC_AUTH"
REDIS_URL = "redis://valkey:6379/0"


def default_settings() -> Settings:
    """Settings as shipped, whatever this shell's CELERAGENT_* variables say."""
    return Settings.model_construct(
        **{name: field.get_default(call_default_factory=True)
           for name, field in Settings.model_fields.items()}
    )  # fmt: skip


def celery_argv(command: str | list[str]) -> list[str]:
    """The `celery ...` part of a command (a shell line may prepare with `mkdir && exec`)."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    for start, token in enumerate(argv):
        if token == "celery" or token.endswith("/celery"):
            end = argv.index("&&", start) if "&&" in argv[start:] else len(argv)
            return argv[start:end]
    return []


def option(argv: list[str], *names: str) -> str | None:
    """The value of `-X v`, `--long v` or `--long=v`."""
    for i, token in enumerate(argv):
        for name in names:
            if token == name and i + 1 < len(argv):
                return argv[i + 1]
            if name.startswith("--") and token.startswith(name + "="):
                return token.split("=", 1)[1]
    return None


def expected_flags(queue: str) -> dict[str, str | None]:
    argv = worker_command(queue, default_settings())
    return {
        "-Q": option(argv, "-Q"),
        "-P": option(argv, "-P"),
        "-c": option(argv, "-c"),
        "--prefetch-multiplier": option(argv, "--prefetch-multiplier"),
        "-n": option(argv, "-n"),
    }


def flags(argv: list[str]) -> dict[str, str | None]:
    return {
        "-Q": option(argv, "-Q", "--queues"),
        "-P": option(argv, "-P", "--pool"),
        "-c": option(argv, "-c", "--concurrency"),
        "--prefetch-multiplier": option(argv, "--prefetch-multiplier"),
        "-n": option(argv, "-n", "--hostname"),
    }


def check_celery(argv: list[str], where: str) -> None:
    assert argv, f"{where}: no celery command"
    assert option(argv, "-A", "--app") == APP == "runtime.broker.app:app", where


def check_workers(commands: dict[str, list[str]], where: str) -> None:
    consumers: dict[str, list[str]] = {}
    for name, argv in commands.items():
        if "worker" in argv:
            check_celery(argv, f"{where} {name}")
            queues = (option(argv, "-Q", "--queues") or "").split(",")
            for q in queues:
                consumers.setdefault(q, []).append(name)
            assert len(queues) == 1, f"{where} {name}: a worker consumes exactly one queue"
    assert set(consumers) == set(QUEUES), f"{where}: workers consume {sorted(consumers)}"
    for queue in QUEUES:
        [name] = consumers[queue]
        assert name == queue, f"{where}: the {queue} worker is named {name!r}"
        got = flags(commands[name])
        assert got == expected_flags(queue), f"{where} {name}: {got} != worker_command"
        assert got["-P"] == WORKERS[queue].pool
        # Beyond the key flags, the whole line is what `celeragent up` runs, so a flag
        # added to or dropped from worker_command shows up here as drift.
        stack_argv = ["celery", *worker_command(queue, default_settings())[3:]]
        assert commands[name] == stack_argv, f"{where} {name}: differs from worker_command"


# --- Procfile ------------------------------------------------------------------------------


def procfile() -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, command = line.partition(":")
        assert sep and name.strip() and command.strip(), f"bad Procfile line {line!r}"
        assert name not in entries, f"process {name!r} appears twice"
        entries[name.strip()] = command.strip()
    return entries


def test_procfile_has_one_worker_per_queue_with_stack_flags() -> None:
    entries = procfile()
    check_workers({n: celery_argv(c) for n, c in entries.items()}, "Procfile")


def test_procfile_every_celery_command_names_the_app() -> None:
    entries = procfile()
    assert set(entries) == {*QUEUES, "beat", "flower", "gateway"}
    for name, command in entries.items():
        if name != "gateway":
            check_celery(celery_argv(command), f"Procfile {name}")
    assert "beat" in celery_argv(entries["beat"])


def test_procfile_flower_has_basic_auth_from_the_environment() -> None:
    argv = celery_argv(procfile()["flower"])
    assert "flower" in argv
    assert option(argv, "--basic-auth") == f"${AUTH_VAR}"


# --- docker-compose.yml --------------------------------------------------------------------


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_compose_has_valkey_with_append_only(services: dict[str, dict[str, Any]]) -> None:
    valkey = services["valkey"]
    assert valkey["image"] == "valkey/valkey:8"
    command = valkey["command"]
    argv = shlex.split(command) if isinstance(command, str) else command
    assert option(argv, "--appendonly") == "yes"


def test_compose_has_one_worker_service_per_queue(services: dict[str, dict[str, Any]]) -> None:
    commands = {n: celery_argv(s.get("command", [])) for n, s in services.items()}
    check_workers(commands, "docker-compose.yml")


def test_compose_workers_can_be_scaled(services: dict[str, dict[str, Any]]) -> None:
    for queue in QUEUES:
        service = services[queue]
        assert "container_name" not in service, f"{queue}: container_name blocks --scale"
        assert "ports" not in service, f"{queue}: a fixed host port blocks --scale"


def test_compose_celery_services(services: dict[str, dict[str, Any]]) -> None:
    celery_services = {n: s for n, s in services.items() if n not in ("valkey", "gateway")}
    assert set(celery_services) == {*QUEUES, "beat", "flower"}
    for name, service in celery_services.items():
        check_celery(celery_argv(service["command"]), f"compose {name}")
        assert env_of(service).get("CELERAGENT_REDIS_URL") == REDIS_URL, name
        build = service.get("build")
        context = build.get("context") if isinstance(build, dict) else build
        assert context == ".", f"{name}: built from the repository's Dockerfile"
        depends = service.get("depends_on") or []
        assert "valkey" in depends, f"{name} starts before valkey"
    assert "beat" in celery_argv(services["beat"]["command"])


def test_compose_flower_requires_basic_auth(services: dict[str, dict[str, Any]]) -> None:
    argv = celery_argv(services["flower"]["command"])
    assert "flower" in argv
    assert option(argv, "--basic-auth") == f"${{{AUTH_VAR}:?set user:password}}"


def test_dockerfile_installs_the_project() -> None:
    text = (ROOT / "Dockerfile").read_text()
    lines = [line.strip() for line in text.splitlines()]
    assert any(line.startswith("FROM python:3.1") for line in lines)
    assert any(line.startswith("RUN pip install") and "." in line for line in lines)
    for path in ("pyproject.toml", "runtime", "workers"):
        assert any(line.startswith("COPY") and path in line for line in lines), path


# --- the gateway ----------------------------------------------------------------------------


def test_procfile_and_compose_run_the_gateway_on_all_interfaces(
    services: dict[str, dict[str, Any]],
) -> None:
    for where, argv in (
        ("Procfile", shlex.split(procfile()["gateway"])),
        ("compose", services["gateway"]["command"]),
    ):
        assert argv[:2] == ["celeragent", "gateway"], where
        assert option(argv, "--host") == "0.0.0.0", where
    gateway = services["gateway"]
    assert gateway["build"]["args"]["EXTRAS"] == "gateway"  # starlette and uvicorn
    assert env_of(gateway).get("CELERAGENT_REDIS_URL") == REDIS_URL
    assert "valkey" in gateway["depends_on"]
    assert gateway["ports"] == [f"{option(gateway['command'], '--port')}:8000"]


# --- the parsers above can fail ------------------------------------------------------------


def test_check_workers_catches_a_wrong_prefetch() -> None:
    good = {q: ["celery", *worker_command(q, default_settings())[3:]] for q in QUEUES}
    check_workers(good, "ok")
    bad = dict(good)
    argv = list(bad["llm"])
    argv[argv.index("--prefetch-multiplier") + 1] = "8"
    bad["llm"] = argv
    with pytest.raises(AssertionError, match="llm"):
        check_workers(bad, "bad")


def test_check_workers_catches_a_missing_queue_and_a_shared_worker() -> None:
    good = {q: ["celery", *worker_command(q, default_settings())[3:]] for q in QUEUES}
    missing = {q: a for q, a in good.items() if q != "gpu"}
    with pytest.raises(AssertionError, match="workers consume"):
        check_workers(missing, "bad")
    shared = dict(good)
    argv = list(shared["tools"])
    argv[argv.index("-Q") + 1] = "tools,gpu"
    shared["tools"] = argv
    with pytest.raises(AssertionError):
        check_workers(shared, "bad")
