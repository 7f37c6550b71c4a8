"""The conversation store: a tenant's conversation as a bounded list of rounds in Redis.

A round is one job of the conversation: its question, its answer and a digest of its tool
outputs (a line per call, shortened: earlier tool outputs are summarised, never replayed).
Rounds are appended once per job, after the job ended `done` (runtime/job/lifecycle.py), so
a retried or redelivered answer step cannot add its round twice. The list keeps the last
`conversation_max_rounds`; the meta hash counts every round ever appended, so a round's
absolute number survives trimming and the summary can say which rounds it covers.

Every key has the tenant in it (runtime/keys.py): a job of tenant B naming tenant A's
conversation id reads B's own (empty) conversation, never A's.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, cast

import redis

from runtime import keys
from runtime.config import Settings
from runtime.conversation import facts as fact_memory
from runtime.conversation.facts import Fact
from runtime.llm.tokens import compress
from runtime.schemas import StepResult

TOOL_DIGEST_CHARS = 160  # per tool call in a round's digest


@dataclass(frozen=True)
class Round:
    number: int  # absolute: 0 is the conversation's first round, even after trimming
    question: str
    answer: str
    tools: str = ""  # digest of the tool calls that served the answer
    job_id: str = ""


@dataclass(frozen=True)
class History:
    rounds: list[Round]  # the stored ones, oldest first
    summary: str | None  # model-written summary of rounds [0, summary_upto)
    summary_upto: int
    total: int  # rounds ever appended
    facts: list[Fact] = field(default_factory=list)  # what the user stated, oldest first


def tool_digest(steps: list[StepResult]) -> str:
    """One short line per tool call: `name -> output` (or its error), compressed."""
    lines = []
    for s in steps:
        if s.kind != "tool":
            continue
        out = f"error: {s.error}" if s.error else json.dumps(s.output, default=str)
        line = compress(f"{s.tool} -> {out}")
        if len(line) > TOOL_DIGEST_CHARS:
            line = line[: TOOL_DIGEST_CHARS - 1] + "…"
        lines.append(line)
    return "; ".join(lines)


def append(
    r: redis.Redis,
    tenant: str,
    conversation_id: str,
    job_id: str,
    question: str,
    answer: str,
    tools: str,
    settings: Settings,
) -> int | None:
    """Append the job's round; returns its absolute number, or None when this job's round
    is already there. Not a job write (no fence): the conversation's own keys."""
    seen = keys.conversation_appended(tenant, conversation_id)
    if not r.sadd(seen, job_id):
        return None
    meta = keys.conversation_meta(tenant, conversation_id)
    number = int(cast(int, r.hincrby(meta, "rounds", 1))) - 1
    entry = {"n": number, "q": question, "a": answer, "t": tools, "j": job_id, "ts": time.time()}
    rounds = keys.conversation_rounds(tenant, conversation_id)
    ttl = settings.conversation_ttl_s
    pipe = r.pipeline(transaction=True)
    pipe.rpush(rounds, json.dumps(entry, ensure_ascii=False))
    # The user's statements outlive the round (out of the window, trimmed, or not in a summary).
    fact_memory.stage(pipe, tenant, conversation_id, fact_memory.extract(question, number))
    pipe.ltrim(rounds, -settings.conversation_max_rounds, -1)
    pipe.expire(rounds, ttl)
    pipe.expire(meta, ttl)
    pipe.expire(seen, ttl)
    pipe.expire(keys.conversation_facts(tenant, conversation_id), ttl)
    pipe.execute()
    fact_memory.trim(r, tenant, conversation_id, settings)
    return number


def load(r: redis.Redis, tenant: str, conversation_id: str) -> History:
    """The conversation as the tenant sees it; empty when it does not exist (or expired)."""
    pipe = r.pipeline(transaction=False)
    pipe.lrange(keys.conversation_rounds(tenant, conversation_id), 0, -1)
    pipe.hgetall(keys.conversation_meta(tenant, conversation_id))
    pipe.hgetall(keys.conversation_facts(tenant, conversation_id))
    raw_rounds, meta, raw_facts = cast(
        tuple[list[str], dict[str, str], dict[str, str]], pipe.execute()
    )
    rounds = [_round(json.loads(x)) for x in raw_rounds]
    rounds.sort(key=lambda x: x.number)  # concurrent appends may land out of order
    return History(
        rounds=rounds,
        summary=meta.get("summary") or None,
        summary_upto=int(meta.get("summary_upto", 0)),
        total=int(meta.get("rounds", len(rounds))),
        facts=fact_memory.parse(raw_facts),
    )


def _round(d: dict[str, Any]) -> Round:
    return Round(int(d["n"]), str(d["q"]), str(d["a"]), str(d.get("t", "")), str(d.get("j", "")))


def save_summary(
    r: redis.Redis,
    tenant: str,
    conversation_id: str,
    summary: str,
    upto: int,
    tokens: int,
    cost_nano: int,
    settings: Settings,
) -> bool:
    """Store a summary covering rounds [0, upto) unless a newer one is there already (two
    summary tasks may race; the one covering more wins). Its cost is added either way."""
    meta = keys.conversation_meta(tenant, conversation_id)
    pipe = r.pipeline(transaction=False)
    pipe.hincrby(meta, "summary_tokens", tokens)
    pipe.hincrby(meta, "summary_cost_n", cost_nano)
    pipe.hincrby(meta, "summaries", 1)
    pipe.execute()
    stored = bool(r.eval(_SAVE_IF_NEWER, 1, meta, summary, upto))  # type: ignore[no-untyped-call]
    r.expire(meta, settings.conversation_ttl_s)
    return stored


_SAVE_IF_NEWER = """
local upto = tonumber(redis.call('HGET', KEYS[1], 'summary_upto') or '0')
if tonumber(ARGV[2]) <= upto then return 0 end
redis.call('HSET', KEYS[1], 'summary', ARGV[1], 'summary_upto', ARGV[2])
return 1
"""


def meta(r: redis.Redis, tenant: str, conversation_id: str) -> dict[str, str]:
    return cast(dict[str, str], r.hgetall(keys.conversation_meta(tenant, conversation_id)))
