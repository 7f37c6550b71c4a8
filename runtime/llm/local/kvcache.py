"""Prefill, one decode step, and batch surgery on a transformers KV cache.

`generate()` owns its cache for one fixed batch. The continuous decode loop instead keeps
one cache whose rows come and go: new requests are prefilled on their own and merged in,
finished rows are dropped, and columns that became padding for every row are cut off.
Every row is left-padded so that all rows' newest token sits in the last column; a 2-D
attention mask (1 = real token) says which columns each row may attend to.

Every layer keeps full-attention keys/values ([batch, heads, seq, head_dim]), also those of
sliding-window layers (Gemma 3), whose window the attention mask applies. The cache
API moved between transformers releases (`layers[i].keys` in 4.56+/5.x, `key_cache[i]`
before; the forward keyword became `cache` in 5.x), so access goes through this module.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Any

import torch

KV = list[tuple[torch.Tensor, torch.Tensor]]  # per layer: (keys, values)


def layers_of(cache: Any) -> KV:
    if hasattr(cache, "layers"):
        return [(layer.keys, layer.values) for layer in cache.layers]
    if hasattr(cache, "key_cache"):  # transformers < 4.56
        return list(zip(cache.key_cache, cache.value_cache, strict=True))
    return [(k, v) for k, v, *_ in cache]  # a legacy tuple of tuples


SPARE_COLUMNS = 64  # room to grow before a layer reallocates (then it doubles)


def build_cache(kv: KV) -> Any:
    """A DynamicCache holding `kv`. With the `layers` API (transformers 4.56+) its layers
    keep spare columns: DynamicLayer.update concatenates, copying the whole cache on every
    decode step (18% of a 16-row step on two CPU cores, measured); this writes in place."""
    from transformers import DynamicCache

    cache = DynamicCache()
    if hasattr(cache, "layers") and _GrowingLayer is not None:
        cache.layers = [_GrowingLayer(k, v) for k, v in kv]
        return cache
    return DynamicCache(kv)  # older releases: the first argument fills the layers


def _growing_layer_class() -> Any:
    try:
        from transformers.cache_utils import DynamicLayer
    except ImportError:  # transformers < 4.56: no per-layer objects to replace
        return None

    class GrowingLayer(DynamicLayer):  # type: ignore[misc, valid-type]
        """A DynamicLayer whose keys/values are views into a buffer with spare columns."""

        def __init__(self, keys: torch.Tensor, values: torch.Tensor) -> None:
            super().__init__()
            self.length = 0
            self._k = self._v = keys[:, :, :0]
            self._reserve(keys.shape[2] + SPARE_COLUMNS, keys, values)
            self.update(keys, values)

        def _reserve(self, columns: int, like_k: torch.Tensor, like_v: torch.Tensor) -> None:
            b, h, _, _ = like_k.shape
            k = like_k.new_zeros((b, h, columns, like_k.shape[3]))
            v = like_v.new_zeros((b, h, columns, like_v.shape[3]))
            k[:, :, : self.length] = self._k[:, :, : self.length]
            v[:, :, : self.length] = self._v[:, :, : self.length]
            self._k, self._v = k, v
            self.device, self.is_initialized = k.device, True

        def update(
            self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any, **kwargs: Any
        ) -> tuple[torch.Tensor, torch.Tensor]:
            end = self.length + key_states.shape[2]
            if end > self._k.shape[2]:
                self._reserve(max(2 * self._k.shape[2], end), key_states, value_states)
            self._k[:, :, self.length : end] = key_states
            self._v[:, :, self.length : end] = value_states
            self.length = end
            self.keys, self.values = self._k[:, :, :end], self._v[:, :, :end]
            return self.keys, self.values

    return GrowingLayer


_GrowingLayer = _growing_layer_class()


def cache_of(output: Any) -> Any:
    cache = getattr(output, "cache", None)
    return cache if cache is not None else output.past_key_values


def _left_pad(t: torch.Tensor, width: int) -> torch.Tensor:
    """Pad dim 2 (sequence) of [B, H, S, D] on the left to `width` columns, with zeros: the
    mask hides those columns, and zeros (unlike garbage) can never turn into NaN there."""
    missing = width - t.shape[2]
    if missing <= 0:
        return t
    pad = t.new_zeros((t.shape[0], t.shape[1], missing, t.shape[3]))
    return torch.cat([pad, t], dim=2)


def _left_pad_mask(mask: torch.Tensor, width: int) -> torch.Tensor:
    missing = width - mask.shape[1]
    if missing <= 0:
        return mask
    return torch.cat([mask.new_zeros((mask.shape[0], missing)), mask], dim=1)


@dataclass
class Batch:
    """The running rows' cache and mask; row i of both belongs to the same request. The
    model's forward grows `cache` in place by one column per decode step."""

    cache: Any
    mask: torch.Tensor  # [B, S] long, 1 where the column holds a real token of that row

    @property
    def rows(self) -> int:
        return int(self.mask.shape[0])

    @property
    def width(self) -> int:
        return int(self.mask.shape[1])

    def positions(self) -> torch.Tensor:
        """[B, 1] position of the token each row feeds next: its count of real tokens so far
        (what cumsum(mask) - 1 gives for the new column, as `generate` computes it)."""
        return self.mask.sum(dim=1, keepdim=True)

    def grow(self) -> torch.Tensor:
        """The mask for the next decode step (one more real column per row), kept as ours."""
        self.mask = torch.cat([self.mask, self.mask.new_ones((self.rows, 1))], dim=1)
        return self.mask

    def merge(self, other: Batch) -> Batch:
        """Rows of `self` then rows of `other`, both left-padded to the wider of the two."""
        width = max(self.width, other.width)
        kv = [
            (
                torch.cat([_left_pad(k1, width), _left_pad(k2, width)], dim=0),
                torch.cat([_left_pad(v1, width), _left_pad(v2, width)], dim=0),
            )
            for (k1, v1), (k2, v2) in zip(
                layers_of(self.cache), layers_of(other.cache), strict=True
            )
        ]
        mask = torch.cat([_left_pad_mask(self.mask, width), _left_pad_mask(other.mask, width)])
        return Batch(build_cache(kv), mask)

    def select(self, keep: list[int]) -> Batch:
        """Only rows `keep` (in that order), then drop leading columns no kept row uses:
        a long prompt that has finished stops costing attention for everybody else."""
        index = torch.tensor(keep, device=self.mask.device, dtype=torch.long)
        mask = self.mask.index_select(0, index)
        used = mask.any(dim=0).nonzero()
        start = int(used[0]) if used.numel() else mask.shape[1]
        kv = [
            (k.index_select(0, index)[:, :, start:], v.index_select(0, index)[:, :, start:])
            for k, v in layers_of(self.cache)
        ]
        return Batch(build_cache(kv), mask[:, start:])


@functools.lru_cache(maxsize=8)
def _params(model_type: Any) -> frozenset[str]:
    return frozenset(inspect.signature(model_type.forward).parameters)


def _call(model: Any, **kwargs: Any) -> Any:
    params = _params(model.__class__)
    if "logits_to_keep" in params:
        kwargs["logits_to_keep"] = 1  # only the last column's logits: the vocab is 49k wide
    if "cache" in kwargs and "cache" not in params:
        kwargs["past_key_values"] = kwargs.pop("cache")
    return model(use_cache=True, **kwargs)


def prefill(
    model: Any, prompts: list[list[int]], pad_id: int, prefix: KV | None = None
) -> tuple[Batch, torch.Tensor]:
    """Run the prompts (left-padded together) and return their Batch and the logits of
    each row's last prompt token, from which its first output token is picked.

    With `prefix` (the KV, batch 1, of the first n tokens that every prompt starts with)
    only the rest of each prompt runs. A row is then [prefix | pads | suffix]: padding in
    the middle is fine because the mask hides it and positions come from cumsum(mask) - 1,
    so the suffix continues at n whatever its padding (merge and decode rely on the same)."""
    n = 0 if prefix is None else int(prefix[0][0].shape[2])
    rests = [p[n:] for p in prompts]
    width = max(len(r) for r in rests)
    ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(prompts), n + width), dtype=torch.long)
    mask[:, :n] = 1
    for row, rest in enumerate(rests):
        ids[row, width - len(rest) :] = torch.tensor(rest, dtype=torch.long)
        mask[row, n + width - len(rest) :] = 1
    device = model.device
    ids, mask = ids.to(device), mask.to(device)
    positions = (mask.cumsum(dim=1) - 1).clamp_min(0)[:, n:]  # as `generate`: pads sit at 0
    # Our own cache, never one the model builds from its config: that one keeps only the
    # last window of a sliding-window layer (Gemma 3), and every layer must keep all the
    # mask's columns to be padded, merged and sliced alike. The mask applies the window.
    extra: dict[str, Any] = {"cache": build_cache([])}
    if prefix is not None:
        # build_cache copies the (expanded) prefix into the new cache's own buffers, so the
        # model's in-place writes never touch the shared entry.
        rows = len(prompts)
        extra["cache"] = build_cache(
            [(k.expand(rows, -1, -1, -1), v.expand(rows, -1, -1, -1)) for k, v in prefix]
        )
    out = _call(model, input_ids=ids, attention_mask=mask, position_ids=positions, **extra)
    # Rebuilt once here so that decode steps write into spare columns (see build_cache).
    return Batch(build_cache(layers_of(cache_of(out))), mask), out.logits[:, -1, :]


def decode(model: Any, batch: Batch, tokens: torch.Tensor) -> torch.Tensor:
    """Feed each row its newest token ([B] on the model's device); the next-token logits."""
    positions = batch.positions()
    mask = batch.grow()
    out = _call(
        model,
        input_ids=tokens.unsqueeze(1),
        attention_mask=mask,
        position_ids=positions,
        cache=batch.cache,
    )
    batch.cache = cache_of(out)
    return out.logits[:, -1, :]
