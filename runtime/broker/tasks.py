"""Every Celery task name, once.

Workers register their tasks under these names (`@app.task(name=tasks.START)`); `runtime`
sends by name (`app.send_task(tasks.START, ...)`), which is how it reaches a worker without
importing `workers`. The middle part of each name picks its queue through
`runtime.broker.queues.TASK_ROUTES`, so a task sent without an explicit queue still lands
where it should.
"""

from __future__ import annotations

# queue `agent`: orchestration
START = "celeragent.agent.start"  # a new job: plan it or run its first layer
JOIN = "celeragent.agent.join"  # an older dispatcher's chord callback (layers now join themselves)
RESUME = "celeragent.agent.resume"  # a layer that waited for an approval goes on
REDRIVE = "celeragent.agent.redrive"  # a job whose message was lost goes on
REMEMBER = "celeragent.agent.remember"  # a finished job feeds the semantic cache and prefetch
MONITOR_TICK = "celeragent.monitor.tick"  # beat's periodic check (runs on `agent`)

# queue `tools`
TOOL = "celeragent.tools.run"  # one tool call, recorded as a step
PREFETCH = "celeragent.tools.prefetch"  # a predicted call run into the tool cache

# queues `llm` and `gpu` (the same tasks; the model profile names the queue)
PLAN = "celeragent.llm.plan"
SYNTHESIZE = "celeragent.llm.synthesize"
# a conversation's summary after a turn, lowest priority (runtime/conversation/summary.py)
SUMMARIZE = "celeragent.llm.summarize"

# plain Celery tasks with no runtime around them: the floor ops/bench/dag_overhead.py
# measures the runtime against
RAW_SLEEP = "celeragent.raw.sleep"
RAW_JOIN = "celeragent.raw.join"
# Tasks whose messages a worker does not record as held (runtime/broker/transport.py): the
# raw tasks stand for Celery alone, which records nothing.
UNRECORDED = frozenset({RAW_SLEEP, RAW_JOIN})


def job_task_id(job_id: str, kind: str, part: str | int = "") -> str:
    """The task id of one of a job's messages (`kind`: start, tool, join, plan, answer),
    known without storing it, so a job that ends early can revoke whatever of it is still
    queued (runtime/job/revoke.py). A retry or a redelivery keeps its id."""
    return f"{job_id}.{kind}.{part}" if part != "" else f"{job_id}.{kind}"


def shadow(task: str, detail: str) -> str:
    """The name Flower and worker logs show for one message (Celery's `shadow`):
    `shadow(TOOL, "calculator")` is `tools.run[calculator]`. Routing and registration still
    use the real name, so every tool call shares one task but says which tool it runs."""
    return f"{task.removeprefix('celeragent.')}[{detail}]"
