"""Dynamic micro-batching: requests that arrive close together run as one batch.

A GPU (or a CPU running a small model) does nearly the same work for 16 sequences as for
one, so the gpu worker's threads submit here instead of calling the model directly. One
dispatcher thread per process takes the first waiting request, keeps collecting for
`window_ms` (or until `max_batch_size`), and runs the batch; since that single thread runs
every batch, two batches never execute concurrently. Requests that cannot share a batch
(different `key`, e.g. sampling settings) run as separate batches from the same window.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Req = TypeVar("Req")
Res = TypeVar("Res")


@dataclass
class BatchStats:
    batches: int = 0
    requests: int = 0
    largest: int = 0
    sizes: list[int] = field(default_factory=list)  # the most recent sizes, for tests/metrics

    def record(self, size: int) -> None:
        self.batches += 1
        self.requests += size
        self.largest = max(self.largest, size)
        self.sizes = (self.sizes + [size])[-256:]


class Batcher(Generic[Req, Res]):
    """`submit(request)` returns a Future; `run_batch(requests)` returns one result per
    request, in order (or raises, which fails every Future of that batch)."""

    def __init__(
        self,
        run_batch: Callable[[list[Req]], Sequence[Res]],
        *,
        window_ms: float = 15.0,
        max_batch_size: int = 16,
        key: Callable[[Req], Hashable] | None = None,
        name: str = "batcher",
    ) -> None:
        if max_batch_size < 1:
            raise ValueError("max_batch_size must be at least 1")
        self.run_batch = run_batch
        self.window_s = max(0.0, window_ms) / 1000
        self.max_batch_size = max_batch_size
        self.key = key or (lambda _r: None)
        self.name = name
        self.stats = BatchStats()
        self._queue: queue.Queue[tuple[Req, Future[Res]]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def _ensure_thread(self) -> None:
        with self._lock:
            # After a fork the child has the object but not the thread: start a new one.
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            if self._pid != os.getpid():
                self._queue = queue.Queue()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    def submit(self, request: Req) -> Future[Res]:
        future: Future[Res] = Future()
        self._ensure_thread()
        self._queue.put((request, future))
        return future

    def _collect(self) -> list[tuple[Req, Future[Res]]]:
        batch = [self._queue.get()]  # block until there is work
        deadline = time.monotonic() + self.window_s
        while len(batch) < self.max_batch_size:
            remaining = deadline - time.monotonic()
            try:
                # Requests that queued while the previous batch ran are taken at once.
                item = (
                    self._queue.get(timeout=remaining)
                    if remaining > 0
                    else (self._queue.get_nowait())
                )
            except queue.Empty:
                break
            batch.append(item)
        return batch

    def _loop(self) -> None:
        while True:
            batch = self._collect()
            groups: dict[Hashable, list[tuple[Req, Future[Res]]]] = {}
            for item in batch:
                try:
                    k = self.key(item[0])
                except Exception as exc:  # a bad request fails alone, not its neighbours
                    item[1].set_exception(exc)
                    continue
                groups.setdefault(k, []).append(item)
            for items in groups.values():
                self._run(items)

    def _run(self, items: list[tuple[Req, Future[Res]]]) -> None:
        live = [(r, f) for r, f in items if f.set_running_or_notify_cancel()]
        if not live:
            return
        self.stats.record(len(live))
        try:
            results = list(self.run_batch([r for r, _ in live]))
            if len(results) != len(live):
                raise RuntimeError(
                    f"{self.name}: run_batch returned {len(results)} results for "
                    f"{len(live)} requests"
                )
        except BaseException as exc:  # delivered to every caller; the loop goes on
            log.exception("%s: batch of %d failed", self.name, len(live))
            for _, f in live:
                f.set_exception(exc)
            return
        for (_, f), result in zip(live, results, strict=True):
            f.set_result(result)

    def call(self, request: Req, timeout: float | None = None) -> Res:
        """Submit and wait: what a worker thread does."""
        return self.submit(request).result(timeout=timeout)
