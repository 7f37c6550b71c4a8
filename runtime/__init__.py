"""celeragent: a distributed task-queue runtime for LLM agents (Celery on Redis)."""

from runtime.errors import (
    BudgetExceeded,
    CeleragentError,
    ConfigError,
    PlanError,
    RetryableError,
    SpecError,
    TerminalError,
    ToolError,
)
from runtime.job.client import AsyncClient, Client, JobHandle
from runtime.schemas import (
    Budget,
    Event,
    EventType,
    JobResult,
    JobSpec,
    JobStatus,
    Plan,
    StepResult,
    ToolCall,
    Usage,
)
from runtime.tools.base import RetryPolicy
from runtime.tools.registry import tool

__all__ = [
    "AsyncClient",
    "Budget",
    "BudgetExceeded",
    "CeleragentError",
    "Client",
    "ConfigError",
    "Event",
    "EventType",
    "JobHandle",
    "JobResult",
    "JobSpec",
    "JobStatus",
    "Plan",
    "PlanError",
    "RetryPolicy",
    "RetryableError",
    "SpecError",
    "StepResult",
    "TerminalError",
    "ToolCall",
    "ToolError",
    "Usage",
    "tool",
]
