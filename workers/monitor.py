"""Beat: the periodic tick. Requeues the messages of workers that died, ends jobs past
their deadline (watchdog), and sets the degradation level from live p95s, spend and queue
depths (with hysteresis)."""

from __future__ import annotations

from runtime import keys
from runtime.broker.app import app
from runtime.broker.queues import queue_depths
from runtime.errors import CeleragentError
from runtime.guard import degrade, metrics
from runtime.guard.budget import PerformanceBudget
from runtime.job import approval, orchestrator, store
from runtime.recovery import liveness, stalls
from runtime.schemas import JobStatus
from workers.base import CeleragentTask


@app.task(name="celeragent.monitor.tick", base=CeleragentTask, bind=True, ignore_result=True)
def tick(self: CeleragentTask) -> dict[str, int]:
    restored = liveness.restore_dead(self.redis, self.app)
    orphans = liveness.restore_orphans(self.redis, self.app)
    return {
        "approvals_expired": expire_approvals(self),
        "timed_out": end_overdue_jobs(self),
        "level": evaluate_degradation(self),
        "restored": sum(restored.values()) + orphans,
        "redriven": redrive_lost_jobs(self),
    }


def redrive_lost_jobs(task: CeleragentTask) -> int:
    """Jobs no message will ever advance (a message lost with its worker) go on."""
    s = task.settings
    found = stalls.check(
        task.redis,
        stall_after_s=s.stall_after_s,
        confirm_after_s=s.stall_confirm_s,
        every_s=s.stall_check_every_s,
    )
    for job_id in found.lost or []:
        task.app.send_task(stalls.REDRIVE_TASK, args=[job_id], queue="agent")
    return len(found.lost or [])


def expire_approvals(task: CeleragentTask) -> int:
    """A step nobody approved in time is denied, and its job goes on without the effect."""
    expired = 0
    for job_id, call_id in approval.expired(task.redis):
        try:
            layer = approval.decide(task.redis, job_id, call_id, approval.TIMED_OUT)
        except CeleragentError:
            continue  # decided meanwhile
        task.app.send_task(approval.RESUME_TASK, args=[job_id, layer], queue="agent")
        expired += 1
    return expired


def evaluate_degradation(task: CeleragentTask) -> int:
    r = task.redis
    if not task.settings.degradation_enabled:
        if degrade.get_level(r) != degrade.NORMAL:
            degrade.set_level(r, degrade.NORMAL, "degradation disabled by settings")
        return degrade.NORMAL
    snap = metrics.snapshot(r, task.settings.metrics_window_s)
    perf = PerformanceBudget.from_settings(task.settings)
    return degrade.evaluate(r, snap, queue_depths(r), perf)


def end_overdue_jobs(task: CeleragentTask) -> int:
    """A job past its deadline ends as `timed_out` with its partial results, even when the
    step it waits on is stuck in a dead worker and no join will ever run."""
    r = task.redis
    ended = 0
    for job_id in store.overdue(r):
        try:
            state = orchestrator.load_state(r, job_id)
        except CeleragentError:  # the record expired: just drop it from the index
            r.zrem(keys.DEADLINES, job_id)
            continue
        result = store.finalize(
            r,
            job_id,
            JobStatus.timed_out,
            answer=orchestrator.outputs_answer(state),
            error=f"the job passed its deadline of {state.spec.budget.deadline_s:g} s",
            ttl_s=task.settings.job_ttl_s,
        )
        if result is None:
            r.zrem(keys.DEADLINES, job_id)  # already finished by someone else
        else:
            ended += 1
    return ended
