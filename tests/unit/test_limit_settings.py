"""Retry policies and limit settings, without Redis."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from runtime.config import Settings
from runtime.errors import ConfigError, RetryableError, ToolError
from runtime.guard.limits import Limit, tool_gate
from runtime.llm.profiles import load_profiles
from runtime.tools.base import RetryPolicy, Tool


class Args(BaseModel):
    pass


def make_tool(**fields) -> Tool:
    return Tool(name="t", description="", args_model=Args, fn=lambda a: None, **fields)


def test_the_default_policy_retries_retryable_errors_twice() -> None:
    policy = RetryPolicy()
    assert policy.retries(RetryableError("x"), 1) and policy.retries(RetryableError("x"), 2)
    assert not policy.retries(RetryableError("x"), 3)  # three runs in all
    assert not policy.retries(ToolError("x"), 1)
    assert not policy.retries(TimeoutError("x"), 1)


def test_retry_on_matches_base_classes_by_name() -> None:
    policy = RetryPolicy(retry_on=("OSError",))
    assert policy.retries(ConnectionResetError("x"), 1)  # a subclass of OSError
    assert not policy.retries(RetryableError("x"), 1)


def test_backoff_doubles_within_its_cap_with_jitter() -> None:
    policy = RetryPolicy(backoff_s=1.0, max_backoff_s=3.0)
    for attempt, full in ((1, 1.0), (2, 2.0), (3, 3.0), (6, 3.0)):
        delays = [policy.delay_s(attempt) for _ in range(50)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len(set(delays)) > 1


def test_settings_override_a_tools_policy_and_limits() -> None:
    settings = Settings(
        tool_retry={"t": {"attempts": 5, "retry_on": ["TimeoutError"]}},
        tool_limits={"t": {"max_concurrency": 2}},
    )
    policy = make_tool().retry.updated(settings.tool_retry["t"])
    assert policy.attempts == 5 and policy.retry_on == ("TimeoutError",)
    assert policy.backoff_s == RetryPolicy().backoff_s
    tool = make_tool(max_calls_per_s=4.0)
    limit = Limit.of(tool, settings.tool_limits["t"])
    assert limit == Limit(max_concurrency=2, max_calls_per_s=4.0, rate_burst=1)


def test_an_uncapped_tool_has_no_gate_and_costs_no_round_trip() -> None:
    assert tool_gate(None, make_tool(), Settings()) is None  # type: ignore[arg-type]


def test_profiles_read_limit_fields_and_refuse_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "models.toml"
    path.write_text(
        '[models.a]\nbackend = "fake"\nmax_concurrency = 5\nmax_calls_per_s = 10\n'
        'limit_scope = "acct"\n'
    )
    profile = load_profiles(path)["a"]
    assert (profile.max_concurrency, profile.max_calls_per_s) == (5, 10.0)
    assert profile.limit_scope == "acct" and "max_concurrency" not in profile.params
    path.write_text('[models.a]\nbackend = "fake"\nmax_concurrency = -1\n')
    with pytest.raises(ConfigError, match="max_concurrency"):
        load_profiles(path)
