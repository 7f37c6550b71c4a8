"""SemanticCache.lookup reads the log's tail in the same round trip as its candidates.

No sync() between a store on one worker and a lookup on another: the very next lookup sees the
new entry (the bound on staleness is zero lookups), a flush is seen the same way, and a lookup
costs one round trip whether it hits or misses; its counters are written after it returns.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from runtime import keys
from runtime.cache.base import to_str
from runtime.cache.semantic import Scope, SemanticCache

SCOPE = Scope(model="m", system_prompt_hash="s", toolset_version="1", tenant="lookup")


def counters(rc) -> dict[str, int]:
    raw = rc.hgetall(keys.CACHE_COUNTERS)
    return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}


def count_round_trips(cache: SemanticCache, monkeypatch) -> Counter[str]:
    trips: Counter[str] = Counter()
    client = cache.redis
    make_pipeline, execute_command = client.pipeline, client.execute_command

    def pipeline(*args: Any, **kwargs: Any) -> Any:
        pipe = make_pipeline(*args, **kwargs)
        execute = pipe.execute

        def counted() -> Any:
            trips["pipeline"] += 1
            return execute()

        pipe.execute = counted
        return pipe

    def command(*args: Any, **kwargs: Any) -> Any:
        trips[str(args[0]).lower()] += 1
        return execute_command(*args, **kwargs)

    monkeypatch.setattr(client, "pipeline", pipeline)
    monkeypatch.setattr(client, "execute_command", command)
    return trips


def test_entry_stored_on_another_worker_is_a_hit_on_the_next_lookup(rc, embedder) -> None:
    reader = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    writer = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    writer.store("What is the capital of France?", "Paris", SCOPE)
    assert reader.lookup("What's the capital city of France?", SCOPE).answer == "Paris"
    # The reader is now up to date with the log; whatever comes next, it has not seen.
    writer.store("How do I reset my password?", "Use the link.", SCOPE)
    hit = reader.lookup("How can I reset my password?", SCOPE)
    assert hit is not None and hit.answer == "Use the link."
    # A newer, nearer answer on the writer's side wins over one the reader already had.
    writer.store("How can I reset my password?", "Use the new link.", SCOPE)
    assert reader.lookup("How can I reset my password?", SCOPE).answer == "Use the new link."
    reader.settle()
    assert counters(rc)["semantic:hit"] == 3


def test_flush_on_another_worker_is_seen_by_the_next_lookup(rc, embedder) -> None:
    a = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    b = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    a.store("How do I delete my account?", "Settings > Delete.", SCOPE)
    assert b.lookup("How can I delete my account?", SCOPE) is not None
    a.flush(SCOPE)
    assert b.lookup("How can I delete my account?", SCOPE) is None  # No sync() in between.
    assert b.stats()["local_entries"][SCOPE.id] == 0


def test_a_lookup_is_one_round_trip_and_its_counters_follow(rc, embedder, monkeypatch) -> None:
    cache = SemanticCache(rc, embedder, threshold=0.7, ttl_s=600)
    cache.store("What is machine learning?", "ML is...", SCOPE)
    cache.store("What is the weather in Paris today?", "sunny", SCOPE)
    cache.lookup("warm-up question about nothing in particular", SCOPE)
    cache.settle()
    before = counters(rc)
    # The counting thread is held back: the lookups return before any counter is written.
    release = threading.Event()
    monkeypatch.setattr(cache.tally, "_later", held(cache.tally._later, release))
    trips = count_round_trips(cache, monkeypatch)
    assert cache.lookup("What is machine learning exactly?", SCOPE) is not None
    assert sum(trips.values()) == 1, trips  # Log tail + candidates.
    trips.clear()
    assert cache.lookup("Tell me a joke about cats", SCOPE) is None
    assert sum(trips.values()) == 1, trips  # Log tail.
    trips.clear()
    assert cache.lookup("What is the weather in London today?", SCOPE) is None
    assert sum(trips.values()) == 1, trips  # Log tail + candidate.
    assert counters(rc) == before  # Not written yet.
    trips.clear()
    release.set()
    cache.settle()
    # Then the hit's script (hit count + counter), the miss's and the refusal's counters.
    assert trips["evalsha"] >= 1 and trips["pipeline"] == 2, trips
    c = counters(rc)
    assert (c["semantic:hit"], c["semantic:miss"], c["semantic:refused"]) == (1, 2, 1)  # +warm-up
    assert c["semantic:refused:entities differ"] == 1


def held(later: Any, release: threading.Event) -> Any:
    """Tally._later whose writes wait for `release`."""

    def wrapped(write: Any) -> None:
        later(lambda: release.wait(10) and write())

    return wrapped


def test_a_hit_on_an_entry_that_just_expired_does_not_recreate_it(rc, embedder) -> None:
    cache = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    gone = keys.semantic_entry(SCOPE.id, "no-such-entry")
    assert cache.tally.count_hit(keys=[gone, keys.CACHE_COUNTERS], args=["semantic:hit"]) == -1
    assert not rc.exists(gone)  # Not recreated without a TTL.
    assert counters(rc) == {"semantic:hit": 1}  # It was served: a hit.


def test_a_lookup_parses_its_own_question_only(rc, embedder, monkeypatch) -> None:
    """The entry's parse was stored with it (by another worker): the reader, with an empty
    memo, runs spaCy on the query and never on the stored question; the verdict is the same
    as with both parsed here."""
    from runtime.cache import parses, structure

    writer = SemanticCache(rc, embedder, threshold=0.8, ttl_s=600)
    reader = SemanticCache(rc, embedder, threshold=0.8, ttl_s=600)
    writer.store("Did Priya hire Tomas last year?", "yes", SCOPE)
    writer.store("How do I reset my router?", "Hold the button.", SCOPE)
    stored = rc.hget(keys.semantic_entry(SCOPE.id, writer._index(SCOPE.id)._ids[0]), "parse")
    assert stored  # An English question's parse is stored with it.
    parsed: list[str] = []
    real = structure._parse

    def counting(text: str) -> Any:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(structure, "_parse", counting)
    parses.forget()
    # Roles reversed: refused, from the stored parse and the query's own.
    assert reader.lookup("Did Tomas hire Priya last year?", SCOPE) is None
    assert parsed == ["Did Tomas hire Priya last year?"]
    parses.forget()
    hit = reader.lookup("How can I reset my router?", SCOPE)
    assert hit is not None and hit.answer == "Hold the button."
    assert parsed[1:] == ["How can I reset my router?"]
    # Without the stored parse, both are parsed and the verdicts do not change.
    parses.forget()
    monkeypatch.setattr(parses, "carry", lambda question, stored: False)
    assert reader.lookup("Did Tomas hire Priya last year?", SCOPE) is None
    assert sorted(parsed[2:]) == [
        "Did Priya hire Tomas last year?",
        "Did Tomas hire Priya last year?",
    ]


def test_a_writer_never_reads_its_own_log_records_back(rc, embedder, monkeypatch) -> None:
    """A store reads the log's tail and appends its records in one MULTI/EXEC, so the writer
    moves past its own records: its next lookup replays none of them (it used to replay up to
    `sync_slice` a lookup), while another writer's entries stored in between still arrive."""
    a = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    b = SemanticCache(rc, embedder, threshold=0.85, ttl_s=600)
    log = keys.semantic_log(SCOPE.id)
    a.store_many([(f"question number {i} about topic {i}", i) for i in range(5)], SCOPE)
    b.store("How do I reset my password?", "Use the link.", SCOPE)
    a.store("What is the capital of France?", "Paris", SCOPE)
    newest = rc.xrevrange(log, count=1)[0][0]
    assert a._last_ids[SCOPE.id] == to_str(newest)
    assert len(a._index(SCOPE.id)) == 7  # b's entry came with the tail read by a's store.
    replayed: list[int] = []
    apply = a._apply
    monkeypatch.setattr(
        a, "_apply", lambda sid, records: replayed.append(len(records)) or apply(sid, records)
    )
    assert a.lookup("How can I reset my password?", SCOPE).answer == "Use the link."
    assert replayed == []  # Nothing new in the log since a's own store.
