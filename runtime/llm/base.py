"""The model-backend contract and the per-process backend cache.

A backend turns chat messages into one `Completion`. It is synchronous on purpose: the llm
and gpu workers run thread pools, and one blocking call per thread is the simplest model
that still overlaps I/O. Streaming happens through `on_token`, called from the same thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from runtime.llm.router import ModelProfile

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


_backends: dict[str, LLMBackend] = {}
_backends_lock = threading.Lock()


def _build(profile: ModelProfile) -> LLMBackend:
    # Imported here so a worker that never uses torch never imports it.
    if profile.backend == "fake":
        from runtime.llm.fake import FakeBackend

        return FakeBackend.from_profile(profile)
    if profile.backend == "openai":
        from runtime.llm.openai_backend import OpenAIBackend

        return OpenAIBackend(profile)
    if profile.backend == "local":
        from runtime.llm.local.backend import LocalBackend

        return LocalBackend(profile)
    from runtime.errors import ConfigError

    raise ConfigError(
        f"model profile {profile.name!r} has unknown backend {profile.backend!r}; "
        "use openai, local or fake."
    )


def get_backend(profile: ModelProfile | str) -> LLMBackend:
    """The backend for `profile` (a profile or its name), built once per process."""
    if isinstance(profile, str):
        from runtime.llm.router import get_profile

        profile = get_profile(profile)
    with _backends_lock:
        backend = _backends.get(profile.name)
        if backend is None:
            backend = _backends[profile.name] = _build(profile)
        return backend


def set_backend(name: str, backend: LLMBackend | None) -> None:
    """Install (or with None, forget) the backend for a profile name; tests and benchmarks
    use it to put a scripted `FakeBackend` behind a real profile."""
    with _backends_lock:
        if backend is None:
            _backends.pop(name, None)
        else:
            _backends[name] = backend


def clear_backends() -> None:
    with _backends_lock:
        _backends.clear()
