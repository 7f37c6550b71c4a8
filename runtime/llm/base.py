"""The model-backend contract: what every backend takes and returns.

Only types live here and this module imports nothing else from runtime.llm, so every
backend, profiles.py and registry.py can import it without an import cycle. Building the
backend for a profile is registry.py's job.

A backend turns chat messages into one `Completion`. It is synchronous on purpose: the llm
and gpu workers run thread pools, and one blocking call per thread is the simplest model
that still overlaps I/O. Streaming happens through `on_token`, called from the same thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

Messages = list[dict[str, str]]
TokenCallback = Callable[[str], None]


@dataclass
class LLMUsage:
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class Completion:
    text: str
    usage: LLMUsage
    model: str
    latency_ms: float
    ttft_ms: float | None = None
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for task results and the prompt cache."""
        return {
            "text": self.text,
            "usage": {
                "prompt_tokens": self.usage.prompt_tokens,
                "completion_tokens": self.usage.completion_tokens,
            },
            "model": self.model,
            "latency_ms": self.latency_ms,
            "ttft_ms": self.ttft_ms,
            "cached": self.cached,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Completion:
        usage = data.get("usage") or {}
        return cls(
            text=data["text"],
            usage=LLMUsage(
                int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
            ),
            model=data.get("model", ""),
            latency_ms=float(data.get("latency_ms", 0.0)),
            ttft_ms=data.get("ttft_ms"),
            cached=bool(data.get("cached", False)),
        )


@runtime_checkable
class LLMBackend(Protocol):
    def complete(
        self,
        messages: Messages,
        *,
        model: str,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion: ...
