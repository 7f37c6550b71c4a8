"""A TCP proxy for tests that drops its first `drop` connections (accepts, then closes them
at once, like a server that is up but not serving) and forwards later ones to `upstream`.
`drop=None` drops every connection. `accepted` counts connections, dropped or not.

    with FlakyProxy(upstream_port=6379, drop=2) as proxy:
        redis.Redis(port=proxy.port).ping()  # the third connection gets through
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any


class FlakyProxy:
    def __init__(self, upstream_port: int | None = None, drop: int | None = None) -> None:
        self.upstream_port, self.drop = upstream_port, drop
        self.accepted = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> FlakyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._listener.close()
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed by __exit__
                return
            self.accepted += 1
            if self.upstream_port is None or self.drop is None or self.accepted <= self.drop:
                conn.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self._open += [conn, upstream]
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := src.recv(65536):
            dst.sendall(data)
    with contextlib.suppress(OSError):
        dst.shutdown(socket.SHUT_WR)
