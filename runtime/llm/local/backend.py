"""A transformers causal LM in this process (queue `gpu`), fed by continuous batching.

The model (model.py) is loaded lazily, so importing this module is free and only the gpu
worker pays. Requests from the worker's threads go through `ContinuousBatcher`
(continuous.py): they join the running decode batch at the next step and leave it as soon
as they finish, which is where a small model's throughput comes from.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from runtime.errors import RetryableError
from runtime.llm.base import Completion, LLMUsage, Messages, TokenCallback
from runtime.llm.local.continuous import ContinuousBatcher, GenRequest
from runtime.llm.local.model import LocalModel, shared_model

if TYPE_CHECKING:
    from runtime.llm.profiles import ModelProfile


class LocalBackend:
    def __init__(self, profile: ModelProfile | None = None, model: LocalModel | None = None):
        from runtime.config import get_settings

        settings = get_settings()
        params = profile.params if profile is not None else {}
        self.profile = profile
        self.model = model or shared_model(params.get("model_path"), params.get("device"))
        self.timeout_s = settings.llm_timeout_s
        self.batcher = ContinuousBatcher(
            self.model,
            window_ms=float(params.get("batch_window_ms", settings.batch_window_ms)),
            max_batch_size=int(params.get("max_batch_size", settings.max_batch_size)),
            name="local-decode",
        )

    def warm(self) -> None:
        """Load now (at worker start) rather than inside the first request."""
        self.model.load()

    def count_tokens(self, text: str) -> int:
        return self.model.count_tokens(text)

    def complete(
        self,
        messages: Messages,
        *,
        model: str,
        max_tokens: int,
        temperature: float = 0.0,
        json_schema: dict[str, Any] | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion:
        start = time.perf_counter()
        self.model.load()  # in the caller's thread, so the wait below is generation only
        request = GenRequest(list(messages), max_tokens, temperature, on_token, json_schema)
        future = self.batcher.submit(request)
        try:
            result = future.result(timeout=self.timeout_s)
        except TimeoutError:
            future.cancel()  # the decode loop drops its row at the next step
            raise RetryableError(
                f"the local model did not finish within {self.timeout_s:.0f}s "
                "(CELERAGENT_LLM_TIMEOUT_S); the gpu worker is overloaded, retry later."
            ) from None
        latency_ms = (time.perf_counter() - start) * 1000
        first = result.first_token_at
        return Completion(
            text=result.text,
            usage=LLMUsage(result.prompt_tokens, result.completion_tokens),
            model=model or (self.profile.wire_model if self.profile else "local"),
            latency_ms=latency_ms,
            ttft_ms=(first - start) * 1000 if first is not None else None,
        )
