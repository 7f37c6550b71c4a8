"""Beat: the periodic tick. Requeues the messages of workers that died, expires approvals,
ends jobs past their deadline (watchdog), sets the degradation level from live p95s, spend
and queue depths, records what each model queue served (for admission control at submit),
and re-drives jobs whose messages were lost."""

from __future__ import annotations

from runtime.broker import tasks
from runtime.broker.app import app
from runtime.guard import degrade
from runtime.job import admission, approval, lifecycle
from runtime.recovery import liveness, stalls
from workers.base import CeleragentTask


# send_events=False: no task events for the tick. Every few seconds it would otherwise fill
# Flower's task list (Flower keeps the latest N) and bury the jobs' own tasks.
@app.task(
    name=tasks.MONITOR_TICK, base=CeleragentTask, bind=True, ignore_result=True, send_events=False
)
def tick(self: CeleragentTask) -> dict[str, int]:
    r, settings = self.redis, self.settings
    restored = liveness.restore_dead(r, self.app)
    orphans = liveness.restore_orphans(r, self.app)
    return {
        "approvals_expired": approval.expire(r, self.app),
        "timed_out": lifecycle.end_overdue(r, self.app),
        "level": degrade.tick(r, settings),
        "served_queues": len(admission.record_service(r)),
        "restored": sum(restored.values()) + orphans,
        "redriven": stalls.redrive_lost(r, self.app, settings),
    }
