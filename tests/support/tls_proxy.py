"""A TLS-terminating TCP proxy for tests: clients speak TLS to 127.0.0.1:<port>, the proxy
forwards the plain bytes to an upstream port (the embedded Valkey, built without TLS) and back.

One asyncio loop in a daemon thread; `stop()` closes the listener and every open connection
and joins the thread. A client that fails the handshake (a plain-text client, one that does
not trust the certificate, one without a required client certificate) is dropped.

    with TLSProxy(upstream_port, cert, key) as proxy:
        redis.Redis.from_url(f"rediss://localhost:{proxy.port}/0", ssl_ca_certs=ca)

Certificates: `make_test_pki(folder)` writes a throwaway CA and a server certificate for
localhost/127.0.0.1 (and a client certificate for mutual TLS) with the `openssl` CLI.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Pki:
    ca: Path
    ca_key: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


# P-256 keys: generated in milliseconds (RSA takes seconds), accepted by every TLS stack.
_NEW_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-sha256")


def openssl_available() -> bool:
    return shutil.which("openssl") is not None


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed CA: (certificate, key)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    _openssl(
        "req", "-x509", *_NEW_KEY, "-days", "2",
        "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    return cert, key


def issue(
    folder: Path, name: str, ca: tuple[Path, Path], extensions: str, serial: int
) -> tuple[Path, Path]:
    """A leaf certificate signed by `ca`: (certificate, key)."""
    cert, key, csr = folder / f"{name}.pem", folder / f"{name}.key", folder / f"{name}.csr"
    ext = folder / f"{name}.ext"
    ext.write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "authorityKeyIdentifier=keyid\n"
        "subjectKeyIdentifier=hash\n" + extensions
    )
    _openssl(
        "req", *_NEW_KEY,
        "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={name}",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(ca[0]), "-CAkey", str(ca[1]),
        "-set_serial", str(serial), "-days", "2", "-sha256",
        "-out", str(cert), "-extfile", str(ext),
        cwd=folder,
    )  # fmt: skip
    return cert, key


def make_test_pki(folder: Path) -> Pki:
    ca = make_ca(folder, "test-ca")
    server = issue(
        folder,
        "localhost",
        ca,
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        serial=2,
    )
    client = issue(
        folder,
        "celeragent-client",
        ca,
        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
        serial=3,
    )
    return Pki(ca[0], ca[1], server[0], server[1], client[0], client[1])


class TLSProxy:
    def __init__(
        self,
        upstream_port: int,
        certfile: Path,
        keyfile: Path,
        *,
        upstream_host: str = "127.0.0.1",
        client_ca: Path | None = None,
    ) -> None:
        """`client_ca`: require a client certificate signed by it (mutual TLS)."""
        self.upstream = (upstream_host, upstream_port)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(str(certfile), str(keyfile))
        if client_ca is not None:
            self.context.verify_mode = ssl.CERT_REQUIRED
            self.context.load_verify_locations(str(client_ca))
        self.port = 0
        self.connections = 0  # TLS handshakes completed
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # --- lifecycle -----------------------------------------------------------------------
    def start(self, timeout_s: float = 10.0) -> TLSProxy:
        self._thread = threading.Thread(target=self._run, name="tls-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError("the TLS proxy did not start")
        if self._error is not None:
            raise RuntimeError(f"the TLS proxy did not start: {self._error!r}")
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop already closed
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout_s)
        self._loop = self._thread = None

    def __enter__(self) -> TLSProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        # Failed handshakes (what the negative tests provoke) are expected: keep them quiet.
        loop.set_exception_handler(lambda _loop, _context: None)
        self._loop = loop
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(
                    self._handle, "127.0.0.1", 0, ssl=self.context, ssl_handshake_timeout=10.0
                )
            )
            self.port = int(self._server.sockets[0].getsockname()[1])
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(self._server.wait_closed())
            loop.run_until_complete(asyncio.sleep(0.05))  # let aborted sockets close
            loop.close()

    # --- forwarding ----------------------------------------------------------------------
    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        # Called once the TLS handshake succeeded (asyncio drops a client that fails it).
        self.connections += 1
        upstream_w: asyncio.StreamWriter | None = None
        try:
            upstream_r, upstream_w = await asyncio.open_connection(*self.upstream)
            pumps = [
                asyncio.ensure_future(self._pipe(client_r, upstream_w)),
                asyncio.ensure_future(self._pipe(upstream_r, client_w)),
            ]
            try:
                # Either side closing ends the connection: Redis has no half-close.
                await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pump in pumps:
                    pump.cancel()
                await asyncio.gather(*pumps, return_exceptions=True)
        except OSError:  # ssl.SSLError is an OSError
            pass
        finally:
            # A graceful close (TLS close_notify, flushed buffers) when the peer is there,
            # then abort: a socket left open past stop() would leak with its event loop (an
            # idle client never answers close_notify).
            for writer in (client_w, upstream_w):
                if writer is not None:
                    writer.close()
                    with contextlib.suppress(BaseException):
                        await asyncio.wait_for(writer.wait_closed(), 0.5)
                    writer.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Any:
        try:
            while data := await reader.read(65_536):
                writer.write(data)
                await writer.drain()
        except (OSError, ssl.SSLError):
            pass
