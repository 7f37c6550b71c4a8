"""Every error celeragent raises on purpose derives from one base.

    CeleragentError
    ├── SpecError            the user's input is wrong (bad spec, plan, arguments); fix the input
    │   ├── PlanError        the DAG is invalid (cycle, unknown tool, dangling dependency, bad $ref)
    │   └── ToolArgumentError  arguments fail the tool's schema
    ├── ConfigError          the deployment is wrong (no Redis, bad setting); fix the environment
    ├── BudgetExceeded       a per-job or per-tenant budget refused the next step
    ├── RetryableError       a transient failure (timeout, 429, 5xx, connection reset); retry later
    │   ├── Overloaded       refused at submit: it would wait past its deadline; retry_after_s
    │   └── RateLimited      a gateway key sent more requests this minute than it may
    ├── AuthError            a gateway request without a valid API key
    └── TerminalError        a failure that retrying will not fix (401, tool refused, job cancelled)
        ├── ToolError        a tool ran and failed
        └── JobTimeout       the job passed its deadline

Every message is a sentence that names what was wrong and what to do about it.
"""

from __future__ import annotations


class CeleragentError(Exception):
    """Base of every error raised on purpose by celeragent."""


class SpecError(CeleragentError, ValueError):
    """The submitted job spec is invalid; nothing was queued."""


class PlanError(SpecError):
    """The plan (tool DAG) is invalid; the message names the call and the problem."""

    def __init__(self, message: str, call_id: str | None = None) -> None:
        super().__init__(message)
        self.call_id = call_id


class ToolArgumentError(PlanError):
    """A call's arguments do not match its tool's argument schema."""


class ConfigError(CeleragentError):
    """The environment or settings are wrong (for example no Redis is reachable)."""


class BudgetExceeded(CeleragentError):
    """A budget (steps, LLM calls, tokens, cost, deadline) refused the next step."""

    def __init__(self, message: str, limit: str = "") -> None:
        super().__init__(message)
        self.limit = limit


class RetryableError(CeleragentError):
    """A transient failure; the step may be retried with backoff."""


class Overloaded(RetryableError):
    """Refused at submit: the job would wait past its deadline; retry after `retry_after_s`."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class LimitTimeout(RetryableError):
    """A shared limit (runtime/guard/limits.py) gave no slot or token within the call's
    bound; retrying later may succeed."""


class RetryStep(RetryableError):
    """Raised by a tools worker's step when the tool's RetryPolicy asks for another run
    in `delay_s` seconds (runtime/job/executor.py)."""

    def __init__(self, message: str, delay_s: float) -> None:
        super().__init__(message)
        self.delay_s = delay_s


class TerminalError(CeleragentError):
    """A failure that retrying will not fix."""


class ToolError(TerminalError):
    """A tool ran and failed; recorded as a failed step, the job continues."""


class JobTimeout(TerminalError):
    """The job passed its deadline."""


class JobNotFound(CeleragentError, LookupError):
    """No job with this id exists (or its record has expired)."""


class AuthError(CeleragentError):
    """A gateway request without a valid API key (missing, unknown or revoked)."""


class RateLimited(RetryableError):
    """An API key sent more requests this minute than its rate allows; retry later."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
