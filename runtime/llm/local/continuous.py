"""Iteration-level ("continuous") batching for the local model.

One decode thread per process owns the model and a KV cache shared by every request in
flight. Each iteration it (1) prefills the requests that arrived since the last one,
together, and merges them into the running batch, then (2) runs one decode step for all
rows. A row that produces EOS or reaches its max_tokens leaves the batch at once and its
caller's Future completes then, not when the longest neighbour finishes; a request that
arrives mid-decode waits for one step, not for the batch. That is what makes staggered
arrivals (Celery hands requests to the gpu worker's threads one by one) share the model.

A second thread delivers streamed text and completes Futures: a slow `on_token` (an XADD per
token) never stalls the decode step. A row may be held to a JSON schema (grammar.py). torch
is imported only inside the decode thread: importing this module stays free."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections import deque
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runtime.llm.base import Messages, TokenCallback
from runtime.llm.local.repetition import repeated_tail

if TYPE_CHECKING:
    import torch

    from runtime.llm.local.grammar import Constraint
    from runtime.llm.local.kvcache import Batch
    from runtime.llm.local.model import LocalModel
    from runtime.llm.local.prefix_cache import PrefixCache

log = logging.getLogger(__name__)


@dataclass
class GenRequest:
    messages: Messages
    max_tokens: int
    temperature: float = 0.0
    on_token: TokenCallback | None = None
    json_schema: dict[str, Any] | None = None  # the output must be JSON of this schema


@dataclass
class GenResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    first_token_at: float | None  # time.perf_counter() when this row's first token came
    batch_size: int  # the most rows this request shared a decode step with


@dataclass
class DecodeStats:
    requests: int = 0
    prefills: int = 0  # prefill calls (several arrivals can share one)
    steps: int = 0  # decode steps
    tokens: int = 0  # tokens produced, prefills' first tokens included
    prefill_tokens: int = 0  # prompt tokens run through the model (cached prefixes are not)
    prefix_hits: int = 0  # requests that reused a cached prefix's KV
    largest: int = 0  # the most rows in one decode step
    prefill_s: float = 0.0
    step_s: float = 0.0


@dataclass(eq=False)
class _Row:
    request: GenRequest
    prompt: list[int]
    future: Future[GenResult]
    ids: list[int] = field(default_factory=list)  # output so far, EOS excluded
    first_at: float | None = None
    peak: int = 1
    sent: str = ""  # text already handed to on_token (touched by the delivery thread only)
    constraint: Constraint | None = None  # grammar.py: this row's token mask, if any
    repeats: int = 0  # tokens at the end that only repeat a cycle (repetition.py): dropped


class ContinuousBatcher:
    """`submit(request)` returns a Future for its GenResult; cancelling that Future (the
    caller timed out) drops the row at the next step instead of decoding it to the end."""

    def __init__(
        self,
        model: LocalModel,
        *,
        window_ms: float = 15.0,
        max_batch_size: int = 16,
        name: str = "local-decode",
    ) -> None:
        if max_batch_size < 1:
            raise ValueError("max_batch_size must be at least 1")
        self.model = model
        # When idle, the first arrival waits this long so near-simultaneous requests share
        # one prefill; once rows are decoding, arrivals join at the next step, no waiting.
        self.window_s = max(0.0, window_ms) / 1000
        self.max_batch_size = max_batch_size  # rows in flight
        self.name = name
        self.stats = DecodeStats()
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._threads: list[threading.Thread] = []
        self._reset()

    def _reset(self) -> None:
        self._inbox: queue.Queue[_Row] = queue.Queue()
        self._outbox: queue.SimpleQueue[tuple[str, _Row, Any]] = queue.SimpleQueue()
        self._waiting: deque[_Row] = deque()
        self._rows: list[_Row] = []
        self._batch: Batch | None = None
        self._next: torch.Tensor | None = None  # [rows] token each row feeds next
        self._prefixes: PrefixCache | None = None  # made on the decode thread (torch)

    def _ensure_threads(self) -> None:
        with self._lock:
            alive = all(t.is_alive() for t in self._threads)
            if self._threads and alive and self._pid == os.getpid():
                return
            if self._pid is not None and self._pid != os.getpid():
                self._reset()  # a forked child has our state but not our threads
            self._pid = os.getpid()
            self._threads = [
                threading.Thread(target=self._decode_loop, name=self.name, daemon=True),
                threading.Thread(target=self._deliver_loop, name=f"{self.name}-out", daemon=True),
            ]
            for t in self._threads:
                t.start()

    def submit(self, request: GenRequest) -> Future[GenResult]:
        future: Future[GenResult] = Future()
        # Tokenising here, in the caller's thread, keeps it off the decode loop, and a
        # request whose messages the chat template rejects fails in its own thread.
        prompt = self.model.encode(request.messages)
        limit = self.model.max_positions
        if limit is not None and len(prompt) + request.max_tokens > limit:
            future.set_exception(
                ValueError(
                    f"prompt ({len(prompt)} tokens) + max_tokens ({request.max_tokens}) exceeds "
                    f"the model's {limit} positions"
                )
            )
            return future
        if request.max_tokens < 1:
            future.set_result(GenResult("", len(prompt), 0, None, 0))
            return future
        constraint = None
        if request.json_schema is not None:
            from runtime.llm.local.grammar import Constraint

            try:  # compiled here: a bad schema fails its own request, not the decode loop
                vocab = int(self.model.model.config.vocab_size)
                constraint = Constraint(request.json_schema, self.model.tokenizer, vocab)
            except Exception as exc:  # noqa: BLE001 - reported to the caller through its Future
                future.set_exception(exc)
                return future
        self._ensure_threads()
        self._inbox.put(_Row(request, prompt, future, constraint=constraint))
        return future

    def call(self, request: GenRequest, timeout: float | None = None) -> GenResult:
        return self.submit(request).result(timeout=timeout)

    # -- the decode thread ------------------------------------------------------------

    def _decode_loop(self) -> None:
        import torch

        while True:
            try:
                with torch.inference_mode():
                    self._take_arrivals()
                    self._admit()
                    if self._rows:
                        self._step()
            except Exception as exc:  # never let the loop die: later requests need it
                # A decode step is shared, so its failure is every row's; prefill failures
                # are narrowed down to the request that caused them (see _prefill).
                log.exception("%s: decode step failed, %d rows fail", self.name, len(self._rows))
                for row in self._rows:
                    self._outbox.put(("fail", row, exc))
                self._rows, self._batch, self._next = [], None, None

    def _take_arrivals(self) -> None:
        if not self._rows and not self._waiting:
            self._waiting.append(self._inbox.get())  # idle: block until there is work
            deadline = time.monotonic() + self.window_s
            while len(self._waiting) < self.max_batch_size:
                remaining = deadline - time.monotonic()
                try:
                    self._waiting.append(self._inbox.get(timeout=max(remaining, 0.0001)))
                except queue.Empty:
                    break
        while True:
            try:
                self._waiting.append(self._inbox.get_nowait())
            except queue.Empty:
                return

    def _admit(self) -> None:
        group: list[_Row] = []
        while self._waiting and len(self._rows) + len(group) < self.max_batch_size:
            row = self._waiting.popleft()
            if not row.future.cancelled():
                group.append(row)
        if group:
            self._prefill(group)

    def _prefill(self, group: list[_Row]) -> None:
        import torch

        from runtime.llm.local import kvcache
        from runtime.llm.local.prefix_cache import PrefixCache

        if self._prefixes is None:
            self._prefixes = PrefixCache()
        cache, model, pad_id = self._prefixes, self.model.model, self.model.pad_id
        started = time.perf_counter()
        built = cache.built_tokens
        try:
            prefixes = cache.assign(model, [r.prompt for r in group], pad_id)
            # One prefill call per distinct prefix (its KV expanded along the batch); the
            # parts are merged like any arrivals, so their rows follow in that order.
            parts: dict[int, list[int]] = {}
            for i, prefix in enumerate(prefixes):
                parts.setdefault(id(prefix), []).append(i)
            cache.forget_seen()
            batch: Batch | None = None
            logits_parts, ordered, fed = [], [], 0
            for rows in parts.values():
                prefix = prefixes[rows[0]]
                prompts = [group[i].prompt for i in rows]
                n = 0 if prefix is None else len(prefix)
                part, part_logits = kvcache.prefill(
                    model, prompts, pad_id, None if prefix is None else prefix.kv
                )
                cache.remember(prompts, kvcache.layers_of(part.cache), n)
                batch = part if batch is None else batch.merge(part)
                logits_parts.append(part_logits)
                ordered += [group[i] for i in rows]
                fed += sum(len(p) - n for p in prompts)
            assert batch is not None
            tokens = self._pick(torch.cat(logits_parts), ordered)
        except Exception as exc:
            cache.forget_seen()
            if len(group) > 1:  # find the bad one: the others go on
                for row in group:
                    self._prefill([row])
                return
            log.exception("%s: prefill failed", self.name)
            self._outbox.put(("fail", group[0], exc))
            return
        group = ordered
        self.stats.prefills += 1
        self.stats.requests += len(group)
        self.stats.prefill_tokens += fed + cache.built_tokens - built
        self.stats.prefix_hits += sum(p is not None for p in prefixes)
        self.stats.prefill_s += time.perf_counter() - started
        now = time.perf_counter()
        for row in group:
            row.first_at = now
        keep = self._record(group, tokens.tolist())
        if len(keep) < len(group):
            batch, tokens = batch.select(keep), tokens[keep]
        if not keep:
            return
        self._rows += [group[i] for i in keep]
        if self._batch is None or self._next is None:
            self._batch, self._next = batch, tokens
        else:
            self._batch = self._batch.merge(batch)
            self._next = torch.cat([self._next, tokens])

    def _step(self) -> None:
        from runtime.llm.local import kvcache

        assert self._batch is not None and self._next is not None
        live = [i for i, r in enumerate(self._rows) if not r.future.done()]
        if len(live) < len(self._rows):  # cancelled or stopped by their caller: stop paying
            self._keep(live)
            if not self._rows:
                return
        started = time.perf_counter()
        logits = kvcache.decode(self.model.model, self._batch, self._next)
        self._next = self._pick(logits, self._rows)
        tokens = self._next.tolist()  # the one host sync per step
        self.stats.steps += 1
        self.stats.step_s += time.perf_counter() - started
        self.stats.largest = max(self.stats.largest, len(self._rows))
        for row in self._rows:
            row.peak = max(row.peak, len(self._rows))
        keep = self._record(self._rows, tokens)
        if len(keep) < len(self._rows):
            self._keep(keep)

    def _keep(self, keep: list[int]) -> None:
        assert self._batch is not None and self._next is not None
        self._rows = [self._rows[i] for i in keep]
        if not keep:
            self._batch, self._next = None, None
            return
        self._batch = self._batch.select(keep)
        self._next = self._next[keep]

    def _record(self, rows: list[_Row], tokens: list[int]) -> list[int]:
        """Append each row's new token and hand finished rows over; the indices that go on."""
        eos = self.model.eos_ids
        keep = []
        for i, (row, token) in enumerate(zip(rows, tokens, strict=True)):
            done = token in eos
            if not done:
                row.ids.append(token)
                self.stats.tokens += 1
                done = len(row.ids) >= row.request.max_tokens
                if row.constraint is not None:  # complete JSON: only EOS could follow
                    done = row.constraint.consume(token) or done
                else:  # a free row stuck in a cycle stops, keeping it once (repetition.py)
                    row.repeats = repeated_tail(row.ids)
                    done = done or row.repeats > 0
                if row.request.on_token is not None and not done:
                    self._outbox.put(("token", row, len(row.ids)))
            if done:
                self._outbox.put(("done", row, len(row.ids)))
            else:
                keep.append(i)
        return keep

    def _pick(self, logits: torch.Tensor, rows: list[_Row]) -> torch.Tensor:
        """Next token per row: greedy at temperature 0 (deterministic, as tests and caches
        need), else sampled at the row's temperature with generate()'s top-k."""
        import torch

        if any(r.constraint is not None for r in rows):
            from runtime.llm.local.grammar import mask

            logits = mask(logits, [r.constraint for r in rows])
        greedy = logits.argmax(dim=-1)
        temps = [r.request.temperature for r in rows]
        if all(t <= 0 for t in temps):
            return greedy
        hot = torch.tensor([t > 0 for t in temps], device=logits.device)
        scale = torch.tensor([t if t > 0 else 1.0 for t in temps], device=logits.device)
        scaled = logits.float() / scale.unsqueeze(1)
        top_k = min(self.model.top_k, scaled.shape[-1])
        kth = scaled.topk(top_k, dim=-1).values[:, -1:]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
        sampled = torch.multinomial(scaled.softmax(dim=-1), 1).squeeze(1)
        return torch.where(hot, sampled, greedy)

    # -- the delivery thread ----------------------------------------------------------

    def _deliver_loop(self) -> None:
        while True:
            kind, row, arg = self._outbox.get()
            try:
                if kind == "token":
                    self._stream(row, row.ids[:arg], final=False)
                elif kind == "done":
                    ids = row.ids[:arg]
                    text = self._stream(row, ids[: len(ids) - row.repeats], final=True)
                    text = (row.constraint and row.constraint.cut_text) or text  # grammar.py
                    result = GenResult(text, len(row.prompt), len(ids), row.first_at, row.peak)
                    _settle(row.future, result=result)
                else:
                    _settle(row.future, error=arg)
            except Exception as exc:  # e.g. a decode error: this row fails, no other
                log.exception("%s: delivering a result failed", self.name)
                _settle(row.future, error=exc)

    def _stream(self, row: _Row, ids: list[int], *, final: bool) -> str:
        text: str = self.model.tokenizer.decode(ids, skip_special_tokens=True)
        callback = row.request.on_token
        if callback is None or (not final and text.endswith("\ufffd")):
            return text  # half of a multi-byte character: wait for the rest
        new, row.sent = text[len(row.sent) :], text
        if new:
            try:
                callback(new)
            except Exception as exc:  # the caller stops its call (fence.Stopped) or broke:
                row.request.on_token = None  # its own row ends with that error, no other
                _settle(row.future, error=exc)
        return text


def _settle(
    future: Future[GenResult], result: GenResult | None = None, error: BaseException | None = None
) -> None:
    try:
        if error is not None:
            future.set_exception(error)
        else:
            assert result is not None
            future.set_result(result)
    except InvalidStateError:
        pass  # cancelled by its caller meanwhile
