"""After a turn: append the job's round, and fold old rounds into a model-written summary.

`record_turn` runs in the answer step once the job really ended `done` (endings.answered
returned its result), so each job appends its round once. The summary is not written there:
`tasks.SUMMARIZE` goes to the answering model's queue (llm or gpu: the model runs where it
is served) at the lowest broker priority, so it waits behind every job's own work and never
delays the next answer, which uses whatever summary exists by then
(runtime/conversation/context.py keeps rounds not yet summarised whole or compressed).

One summary task per conversation is queued or running at a time
(`keys.conversation_summarizing`). `summarize` covers the rounds that have left the recent
ones (all but the last `conversation_recent_rounds`), once `conversation_summary_every` of
them are new: the previous summary plus the new rounds go to the model, and the result
replaces it. The call goes
through `GuardedBackend`: the prompt cache first (a repeated summary request costs nothing),
then a reservation in the finished job's `JobLedger`, so the summary counts in that job's
budget (tokens, cost, model calls) and its tenant's daily spend; a job with nothing left
leaves the summary as it was (`BudgetExceeded`), and so does a model that fails or times
out. Its tokens and cost also add up in the conversation's meta hash.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import redis
from celery import Celery

from runtime import keys
from runtime.agent.guarded import GuardedBackend
from runtime.agent.model_steps import prompt_cache
from runtime.broker import tasks
from runtime.config import Settings
from runtime.conversation import store
from runtime.conversation.facts import content_words
from runtime.errors import BudgetExceeded, JobNotFound, RetryableError
from runtime.guard.budget import NANO, JobLedger
from runtime.job import store as job_store
from runtime.llm.profiles import ModelProfile, get_profile
from runtime.llm.registry import get_backend
from runtime.llm.tokens import compress
from runtime.schemas import JobSpec, StepResult

log = logging.getLogger(__name__)
LOWEST_BROKER_PRIORITY = 9  # the Redis transport serves 0 first (runtime/job/canvas.py)

_SYSTEM = (
    "You keep a running summary of a conversation between a user and an assistant. Write "
    "the updated summary: keep every fact the user stated (names, numbers, dates, places, "
    "preferences) and every result the assistant gave, in short sentences. No preamble."
)


def record_turn(
    r: redis.Redis,
    app: Celery,
    job_id: str,
    spec: JobSpec,
    answer: str,
    steps: list[StepResult],
    profile: ModelProfile,
    settings: Settings,
) -> int | None:
    """Append the ended job's round and, when due, queue its summary. Returns the round's
    number (None: already appended)."""
    if spec.conversation_id is None:
        return None
    cid = spec.conversation_id
    number = store.append(
        r, spec.tenant, cid, job_id, spec.query, answer, store.tool_digest(steps), settings
    )
    if number is None or _due(store.load(r, spec.tenant, cid), settings) is None:
        return number
    # One summary at a time per conversation: while one is queued or running, later turns
    # send none (they would summarise overlapping rounds side by side on the same model);
    # the first turn after it finished sends the one that catches up.
    lock = keys.conversation_summarizing(spec.tenant, cid)
    hold_s = int(2 * settings.llm_timeout_s + 60)  # a lost task frees it after this
    if r.set(lock, job_id, nx=True, ex=hold_s):
        app.send_task(
            tasks.SUMMARIZE,
            args=[job_id, profile.name],
            queue=profile.queue,
            priority=LOWEST_BROKER_PRIORITY,
            task_id=tasks.job_task_id(job_id, "summary"),
        )
    return number


def _due(history: store.History, settings: Settings) -> list[store.Round] | None:
    """The rounds a new summary would fold in, or None when not enough are new."""
    target = history.total - settings.conversation_recent_rounds
    if target - history.summary_upto < settings.conversation_summary_every:
        return None
    return [x for x in history.rounds if history.summary_upto <= x.number < target]


def summary_messages(previous: str | None, rounds: list[store.Round]) -> list[dict[str, str]]:
    parts = [f"Summary so far: {previous}"] if previous else []
    lines = []
    for x in rounds:
        lines.append(f"User: {compress(x.question)}")
        lines.append(f"Assistant: {compress(x.answer)}")
    parts.append("New turns:\n" + "\n".join(lines))
    parts.append("Updated summary:")
    return [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]


# A summary sentence is kept when this share of its content words occur in what it
# summarises. SmolLM2-135M's summaries invent turns ("Assistant: The person who made the movie
# is called Milo." in a conversation about no movie) and values ("favourite colour is blue"
# where the user said green); a later answer copies them. Paraphrase keeps most words.
GROUNDED_SHARE = 0.8
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_SPEAKERS = {"user", "assistant"}  # how a summary names the turns' speakers, not a claim


def grounded(text: str, previous: str | None, rounds: list[store.Round]) -> str:
    """`text` without the sentences the summarised turns (and the previous summary) do not
    support: never silently wrong, at the price of a shorter summary."""
    source = content_words(
        " ".join([previous or "", *(f"{x.question} {x.answer}" for x in rounds)])
    )
    kept = []
    for sentence in _SENTENCE.split(text):
        said = content_words(sentence) - _SPEAKERS
        if said and len(said & source) >= GROUNDED_SHARE * len(said):
            kept.append(sentence.strip())
    return " ".join(kept)


def summarize(r: redis.Redis, job_id: str, model: str, settings: Settings) -> dict[str, Any]:
    """Write the conversation's next summary with `model`, charged to job `job_id`."""
    try:
        spec, _ = job_store.load_spec(r, job_id)
    except JobNotFound:
        return {"skipped": "job expired"}
    if spec.conversation_id is None:
        return {"skipped": "not in a conversation"}
    lock = keys.conversation_summarizing(spec.tenant, spec.conversation_id)
    try:
        return _summarize(r, job_id, spec, model, settings)
    finally:
        r.eval(_RELEASE, 1, lock, job_id)  # type: ignore[no-untyped-call]


_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _summarize(
    r: redis.Redis, job_id: str, spec: JobSpec, model: str, settings: Settings
) -> dict[str, Any]:
    assert spec.conversation_id is not None  # checked by summarize
    history = store.load(r, spec.tenant, spec.conversation_id)
    rounds = _due(history, settings)
    if not rounds:
        return {"skipped": "not due"}
    profile = get_profile(model)
    backend = GuardedBackend(
        get_backend(profile),
        profile,
        ledger=JobLedger.from_settings(r, job_id, spec.budget, spec.tenant),
        prompt_cache=prompt_cache(r, settings),
    )
    try:
        completion = backend.complete(
            summary_messages(history.summary, rounds),
            model=profile.wire_model,
            max_tokens=settings.conversation_summary_tokens,
            temperature=0.0,
        )
    except BudgetExceeded as exc:
        log.info("conversation summary skipped: %s", exc)
        return {"skipped": f"budget: {exc.limit}"}
    except RetryableError as exc:
        # Best effort: the next turn's summary folds these rounds in; until then the
        # context keeps them whole or compressed while they fit.
        log.warning("conversation summary skipped: %s", exc)
        return {"skipped": f"model: {exc}"}
    text = grounded(compress(completion.text), history.summary, rounds)
    if not text:
        return {"skipped": "empty summary"}
    paid = not completion.cached
    tokens = completion.usage.total_tokens if paid else 0
    cost = round(profile.cost_usd(completion.usage) * NANO) if paid else 0
    upto = rounds[-1].number + 1
    stored = store.save_summary(
        r, spec.tenant, spec.conversation_id, text, upto, tokens, cost, settings
    )
    return {"upto": upto, "stored": stored, "tokens": tokens, "cached": completion.cached}
