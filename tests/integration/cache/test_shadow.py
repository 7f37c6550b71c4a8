"""Shadow verification against a real Valkey: a disagreeing check tightens the entry, its
scope's window suspends the scope past the error budget, and agreement brings it back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from runtime import keys
from runtime.cache.semantic import Scope, SemanticCache, SemanticHit
from runtime.cache.shadow import Budget, ShadowVerifier, false_hit_estimate

SCOPE = Scope(model="m", system_prompt_hash="s", toolset_version="1", tenant="shadow")
STORED = "How do I rotate the API keys for our billing service?"
NEAR = "How can I rotate the API keys for our billing service?"


def test_disagreement_tightens_the_entry_that_served(rc, embedder) -> None:
    cache = SemanticCache(rc, embedder, threshold=0.8, ttl_s=600)
    shadow = ShadowVerifier(rc, embedder, Budget(rate=1.0, min_checks=50), ttl_s=600)
    entry = cache.store(STORED, "Open Settings, then Keys, then Rotate.", SCOPE)
    hit = cache.lookup(NEAR, SCOPE)
    assert hit is not None and hit.entry_id == entry and hit.similarity < 1.0

    # The model, asked in the background, answers something else entirely.
    with ThreadPoolExecutor(max_workers=1) as pool:
        shadow._executor = pool
        agreed = shadow.check_in_background(
            SCOPE.id, hit, NEAR, lambda q: "Billing keys cannot be rotated; file a ticket."
        ).result(timeout=60)
    assert agreed is False
    learned = float(rc.hget(keys.semantic_entry(SCOPE.id, entry), "thr"))
    assert learned > hit.similarity
    # The same near question is no longer served; the stored question itself still is.
    assert cache.lookup(NEAR, SCOPE) is None
    assert cache.lookup(STORED, SCOPE) is not None
    guard = shadow.guard(SCOPE.id)
    assert (guard.checks, guard.disagreements, guard.suspended) == (1, 1, False)
    assert guard.tighten > 0
    estimate = false_hit_estimate(rc)
    assert estimate["checks"] == 1 and estimate["estimate"] == 1.0


def test_error_budget_suspends_the_scope_until_back_under(rc, embedder) -> None:
    cache = SemanticCache(rc, embedder, threshold=0.8, ttl_s=600)
    budget = Budget(rate=1.0, error_budget=0.2, window=10, min_checks=5, tighten_max=0.0)
    shadow = ShadowVerifier(rc, embedder, budget, ttl_s=600)
    entry = cache.store(STORED, "Open Settings, then Keys, then Rotate.", SCOPE)
    answer = "Open Settings, then Keys, then Rotate."
    for _ in range(4):
        assert shadow.compare(SCOPE.id, entry, 0.5, answer, answer) is True
    assert shadow.compare(SCOPE.id, entry, 0.5, answer, "There is no such thing.") is False
    assert shadow.guard(SCOPE.id).suspended is False  # 1 of 5: 0.2, not past the budget
    shadow.compare(SCOPE.id, entry, 0.5, answer, "Keys are permanent, sorry.")
    assert shadow.guard(SCOPE.id).suspended is True  # 2 of 6
    assert false_hit_estimate(rc)["suspended"] == [SCOPE.id]

    withheld: list[SemanticHit] = []
    assert cache.lookup(NEAR, SCOPE, withheld=withheld.append) is None
    assert [h.entry_id for h in withheld] == [entry]  # a probe for the job's own answer
    cache.settle()  # Counters are written after a lookup returns.
    assert int(rc.hget(keys.CACHE_COUNTERS, "semantic:withheld")) == 1

    # Probes that agree push the disagreements out of the window.
    for _ in range(10):
        shadow.compare(SCOPE.id, entry, 0.5, answer, answer)
    assert shadow.guard(SCOPE.id).suspended is False
    assert cache.lookup(NEAR, SCOPE) is not None


def test_a_withheld_hit_is_compared_with_the_jobs_own_answer(rc, embedder) -> None:
    from runtime.agent import reuse
    from runtime.config import Settings
    from runtime.schemas import JobSpec

    settings = Settings(semantic_budget_min_checks=1, semantic_error_budget=0.0)
    spec = JobSpec(query=NEAR, tenant="shadow-probe")
    scope = reuse.scope_for(spec, "fake-fast")
    hit = SemanticHit("Open Settings, then Keys, then Rotate.", 0.93, STORED, "e1")
    assert reuse._resolve_probe(rc, spec, "fake-fast", "anything", settings) is None  # none kept
    reuse._keep_probe(rc, scope, spec.query, hit, ttl_s=60)
    agreed = reuse._resolve_probe(rc, spec, "fake-fast", "Keys cannot be rotated.", settings)
    assert agreed is False
    guard = reuse.shadow_verifier(rc, settings).guard(scope.id)
    assert (guard.checks, guard.disagreements, guard.suspended) == (1, 1, True)
    # A probe is compared once: it is gone after.
    assert reuse._resolve_probe(rc, spec, "fake-fast", "anything", settings) is None
