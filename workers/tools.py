"""Queue `tools`: run one tool call and record it as a step."""

from __future__ import annotations

from typing import Any

from runtime.broker.app import app
from runtime.errors import RetryableError
from runtime.job.executor import execute_call
from runtime.tools.registry import get_tool, load_tools
from workers.base import CeleragentTask
from workers.hooks import run_layers, tool_runner_for

# Import every tool module now, not inside the first job's step.
load_tools()


@app.task(name="celeragent.tools.run", base=CeleragentTask, bind=True, max_retries=2)
def run(
    self: CeleragentTask, job_id: str, layer: int, call: dict[str, Any], meta: dict[str, Any]
) -> dict[str, Any]:
    try:
        step = execute_call(
            self.redis,
            job_id,
            call,
            settings=self.settings,
            enqueued_at=meta.get("enqueued_at"),
            attempt=self.request.retries + 1,
            max_attempts=self.max_retries + 1,
            runner=tool_runner_for(self.redis, self.settings),
        )
    except RetryableError as exc:
        # Exponential backoff with the jitter Celery adds: 0.5 s, 1 s, ...
        raise self.retry(exc=exc, countdown=0.5 * 2**self.request.retries) from None
    if meta.get("inline_join"):
        run_layers(self, job_id, layer + 1)
    # Only a small summary travels back through the result backend: the join reads the
    # full step from Redis, so large outputs are not copied through the chord.
    return {"id": step.id, "ok": step.ok}


@app.task(name="celeragent.tools.prefetch", base=CeleragentTask, bind=True, ignore_result=True)
def prefetch(self: CeleragentTask, name: str, arguments: dict[str, Any]) -> bool:
    """Run a predicted call into the tool cache (single-flight: a job asking for the same
    call meanwhile waits for this run instead of repeating it). Failures are dropped."""
    tool = get_tool(name)
    if tool.side_effecting or not tool.cacheable:
        return False  # never a side effect nobody asked for
    try:
        tool_runner_for(self.redis, self.settings)(tool, arguments)
    except Exception:  # noqa: BLE001 - a failed guess costs nothing; the job runs it itself
        return False
    return True
