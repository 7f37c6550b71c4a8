"""Linear layers whose weights are reordered once for oneDNN, for decoding on a CPU.

Why: on a CPU, `nn.Linear` calls MKL's sgemm, which packs the weight matrix into its own
layout again on every call as soon as there is more than one input row. Decoding runs every
weight once per step for only a few rows, so that repacking is most of a batched step: on
the 2-core AMD EPYC this was built on, a 2-row SmolLM2 step cost 1.5-1.9x a 1-row step,
which is what kept continuous batching from paying. Reordering each weight once at load
(what torch.compile's CPU freezing does too) removes it. Measured with the model's decode
step at 1/2/4/8/16 rows, ms: MKL 69-99 / 129-160 / 131-151 / 141-176 / 157-208, packed
76-81 / 81-85 / 92-105 / 99-114 / 117-140 (two runs each).

Both are fp32 with the same weights; only the order of the additions differs, so greedy
output is unchanged in practice (tests compare it with generate()). Each layer is checked
against its own `F.linear` on a probe input before it is swapped, so a kernel that
misbehaves on some CPU leaves that layer as it was instead of producing wrong text.

Memory: the packed weights replace the originals, except the output layer, whose weight
SmolLM2 shares with the token embedding: that copy (~110 MB) is the price (RSS 959 -> 1058
MiB after load).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
from typing import Any

import torch
import torch.nn.functional as F

log = logging.getLogger(__name__)

PROBE_ROWS = 3  # a batched shape: the path decoding takes with more than one row
TOLERANCE = 1e-4  # of the largest output: far above fp32 reordering, far below a wrong kernel


def available() -> bool:
    ops = torch.ops.mkldnn
    return (
        torch.backends.mkldnn.is_available()
        and hasattr(ops, "_reorder_linear_weight")
        and hasattr(ops, "_linear_pointwise")
    )


class PackedLinear(torch.nn.Module):
    """`linear` with its weight in oneDNN's layout: inference only, CPU only, fp32 only."""

    def __init__(self, linear: torch.nn.Linear, rows_hint: int) -> None:
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        weight = linear.weight.detach()
        self.packed = torch.ops.mkldnn._reorder_linear_weight(weight, rows_hint)
        self.bias = None if linear.bias is None else linear.bias.detach()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.ops.mkldnn._linear_pointwise(x, self.packed, self.bias, "none", [], "")

    def agrees_with(self, linear: torch.nn.Linear) -> bool:
        seeded = torch.Generator().manual_seed(0)
        probe = torch.randn(PROBE_ROWS, 1, self.in_features, generator=seeded)
        with torch.inference_mode():
            want = F.linear(probe, linear.weight, linear.bias)
            got = self(probe)
        if got.shape != want.shape:
            return False
        return bool((got - want).abs().max() <= TOLERANCE * want.abs().max() + 1e-6)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, oneDNN"


def pack_linear_layers(model: Any, rows_hint: int = 16) -> int:
    """Swap every fp32 `nn.Linear` of a CPU model for a PackedLinear; how many were swapped.
    Does nothing where oneDNN is missing. Call after the model is on its device."""
    if not available():
        log.info("oneDNN is not available: the local model keeps MKL's linear layers")
        return 0
    swapped = 0
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if not _packable(child):
                continue
            try:
                packed = PackedLinear(child, rows_hint)
                ok = packed.agrees_with(child)
            except RuntimeError as exc:  # an op this torch build lacks for this shape
                log.warning("not packing %s: %s", name, exc)
                continue
            if not ok:
                log.warning("not packing %s: oneDNN disagrees with F.linear on a probe", name)
                continue
            setattr(parent, name, packed)
            swapped += 1
    if swapped:
        _return_freed_memory()
    return swapped


def _return_freed_memory() -> None:
    """The swapped-out weights (~400 MB for SmolLM2) were freed into glibc's heap, which
    keeps them mapped: the process stayed ~410 MB larger than it needs until this."""
    name = ctypes.util.find_library("c")
    # Not glibc (no malloc_trim): nothing to give back this way.
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(name).malloc_trim(0)


def _packable(module: torch.nn.Module) -> bool:
    if not isinstance(module, torch.nn.Linear):
        return False
    weight = module.weight
    return weight.device.type == "cpu" and weight.dtype == torch.float32
