"""Reuse the KV of prompt prefixes that repeat across requests.

Every request to the local model starts with the same chat-template header and system
prompt (127 of a planner prompt's 175 tokens), and prefilling it again for every request was
most of the prefill time. This keeps a small LRU of token prefixes -> their KV (batch 1, on
the model's device); a new prompt reuses the longest cached prefix it starts with and only
its suffix is prefilled (kvcache.prefill with `prefix`).

Which prefixes to keep: the longest run of tokens that a new prompt shares with a prompt of
the previous prefill (its KV is sliced out of that prefill, no extra compute), or with
another prompt arriving in the same group (then computed once, on its own, for all of them).
A new entry must beat the best cached prefix by `min_tokens`, so prompts that merely start
their user message with the same word do not fill the LRU with near-copies.

Everything here runs on the decode thread; tokens are host lists, tensors stay on device.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import torch

from runtime.llm.local import kvcache
from runtime.llm.local.kvcache import KV


@dataclass(frozen=True, eq=False)
class Prefix:
    tokens: tuple[int, ...]
    kv: KV  # per layer [1, heads, len(tokens), head_dim]

    def __len__(self) -> int:
        return len(self.tokens)


@dataclass
class _Seen:
    """One row of the last prefill: where its prompt's KV sits in that prefill's cache."""

    prompt: list[int]
    kv: KV  # the whole prefill's layers; columns < its width never change afterwards
    row: int
    prefix: int  # leading columns holding the shared prefix (0 if none)
    pad: int  # padding columns between the prefix and this row's suffix


def common_length(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


class PrefixCache:
    def __init__(self, entries: int = 8, min_tokens: int = 16) -> None:
        self.entries = entries
        self.min_tokens = min_tokens
        self.built_tokens = 0  # tokens prefilled only to build an entry (stats)
        self._lru: OrderedDict[tuple[int, ...], Prefix] = OrderedDict()
        self._seen: list[_Seen] = []

    def find(self, prompt: list[int]) -> Prefix | None:
        """The longest cached prefix of `prompt` that leaves at least one token to prefill
        (its last token's logits give the first output token)."""
        best: Prefix | None = None
        for key, entry in self._lru.items():
            n = len(key)
            if n < len(prompt) and (best is None or n > len(best)) and tuple(prompt[:n]) == key:
                best = entry
        if best is not None:
            self._lru.move_to_end(best.tokens)
        return best

    def assign(self, model: Any, prompts: list[list[int]], pad_id: int) -> list[Prefix | None]:
        """The prefix each prompt will reuse, creating entries as the policy above says."""
        out: list[Prefix | None] = []
        for i, prompt in enumerate(prompts):
            hit = self.find(prompt)
            have = len(hit) if hit is not None else 0
            cap = len(prompt) - 1
            seen, shared = None, 0
            for s in self._seen:
                n = min(common_length(prompt, s.prompt), cap)
                if n > shared:
                    seen, shared = s, n
            if seen is not None and shared >= have + self.min_tokens:
                hit = self._add(tuple(prompt[:shared]), _slice(seen, shared))
                have = shared
            others = prompts[:i] + prompts[i + 1 :]
            shared = max((min(common_length(prompt, o), cap) for o in others), default=0)
            if shared >= have + self.min_tokens:
                hit = self._build(model, prompt[:shared], hit, pad_id)
            out.append(hit)
        return out

    def remember(self, prompts: list[list[int]], kv: KV, prefix: int) -> None:
        """The rows of one prefill call (all with the same `prefix` length), so that the
        next arrivals can take what they share with them. Replaces the previous group's."""
        width = max(len(p) for p in prompts) - prefix
        self._seen += [
            _Seen(p, kv, row, prefix, width - (len(p) - prefix)) for row, p in enumerate(prompts)
        ]

    def forget_seen(self) -> None:
        self._seen = []  # called before each prefill: only the last one is kept

    def _build(self, model: Any, tokens: list[int], base: Prefix | None, pad_id: int) -> Prefix:
        batch, _ = kvcache.prefill(model, [tokens], pad_id, None if base is None else base.kv)
        self.built_tokens += len(tokens) - (len(base) if base is not None else 0)
        kv = [(k.contiguous(), v.contiguous()) for k, v in kvcache.layers_of(batch.cache)]
        return self._add(tuple(tokens), kv)

    def _add(self, tokens: tuple[int, ...], kv: KV) -> Prefix:
        entry = Prefix(tokens, kv)
        self._lru[tokens] = entry
        self._lru.move_to_end(tokens)
        while len(self._lru) > self.entries:
            self._lru.popitem(last=False)
        return entry


def _slice(seen: _Seen, n: int) -> KV:
    """A copy of the KV of `seen`'s first n prompt tokens: the prefix columns, then (past
    the padding) its own suffix. Host integers only: no device sync."""
    r, p = seen.row, seen.prefix
    start = p + seen.pad
    out: KV = []
    for k, v in seen.kv:
        if n <= p:
            out.append((k[r : r + 1, :, :n].clone(), v[r : r + 1, :, :n].clone()))
        else:
            rest = start + n - p
            out.append(
                (
                    torch.cat([k[r : r + 1, :, :p], k[r : r + 1, :, start:rest]], dim=2),
                    torch.cat([v[r : r + 1, :, :p], v[r : r + 1, :, start:rest]], dim=2),
                )
            )
    return out
