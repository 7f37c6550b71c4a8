"""API keys of the gateway: created, listed and revoked by `celeragent keys`, checked (with
the key's rate limit) on every request.

A key reads `ca_<id>_<secret>`. Redis keeps only the SHA-256 of the secret (`keys.api_key`),
so a key is shown once, when it is created, and a copy of Redis gives nobody a usable key.
The secret is 32 random bytes: a fast hash is enough, nothing can be guessed from it.

The check and the rate limit are one Lua script (one round trip a request): the key's record,
its revocation, the hash, and a per-minute counter on Redis's own clock, so every gateway
process counts against the same limit.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any, cast

import redis
import redis.asyncio as aioredis

from runtime import keys
from runtime.errors import AuthError, RateLimited, SpecError

PREFIX = "ca_"
WINDOW_S = 60

NO_KEY = (
    "this request carries no API key; send the header `Authorization: Bearer KEY` with a key "
    "from `celeragent keys create --tenant T`."
)
BAD_KEY = (
    "the API key is not valid (unknown, or mistyped); create one with "
    "`celeragent keys create --tenant T`."
)
REVOKED = "the API key {id} was revoked; ask for a new one (`celeragent keys create`)."
TOO_MANY = "the API key {id} sent more than {rate} requests this minute; retry after {wait} s."


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the key's id and the tenant it belongs to."""

    key_id: str
    tenant: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(presented: str) -> tuple[str, str] | None:
    """(key id, secret) of a key in the `ca_<id>_<secret>` shape, else None."""
    if not presented.startswith(PREFIX):
        return None
    key_id, sep, secret = presented[len(PREFIX) :].partition("_")
    if not sep or not key_id.isalnum() or len(key_id) > 32 or not secret:
        return None
    return key_id, secret


def create_key(r: redis.Redis, tenant: str, rate_per_min: int) -> tuple[str, str]:
    """Store a new key for `tenant`; return (key id, the whole key). Only the hash stays."""
    if not tenant or len(tenant) > 128:
        raise SpecError("a tenant name has 1 to 128 characters.")
    if rate_per_min < 1:
        raise SpecError("--rate-per-min must be at least 1.")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    pipe = r.pipeline(transaction=True)
    pipe.hset(
        keys.api_key(key_id),
        mapping={
            "tenant": tenant,
            "secret_sha256": _digest(secret),
            "rate_per_min": str(rate_per_min),
            "created_at": repr(time.time()),
        },
    )
    pipe.sadd(keys.API_KEYS, key_id)
    pipe.execute()
    return key_id, f"{PREFIX}{key_id}_{secret}"


def list_keys(r: redis.Redis) -> list[dict[str, Any]]:
    """Every key's id, tenant, rate and dates (never its hash), oldest first."""
    found = []
    for key_id in sorted(cast(set[str], r.smembers(keys.API_KEYS))):
        record = cast(dict[str, str], r.hgetall(keys.api_key(key_id)))
        if not record:
            continue
        found.append(
            {
                "id": key_id,
                "tenant": record["tenant"],
                "rate_per_min": int(record["rate_per_min"]),
                "created_at": float(record["created_at"]),
                "revoked_at": float(record["revoked_at"]) if "revoked_at" in record else None,
            }
        )
    return sorted(found, key=lambda k: k["created_at"])


def revoke_key(r: redis.Redis, key_id: str) -> bool:
    """Refuse the key from now on (every gateway process, next request). False: no such key."""
    if not r.exists(keys.api_key(key_id)):
        return False
    r.hsetnx(keys.api_key(key_id), "revoked_at", repr(time.time()))
    return True


# KEYS: the key's record, its counter for this minute. ARGV: the presented secret's hash.
# Returns {status, detail}: 0 unknown, 1 revoked, 2 wrong secret, 3 over the rate (detail:
# seconds left in the minute), 4 accepted (detail: the tenant). The counter is only touched
# for a real, valid key, so guessed ids leave nothing behind.
_CHECK = """
local rec = redis.call('HMGET', KEYS[1], 'tenant', 'secret_sha256', 'rate_per_min', 'revoked_at')
if not rec[1] then return {0, ''} end
if rec[4] then return {1, ''} end
if rec[2] ~= ARGV[1] then return {2, ''} end
local now = tonumber(redis.call('TIME')[1])
local window = math.floor(now / 60)
local counter = KEYS[2] .. ':' .. window
local count = redis.call('INCR', counter)
if count == 1 then redis.call('EXPIRE', counter, 120) end
if count > tonumber(rec[3]) then return {3, tostring(60 - (now % 60))} end
return {4, rec[1]}
"""


async def authenticate(r: aioredis.Redis, authorization: str | None) -> Caller:
    """The caller of a request from its Authorization header; raises AuthError or
    RateLimited (with the seconds to wait) with the sentence the HTTP error repeats."""
    scheme, _, presented = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise AuthError(NO_KEY)
    parsed = parse(presented.strip())
    if parsed is None:
        raise AuthError(BAD_KEY)
    key_id, secret = parsed
    # EVALSHA, falling back to EVAL once per Redis: the script's text is not sent each time.
    check = r.register_script(_CHECK)
    reply = await check(keys=[keys.api_key(key_id), keys.api_rate(key_id)], args=[_digest(secret)])
    status, detail = int(reply[0]), str(reply[1])
    if status == 4:
        return Caller(key_id=key_id, tenant=detail)
    if status == 1:
        raise AuthError(REVOKED.format(id=key_id))
    if status == 3:
        rate = await r.hget(keys.api_key(key_id), "rate_per_min")
        wait = max(1, int(detail))
        raise RateLimited(TOO_MANY.format(id=key_id, rate=rate, wait=wait), wait)
    raise AuthError(BAD_KEY)
