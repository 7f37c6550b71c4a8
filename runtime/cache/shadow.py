"""Shadow verification: learn from served semantic hits whether they were right.

A fixed cosine threshold gives no error guarantee (vCache, arXiv 2502.03771): the threshold
that is safe for one stored question is too loose for another. So a sampled share of the
semantic hits is also answered by the model, in the background (the user already has the
cached answer), and the two answers are compared (`answers_agree`). A disagreement:

- raises that entry's own threshold above the similarity that served it (the entry hash's
  `thr` field; `decide` never serves an entry below it), so the same near-miss is not served
  again, while the entry keeps serving closer paraphrases;
- raises its scope's threshold a step (`semantic_tighten_step`, up to `semantic_tighten_max`);
- counts against the scope's error budget: over the last `semantic_budget_window` checks, a
  disagreement rate above `semantic_error_budget` (after `semantic_budget_min_checks`)
  suspends the scope's semantic hits. A suspended scope's would-be hits are withheld and
  become probes: the job is answered by the model as on a miss, and that answer is compared
  with the withheld one (runtime/agent/reuse.py), so checks go on and the scope is served
  again as soon as its window is back under budget.

The window, the tightening and the suspension live in Redis (keys.semantic_shadow,
keys.semantic_guard), updated by one script, so every worker serves by the same numbers;
`celeragent cache stats` shows them, with the live false-hit estimate.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from runtime import keys
from runtime.cache.base import to_str

ENTRY_MARGIN = 0.005  # An entry's threshold goes this far above the similarity that failed.

# KEYS: entry, window list, guard hash, counters. ARGV: agreed (1/0), similarity, margin,
# window, budget, min checks, tighten step, tighten max, counter prefix, ttl.
_RECORD = """
local agreed = ARGV[1] == '1'
if not agreed and redis.call('EXISTS', KEYS[1]) == 1 then
  local thr = tonumber(redis.call('HGET', KEYS[1], 'thr') or '0')
  -- Capped below 1: the stored question asked again word for word is still served.
  local raised = math.min(tonumber(ARGV[2]) + tonumber(ARGV[3]), 0.999)
  if raised > thr then redis.call('HSET', KEYS[1], 'thr', tostring(raised)) end
end
redis.call('LPUSH', KEYS[2], agreed and '1' or '0')
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
local outcomes = redis.call('LRANGE', KEYS[2], 0, -1)
local bad = 0
for _, v in ipairs(outcomes) do if v == '0' then bad = bad + 1 end end
local n = #outcomes
local rate = bad / n
local suspended = 0
if n >= tonumber(ARGV[6]) and rate > tonumber(ARGV[5]) then suspended = 1 end
local tighten = math.min(tonumber(ARGV[8]), bad * tonumber(ARGV[7]))
redis.call('HSET', KEYS[3], 'checks', n, 'disagreements', bad, 'rate', tostring(rate),
  'tighten', tostring(tighten), 'suspended', suspended)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[10]))
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[10]))
redis.call('HINCRBY', KEYS[4], ARGV[9] .. ':shadow:check', 1)
if not agreed then redis.call('HINCRBY', KEYS[4], ARGV[9] .. ':shadow:disagree', 1) end
return suspended
"""


@dataclass(frozen=True)
class Guard:
    """A scope's standing: its live false-hit estimate and what follows from it."""

    checks: int = 0
    disagreements: int = 0
    rate: float = 0.0
    tighten: float = 0.0
    suspended: bool = False

    @classmethod
    def from_hash(cls, raw: dict[Any, Any]) -> Guard:
        fields = {to_str(k): to_str(v) or "0" for k, v in raw.items()}
        return cls(
            checks=int(fields.get("checks", 0)),
            disagreements=int(fields.get("disagreements", 0)),
            rate=float(fields.get("rate", 0.0)),
            tighten=float(fields.get("tighten", 0.0)),
            suspended=fields.get("suspended", "0") == "1",
        )


@dataclass(frozen=True)
class Budget:
    """The settings shadow verification runs by (Settings.semantic_* in runtime/config.py)."""

    rate: float = 0.05
    agree: float = 0.8
    error_budget: float = 0.05
    window: int = 100
    min_checks: int = 20
    tighten_step: float = 0.01
    tighten_max: float = 0.1

    @classmethod
    def from_settings(cls, settings: Any) -> Budget:
        return cls(
            rate=settings.semantic_shadow_rate,
            agree=settings.semantic_shadow_agree,
            error_budget=settings.semantic_error_budget,
            window=settings.semantic_budget_window,
            min_checks=settings.semantic_budget_min_checks,
            tighten_step=settings.semantic_tighten_step,
            tighten_max=settings.semantic_tighten_max,
        )


_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*")


def answers_agree(cached: Any, fresh: Any, embedder: Any, threshold: float) -> bool:
    """Two answers to what should be one question agree when they say the same numbers (if
    both say any) and their embeddings are at least `threshold` alike."""
    a, b = str(cached).strip(), str(fresh).strip()
    if a == b:
        return True
    na, nb = set(_NUMBER.findall(a)), set(_NUMBER.findall(b))
    if na and nb and na != nb:
        return False
    va, vb = np.asarray(embedder.embed([a, b]), dtype=np.float32)
    return float(va @ vb) >= threshold


class ShadowVerifier:
    """Samples hits, asks the model in the background, records the outcome per scope."""

    def __init__(
        self,
        redis: Any,
        embedder: Any,
        budget: Budget,
        name: str = "semantic",
        ttl_s: int = 86_400,
        sample: Callable[[], float] = random.random,
        executor: ThreadPoolExecutor | None = None,
    ) -> None:
        self.redis = getattr(redis, "redis", redis)
        self.embedder = embedder
        self.budget = budget
        self.name = name
        self.ttl_s = ttl_s
        self._sample = sample
        self._executor = executor
        self._record = self.redis.register_script(_RECORD)

    def sampled(self) -> bool:
        return self.budget.rate > 0 and self._sample() < self.budget.rate

    def record(self, sid: str, entry_id: str, similarity: float, agreed: bool) -> bool:
        """Count one comparison; returns whether the scope is now suspended."""
        b = self.budget
        suspended = self._record(
            keys=[
                keys.semantic_entry(sid, entry_id),
                keys.semantic_shadow(sid),
                keys.semantic_guard(sid),
                keys.CACHE_COUNTERS,
            ],
            args=[
                int(agreed),
                repr(float(similarity)),
                ENTRY_MARGIN,
                b.window,
                b.error_budget,
                b.min_checks,
                b.tighten_step,
                b.tighten_max,
                self.name,
                self.ttl_s,
            ],
        )
        return bool(int(suspended))

    def compare(self, sid: str, entry_id: str, similarity: float, cached: Any, fresh: Any) -> bool:
        """Compare a served (or withheld) answer with the model's own; record; True if they
        agree."""
        agreed = answers_agree(cached, fresh, self.embedder, self.budget.agree)
        self.record(sid, entry_id, similarity, agreed)
        return agreed

    def check(self, sid: str, hit: Any, question: str, ask: Callable[[str], Any]) -> bool:
        """Ask the model `question` now and compare with the hit's answer."""
        return self.compare(sid, hit.entry_id, hit.similarity, hit.answer, ask(question))

    def check_in_background(
        self, sid: str, hit: Any, question: str, ask: Callable[[str], Any]
    ) -> Future[bool]:
        if self._executor is None:
            # One thread per process: checks are a sampled few and must never compete with
            # the jobs this worker is serving.
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shadow")
        return self._executor.submit(self.check, sid, hit, question, ask)

    def guard(self, sid: str) -> Guard:
        return Guard.from_hash(self.redis.hgetall(keys.semantic_guard(sid)))


def guards(redis: Any) -> dict[str, Guard]:
    """Every known scope's guard (scopes without shadow checks yet are left out)."""
    r = getattr(redis, "redis", redis)
    sids = sorted(to_str(s) or "" for s in r.smembers(keys.SEMANTIC_SCOPES))
    pipe = r.pipeline(transaction=False)
    for sid in sids:
        pipe.hgetall(keys.semantic_guard(sid))
    return {sid: Guard.from_hash(raw) for sid, raw in zip(sids, pipe.execute(), strict=True) if raw}


def false_hit_estimate(redis: Any, name: str = "semantic") -> dict[str, Any]:
    """The live false-hit estimate for `cache stats`: over all shadow checks so far, and
    per scope over its window, with the scopes that are suspended."""
    r = getattr(redis, "redis", redis)
    counters = r.hmget(keys.CACHE_COUNTERS, [f"{name}:shadow:check", f"{name}:shadow:disagree"])
    checks, bad = (int(to_str(v) or 0) for v in counters)
    per_scope = guards(r)
    return {
        "checks": checks,
        "disagreements": bad,
        "estimate": bad / checks if checks else None,
        "scopes": {sid: g.__dict__ for sid, g in per_scope.items()},
        "suspended": sorted(sid for sid, g in per_scope.items() if g.suspended),
    }
