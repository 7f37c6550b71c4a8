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


def job_done(job_id: str) -> str:
    """List: the terminal status, pushed once by `endings.end` in its transaction. A client
    waiting for the result blocks on it (BLMOVE onto itself, so every waiter sees it) and
    wakes once, not at every event of the job."""
    return f"{PREFIX}job:{job_id}:done"


def job_finalized(job_id: str) -> str:
    """String set with NX by whoever ends the job first (runtime/job/endings.py), so a job
    ends exactly once."""
    return f"{PREFIX}job:{job_id}:final"


def idempotency(tenant: str, key: str) -> str:
    """String: job id already submitted with this idempotency key."""
    return f"{PREFIX}idem:{tenant}:{key}"


JOBS_INDEX = f"{PREFIX}jobs"  # Sorted set: job id by submission time (for `status`).


def tenant_jobs(tenant: str) -> str:
    """Sorted set: the tenant's job ids by submission time (the gateway's `GET /v1/jobs`)."""
    return f"{PREFIX}tenant:{tenant}:jobs"


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


def semantic_shadow(scope: str) -> str:
    """List: the scope's latest shadow-check outcomes, newest first ("1" agreed, "0" not)."""
    return f"{PREFIX}cache:sem:{scope}:shadow"


def semantic_guard(scope: str) -> str:
    """Hash: the scope's live false-hit estimate over that window (checks, disagreements,
    rate), how far its threshold is raised (tighten) and whether it is suspended."""
    return f"{PREFIX}cache:sem:{scope}:guard"


def semantic_probe(job_id: str) -> str:
    """String (JSON): a hit withheld from a job, to compare with the answer the job gets."""
    return f"{PREFIX}cache:sem:probe:{job_id}"


SEMANTIC_SCOPES = f"{PREFIX}cache:sem:scopes"  # Set of known scopes.
CACHE_COUNTERS = f"{PREFIX}cache:counters"  # Hash: hit/miss counters per cache.

# --- metrics, budgets, degradation ---------------------------------------------------------
METRICS_STEPS = f"{PREFIX}metrics:steps"  # Stream of step records (MAXLEN bounded).
METRICS_JOBS = f"{PREFIX}metrics:jobs"  # Stream of job e2e records (MAXLEN bounded).
# Hash: model queue -> JSON {rate_per_s, p50_s: {model: s}}, what each queue served lately;
# the monitor writes it every tick, admission control reads it at submit.
SERVICE_ESTIMATES = f"{PREFIX}admission:service"
DEGRADATION_LEVEL = f"{PREFIX}degrade:level"
DEGRADATION_STATE = f"{PREFIX}degrade:level:state"  # String: the policy's streaks, JSON.
# String, JSON {level, reason, until}: a level an operator forced; expires with it (if timed).
DEGRADATION_FORCED = f"{PREFIX}degrade:forced"
# String without TTL: a force was set; it outlives a timed force so the monitor notices expiry.
DEGRADATION_FORCED_SEEN = f"{PREFIX}degrade:forced:seen"
SYSTEM_EVENTS = f"{PREFIX}system:events"  # Stream: degradation changes and other system events.


def job_budget(job_id: str) -> str:
    """Hash: reserved and spent amounts of a job's budget."""
    return f"{PREFIX}budget:job:{job_id}"


def tenant_budget(tenant: str, period: str) -> str:
    return f"{PREFIX}budget:tenant:{tenant}:{period}"


def limit_slots(scope: str) -> str:
    """Sorted set: "holder nonce" of each call holding a slot of `scope`, by hard expiry (ms)
    (runtime/guard/limits.py; `scope` is "model:<name>" or "tool:<name>")."""
    return f"{PREFIX}limit:{scope}:slots"


def limit_bucket(scope: str) -> str:
    """Hash: tokens, ts (ms): the token bucket of `scope`'s calls per second."""
    return f"{PREFIX}limit:{scope}:bucket"


def limit_cooldown(scope: str) -> str:
    """String: Redis time (ms) until which no call of `scope` starts (a provider's 429)."""
    return f"{PREFIX}limit:{scope}:cooldown"


LIMIT_STATS = f"{PREFIX}limit:stats"  # Hash: "<scope>:waits|wait_ms|timeouts|cooldowns|by_*".

DEAD_LETTERS = f"{PREFIX}dead-letters"  # List of poison steps with their errors.

WORKERS = f"{PREFIX}workers"  # Set of worker holders (nodename/pid) that sent a heartbeat.


def worker_alive(holder: str) -> str:
    """String with a short TTL, refreshed by the worker's heartbeat thread."""
    return f"{PREFIX}worker:{holder}:alive"


def queue_alive(queue: str) -> str:
    """String with a short TTL: some live worker consumes `queue` (refreshed by heartbeats)."""
    return f"{PREFIX}queue:{queue}:alive"


def queue_seen(queue: str) -> str:
    """String with a longer TTL: some worker consumed `queue` lately (it may be restarting)."""
    return f"{PREFIX}queue:{queue}:seen"


def worker_holding(holder: str) -> str:
    """Hash: delivery tag -> task id, for messages the worker holds unacknowledged (written
    with kombu's `unacked` entry, runtime/broker/transport.py)."""
    return f"{PREFIX}worker:{holder}:holding"


def model_warm(model: str) -> str:
    """String: seconds a gpu worker's warm-up of the local model `model` took (load, gate
    embedder, planner prefix; workers/llm.py). Set once warm, for a day; `celeragent demo`
    waits for it before its model questions."""
    return f"{PREFIX}model:{model}:warm"


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


def conversation_facts(tenant: str, conversation_id: str) -> str:
    """Hash: subject -> JSON {n: round, s: sentence}, the facts the user stated
    (runtime/conversation/facts.py)."""
    return f"{PREFIX}conv:{tenant}:{conversation_id}:facts"


def conversation_appended(tenant: str, conversation_id: str) -> str:
    """Set: job ids whose round was appended, so a job adds its round once."""
    return f"{PREFIX}conv:{tenant}:{conversation_id}:jobs"


def outbox(channel: str) -> str:
    """List: messages the `notify` tool sent to a channel."""
    return f"{PREFIX}outbox:{channel}"


# --- gateway (runtime/gateway/) -------------------------------------------------------------
API_KEYS = f"{PREFIX}apikeys"  # Set: ids of every API key ever created (revoked ones too).


def api_key(key_id: str) -> str:
    """Hash: tenant, sha256 of the secret, rate_per_min, created_at, revoked_at."""
    return f"{PREFIX}apikey:{key_id}"


def api_rate(key_id: str) -> str:
    """Prefix of a key's request counters: `<prefix>:<minute>` is a string counter of that
    minute on Redis's clock, expiring after two (runtime/gateway/auth.py builds it in Lua)."""
    return f"{PREFIX}apikey:{key_id}:rate"
