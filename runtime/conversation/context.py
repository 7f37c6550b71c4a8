"""Fitting a conversation into one model call: what the model sees of the turns so far.

    system messages (the step's own) | summary of dropped rounds | older rounds, compressed
    | the most recent rounds whole | facts the user stated | the step's last user message

The history gets at most `conversation_context_tokens`, and never more than the routed
model's window leaves after the step's own messages and the reserved output, counted with
the model's tokenizer (tiktoken for remote models, the local model's own). Filling goes
from the newest round back: the last `recent` rounds whole (always; compressed, then fewer,
only if the window cannot hold them at all), then older rounds whole while they fit, then
compressed (runtime/llm/tokens.py compress) while that fits. The first round that does not
fit ends the history (kept rounds stay contiguous); what lies before it is represented by the
model-written summary (runtime/conversation/summary.py), when one exists. Tool outputs
appear only as the round's digest, never replayed.

Room is taken in this order: the recent rounds; the facts the user stated
(runtime/conversation/facts.py: those most related to the question, at most `facts_tokens`),
placed right before the question whether or not their rounds are still in the window; the
summary; older rounds. The facts come before the summary because they are exact where a small
model's summary is not, and they exist as soon as a round is appended, where the summary
lags behind the conversation.

The local model's answer step asks for a lean context (`lean_history`): a question that one
stored fact clearly answers (runtime/conversation/recall.py) gets that fact alone, no turns and
no summary. Earlier answers appear without the memory check's lead line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import redis

from runtime.config import Settings
from runtime.conversation import facts as fact_memory
from runtime.conversation import recall, store
from runtime.conversation.facts import Fact
from runtime.conversation.store import History, Round
from runtime.llm.tokens import TOKENS_REPLY_PRIMING, Counter, Message, compress, count
from runtime.schemas import JobSpec

SUMMARY_PREFIX = "Summary of the earlier conversation: "


@dataclass
class Fitted:
    messages: list[Message]  # the history as chat messages (summary first, then rounds)
    info: dict[str, Any] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)  # shown at the head of the question
    known: list[Fact] = field(default_factory=list)  # every stored fact (recall.py checks)


def round_messages(rnd: Round, *, compressed: bool = False) -> list[Message]:
    question, answer = rnd.question, recall.without_lead(rnd.answer)
    if compressed:
        return [
            {"role": "user", "content": compress(question)},
            {"role": "assistant", "content": compress(answer)},
        ]
    if rnd.tools:
        answer += f"\n[tools used: {rnd.tools}]"
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def _size(messages: Sequence[Message], counter: Counter) -> int:
    return count(messages, counter) - TOKENS_REPLY_PRIMING


def with_facts(content: str, facts: Sequence[Fact]) -> str:
    """The question's message with the facts at its head: in the same message, because a
    135M model reads a system message between the turns as noise (it answered the tuning
    set's questions with junk), and right before the question, because it answers from what
    stands nearest (ops/bench/conversation_tune.py)."""
    return f"{fact_memory.render(facts)}\n\n{content}" if facts else content


def _facts_size(facts: Sequence[Fact], counter: Counter) -> int:
    return counter(with_facts("", facts)) if facts else 0


def _facts(history: History, question: str, counter: Counter, budget: int, most: int) -> list[Fact]:
    """The facts shown beside `question`, in at most `budget` tokens."""
    if budget <= 0 or not history.facts:
        return []
    return fact_memory.select(
        history.facts, question, lambda fs: _facts_size(fs, counter), budget, most
    )


def fit_history(
    history: History,
    counter: Counter,
    budget: int,
    recent: int = 3,
    question: str = "",
    facts_tokens: int = 0,
    facts_shown: int = 1,
) -> Fitted:
    """The conversation's history in at most `budget` tokens (see the module docstring);
    with `facts_tokens`, the user's stated facts most related to `question` end it."""
    rounds = history.rounds
    chosen: list[list[Message]] = []  # newest first
    used = whole = squeezed = 0
    required = rounds[-recent:] if recent else []
    for rnd in reversed(required):
        msgs = round_messages(rnd)
        size = _size(msgs, counter)
        if used + size > budget:
            msgs = round_messages(rnd, compressed=True)
            size = _size(msgs, counter)
            if used + size > budget:
                break  # not even the recent rounds fit this window: keep the newest ones
            squeezed += 1
        else:
            whole += 1
        chosen.append(msgs)
        used += size
    shown = _facts(history, question, counter, min(facts_tokens, budget - used), facts_shown)
    used += _facts_size(shown, counter)
    older = rounds[: len(rounds) - len(chosen)] if len(chosen) == len(required) else []
    older_sizes = [_size(round_messages(x), counter) for x in older]
    everything_fits = used + sum(older_sizes) <= budget and history.total == len(rounds)
    summary_msgs: list[Message] = []
    if history.summary and not everything_fits:
        # Reserve the summary's room first: it stands for every round that will not fit.
        for text in (history.summary, compress(history.summary)):
            candidate = [{"role": "system", "content": SUMMARY_PREFIX + text}]
            size = _size(candidate, counter)
            if used + size <= budget:
                summary_msgs, used = candidate, used + size
                break
    for rnd, size in zip(reversed(older), reversed(older_sizes), strict=True):
        msgs = round_messages(rnd)
        if used + size > budget:
            msgs = round_messages(rnd, compressed=True)
            size = _size(msgs, counter)
            if used + size > budget:
                break  # the first round that does not fit ends the history
            squeezed += 1
        else:
            whole += 1
        chosen.append(msgs)
        used += size
    first_kept = rounds[len(rounds) - len(chosen)].number if chosen else history.total
    covered = history.summary_upto if summary_msgs else 0
    history_messages = summary_msgs + [m for msgs in reversed(chosen) for m in msgs]
    info = {
        "rounds": history.total,
        "whole": whole,
        "compressed": squeezed,
        "dropped": first_kept,
        "summary": bool(summary_msgs),
        "summary_upto": covered,
        # Dropped rounds the summary does not cover yet (its task has not run): lost here.
        "uncovered": max(0, first_kept - covered),
        "facts": len(shown),
        "fact_rounds": [f.number for f in shown],  # which statements stood beside it
        "tokens": used,
        "budget": budget,
    }
    return Fitted(history_messages, info, shown)


def with_history(
    messages: Sequence[Message],
    history: History | None,
    counter: Counter,
    context_window: int,
    reserve_output: int,
    max_history_tokens: int,
    recent: int = 3,
    question: str = "",
    facts_tokens: int = 0,
    facts_shown: int = 1,
    lean: bool = False,
) -> Fitted:
    """The step's messages with the conversation inserted before its last user message,
    the history fitted into what the window leaves (and at most `max_history_tokens`);
    the facts related to `question` last, right before that message. `lean`: a question
    that one stored fact clearly answers gets that fact alone (see `lean_history`)."""
    if history is None or not history.rounds and not history.summary and not history.facts:
        return Fitted(list(messages), {})
    own = count(messages, counter)
    budget = min(max_history_tokens, context_window - reserve_output - own)
    answered = recall.recall(question, history.facts) if lean else None
    if answered is not None and _facts_size([answered.fact], counter) <= budget:
        fitted = lean_history(history, answered.fact)
    else:
        fitted = fit_history(
            history, counter, max(0, budget), recent, question, facts_tokens, facts_shown
        )
    last_user = max(
        (i for i, m in enumerate(messages) if m.get("role") == "user"), default=len(messages)
    )
    tail = [dict(m) for m in messages[last_user:]]
    if tail and fitted.facts:
        tail[0]["content"] = with_facts(str(tail[0].get("content", "")), fitted.facts)
    out = [*messages[:last_user], *fitted.messages, *tail]
    return Fitted(out, fitted.info, fitted.facts, list(history.facts))


def lean_history(history: History, fact: Fact) -> Fitted:
    """No turns, no summary: only the user's statement that answers the question, at its
    head. For the 135M local model: shown that statement among the last rounds and a
    summary, it copied an earlier answer or the summary's made-up turns instead
    (ops/bench/conversation_tune.py), and its derailed answer then sat in every later
    turn's history."""
    info = {
        "rounds": history.total,
        "whole": 0,
        "compressed": 0,
        "dropped": history.total,
        "summary": False,
        "summary_upto": 0,
        "uncovered": 0,
        "facts": 1,
        "fact_rounds": [fact.number],
        "lean": True,
    }
    return Fitted([], info, [fact])


def transcript(fitted: Fitted) -> str:
    """The fitted history as plain text, for a prompt that takes one string (the planner)."""
    lines = []
    for m in fitted.messages:
        who = {"user": "User", "assistant": "Assistant"}.get(str(m.get("role")), "Context")
        lines.append(f"{who}: {m.get('content', '')}")
    return "\n".join(lines)


def for_step(
    r: redis.Redis,
    spec: JobSpec,
    messages: Sequence[Message],
    counter: Counter,
    context_window: int,
    reserve_output: int,
    settings: Settings,
    lean: bool = False,
) -> Fitted:
    """A model step's messages with its job's conversation, if any (read from the store)."""
    if spec.conversation_id is None:
        return Fitted(list(messages), {})
    history = store.load(r, spec.tenant, spec.conversation_id)
    return with_history(
        messages,
        history,
        counter,
        context_window,
        reserve_output,
        settings.conversation_context_tokens,
        settings.conversation_recent_rounds,
        spec.query,
        settings.conversation_facts_tokens,
        settings.conversation_facts_shown,
        lean,
    )


def plan_query(
    r: redis.Redis,
    spec: JobSpec,
    planner_messages: Sequence[Message],
    counter: Counter,
    context_window: int,
    reserve_output: int,
    settings: Settings,
) -> tuple[str, dict[str, Any]]:
    """The planner's question with the conversation so far after it, fitted to what the
    window leaves beside `planner_messages` (the planner's prompt without history)."""
    fitted = for_step(r, spec, planner_messages, counter, context_window, reserve_output, settings)
    if not fitted.info:
        return spec.query, {}
    history = fitted.messages[len(planner_messages) - 1 : -1]
    if not history and not fitted.facts:
        return spec.query, fitted.info
    text = transcript(Fitted(history))
    if fitted.facts:
        text = f"{text}\n{fact_memory.render(fitted.facts)}".strip()
    return f"{spec.query}\n\nEarlier in this conversation (context):\n{text}", fitted.info
