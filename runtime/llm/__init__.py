"""The model layer: backends (remote OpenAI-compatible, local transformers, scripted fake),
model profiles and routing, token counting. Importing it never imports torch."""

from runtime.llm.base import (
    Completion,
    LLMBackend,
    LLMUsage,
    clear_backends,
    get_backend,
    set_backend,
)
from runtime.llm.fake import FakeBackend
from runtime.llm.router import ModelProfile, Router, complexity, get_profile, load_profiles

__all__ = [
    "Completion",
    "FakeBackend",
    "LLMBackend",
    "LLMUsage",
    "ModelProfile",
    "Router",
    "clear_backends",
    "complexity",
    "get_backend",
    "get_profile",
    "load_profiles",
    "set_backend",
]
