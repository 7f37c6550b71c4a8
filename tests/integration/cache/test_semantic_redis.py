"""Semantic cache and prefetch against a real Valkey with the real embedding model."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from runtime import keys
from runtime.cache.evaluate import evaluate_pairs, load_pairs
from runtime.cache.prefetch import PrefetchPredictor
from runtime.cache.semantic import Scope, SemanticCache
from runtime.config import get_settings
from runtime.tools.base import Tool

SCOPE = Scope(model="m", system_prompt_hash="s", toolset_version="1", tenant="acme")
PAIRS = Path(__file__).resolve().parents[2] / "data" / "semantic_pairs.jsonl"


def counters(rc) -> dict[str, int]:
    raw = rc.hgetall(keys.CACHE_COUNTERS)
    return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}


def test_scope_id_is_stable_and_distinct() -> None:
    assert SCOPE.id == Scope("m", "s", "1", "acme").id == str(SCOPE)
    assert SCOPE.id != Scope("m", "s", "1", "other").id
    assert SCOPE.id != Scope("m", "s", "2", "acme").id


def test_answer_stored_by_one_worker_is_a_hit_on_another(rc, embedder) -> None:
    writer = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    reader = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    entry = writer.store("How do I reset my password?", {"text": "Use the link."}, SCOPE)
    hit = reader.lookup("How can I reset my password?", SCOPE)
    assert hit is not None
    assert hit.answer == {"text": "Use the link."} and hit.entry_id == entry
    assert hit.similarity >= 0.85 and hit.cached_question == "How do I reset my password?"
    assert reader.lookup("How can I reset my password?", Scope("m", "s", "1", "other")) is None
    reader.settle()  # Counters are written after a lookup returns.
    assert counters(rc)["semantic:hit"] == 1


def test_refused_neighbour_is_counted_and_never_served(rc, embedder) -> None:
    cache = SemanticCache(rc, embedder, threshold=0.7, ttl_s=600)
    cache.store("What is the weather in Paris today?", "sunny", SCOPE)
    assert cache.lookup("What is the weather in London today?", SCOPE) is None
    assert cache.lookup("What is the weather in Paris tomorrow?", SCOPE) is None
    cache.settle()  # Counters are written after a lookup returns.
    c = counters(rc)
    assert c["semantic:refused"] == 2
    assert c["semantic:refused:entities differ"] == 1 and c["semantic:refused:dates differ"] == 1
    assert cache.lookup("Tell me a joke", SCOPE) is None
    cache.settle()
    assert counters(rc)["semantic:miss"] == 1


def test_an_acronym_spelt_out_is_found_under_the_threshold(rc, embedder) -> None:
    # MiniLM scores these under 0.8; the lookup fetches them anyway and the verifier reads the
    # acronym spelt out (serving.py SPELT_OUT_MARGIN). A different question is still refused.
    cache = SemanticCache(rc, embedder, threshold=0.8, ttl_s=600)
    cache.store("How do I renew my EHIC online?", "On the NHS site.", SCOPE)
    hit = cache.lookup("How do I renew my European Health Insurance Card online?", SCOPE)
    assert hit is not None and hit.answer == "On the NHS site." and hit.similarity < 0.8
    assert cache.lookup("How do I cancel my European Health Insurance Card online?", SCOPE) is None
    assert cache.lookup("How do I renew my Eastern Highland Ice Club pass online?", SCOPE) is None


def test_hits_do_not_refresh_ttl_and_expired_entries_are_not_served(rc, embedder) -> None:
    cache = SemanticCache(rc, embedder, threshold=0.85, ttl_s=100)
    entry = cache.store("What is machine learning?", "ML is...", SCOPE)
    key = keys.semantic_entry(SCOPE.id, entry)
    rc.expire(key, 50)  # Pretend 50 s have passed.
    for _ in range(3):
        assert cache.lookup("What is machine learning exactly?", SCOPE) is not None
    cache.settle()
    assert int(rc.hget(key, "hits")) == 3
    assert rc.ttl(key) <= 50  # Serving did not push the expiry back.
    later = SemanticCache(rc, embedder, threshold=0.85, ttl_s=100, clock=lambda: 10**12)
    assert later.lookup("What is machine learning exactly?", SCOPE) is None
    rc.delete(key)  # Redis expired it under a live index entry.
    assert cache.lookup("What is machine learning exactly?", SCOPE) is None


def test_flush_reaches_other_workers(rc, embedder) -> None:
    a = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    b = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    a.store("How do I delete my account?", "Settings > Delete.", SCOPE)
    assert b.lookup("How can I delete my account?", SCOPE) is not None
    assert a.flush() == 1
    b.sync(SCOPE)
    assert b.stats()["local_entries"][SCOPE.id] == 0
    assert b.lookup("How can I delete my account?", SCOPE) is None
    b.store("How do I delete my account?", "new answer", SCOPE)
    assert a.lookup("How can I delete my account?", SCOPE).answer == "new answer"


def test_late_worker_catches_up_in_bounded_slices(rc, embedder) -> None:
    writer = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    questions = [f"question number {i} about topic {i}" for i in range(25)]
    writer.store_many([(q, i) for i, q in enumerate(questions)], SCOPE)
    late = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    assert late.sync(SCOPE, max_records=10) == 10
    assert late.sync(SCOPE, max_records=10) == 10
    assert late.sync(SCOPE) == 5
    assert late.stats()["local_entries"][SCOPE.id] == 25


def test_log_is_trimmed_to_live_entries_only(rc, embedder) -> None:
    now = [1_000_000.0]
    cache = SemanticCache(rc, embedder, threshold=0.85, ttl_s=10, clock=lambda: now[0])
    cache.store("first question", 1, SCOPE)
    # Real stream ids are "now"; with the clock far in the future, MINID trims the old record.
    now[0] = 4_000_000_000.0
    cache.store("second question", 2, SCOPE)
    assert rc.xlen(keys.semantic_log(SCOPE.id)) <= 2


def test_prefetch_predicts_safe_literal_calls_only(rc, embedder) -> None:
    from runtime.tools.registry import load_tools

    load_tools()
    p = PrefetchPredictor(rc, embedder, threshold=0.85)
    p.remember(
        "What is the weather in Paris today?",
        [
            {"id": "a", "name": "http_get", "arguments": {"url": "https://w.example/paris"}},
            {"id": "b", "name": "calculator", "arguments": {"expression": "2+2"}},
            {"id": "c", "name": "echo", "arguments": {"text": {"$ref": "a.body"}}},
            {"id": "d", "name": "fail", "arguments": {}},
        ],
        tenant="acme",
    )
    got = p.predict("How is the weather in Paris today?", "acme", ["calculator", "echo", "fail"])
    names = [c["name"] for c in got]
    assert "http_get" not in names  # Not allowed for this job.
    assert "echo" not in names  # $ref argument.
    assert {"name": "calculator", "arguments": {"expression": "2+2"}} in got
    assert p.predict("How is the weather in London today?", "acme", None) == []
    assert p.predict("How is the weather in Paris today?", "other-tenant", None) == []
    p.record(issued=2, used=1, wasted=1)
    s = p.stats()
    assert (s["issued"], s["hit"], s["waste"]) == (2, 1, 1) and s["predictions"] == 1


class MailArgs(BaseModel):
    to: str


SEND_MAIL = Tool("send_mail_test", "", MailArgs, fn=lambda a: None, side_effecting=True)


def test_prefetch_never_predicts_side_effecting_tools(rc, embedder) -> None:
    from runtime.tools import registry

    registry.register(SEND_MAIL)
    try:
        p = PrefetchPredictor(rc, embedder)
        calls = [{"name": "send_mail_test", "arguments": {"to": "b"}}]
        p.remember("Email Bob the report", calls, "t")
        assert p.predict("Email Bob the report", "t", None) == []
    finally:
        # Gone again: later tests compare the registry's tool list with a worker's.
        registry._TOOLS.pop(SEND_MAIL.name, None)


@pytest.mark.parametrize("threshold", [0.85])
def test_labelled_pairs_meet_the_target(embedder, threshold: float) -> None:
    # Chinese questions have their own threshold, on their own vectors (zh_vectors.py).
    result = evaluate_pairs(
        load_pairs(PAIRS), threshold, embedder, get_settings().semantic_threshold_zh
    )
    assert result["pairs"] >= 150
    assert result["false_hit_rate"] <= 0.01
    assert result["recall"] >= 0.8
    plain = {b["threshold"]: b for b in result["baselines"]}
    assert plain[0.9]["false_hit_rate"] > result["false_hit_rate"]  # Verification earns its keep.
