"""The semantic cache: answers to earlier questions that mean the same, per scope.

Layout in Redis (keys in runtime/keys.py):
- `semantic_entry(scope, id)`: hash {question, answer (JSON), emb (base64 float32), parse (an
  English question's parse, JSON: runtime/cache/parses.py), created, expires_at, hits}. Its
  TTL is fixed when it is written; serving it only HINCRBYs `hits`, which leaves the TTL alone,
  so a popular answer still goes stale on schedule.
- `semantic_log(scope)`: stream of {op: add, id, exp} and {op: flush} records. Every process
  keeps one FAISS index per scope in memory and follows the log with XREAD from the last id it
  saw, so an answer stored by one worker is a hit on every other. A store appends its records
  right after reading the tail (MULTI/EXEC), so its writer never reads them back. Stream ids
  are millisecond timestamps, so XADD trims with MINID at now - ttl: older records only name
  expired entries.
- `SEMANTIC_SCOPES`: set of scope ids, for `flush()` of everything.

A scope is (model, system prompt hash, toolset version, tenant): an answer is only reused
where the same model, instructions and tools would have produced it, and never across tenants.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from runtime import keys
from runtime.cache import parses, structure
from runtime.cache.base import canonical_json, to_str
from runtime.cache.serving import Candidate, decide, lowest_served
from runtime.cache.tally import Tally
from runtime.cache.vector_index import VectorIndex
from runtime.cache.verify import language
from runtime.cache.zh_vectors import QuestionVectors

NAME = "semantic"
NEIGHBOURS = 4  # Nearest entries examined per lookup; the best verified one is served.


@dataclass(frozen=True)
class Scope:
    model: str
    system_prompt_hash: str
    toolset_version: str
    tenant: str = "default"

    @property
    def id(self) -> str:
        material = canonical_json(
            [self.model, self.system_prompt_hash, self.toolset_version, self.tenant]
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True)
class SemanticHit:
    answer: Any
    similarity: float
    cached_question: str
    entry_id: str


def _scope_id(scope: Scope | str) -> str:
    return scope.id if isinstance(scope, Scope) else str(scope)


def _encode_vec(vec: np.ndarray) -> str:
    # base64 text, not raw bytes: works with clients created with decode_responses=True.
    return base64.b64encode(np.ascontiguousarray(vec, dtype=np.float32).tobytes()).decode()


def _decode_vec(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float32)


class SemanticCache:
    def __init__(
        self,
        redis: Any,
        embedder: Any,
        threshold: float,
        ttl_s: int,
        neighbours: int = NEIGHBOURS,
        hnsw_after: int = 20_000,
        clock: Callable[[], float] = time.time,
        name: str = NAME,
        zh_threshold: float | None = None,
    ) -> None:
        self.redis = getattr(redis, "redis", redis)  # Accept a RedisKV too.
        self.name = name  # Counter prefix: the prefetch predictor reuses this class.
        self.sync_slice = 1000  # Log records replayed per lookup at most (see sync()).
        # Chinese questions are indexed by their characters (zh_vectors.py says why).
        self.embedder = QuestionVectors(embedder)
        self.threshold = threshold
        self.zh_threshold = zh_threshold
        self.ttl_s = ttl_s
        self.neighbours = neighbours
        self.hnsw_after = hnsw_after
        self._clock = clock
        self._indexes: dict[str, VectorIndex] = {}
        self._last_ids: dict[str, str] = {}
        self._lock = threading.Lock()
        self.tally = Tally(self.redis, name)  # Counters, written after a lookup returns.

    # --- following the log --------------------------------------------------------------
    def _index(self, sid: str) -> VectorIndex:
        with self._lock:
            index = self._indexes.get(sid)
            if index is None:
                index = self._indexes[sid] = VectorIndex(self.embedder.dim, self.hnsw_after)
            return index

    def sync(self, scope: Scope | str, max_records: int | None = None) -> int:
        """Bring this process's index for `scope` up to date with the log; returns entries added.

        `max_records` bounds the work done in one call: a worker joining a large scope late
        catches up a slice per lookup (missing meanwhile) instead of blocking one request on
        replaying everything (about 90 s for 100k entries on 2 cores)."""
        sid = _scope_id(scope)
        added = 0
        read = 0
        while max_records is None or read < max_records:
            last = self._last_ids.get(sid, "0-0")
            count = 5000 if max_records is None else min(5000, max_records - read)
            batch = self.redis.xread({keys.semantic_log(sid): last}, count=count)
            if not batch:
                return added
            records = batch[0][1]
            read += len(records)
            added += self._apply(sid, records)[0]
            if len(records) < count:
                return added
        return added

    def _apply(self, sid: str, records: list[Any]) -> tuple[int, bool]:
        """Replay log records into the index: (entries added, whether the index changed)."""
        index = self._index(sid)
        added = 0
        changed = False
        pending: list[tuple[str, float]] = []
        for record_id, fields in records:
            op = to_str(fields.get(b"op", fields.get("op")))
            if op == "flush":
                added += self._load(sid, pending)
                pending = []
                index.clear()
                changed = True
            elif op == "add":
                entry_id = to_str(fields.get(b"id", fields.get("id"))) or ""
                expires = float(to_str(fields.get(b"exp", fields.get("exp"))) or 0)
                if entry_id not in index and expires > self._clock():
                    pending.append((entry_id, expires))
            self._last_ids[sid] = to_str(record_id) or self._last_ids.get(sid, "0-0")
        added += self._load(sid, pending)
        return added, changed or added > 0

    def _load(self, sid: str, pending: list[tuple[str, float]]) -> int:
        if not pending:
            return 0
        pipe = self.redis.pipeline(transaction=False)
        for entry_id, _ in pending:
            pipe.hget(keys.semantic_entry(sid, entry_id), "emb")
        ids, vectors, expires = [], [], []
        for (entry_id, exp), emb in zip(pending, pipe.execute(), strict=True):
            if emb is not None:  # Gone already: expired or flushed.
                ids.append(entry_id)
                vectors.append(_decode_vec(to_str(emb) or ""))
                expires.append(exp)
        if not ids:
            return 0
        return self._index(sid).add(ids, np.vstack(vectors), expires)

    # --- the cache ----------------------------------------------------------------------
    def lookup(
        self,
        question: str,
        scope: Scope | str,
        withheld: Callable[[SemanticHit], None] | None = None,
    ) -> SemanticHit | None:
        """The most similar stored answer that passes the threshold and verification.

        The scope's guard (runtime/cache/shadow.py) comes in the first round trip: its
        tightening raises the threshold, and while it is suspended the hit is not served
        but handed to `withheld` (a probe to compare with the model's answer) as a miss.

        One round trip, hit or miss: the log's tail since our last look, read together with
        the neighbours the index found before it, so an entry another worker stored a moment
        ago is still seen (the index is searched again when the tail changed it, and a second
        round trip is made only if that brings a new near neighbour). The counters, with the
        served entry's own hit count, are written after the lookup returns (tally.py)."""
        sid = _scope_id(scope)
        index = self._index(sid)
        vector = self.embedder.embed_one(question)
        floor = lowest_served(question, self.threshold, self.zh_threshold)
        near = self._near(index, vector, floor)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hmget(keys.semantic_guard(sid), ["tighten", "suspended"])
        pipe.xread({keys.semantic_log(sid): self._last_ids.get(sid, "0-0")}, count=self.sync_slice)
        self._queue_fetch(pipe, sid, near)
        (tighten, suspended), tail, *rows = pipe.execute()
        raise_by = float(to_str(tighten) or 0.0)
        fetched = dict(zip((e for e, _ in near), rows, strict=True))
        if tail and self._apply(sid, tail[0][1])[1]:
            near = self._near(index, vector, floor)
            missing = [(e, s) for e, s in near if e not in fetched]
            if missing:
                pipe = self.redis.pipeline(transaction=False)
                self._queue_fetch(pipe, sid, missing)
                fetched.update(zip((e for e, _ in missing), pipe.execute(), strict=True))
        rows = [fetched[e] for e, _ in near]
        zh = None if self.zh_threshold is None else self.zh_threshold + raise_by
        candidates = self._candidates(sid, near, rows)
        decision = decide(question, candidates, self.threshold + raise_by, zh)
        served = decision.served
        if served is not None and to_str(suspended) == "1":
            self.tally.add("withheld")
            if withheld is not None:
                hit = SemanticHit(
                    served.answer, served.similarity, served.question, served.entry_id
                )
                withheld(hit)
            return None
        if served is not None:
            self.tally.hit(keys.semantic_entry(sid, served.entry_id))
            return SemanticHit(served.answer, served.similarity, served.question, served.entry_id)
        if decision.refusals:
            reason = decision.refusals[0][1]
            self.tally.add(f"refused:{reason.split(':')[0]}", "refused")
        else:
            self.tally.add("miss")
        return None

    def _near(
        self, index: VectorIndex, vector: np.ndarray, floor: float
    ) -> list[tuple[str, float]]:
        # Only neighbours that could be served (serving.py `lowest_served`) are fetched.
        return [(e, s) for e, s in index.search(vector, self.neighbours) if s >= floor]

    @staticmethod
    def _queue_fetch(pipe: Any, sid: str, near: list[tuple[str, float]]) -> None:
        for entry_id, _ in near:
            pipe.hmget(
                keys.semantic_entry(sid, entry_id),
                ["question", "answer", "expires_at", "thr", "parse"],
            )

    def _candidates(
        self, sid: str, near: list[tuple[str, float]], rows: list[Any]
    ) -> list[Candidate]:
        candidates: list[Candidate] = []
        now = self._clock()
        for (entry_id, sim), (q, answer, expires, thr, parsed) in zip(near, rows, strict=True):
            if q is None or float(to_str(expires) or 0) <= now:
                self._index(sid).remove(entry_id)  # Never serve what has expired.
                continue
            parses.carry(to_str(q) or "", to_str(parsed))  # Verification then parses no entry.
            answer = json.loads(to_str(answer) or "null")
            learned = float(to_str(thr) or 0.0)  # Raised by shadow checks that disagreed.
            candidates.append(Candidate(entry_id, sim, to_str(q) or "", answer, learned))
        return candidates

    def store(
        self, question: str, answer: Any, scope: Scope | str, embedding: np.ndarray | None = None
    ) -> str:
        vectors = None if embedding is None else np.asarray(embedding).reshape(1, -1)
        return self.store_many([(question, answer)], scope, vectors)[0]

    def store_many(
        self,
        items: Sequence[tuple[str, Any]],
        scope: Scope | str,
        embeddings: np.ndarray | None = None,
        parse: bool = True,
    ) -> list[str]:
        """Store (question, answer) pairs; `embeddings` may be given if already computed.
        Each English question is parsed here, off the request path, and its parse stored with
        it (`parse=False` skips that: bulk loads whose questions are never compared)."""
        if not items:
            return []
        sid = _scope_id(scope)
        if embeddings is None:
            embeddings = self.embedder.embed([q for q, _ in items])
        created = self._clock()
        expires_at = created + self.ttl_s
        ids = [uuid.uuid4().hex[:16] for _ in items]
        trim_below = f"{int((created - self.ttl_s) * 1000)}-0"
        # MULTI/EXEC: the log's tail since our last look, then our own records, with nothing
        # between them. Once that tail is applied our records are known, so we move past them
        # and no later lookup reads them back (they had cost up to `sync_slice` a lookup).
        pipe = self.redis.pipeline(transaction=True)
        log = keys.semantic_log(sid)
        pipe.xread({log: self._last_ids.get(sid, "0-0")}, count=self.sync_slice)
        for entry_id, (question, answer), vec in zip(ids, items, embeddings, strict=True):
            key = keys.semantic_entry(sid, entry_id)
            english = parse and language(question) == "en"
            pipe.hset(
                key,
                mapping={
                    "parse": structure.stored_parse(question) if english else "",
                    "question": question,
                    "answer": json.dumps(answer, ensure_ascii=False),
                    "emb": _encode_vec(vec),
                    "created": repr(created),
                    "expires_at": repr(expires_at),
                    "hits": 0,
                },
            )
            pipe.expire(key, self.ttl_s)
            pipe.xadd(
                log,
                {"op": "add", "id": entry_id, "exp": repr(expires_at)},
                minid=trim_below,
                approximate=True,
            )
        pipe.expire(log, self.ttl_s)
        pipe.sadd(keys.SEMANTIC_SCOPES, sid)
        pipe.hincrby(keys.CACHE_COUNTERS, f"{self.name}:store", len(items))
        tail, *replies = pipe.execute()
        records = tail[0][1] if tail else []
        if records:
            self._apply(sid, records)  # Others' entries (or a flush) came before ours.
        # Our own entries are usable here at once.
        self._index(sid).add(ids, np.asarray(embeddings, dtype=np.float32), [expires_at] * len(ids))
        if len(records) < self.sync_slice:  # The whole tail was read: ours come right after it.
            last_add = replies[3 * len(items) - 1]  # hset, expire, xadd per entry
            self._last_ids[sid] = to_str(last_add) or self._last_ids.get(sid, "0-0")
        return ids

    def flush(self, scope: Scope | str | None = None) -> int:
        """Delete a scope's entries (or every scope's); followers clear their index on replay."""
        if scope is None:
            sids = [to_str(s) or "" for s in self.redis.smembers(keys.SEMANTIC_SCOPES)]
        else:
            sids = [_scope_id(scope)]
        deleted = 0
        for sid in sids:
            batch = list(self.redis.scan_iter(match=keys.semantic_entry(sid, "*"), count=1000))
            for i in range(0, len(batch), 500):
                deleted += int(self.redis.unlink(*batch[i : i + 500]))
            # A flush also clears the scope's shadow window and guard: a fresh start.
            self.redis.unlink(keys.semantic_shadow(sid), keys.semantic_guard(sid))
            marker = self.redis.xadd(keys.semantic_log(sid), {"op": "flush"})
            self.redis.xtrim(keys.semantic_log(sid), minid=marker)
            self.redis.expire(keys.semantic_log(sid), self.ttl_s)
            self._index(sid).clear()
            self._last_ids[sid] = to_str(marker) or "0-0"
        return deleted

    def settle(self) -> None:
        """Wait until this cache's counters are written (tally.py)."""
        self.tally.settle()

    def stats(self) -> dict[str, Any]:
        self.settle()
        counters = self.redis.hgetall(keys.CACHE_COUNTERS)
        mine = {
            (to_str(k) or "").split(":", 1)[1]: int(v)
            for k, v in counters.items()
            if (to_str(k) or "").startswith(f"{self.name}:")
        }
        hits, misses, refused = mine.get("hit", 0), mine.get("miss", 0), mine.get("refused", 0)
        return {
            **mine,
            "hit": hits,
            "miss": misses,
            "refused": refused,
            "hit_rate": hits / (hits + misses + refused or 1),
            "scopes": int(self.redis.scard(keys.SEMANTIC_SCOPES)),
            "local_entries": {sid: len(ix) for sid, ix in self._indexes.items()},
            "threshold": self.threshold,
        }
