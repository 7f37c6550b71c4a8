"""A job that ends early (cancelled, timed out, failed, out of budget) revokes its messages
that are still queued, so no worker spends time on them.

Every message of a job has an id computed from the job (`tasks.job_task_id`), so nothing
needs storing per send: the ids come from the plan, its layers and the model rounds. Celery's
revoke is a broadcast that each worker keeps in memory and checks when a message arrives. It
is the fast path, not the guarantee: a worker started after the broadcast has not heard it,
and a message already running is not stopped by it. The guarantee is the fence
(runtime/job/fence.py): every task of an ended job stops at its first check and records
nothing.
"""

from __future__ import annotations

import logging

import redis
from celery import Celery

from runtime.broker import tasks
from runtime.errors import JobNotFound
from runtime.job.state import load_state
from runtime.schemas import Plan

log = logging.getLogger(__name__)


def job_task_ids(
    job_id: str, plan: Plan | None, layer_ids: list[list[str]], max_rounds: int
) -> list[str]:
    """Every id a message of this job can have: its start, its plan's calls and joins, and
    each model round the budget allows."""
    ids = [tasks.job_task_id(job_id, "start")]
    if plan is not None:
        ids += [tasks.job_task_id(job_id, "tool", c.id) for c in plan.calls]
    ids += [tasks.job_task_id(job_id, "join", i) for i in range(len(layer_ids))]
    for round_ in range(1, max_rounds + 1):
        ids += [tasks.job_task_id(job_id, k, round_) for k in ("plan", "answer")]
    return ids


def revoke_queued(r: redis.Redis, app: Celery, job_id: str) -> int:
    """Broadcast the revocation of the job's messages; returns how many ids it named."""
    try:
        state = load_state(r, job_id)
    except JobNotFound:
        return 0
    ids = job_task_ids(job_id, state.plan, state.layer_ids, state.spec.budget.max_llm_calls)
    try:
        app.control.revoke(ids)
    except Exception:  # noqa: BLE001 - best effort: the fence stops these tasks anyway
        log.warning("could not broadcast the revocation of %d tasks", len(ids), exc_info=True)
    return len(ids)
