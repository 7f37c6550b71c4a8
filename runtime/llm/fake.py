"""A scripted model: real streaming, latency and token counts, no network and no weights.

It ships in the package (like pydantic-ai's `TestModel`) because tests, benchmarks and demos
all need a model whose behaviour is known: `fake-fast` and `fake-slow` profiles route here.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from runtime.llm.base import Completion, LLMUsage, Messages, TokenCallback

if TYPE_CHECKING:
    from runtime.llm.profiles import ModelProfile

Script = list[str] | Callable[[list[dict[str, Any]]], str] | None
_CHUNK = re.compile(r"\S+\s*|\s+")


def approx_tokens(text: str) -> int:
    """About four characters a token: deterministic and free, good enough for a fake."""
    return max(1, (len(text) + 3) // 4) if text else 0


def default_reply(messages: Messages, json_schema: dict[str, Any] | None) -> str:
    if json_schema is not None:
        return '{"calls": []}'
    last = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
    words = " ".join(str(last).split())
    return f"Answer: {words[:160]}" if words else "Answer: (empty question)"


class FakeBackend:
    """Replies from `script` (a list consumed in order, then the default reply; or a function
    of the messages), after `latency_ms` (time to first token), streaming word by word at
    `tokens_per_s` when given. `errors` are raised, one per call, before any reply, to test
    retries. Every call is recorded in `calls` for assertions."""

    def __init__(
        self,
        script: Script = None,
        latency_ms: float = 0,
        tokens_per_s: float | None = None,
        *,
        errors: list[BaseException] | None = None,
        model_name: str = "fake",
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
    ) -> None:
        self._script = list(script) if isinstance(script, list) else script
        self.latency_ms = latency_ms
        self.tokens_per_s = tokens_per_s
        self.errors = list(errors or [])
        self.model_name = model_name
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @classmethod
    def from_profile(cls, profile: ModelProfile) -> FakeBackend:
        p = profile.params
        script = p.get("script")
        return cls(
            script=list(script) if isinstance(script, list) else None,
            latency_ms=float(p.get("latency_ms", 0)),
            tokens_per_s=float(p["tokens_per_s"]) if p.get("tokens_per_s") else None,
            model_name=profile.wire_model,
        )

    def _next_reply(self, messages: Messages, json_schema: dict[str, Any] | None) -> str:
        with self._lock:
            if self.errors:
                raise self.errors.pop(0)
            if callable(self._script):
                script = self._script
            elif self._script:
                return self._script.pop(0)
            else:
                return default_reply(messages, json_schema)
        return script(messages)

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
        start = time.perf_counter()
        with self._lock:
            self.calls.append(
                {
                    "messages": [dict(m) for m in messages],
                    "model": model,
                    "max_tokens": max_tokens,
                    "temperature": temperature,
                    "json_schema": json_schema,
                }
            )
        reply = self._next_reply(messages, json_schema)
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        ttft_ms = (time.perf_counter() - start) * 1000
        chunks = _CHUNK.findall(reply)[: max(1, max_tokens)]
        text = "".join(chunks)
        delay = 1.0 / self.tokens_per_s if self.tokens_per_s else 0.0
        for chunk in chunks:
            if delay:
                time.sleep(delay)
            if on_token is not None:
                on_token(chunk)
        prompt = self.prompt_tokens
        if prompt is None:
            prompt = sum(approx_tokens(str(m.get("content", ""))) + 3 for m in messages) + 3
        completion = self.completion_tokens if self.completion_tokens is not None else len(chunks)
        return Completion(
            text=text,
            usage=LLMUsage(prompt_tokens=prompt, completion_tokens=completion),
            model=model or self.model_name,
            latency_ms=(time.perf_counter() - start) * 1000,
            ttft_ms=ttft_ms,
        )
