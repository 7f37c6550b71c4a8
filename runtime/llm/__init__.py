"""The model layer: backends (remote OpenAI-compatible, local transformers, scripted fake),
model profiles and routing, token counting. Importing it never imports torch.

Where things live: base.py the backend contract, profiles.py the model profiles,
router.py the choice of a profile per request, registry.py the backend for each profile.
"""

from runtime.llm.base import Completion, LLMBackend, LLMUsage
from runtime.llm.fake import FakeBackend
from runtime.llm.profiles import ModelProfile, get_profile, load_profiles
from runtime.llm.registry import clear_backends, get_backend, set_backend
from runtime.llm.router import Router, complexity

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
