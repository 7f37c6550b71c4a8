"""Conversations through the real stack: turns appended once, the context a model step saw,
the summary written after a turn and charged to the job's budget, tenant isolation, and
`celeragent chat` fed through a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from runtime import keys
from runtime.config import Settings
from runtime.conversation import store
from runtime.job.client import Client
from runtime.schemas import JobResult, JobStatus

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _answer_step(result: JobResult) -> dict:
    return next(s.output for s in result.steps if s.kind == "answer")


def _wait_summary(client: Client, tenant: str, cid: str, upto: int) -> dict[str, str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        meta = store.meta(client.redis, tenant, cid)
        if int(meta.get("summary_upto", 0)) >= upto:
            return meta
        time.sleep(0.2)
    raise AssertionError(f"no summary up to round {upto}: {meta}")


def test_multi_turn_conversation(client: Client) -> None:
    tenant = f"t-{uuid.uuid4().hex[:6]}"
    conv = client.conversation(tenant=tenant, model="fake-fast")
    questions = [f"Turn {i}: remember the number {100 + i}." for i in range(5)]
    results = []
    for q in questions:
        result = conv.ask(q).result(timeout=30)
        assert result.status == JobStatus.done, result.error
        results.append(result)
    history = conv.history()
    assert [x.question for x in history.rounds] == questions  # in order, once each
    assert [x.answer for x in history.rounds] == [r.answer for r in results]
    assert history.total == 5
    # The first turn saw no conversation; the fifth saw the four rounds before it, whole.
    assert "conversation" not in _answer_step(results[0])
    seen = _answer_step(results[4])["conversation"]
    assert seen["rounds"] == 4 and seen["whole"] == 4 and seen["dropped"] == 0
    # After round 5, rounds 0-1 left the last three: the summary task folds them in, later.
    meta = _wait_summary(client, tenant, conv.id, 2)
    assert meta["summary"]
    assert int(meta["summary_tokens"]) > 0
    # ... charged to the job whose turn triggered it: its ledger has one more model call
    # than the job's own result counts.
    ledger = client.redis.hgetall(keys.job_budget(results[4].job_id))
    assert int(ledger["llm_calls"]) == results[4].usage.llm_calls + 1
    assert int(ledger["tokens"]) > results[4].usage.total_tokens


def test_tenants_cannot_read_each_other(client: Client) -> None:
    cid = f"shared-{uuid.uuid4().hex[:6]}"
    alice = client.conversation(cid, tenant="alice", model="fake-fast")
    assert alice.ask("My secret is 4711.").result(timeout=30).status == JobStatus.done
    bob = client.conversation(cid, tenant="bob", model="fake-fast")
    result = bob.ask("What is my secret?").result(timeout=30)
    assert result.status == JobStatus.done
    assert "conversation" not in _answer_step(result)  # bob's model saw no earlier turn
    assert [x.question for x in bob.history().rounds] == ["What is my secret?"]
    assert [x.question for x in alice.history().rounds] == ["My secret is 4711."]
    assert [f.text for f in alice.history().facts] == ["My secret is 4711."]
    assert bob.history().facts == []  # alice's stated facts are hers alone


def test_stated_facts_are_remembered_and_shown_beside_the_question(client: Client) -> None:
    tenant = f"t-{uuid.uuid4().hex[:6]}"
    conv = client.conversation(tenant=tenant, model="fake-fast")
    for q in ("My name is Ada. Tell me about tides.", "My name is Eve, in fact.", "Hi."):
        assert conv.ask(q).result(timeout=30).status == JobStatus.done
    result = conv.ask("What is my name?").result(timeout=30)
    assert result.status == JobStatus.done
    # The later statement of the same subject replaced the earlier; the request is no fact.
    assert [f.text for f in conv.history().facts] == ["My name is Eve, in fact."]
    assert _answer_step(result)["conversation"]["facts"] == 1
    assert _answer_step(result)["conversation"]["fact_rounds"] == [1]  # Eve's, round 1
    ttl = client.redis.ttl(keys.conversation_facts(tenant, conv.id))
    assert 0 < ttl <= 7 * 86_400


def test_facts_are_bounded_newest_kept(client: Client) -> None:
    settings = Settings(conversation_facts_max=2)
    cid = f"bounded-{uuid.uuid4().hex[:6]}"
    for i, q in enumerate(("I live in Lisbon.", "My cat is Milo.", "I am 42.", "Hi there.")):
        assert store.append(client.redis, "bench", cid, f"j{i}", q, "ok", "", settings) == i
    assert store.append(client.redis, "bench", cid, "j0", "again", "ok", "", settings) is None
    history = store.load(client.redis, "bench", cid)
    assert [f.text for f in history.facts] == ["My cat is Milo.", "I am 42."]
    assert [f.number for f in history.facts] == [1, 2]


def test_chat_cli_piped(client: Client, redis_url: str) -> None:
    cid = f"chat-{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "CELERAGENT_REDIS_URL": redis_url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "runtime.cli.main",
            "chat",
            "--conversation",
            cid,
            "--model",
            "fake-fast",
            "--timeout",
            "30",
        ],
        input="My name is Ada.\n\nWhat is my name?\n/quit\nnot asked\n",
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # The fake model echoes its prompt's question: the second carries the stated fact.
    assert lines == [
        "Answer: Question: My name is Ada.",
        "Answer: What I told you earlier: - My name is Ada. Question: What is my name?",
    ]
    assert f"conversation {cid}" in proc.stderr
    rounds = store.load(client.redis, "default", cid).rounds
    assert [x.question for x in rounds] == ["My name is Ada.", "What is my name?"]
