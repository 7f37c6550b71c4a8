"""Layers to Celery canvas. Pure: builds signatures by task name, sends nothing.

A layer is a plain Celery `group` of tool tasks on `tools` (one call: a single task) whose
members join the layer themselves. Each member's message names the layer's calls (`meta`
`layer_calls`); the script that records a member's step (executor.run_call) also reads
whether the others are recorded, and the one member whose record completes the layer
advances the job (runtime/job/lifecycle.py `advance`). Exactly one does: the records are
atomic, and a re-record (a redelivered step) never counts as completing.

So a layer costs one message per call and nothing else: no join task (a whole Celery hop,
about 5 ms here, and an `agent` worker), no chord bookkeeping (Celery's chord counter per
member, `on_chord_part_return`, was about a tenth of the tools worker's samples). The member
that completes layer k builds layer k+1, because only then are its `$ref` values and cache
hits known; see runtime/job/layers.py. `join_signature` stays for `tasks.JOIN`, which still
serves chord messages an older dispatcher left in the queues.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from celery import Celery, chain, chord, group, signature
from celery.canvas import Signature

from runtime.broker import tasks
from runtime.broker.queues import AGENT, TOOLS


def brief(*args: object) -> dict[str, str]:
    """Options that give a message a short description of its arguments (what Flower and
    the worker log show), written here from a few ids. Left to Celery, it is a `saferepr`
    of the whole arguments, a pure-Python walk that took about an eighth of the CPU of
    dispatching a layer (cProfile of lifecycle.start, ops/bench/orchestration.py)."""
    return {"argsrepr": repr(args), "kwargsrepr": "{}"}


def broker_priority(priority: int) -> int:
    """User priority 9 is the most urgent; the Redis transport serves 0 first."""
    return 9 - max(0, min(9, priority))


def tool_signature(
    job_id: str,
    layer: int,
    call: dict[str, Any],
    priority: int,
    app: Celery | None = None,
    layer_calls: Sequence[str] = (),
) -> Signature:
    """A tool task. With `layer_calls` (the ids of every call sent in its layer, its own
    among them) it joins the layer itself; without, it only records its step (a member of
    an older dispatcher's chord, whose join is a task of its own)."""
    meta: dict[str, Any] = {"enqueued_at": time.time()}
    if layer_calls:
        meta["layer_calls"] = list(layer_calls)
    return signature(
        tasks.TOOL,
        app=app,
        args=(job_id, layer, call, meta),
        queue=TOOLS,
        priority=broker_priority(priority),
        immutable=True,
        task_id=tasks.job_task_id(job_id, "tool", call["id"]),
        **brief(job_id, layer, call["id"], call.get("name")),
        shadow=tasks.shadow(tasks.TOOL, str(call.get("name", "?"))),
    )


def join_signature(job_id: str, layer: int, priority: int, app: Celery | None = None) -> Signature:
    return signature(
        tasks.JOIN,
        app=app,
        args=(job_id, layer),
        queue=AGENT,
        priority=broker_priority(priority),
        task_id=tasks.job_task_id(job_id, "join", layer),
        **brief(job_id, layer),
        shadow=tasks.shadow(tasks.JOIN, f"layer {layer}"),
    )


def layer_canvas(
    job_id: str,
    layer: int,
    calls: list[dict[str, Any]],
    priority: int,
    app: Celery | None = None,
) -> Signature:
    if not calls:
        raise ValueError("a layer to dispatch needs at least one call")
    ids = [c["id"] for c in calls]
    members = [tool_signature(job_id, layer, c, priority, app, ids) for c in calls]
    if len(members) == 1:
        return members[0]
    return group(members, app=app)


def raw_canvas(layer_sizes: list[int], ms: int, app: Celery | None = None) -> Signature:
    """The same shape hand-written as a plain chain of chords of sleep tasks: the floor that
    `ops/bench/dag_overhead.py` compares the runtime against."""
    parts: list[Signature] = []
    for size in layer_sizes:
        if size == 1:
            parts.append(_raw_sleep(ms, app))
        else:
            members = group([_raw_sleep(ms, app) for _ in range(size)], app=app)
            join = signature(tasks.RAW_JOIN, app=app, queue=AGENT)
            parts.append(chord(members, join, app=app))
    return chain(*parts, app=app)


def _raw_sleep(ms: int, app: Celery | None) -> Signature:
    return signature(tasks.RAW_SLEEP, app=app, args=(ms,), queue=TOOLS, immutable=True)
