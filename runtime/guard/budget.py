"""Budgets: a per-job ledger that reserves spend atomically in Redis.

`JobLedger` is what keeps a job (and its tenant) inside its limits when many workers spend at
once. The check and the reservation happen in one Lua script, so two workers can never both
see "enough left" and together overshoot: Redis runs the script atomically, in one round trip.

A reservation is held until the step finishes, then `settle` swaps it for what was really used
(a model call reserves its `max_tokens`, then settles the tokens it returned) or `release`
gives it back. Each reservation is stored under its own field in the job's hash, so settling
or releasing twice (a Celery redelivery) is a no-op instead of a double count.

Money is kept as integer nano-dollars: Redis' HINCRBYFLOAT would accumulate rounding drift
over thousands of small charges, and Lua numbers hold integers exactly up to 2**53.

The service-level budget (p95 latencies per model, tokens, cost and steps per request) is
`PerformanceBudget` in runtime/guard/performance.py.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from runtime import keys
from runtime.config import get_settings
from runtime.errors import BudgetExceeded
from runtime.schemas import Budget

if TYPE_CHECKING:
    pass

NANO = 1_000_000_000  # nano-dollars per dollar
TENANT_TTL_S = 3 * 86_400  # a daily period stays readable for reports a while after it ends

# Reserve: KEYS[1] job hash, KEYS[2] tenant hash (optional).
# ARGV: res_id, job_ttl, steps, llm_calls, tokens, cost_n, max_steps, max_llm_calls,
#       max_tokens, max_cost_n, tenant_limit_n (-1: record only), tenant_ttl.
# Returns {1} or {0, limit, asked, used, limit_value}. Counters hold settled + held amounts,
# so one comparison per limit covers in-flight reservations too. Numbers go out through
# '%.0f' because Lua 5.1 prints large integers as 1e+15, which HINCRBY rejects.
_RESERVE = """
local function s(x) return string.format('%.0f', x) end
local job = KEYS[1]
local ask = {tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])}
local lim = {tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])}
local names = {'max_steps', 'max_llm_calls', 'max_tokens', 'max_cost_usd'}
local fields = {'steps', 'llm_calls', 'tokens', 'cost_n'}
for i = 1, 4 do
  if ask[i] > 0 then
    local used = tonumber(redis.call('HGET', job, fields[i]) or '0')
    if used + ask[i] > lim[i] then
      return {0, names[i], s(ask[i]), s(used), s(lim[i])}
    end
  end
end
local tenant_limit = tonumber(ARGV[11])
if #KEYS > 1 and tenant_limit >= 0 and ask[4] > 0 then
  local used = tonumber(redis.call('HGET', KEYS[2], 'cost_n') or '0')
  if used + ask[4] > tenant_limit then
    return {0, 'tenant_budget', s(ask[4]), s(used), s(tenant_limit)}
  end
end
for i = 1, 4 do
  if ask[i] > 0 then
    redis.call('HINCRBY', job, fields[i], s(ask[i]))
    redis.call('HINCRBY', job, 'held_' .. fields[i], s(ask[i]))
  end
end
local tenant_part = 0
if #KEYS > 1 then
  tenant_part = ask[4]
  if tenant_part > 0 then
    redis.call('HINCRBY', KEYS[2], 'cost_n', s(tenant_part))
    redis.call('HINCRBY', KEYS[2], 'held_n', s(tenant_part))
  end
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[12]))
end
redis.call('HSET', job, 'res:' .. ARGV[1],
  s(ask[1]) .. ' ' .. s(ask[2]) .. ' ' .. s(ask[3]) .. ' ' .. s(ask[4]) .. ' ' .. s(tenant_part))
redis.call('EXPIRE', job, tonumber(ARGV[2]))
return {1}
"""

# Settle (ARGV[2] == '1') or release (ARGV[2] == '0') reservation ARGV[1]; ARGV[3], ARGV[4]
# are the actual tokens and nano-dollars. Steps and LLM calls settle as reserved (the step
# happened). Actual usage is recorded even above the limit: it was already spent, and hiding it
# would let the next reservation overshoot. Returns 1, or 0 when already settled or released.
_SETTLE = """
local function s(x) return string.format('%.0f', x) end
local job = KEYS[1]
local raw = redis.call('HGET', job, 'res:' .. ARGV[1])
if not raw then return 0 end
local r = {}
for n in string.gmatch(raw, '%S+') do r[#r + 1] = tonumber(n) end
local fields = {'steps', 'llm_calls', 'tokens', 'cost_n'}
local final = {r[1], r[2], tonumber(ARGV[3]), tonumber(ARGV[4])}
if ARGV[2] == '0' then final = {0, 0, 0, 0} end
for i = 1, 4 do
  if final[i] ~= r[i] then redis.call('HINCRBY', job, fields[i], s(final[i] - r[i])) end
  if r[i] ~= 0 then redis.call('HINCRBY', job, 'held_' .. fields[i], s(-r[i])) end
end
if #KEYS > 1 then
  local delta = final[4] - r[5]
  if delta ~= 0 then redis.call('HINCRBY', KEYS[2], 'cost_n', s(delta)) end
  if r[5] ~= 0 then redis.call('HINCRBY', KEYS[2], 'held_n', s(-r[5])) end
end
redis.call('HDEL', job, 'res:' .. ARGV[1])
return 1
"""


def current_period(now: float | None = None) -> str:
    """The tenant budget period: the UTC day, matching `tenant_budget_usd` "per day"."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() if now is None else now))


def _to_nano(usd: float, *, up: bool) -> int:
    if usd < 0 or not math.isfinite(usd):
        raise ValueError(f"a cost must be a finite amount of at least 0 USD, got {usd!r}")
    # Reservations round up so a rounded ask can never let spend pass the limit.
    return math.ceil(usd * NANO - 1e-6) if up else round(usd * NANO)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class Reservation:
    """A held amount; JSON-friendly (`to_dict`/`from_dict`) so another task can settle it."""

    id: str
    job_id: str
    steps: int
    llm_calls: int
    tokens: int
    cost_usd: float
    tenant: str | None = None
    period: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reservation:
        return cls(**data)


class JobLedger:
    """Reserve, settle and release a job's spend against its `Budget` and its tenant's."""

    def __init__(
        self,
        redis: Any,
        job_id: str,
        budget: Budget,
        tenant: str | None = None,
        tenant_limit_usd: float | None = None,
        period: str | None = None,
        ttl_s: int | None = None,
    ) -> None:
        self.redis = redis
        self.job_id = job_id
        self.budget = budget
        self.tenant = tenant
        self.tenant_limit_usd = tenant_limit_usd
        self.period = period or current_period()
        # Budget keys live as long as the rest of the job's record.
        self.ttl_s = get_settings().job_ttl_s if ttl_s is None else ttl_s
        self._reserve = redis.register_script(_RESERVE)
        self._settle = redis.register_script(_SETTLE)

    @classmethod
    def from_settings(
        cls, redis: Any, job_id: str, budget: Budget, tenant: str | None = None
    ) -> JobLedger:
        """A ledger whose tenant limit comes from `CELERAGENT_TENANT_BUDGET_USD`."""
        limit = get_settings().tenant_budget_usd.get(tenant) if tenant else None
        return cls(redis, job_id, budget, tenant=tenant, tenant_limit_usd=limit)

    def _keys(self, tenant: str | None, period: str | None) -> list[str]:
        job_key = keys.job_budget(self.job_id)
        if tenant is None:
            return [job_key]
        return [job_key, keys.tenant_budget(tenant, period or self.period)]

    def reserve(
        self, *, steps: int = 0, llm_calls: int = 0, tokens: int = 0, cost_usd: float = 0.0
    ) -> Reservation:
        """Check and hold these amounts in one atomic step, or raise `BudgetExceeded`."""
        for label, value in (("steps", steps), ("llm_calls", llm_calls), ("tokens", tokens)):
            if value < 0:
                raise ValueError(f"cannot reserve a negative number of {label} ({value})")
        cost_n = _to_nano(cost_usd, up=True)
        b = self.budget
        tenant_limit_n = (
            -1 if self.tenant_limit_usd is None else _to_nano(self.tenant_limit_usd, up=False)
        )
        res_id = uuid.uuid4().hex
        reply = self._reserve(
            keys=self._keys(self.tenant, self.period),
            args=[
                res_id,
                self.ttl_s,
                steps,
                llm_calls,
                tokens,
                cost_n,
                b.max_steps,
                b.max_llm_calls,
                b.max_tokens,
                _to_nano(b.max_cost_usd, up=False),
                tenant_limit_n,
                TENANT_TTL_S,
            ],
        )
        if int(reply[0]) != 1:
            limit, asked, used, cap = _text(reply[1]), int(reply[2]), int(reply[3]), int(reply[4])
            raise BudgetExceeded(self._refusal(limit, asked, used, cap), limit=limit)
        return Reservation(
            res_id, self.job_id, steps, llm_calls, tokens, cost_usd, self.tenant, self.period
        )

    def _refusal(self, limit: str, asked: int, used: int, cap: int) -> str:
        left = max(cap - used, 0)
        money = limit in ("max_cost_usd", "tenant_budget")

        def fmt(n: int) -> str:
            return f"${n / NANO:.6f}" if money else str(n)

        if limit == "tenant_budget":
            who = f"tenant {self.tenant!r} would pass its budget for {self.period}"
            fix = "raise CELERAGENT_TENANT_BUDGET_USD for this tenant or wait for the next period"
        else:
            who = f"job {self.job_id} would pass its {limit} budget"
            fix = f"raise budget.{limit} in the job spec or ask for less"
        return (
            f"Budget exceeded: {who}: it asked for {fmt(asked)} but only {fmt(left)} of "
            f"{fmt(cap)} is left; {fix}."
        )

    def settle(self, reservation: Reservation, *, tokens: int, cost_usd: float) -> bool:
        """Replace the reservation with actual usage; False if it was already settled."""
        if tokens < 0:
            raise ValueError(f"actual tokens cannot be negative ({tokens})")
        return self._finish(reservation, "1", tokens, _to_nano(cost_usd, up=False))

    def release(self, reservation: Reservation) -> bool:
        """Give the whole reservation back (the step did not run); False if already done."""
        return self._finish(reservation, "0", 0, 0)

    def _finish(self, res: Reservation, mode: str, tokens: int, cost_n: int) -> bool:
        if res.job_id != self.job_id:
            raise ValueError(f"reservation {res.id} belongs to job {res.job_id}, not {self.job_id}")
        reply = self._settle(
            keys=self._keys(res.tenant, res.period), args=[res.id, mode, tokens, cost_n]
        )
        return int(reply) == 1

    def spent(self) -> dict[str, Any]:
        """Settled usage, what is still held by open reservations, and the tenant's period spend."""
        raw = {
            _text(k): _text(v) for k, v in self.redis.hgetall(keys.job_budget(self.job_id)).items()
        }
        n = {f: int(raw.get(f, 0)) for f in ("steps", "llm_calls", "tokens", "cost_n")}
        h = {f: int(raw.get(f"held_{f}", 0)) for f in ("steps", "llm_calls", "tokens", "cost_n")}
        out: dict[str, Any] = {
            "steps": n["steps"] - h["steps"],
            "llm_calls": n["llm_calls"] - h["llm_calls"],
            "tokens": n["tokens"] - h["tokens"],
            "cost_usd": (n["cost_n"] - h["cost_n"]) / NANO,
            "reserved_steps": h["steps"],
            "reserved_llm_calls": h["llm_calls"],
            "reserved_tokens": h["tokens"],
            "reserved_cost_usd": h["cost_n"] / NANO,
        }
        if self.tenant is not None:
            out["tenant_cost_usd"] = tenant_spent(self.redis, self.tenant, self.period)
        return out


def tenant_spent(redis: Any, tenant: str, period: str | None = None) -> float:
    """Dollars a tenant has committed (settled plus held) in a period."""
    value = redis.hget(keys.tenant_budget(tenant, period or current_period()), "cost_n")
    return int(_text(value)) / NANO if value is not None else 0.0
