"""JobLedger against a real Valkey: the Lua reservation, settlement, release and concurrency."""

from __future__ import annotations

import threading

import pytest

from runtime import keys
from runtime.errors import BudgetExceeded
from runtime.guard.budget import JobLedger, Reservation, tenant_spent
from runtime.schemas import Budget

PERIOD = "2030-01-01"


def ledger(redis, job_id="job-1", tenant=None, tenant_limit=None, **budget):
    return JobLedger(
        redis, job_id, Budget(**budget), tenant=tenant, tenant_limit_usd=tenant_limit, period=PERIOD
    )


@pytest.mark.parametrize(
    ("budget", "ask", "limit"),
    [
        ({"max_tokens": 100}, {"tokens": 101}, "max_tokens"),
        ({"max_cost_usd": 0.10}, {"cost_usd": 0.11}, "max_cost_usd"),
        ({"max_steps": 1}, {"steps": 2}, "max_steps"),
        ({"max_llm_calls": 1}, {"llm_calls": 2}, "max_llm_calls"),
    ],
)
def test_each_job_limit_refuses_with_its_name(redis, budget, ask, limit):
    led = ledger(redis, **budget)
    with pytest.raises(BudgetExceeded) as info:
        led.reserve(**ask)
    assert info.value.limit == limit
    assert limit in str(info.value) and "left" in str(info.value)
    # A refusal reserves nothing.
    assert redis.exists(keys.job_budget("job-1")) == 0


def test_refusal_message_names_asked_and_left(redis):
    led = ledger(redis, max_tokens=1000)
    led.reserve(tokens=800)
    with pytest.raises(BudgetExceeded, match=r"asked for 300 but only 200 of 1000 is left"):
        led.reserve(tokens=300)


def test_reservations_count_until_settled_then_actual_usage_replaces_them(redis):
    led = ledger(redis, max_tokens=1000, max_cost_usd=1.0)
    res = led.reserve(steps=1, llm_calls=1, tokens=600, cost_usd=0.30)
    spent = led.spent()
    assert spent["tokens"] == 0 and spent["reserved_tokens"] == 600
    assert spent["reserved_cost_usd"] == pytest.approx(0.30)
    with pytest.raises(BudgetExceeded):
        led.reserve(tokens=500)  # 600 held + 500 > 1000
    assert led.settle(res, tokens=150, cost_usd=0.05) is True
    spent = led.spent()
    assert (spent["steps"], spent["llm_calls"], spent["tokens"]) == (1, 1, 150)
    assert spent["cost_usd"] == pytest.approx(0.05)
    assert spent["reserved_tokens"] == 0 and spent["reserved_cost_usd"] == 0
    led.reserve(tokens=850)  # the unused 450 tokens came back


def test_settle_and_release_are_idempotent(redis):
    led = ledger(redis, max_tokens=1000)
    res = led.reserve(tokens=400)
    assert led.settle(res, tokens=100, cost_usd=0) is True
    assert led.settle(res, tokens=100, cost_usd=0) is False  # a redelivered task
    assert led.release(res) is False
    assert led.spent()["tokens"] == 100
    other = led.reserve(steps=1, tokens=300)
    assert led.release(other) is True and led.release(other) is False
    assert led.spent()["tokens"] == 100 and led.spent()["steps"] == 0


def test_settle_records_actual_usage_above_the_reservation(redis):
    led = ledger(redis, max_tokens=1000)
    res = led.reserve(tokens=100)
    led.settle(res, tokens=1200, cost_usd=0)
    assert led.spent()["tokens"] == 1200
    with pytest.raises(BudgetExceeded, match="only 0 of 1000"):
        led.reserve(tokens=1)


def test_reservation_settles_from_another_process_via_its_dict(redis):
    led = ledger(redis, tenant="acme", tenant_limit=1.0, max_cost_usd=1.0)
    res = led.reserve(cost_usd=0.4)
    again = ledger(redis, tenant="acme", tenant_limit=1.0, max_cost_usd=1.0)
    assert again.settle(Reservation.from_dict(res.to_dict()), tokens=0, cost_usd=0.1)
    assert tenant_spent(redis, "acme", PERIOD) == pytest.approx(0.1)


def test_tenant_budget_is_shared_across_jobs(redis):
    a = ledger(redis, "a", tenant="acme", tenant_limit=1.0, max_cost_usd=1.0)
    b = ledger(redis, "b", tenant="acme", tenant_limit=1.0, max_cost_usd=1.0)
    ra = a.reserve(cost_usd=0.45)
    b.reserve(cost_usd=0.45)
    with pytest.raises(BudgetExceeded) as info:
        b.reserve(cost_usd=0.2)
    assert info.value.limit == "tenant_budget"
    assert "acme" in str(info.value) and "$0.100000" in str(info.value)
    assert redis.exists(keys.job_budget("b"))  # b's first reservation stands
    a.release(ra)
    b.reserve(cost_usd=0.2)
    assert tenant_spent(redis, "acme", PERIOD) == pytest.approx(0.65)


def test_tenant_without_limit_is_recorded_not_limited(redis):
    led = ledger(redis, tenant="free", max_cost_usd=100)
    led.reserve(cost_usd=50)
    assert tenant_spent(redis, "free", PERIOD) == pytest.approx(50)


def test_keys_expire(redis):
    led = JobLedger(redis, "ttl", Budget(), tenant="acme", tenant_limit_usd=5, ttl_s=120)
    led.reserve(cost_usd=0.01, tokens=10)
    assert 0 < redis.ttl(keys.job_budget("ttl")) <= 120
    assert redis.ttl(keys.tenant_budget("acme", led.period)) > 0


def test_large_amounts_stay_exact(redis):
    led = ledger(redis, max_cost_usd=5_000_000, max_tokens=10**12, tenant="big", tenant_limit=9e6)
    res = led.reserve(tokens=10**12, cost_usd=4_999_999.123456789)
    assert led.spent()["reserved_tokens"] == 10**12
    assert led.spent()["reserved_cost_usd"] == pytest.approx(4_999_999.123456789, abs=1e-9)
    led.settle(res, tokens=10**11, cost_usd=1_000_000.5)
    assert led.spent()["cost_usd"] == pytest.approx(1_000_000.5, abs=1e-9)


def test_works_with_a_bytes_client(raw_redis):
    led = ledger(raw_redis, max_tokens=10, tenant="acme", tenant_limit=1)
    led.reserve(tokens=10, cost_usd=0.5)
    with pytest.raises(BudgetExceeded) as info:
        led.reserve(tokens=1)
    assert info.value.limit == "max_tokens"
    assert led.spent()["tenant_cost_usd"] == pytest.approx(0.5)


def test_concurrent_reservations_never_overshoot(valkey_url):
    """40 threads x 25 tries of random asks against one tenant: the sum never passes it."""
    import random

    import redis as redis_lib

    client = redis_lib.Redis.from_url(valkey_url, decode_responses=True, max_connections=64)
    client.flushdb()
    limit = 2.0
    barrier = threading.Barrier(40)
    accepted: list[float] = []
    refused: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        rng = random.Random(n)
        led = ledger(client, f"job-{n}", tenant="acme", tenant_limit=limit, max_cost_usd=10)
        barrier.wait()
        for _ in range(25):
            cost = rng.choice([0.003, 0.007, 0.011, 0.02])
            try:
                res = led.reserve(steps=1, cost_usd=cost)
            except BudgetExceeded as exc:
                with lock:
                    refused.append(exc.limit)
                continue
            if rng.random() < 0.2:
                led.release(res)
            else:
                led.settle(res, tokens=1, cost_usd=cost)
                with lock:
                    accepted.append(cost)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = tenant_spent(client, "acme", PERIOD)
    assert total <= limit
    assert total == pytest.approx(sum(accepted), abs=1e-9)
    assert refused and set(refused) == {"tenant_budget"}  # the limit was actually reached
    assert len(accepted) + len(refused) <= 1000
    held = client.hget(keys.tenant_budget("acme", PERIOD), "held_n")
    assert int(held) == 0
    client.close()
