"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests: stdlib only.

It speaks `POST /v1/chat/completions` with real SSE chunks (HTTP/1.1 chunked encoding, so
keep-alive works and connection reuse can be observed). Tests script faults through
`server.behaviour`: fail the next N requests with a status, answer slowly, omit usage,
require an API key, or drop the connection mid-stream. It also counts what a rate-limited
provider would: when each request arrived and how many were in flight at once
(`peak_in_flight`, from a request's arrival until its last SSE event, before the chunked
body's end that lets the client finish).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Behaviour:
    reply: str = "Hello from the test server."
    fail_status: int | None = None  # answer this status ...
    fail_times: int = 0  # ... to this many requests, then behave
    fail_message: str | None = None  # their error message (default "scripted failure <status>")
    retry_after: float | None = None  # Retry-After header on failures
    delay_s: float = 0.0  # before the response headers (tests timeouts)
    chunk_delay_s: float = 0.0  # between SSE chunks
    omit_usage: bool = False
    require_key: str | None = None  # 401 unless `Authorization: Bearer <key>`
    forbid: bool = False  # 403 always
    break_after_chunks: int | None = None  # close the socket mid-stream
    # A server without some structured-output support: response_format kind ("strict",
    # "json_schema", "json_object" or "any") -> the message of the 400 every request carrying
    # that kind gets.
    reject_formats: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    body: dict[str, Any]
    headers: dict[str, str]
    client_port: int
    at: float = 0.0  # time.time() of arrival
    done_at: float | None = None  # ... and when it stopped counting as in flight


@dataclass
class ServerState:
    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    peak_in_flight: int = 0


def _format_kinds(body: dict[str, Any]) -> list[str]:
    fmt = body.get("response_format")
    if not isinstance(fmt, dict):
        return []
    kinds = [fmt.get("type", "?"), "any"]
    if fmt.get("type") == "json_schema" and (fmt.get("json_schema") or {}).get("strict"):
        kinds.insert(0, "strict")
    return kinds


def _words(text: str) -> list[str]:
    out, word = [], ""
    for ch in text:
        word += ch
        if ch == " ":
            out.append(word)
            word = ""
    return out + ([word] if word else [])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    _counted = False

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep pytest output clean

    def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._json(status, {"error": {"message": message, "type": "test", "code": status}}, headers)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        state = self.server.state
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        record = Recorded(
            body,
            {k.lower(): v for k, v in self.headers.items()},
            self.client_address[1],
            time.time(),
        )
        self._record = record
        with state.lock:
            state.requests.append(record)
            state.in_flight += 1
            state.peak_in_flight = max(state.peak_in_flight, state.in_flight)
        self._counted = True  # one handler serves every request of a keep-alive connection
        try:
            self._respond(state, body)
        finally:
            self._done(state)

    def _done(self, state: ServerState) -> None:
        with state.lock:
            if self._counted:
                state.in_flight -= 1
                self._record.done_at = time.time()
            self._counted = False

    def _respond(self, state: ServerState, body: dict[str, Any]) -> None:
        with state.lock:
            b = state.behaviour
            failing = b.fail_status is not None and b.fail_times > 0
            if failing:
                b.fail_times -= 1
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._error(404, f"no route {self.path}")
            return
        if b.delay_s:
            time.sleep(b.delay_s)
        if b.forbid:
            self._error(403, "forbidden")
            return
        if b.require_key and self.headers.get("Authorization") != f"Bearer {b.require_key}":
            self._error(401, "invalid api key")
            return
        refused = next(
            (b.reject_formats[k] for k in _format_kinds(body) if k in b.reject_formats), None
        )
        if refused is not None:
            self._error(400, refused)
            return
        if failing:
            extra = {"Retry-After": str(b.retry_after)} if b.retry_after is not None else None
            self._error(b.fail_status, b.fail_message or f"scripted failure {b.fail_status}", extra)
            return
        model = body.get("model", "test-model")
        words = _words(b.reply)
        usage = {
            "prompt_tokens": 11,
            "completion_tokens": len(words),
            "total_tokens": 11 + len(words),
        }
        if not body.get("stream"):
            self._json(
                200,
                {
                    "id": "cmpl-test",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": b.reply},
                        }
                    ],
                    "usage": None if b.omit_usage else usage,
                },
            )
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def event(choices: list[dict[str, Any]], usage_part: Any = None) -> None:
            payload = {
                "id": "cmpl-test",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": choices,
            }
            if usage_part is not None:
                payload["usage"] = usage_part
            self._chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

        event([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        for i, w in enumerate(words):
            if b.break_after_chunks is not None and i >= b.break_after_chunks:
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(2)  # abrupt end: the client sees a broken stream
                return
            if b.chunk_delay_s:
                time.sleep(b.chunk_delay_s)
            event([{"index": 0, "delta": {"content": w}, "finish_reason": None}])
        event([{"index": 0, "delta": {}, "finish_reason": "stop"}])
        include = (body.get("stream_options") or {}).get("include_usage")
        if include and not b.omit_usage:
            event([], usage)
        self._chunk(b"data: [DONE]\n\n")
        self._done(state)  # before the body's end: the client cannot have finished yet
        self._chunk(b"")  # end of chunked body; the connection stays open for reuse


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ServerState

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up (timeout tests): expected, not worth a traceback
        super().handle_error(request, client_address)


class OpenAITestServer:
    """`with OpenAITestServer() as srv:` then point a profile at `srv.base_url`."""

    def __init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.state = ServerState()
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def state(self) -> ServerState:
        return self._httpd.state

    @property
    def behaviour(self) -> Behaviour:
        return self._httpd.state.behaviour

    def reset(self, **changes: Any) -> Behaviour:
        with self.state.lock:
            self.state.behaviour = Behaviour(**changes)
            self.state.requests.clear()
            self.state.peak_in_flight = self.state.in_flight
        return self.state.behaviour

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def requests(self) -> list[Recorded]:
        return self.state.requests

    def start(self) -> OpenAITestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> OpenAITestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
