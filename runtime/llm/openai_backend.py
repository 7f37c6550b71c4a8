"""Any OpenAI-compatible chat server through the `openai` SDK (queue `llm`).

One pooled HTTP client per process is shared by every profile, so llm-worker threads reuse
keep-alive connections instead of paying a TLS handshake per call. The SDK's own retries
are off: ours are explicit (exponential backoff with full jitter, Retry-After honoured) so
the policy is visible and a stream that already emitted tokens is never silently replayed.
Called through GuardedBackend, a 429 also cools the model's scope down for every worker
(Retry-After, else our backoff), and each retry takes a token of the model's shared rate
(runtime/guard/limits.py `current`).
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from typing import TYPE_CHECKING, Any

import httpx2  # the HTTP library this openai SDK is built on
import openai

from runtime.errors import RetryableError, TerminalError
from runtime.guard import limits
from runtime.llm import response_format, tokens
from runtime.llm.base import Completion, LLMUsage, Messages, TokenCallback
from runtime.llm.profiles import is_loopback_url

if TYPE_CHECKING:
    from runtime.llm.profiles import ModelProfile

log = logging.getLogger(__name__)

FORBID_ENV = "CELERAGENT_FORBID_NETWORK_LLM"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_CONNECTIONS = 100
MAX_KEEPALIVE = 20
KEEPALIVE_EXPIRY_S = 30.0
CONNECT_TIMEOUT_S = 10.0
RETRY_STATUSES = frozenset({408, 409, 429})  # plus every 5xx
BACKOFF_CAP_S = 8.0

_http_lock = threading.Lock()
_http_client: Any = None
_http_pid: int | None = None


def shared_http_client() -> Any:
    """The process's pooled HTTP client (rebuilt after a fork: sockets must not be shared)."""
    global _http_client, _http_pid
    with _http_lock:
        if _http_client is None or _http_pid != os.getpid():
            _http_client = openai.DefaultHttpxClient(
                limits=httpx2.Limits(
                    max_connections=MAX_CONNECTIONS,
                    max_keepalive_connections=MAX_KEEPALIVE,
                    keepalive_expiry=KEEPALIVE_EXPIRY_S,
                )
            )
            _http_pid = os.getpid()
        return _http_client


def check_network_allowed(base_url: str | None) -> None:
    """The test-suite guard: with CELERAGENT_FORBID_NETWORK_LLM=1 only loopback servers."""
    if os.environ.get(FORBID_ENV) == "1" and not is_loopback_url(base_url):
        raise TerminalError(
            f"network model calls are disabled in the test suite ({FORBID_ENV}=1 refused "
            f"{base_url}); use a fake-* profile or a server on 127.0.0.1."
        )


def _retry_after_s(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    try:
        return float(header) if header is not None else None
    except ValueError:
        return None  # an HTTP date; rare enough to ignore in favour of our own backoff


class _FormatRejected(Exception):
    """The server refused the request's response_format (handled in `complete`)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


class OpenAIBackend:
    def __init__(self, profile: ModelProfile) -> None:
        self.profile = profile
        p = profile.params
        self.max_retries = int(p.get("max_retries", 3))
        self.backoff_base_s = float(p.get("backoff_base_s", 0.5))
        self.timeout_s = float(p["timeout_s"]) if "timeout_s" in p else None
        self._clients: dict[tuple[str, str], openai.OpenAI] = {}
        self._lock = threading.Lock()
        # (base_url, model) -> the strongest response_format level that server has not refused
        # (runtime/llm/response_format.py); later calls start there, skipping a failing trip.
        self._format_level: dict[tuple[str, str], str] = {}

    def _api_key(self) -> str:
        env = self.profile.api_key_env
        key = os.environ.get(env) if env else None
        if key:
            return key
        if is_loopback_url(self.profile.base_url):
            return "not-needed"  # local servers (vLLM, llama.cpp, tests) ignore the key
        raise TerminalError(
            f"model {self.profile.name!r} has no API key: set the environment variable "
            f"{env or '(api_key_env is not set in the profile)'} or choose another model."
        )

    def _client(self) -> openai.OpenAI:
        check_network_allowed(self.profile.base_url)
        key = self._api_key()
        base_url = self.profile.base_url or DEFAULT_BASE_URL
        with self._lock:
            client = self._clients.get((base_url, key))
            if client is None:
                # Re-read per call so a rotated key takes effect without a restart.
                self._clients = {}
                client = self._clients[(base_url, key)] = openai.OpenAI(
                    api_key=key,
                    base_url=base_url,
                    max_retries=0,
                    http_client=shared_http_client(),
                )
            return client

    def _timeout(self) -> Any:
        from runtime.config import get_settings

        total = self.timeout_s or get_settings().llm_timeout_s
        return httpx2.Timeout(total, connect=min(CONNECT_TIMEOUT_S, total))

    def complete(
        self,
        messages: Messages,
        *,
        model: str,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion:
        client = self._client()
        request: dict[str, Any] = {
            "model": model or self.profile.wire_model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
            "timeout": self._timeout(),
        }
        if json_schema is None:
            return self._complete(client, request, messages, on_token)
        key = (self.profile.base_url or DEFAULT_BASE_URL, request["model"])
        with self._lock:
            level = self._format_level.get(key, response_format.STRICT)
        while True:
            level, fmt = response_format.build(json_schema, level)
            if fmt is None:
                request.pop("response_format", None)
            else:
                request["response_format"] = fmt
            try:
                return self._complete(client, request, messages, on_token)
            except _FormatRejected as exc:
                # Servers without (strict) json_schema support: step down and remember it.
                # Each step is strictly weaker and `none` sends no response_format, so this
                # ends after at most three refusals (one per (server, model) in practice).
                level = self._lower_format_level(key, level, exc)

    def _lower_format_level(self, key: tuple[str, str], level: str, exc: _FormatRejected) -> str:
        lower = response_format.next_level(level, exc.text)
        order = response_format.LEVELS.index
        with self._lock:
            known = self._format_level.get(key, response_format.STRICT)
            if order(known) >= order(lower):
                return known  # another thread already stepped down this far: log only once
            self._format_level[key] = lower
        log.warning(
            "model server %s refused response_format at level %r for model %s (HTTP %d: %.300s); "
            "using %r from now on",
            key[0],
            level,
            key[1],
            exc.status,
            exc.text,
            lower,
        )
        return lower

    def _complete(
        self,
        client: openai.OpenAI,
        request: dict[str, Any],
        messages: Messages,
        on_token: TokenCallback | None,
    ) -> Completion:
        """One request with our retry policy (see the module docstring)."""
        last_error: BaseException | None = None
        for attempt in range(self.max_retries + 1):
            emitted = [0]
            try:
                return self._stream_once(client, request, messages, on_token, emitted)
            except openai.APIStatusError as exc:
                status = exc.status_code
                if status in (401, 403):
                    raise TerminalError(
                        f"model {self.profile.name!r} at {self.profile.base_url} refused the "
                        f"API key (HTTP {status}); set a valid key in the environment variable "
                        f"{self.profile.api_key_env}."
                    ) from None
                if status not in RETRY_STATUSES and status < 500:
                    # The SDK's message holds the whole error body (message, param, code).
                    if "response_format" in request and response_format.rejects_format(
                        status, exc.message
                    ):
                        raise _FormatRejected(status, exc.message) from None
                    raise TerminalError(
                        f"model {self.profile.name!r} rejected the request (HTTP {status}): "
                        f"{exc.message}"
                    ) from None
                last_error = exc
            except (openai.APITimeoutError, openai.APIConnectionError) as exc:
                last_error = exc
            except httpx2.TransportError as exc:
                # Raised while iterating a stream (the SDK wraps only the initial request).
                last_error = exc
            except (openai.APIError, json.JSONDecodeError) as exc:
                # An error event inside the stream, or a garbled chunk: worth another try.
                last_error = exc
            if emitted[0]:
                # Tokens already reached the caller; a replay would duplicate them.
                raise RetryableError(
                    f"the stream from model {self.profile.name!r} broke after "
                    f"{emitted[0]} tokens ({last_error}); retry the step."
                ) from None
            delay = random.uniform(0, min(BACKOFF_CAP_S, self.backoff_base_s * 2**attempt))
            hinted = _retry_after_s(last_error)
            gate = limits.current()
            if gate is not None and getattr(last_error, "status_code", None) == 429:
                # The provider is limiting us: every worker waits, not only this call.
                gate.cool_down(hinted if hinted is not None else delay)
            if hinted is not None:
                delay = max(delay, min(hinted, BACKOFF_CAP_S))
            if attempt < self.max_retries:
                log.info(
                    "model %s attempt %d failed (%s); retrying in %.2fs",
                    self.profile.name,
                    attempt + 1,
                    last_error,
                    delay,
                )
                time.sleep(delay)
                if gate is not None:
                    # A retry is a call: it waits out a cool-down and takes a token (it keeps
                    # the slot its first attempt holds).
                    gate.acquire(self._timeout().read or 60.0, concurrency=False)
        if isinstance(last_error, openai.APIConnectionError | httpx2.TransportError):
            timed_out = isinstance(last_error, openai.APITimeoutError | httpx2.TimeoutException)
            what = "did not answer in time" if timed_out else "could not be reached"
            raise RetryableError(
                f"model server {self.profile.base_url} {what} after "
                f"{self.max_retries + 1} attempts; check that it is running and reachable."
            ) from None
        raise RetryableError(
            f"model {self.profile.name!r} kept failing after {self.max_retries + 1} attempts "
            f"({last_error}); retry later."
        ) from None

    def _stream_once(
        self,
        client: openai.OpenAI,
        request: dict[str, Any],
        messages: Messages,
        on_token: TokenCallback | None,
        emitted: list[int],
    ) -> Completion:
        start = time.perf_counter()
        ttft_ms: float | None = None
        parts: list[str] = []
        usage: LLMUsage | None = None
        served_model = request["model"]
        # We read the SSE lines ourselves instead of the SDK's Stream: that one closes the
        # response at `data: [DONE]`, before the end of the chunked body, so the connection
        # is dropped instead of going back to the pool. Draining keeps keep-alive working.
        with client.chat.completions.with_streaming_response.create(**request) as raw:
            for line in raw.iter_lines():
                if not line.startswith("data:"):
                    continue  # comments, event names, blank separators
                data = line[5:].strip()
                if data == "[DONE]":
                    continue  # keep reading: the body ends right after
                chunk = json.loads(data)
                if chunk.get("error"):
                    error = chunk["error"]
                    message = error.get("message") if isinstance(error, dict) else str(error)
                    raise openai.APIError(
                        message or "an error occurred during streaming",
                        request=raw.http_response.request,
                        body=error,
                    )
                if chunk.get("usage"):
                    u = chunk["usage"]
                    usage = LLMUsage(
                        int(u.get("prompt_tokens") or 0), int(u.get("completion_tokens") or 0)
                    )
                served_model = chunk.get("model") or served_model
                for choice in chunk.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content")
                    if not piece:
                        continue
                    if ttft_ms is None:
                        ttft_ms = (time.perf_counter() - start) * 1000
                    parts.append(piece)
                    emitted[0] += 1
                    if on_token is not None:
                        on_token(piece)
        text = "".join(parts)
        if usage is None:
            # Servers that ignore include_usage: count the way the provider would.
            counter = tokens.counter_for(self.profile.encoding or served_model)
            usage = LLMUsage(tokens.count(messages, counter), counter(text))
        return Completion(
            text=text,
            usage=usage,
            model=served_model,
            latency_ms=(time.perf_counter() - start) * 1000,
            ttft_ms=ttft_ms,
        )
