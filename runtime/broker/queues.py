"""The queues, what each is for, how its worker runs, and which tasks go where.

Adding a queue touches several files (this one, runtime/config.py, workers/, the Procfile,
docker-compose.yml); docs/architecture.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.broker import tasks

AGENT = "agent"  # orchestration: start, layer joins, finalize; cheap and fast
LLM = "llm"  # remote OpenAI-compatible calls; I/O bound
TOOLS = "tools"  # tool calls; I/O bound
GPU = "gpu"  # one process pinned to the local model; threads feed its batcher

QUEUES = (AGENT, LLM, TOOLS, GPU)

# The Redis transport keeps one list per priority step: "tools", "tools:3", "tools:6", ...
PRIORITY_STEPS = (0, 3, 6, 9)
PRIORITY_SEP = ":"


def priority_lists(queue: str) -> list[str]:
    return [queue if step == 0 else f"{queue}{PRIORITY_SEP}{step}" for step in PRIORITY_STEPS]


def queue_depths(redis: Any, queues: tuple[str, ...] = QUEUES) -> dict[str, int]:
    """Messages waiting per queue, summed over its priority lists, in one round trip."""
    pipe = redis.pipeline(transaction=False)
    for queue in queues:
        for name in priority_lists(queue):
            pipe.llen(name)
    counts = pipe.execute()
    n = len(PRIORITY_STEPS)
    return {q: sum(counts[i * n : (i + 1) * n]) for i, q in enumerate(queues)}


@dataclass(frozen=True)
class WorkerProfile:
    queue: str
    pool: str
    concurrency_setting: str  # name of the Settings field holding the concurrency
    prefetch_multiplier: int


# Threads everywhere: every queue's work is I/O bound or releases the GIL (torch), and a
# thread pool keeps one model copy per `gpu` process. Prefetch 1 on the slow queues so one
# long model call does not hold messages another worker could run.
WORKERS = {
    AGENT: WorkerProfile(AGENT, "threads", "agent_concurrency", 4),
    LLM: WorkerProfile(LLM, "threads", "llm_concurrency", 1),
    TOOLS: WorkerProfile(TOOLS, "threads", "tools_concurrency", 4),
    GPU: WorkerProfile(GPU, "threads", "gpu_concurrency", 1),
}

TASK_ROUTES = {
    "celeragent.agent.*": {"queue": AGENT},
    "celeragent.monitor.*": {"queue": AGENT},
    "celeragent.tools.*": {"queue": TOOLS},
    "celeragent.llm.*": {"queue": LLM},
    tasks.RAW_SLEEP: {"queue": TOOLS},
    tasks.RAW_JOIN: {"queue": AGENT},
}

TASK_MODULES = (
    "workers.agent",
    "workers.tools",
    "workers.llm",
    "workers.monitor",
    "workers.raw",
)
