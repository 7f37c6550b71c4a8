"""A model call as the runtime makes it: the exact prompt cache first, then an atomic budget
reservation (the job's and its tenant's, in one Lua call), a slot and a token of the model's
shared limits (runtime/guard/limits.py; waiting, if need be, until the call's timeout or the
job's end), the call itself, and settlement with the real usage. Wraps any backend, so the
planner and the answer step get all of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from runtime.cache.prompt_cache import PromptCache
from runtime.guard import limits
from runtime.guard.budget import JobLedger
from runtime.llm.base import Completion, LLMBackend, LLMUsage, TokenCallback
from runtime.llm.profiles import ModelProfile
from runtime.llm.tokens import counter_for

MIN_MAX_TOKENS = 16


class GuardedBackend:
    def __init__(
        self,
        backend: LLMBackend,
        profile: ModelProfile,
        *,
        ledger: JobLedger | None = None,
        prompt_cache: PromptCache | None = None,
        max_tokens_factor: float = 1.0,
        stop_check: Callable[[], None] | None = None,
        gate: limits.Gate | None = None,
        wait_s: float = 0.0,
    ) -> None:
        self.backend = backend
        # Called between tokens; raises to stop the call (runtime/job/fence.py Stopped).
        self.stop_check = stop_check
        self.profile = profile
        self.ledger = ledger
        self.prompt_cache = prompt_cache
        self.max_tokens_factor = max_tokens_factor
        # The model's shared limits, and how long a call may wait for them (stop_check ends
        # the wait sooner when the job ends, e.g. at its deadline).
        self.gate = gate
        self.wait_s = wait_s

    def count_tokens(self, text: str) -> int:
        counter = getattr(self.backend, "count_tokens", None)
        if counter is not None:
            return int(counter(text))
        return counter_for(self.profile.encoding or self.profile.wire_model)(text)

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        model: str,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion:
        # Under degradation level 1 answers are shorter: fewer tokens, less latency.
        max_tokens = max(MIN_MAX_TOKENS, int(max_tokens * self.max_tokens_factor))
        params = {"temperature": temperature, "max_tokens": max_tokens, "json_schema": json_schema}
        if self.prompt_cache is not None:
            hit = self.prompt_cache.get(model, messages, params)
            if hit is not None:
                completion = dataclasses.replace(
                    Completion.from_dict(hit), cached=True, latency_ms=0.0, ttft_ms=0.0
                )
                if on_token is not None:
                    on_token(completion.text)
                return completion
        if self.stop_check is not None:
            on_token = _checked(on_token, self.stop_check)
            self.stop_check()  # before paying for the call at all
        reservation = None
        if self.ledger is not None:
            prompt = sum(self.count_tokens(m.get("content", "")) for m in messages)
            worst = LLMUsage(prompt, max_tokens)
            reservation = self.ledger.reserve(
                llm_calls=1, tokens=prompt + max_tokens, cost_usd=self.profile.cost_usd(worst)
            )
        try:
            gate = self.gate
            slot = None if gate is None else gate.acquire(self.wait_s, check=self.stop_check)
            try:
                with limits.calling(gate):
                    completion = self.backend.complete(
                        messages,
                        model=model,
                        max_tokens=max_tokens,
                        temperature=temperature,
                        json_schema=json_schema,
                        on_token=on_token,
                    )
            finally:
                if slot is not None and gate is not None:
                    gate.release(slot)
        except BaseException:
            if reservation is not None and self.ledger is not None:
                self.ledger.release(reservation)
            raise
        if reservation is not None and self.ledger is not None:
            self.ledger.settle(
                reservation,
                tokens=completion.usage.total_tokens,
                cost_usd=self.profile.cost_usd(completion.usage),
            )
        if self.prompt_cache is not None:
            self.prompt_cache.set(model, messages, params, completion.to_dict())
        return completion


def _checked(on_token: TokenCallback | None, stop_check: Callable[[], None]) -> TokenCallback:
    """`on_token` that first asks whether the call should go on. Passed even when the caller
    streams nothing: every backend calls it between tokens, so it is where a call stops."""

    def callback(text: str) -> None:
        stop_check()
        if on_token is not None:
            on_token(text)

    return callback
