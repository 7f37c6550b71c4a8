"""Every Redis key celeragent writes, and their default lifetimes, in one place.

All keys start with `ca:` so a shared Redis can be inspected (`SCAN MATCH ca:*`) and
flushed selectively without touching Celery's own keys.
"""

from __future__ import annotations

PREFIX = "ca:"

# --- jobs (they live Settings.job_ttl_s) --------------------------------------------------


def job(job_id: str) -> str:
    """Hash: spec, status, answer, usage, timings, result (JSON fields)."""
    return f"{PREFIX}job:{job_id}"


def job_events(job_id: str) -> str:
    """Stream: the job's events in order (`submitted` ... `done`)."""
    return f"{PREFIX}job:{job_id}:events"


def job_steps(job_id: str) -> str:
    """Hash: call id -> StepResult JSON, for `$ref` resolution and the final result."""
    return f"{PREFIX}job:{job_id}:steps"


def job_cancelled(job_id: str) -> str:
    """String: present when the job was cancelled."""
    return f"{PREFIX}job:{job_id}:cancelled"


def job_deliveries(job_id: str) -> str:
    """Hash: "call_id:attempt" -> how many times that step's message was delivered."""
    return f"{PREFIX}job:{job_id}:deliveries"


def job_effects(job_id: str) -> str:
    """Hash: call id -> set when a side-effecting step started (it never starts twice)."""
    return f"{PREFIX}job:{job_id}:effects"


def job_suspect(job_id: str) -> str:
    """String: Redis time a running job was first seen with no message anywhere."""
    return f"{PREFIX}job:{job_id}:suspect"


def job_approvals(job_id: str) -> str:
    """Hash: call id -> pending | approved | denied | timed_out."""
    return f"{PREFIX}job:{job_id}:approvals"


def step_lease(job_id: str, step: str) -> str:
    """String "holder nonce": the one run allowed to record this step (runtime/job/fence.py)."""
    return f"{PREFIX}job:{job_id}:lease:{step}"


APPROVALS_PENDING = f"{PREFIX}approvals"  # Sorted set: "job/call/layer" by deadline.


def job_finalized(job_id: str) -> str:
    """String set with NX by whoever ends the job first (runtime/job/endings.py), so a job
    ends exactly once."""
    return f"{PREFIX}job:{job_id}:final"


def idempotency(tenant: str, key: str) -> str:
    """String: job id already submitted with this idempotency key."""
    return f"{PREFIX}idem:{tenant}:{key}"


JOBS_INDEX = f"{PREFIX}jobs"  # Sorted set: job id by submission time (for `status`).
DEADLINES = f"{PREFIX}deadlines"  # Sorted set: unfinished job id by deadline (watchdog).

# --- caches --------------------------------------------------------------------------------


def tool_cache(tool: str, version: str, args_hash: str) -> str:
    return f"{PREFIX}cache:tool:{tool}:{version}:{args_hash}"


def tool_cache_pattern(tool: str | None = None) -> str:
    return f"{PREFIX}cache:tool:{tool or '*'}:*"


def tool_inflight(tool: str, version: str, args_hash: str) -> str:
    """Single-flight lock for an identical tool call in progress."""
    return f"{PREFIX}inflight:tool:{tool}:{version}:{args_hash}"


def prompt_cache(digest: str) -> str:
    return f"{PREFIX}cache:prompt:{digest}"


def semantic_entry(scope: str, entry_id: str) -> str:
    return f"{PREFIX}cache:sem:{scope}:e:{entry_id}"


def semantic_log(scope: str) -> str:
    """Stream: append log of entries written to a scope; workers follow it."""
    return f"{PREFIX}cache:sem:{scope}:log"


SEMANTIC_SCOPES = f"{PREFIX}cache:sem:scopes"  # Set of known scopes.
CACHE_COUNTERS = f"{PREFIX}cache:counters"  # Hash: hit/miss counters per cache.

# --- metrics, budgets, degradation ---------------------------------------------------------
METRICS_STEPS = f"{PREFIX}metrics:steps"  # Stream of step records (MAXLEN bounded).
METRICS_JOBS = f"{PREFIX}metrics:jobs"  # Stream of job e2e records (MAXLEN bounded).
DEGRADATION_LEVEL = f"{PREFIX}degrade:level"
SYSTEM_EVENTS = f"{PREFIX}system:events"  # Stream: degradation changes and other system events.


def job_budget(job_id: str) -> str:
    """Hash: reserved and spent amounts of a job's budget."""
    return f"{PREFIX}budget:job:{job_id}"


def tenant_budget(tenant: str, period: str) -> str:
    return f"{PREFIX}budget:tenant:{tenant}:{period}"


DEAD_LETTERS = f"{PREFIX}dead-letters"  # List of poison steps with their errors.

WORKERS = f"{PREFIX}workers"  # Set of worker holders (nodename/pid) that sent a heartbeat.


def worker_alive(holder: str) -> str:
    """String with a short TTL, refreshed by the worker's heartbeat thread."""
    return f"{PREFIX}worker:{holder}:alive"


def queue_alive(queue: str) -> str:
    """String with a short TTL: some live worker consumes `queue` (refreshed by heartbeats)."""
    return f"{PREFIX}queue:{queue}:alive"


def worker_holding(holder: str) -> str:
    """Hash: task id -> delivery tag, for messages the worker holds unacknowledged."""
    return f"{PREFIX}worker:{holder}:holding"


# --- conversations (they live Settings.conversation_ttl_s after their last turn) ----------


def conversation_rounds(tenant: str, conversation_id: str) -> str:
    """List: the conversation's last rounds (question, answer, tool digest), JSON, oldest
    first. The tenant is part of the key, so no tenant can name another's conversation."""
    return f"{PREFIX}conv:{tenant}:{conversation_id}:rounds"


def conversation_meta(tenant: str, conversation_id: str) -> str:
    """Hash: rounds (how many were ever appended), summary, summary_upto (rounds it covers),
    summary_tokens and summary_cost_n (what the summaries cost, nano-dollars)."""
    return f"{PREFIX}conv:{tenant}:{conversation_id}:meta"


def conversation_summarizing(tenant: str, conversation_id: str) -> str:
    """String with a TTL: the job whose summary task is queued or running (one at a time)."""
    return f"{PREFIX}conv:{tenant}:{conversation_id}:summarizing"


def conversation_appended(tenant: str, conversation_id: str) -> str:
    """Set: job ids whose round was appended, so a job adds its round once."""
    return f"{PREFIX}conv:{tenant}:{conversation_id}:jobs"


def outbox(channel: str) -> str:
    """List: messages the `notify` tool sent to a channel."""
    return f"{PREFIX}outbox:{channel}"
