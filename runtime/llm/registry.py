"""Backends by profile name: each one built on first use and kept for the process.

A backend holds pooled connections or a loaded model, so every caller in a process shares
one per profile. The backend modules are imported inside `_build`, not at the top: a
worker that only calls remote models never imports torch, and no backend module ever
needs to import this one.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from runtime.errors import ConfigError
from runtime.llm.base import LLMBackend
from runtime.llm.profiles import get_profile

if TYPE_CHECKING:
    from runtime.llm.profiles import ModelProfile

_backends: dict[str, LLMBackend] = {}
_backends_lock = threading.Lock()


def _build(profile: ModelProfile) -> LLMBackend:
    if profile.backend == "fake":
        from runtime.llm.fake import FakeBackend

        return FakeBackend.from_profile(profile)
    if profile.backend == "openai":
        from runtime.llm.openai_backend import OpenAIBackend

        return OpenAIBackend(profile)
    if profile.backend == "local":
        from runtime.llm.local.backend import LocalBackend

        return LocalBackend(profile)
    raise ConfigError(
        f"model profile {profile.name!r} has unknown backend {profile.backend!r}; "
        "use openai, local or fake."
    )


def get_backend(profile: ModelProfile | str) -> LLMBackend:
    """The backend for `profile` (a profile or its name), built once per process."""
    if isinstance(profile, str):
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
