from __future__ import annotations

import pytest

from runtime import keys
from runtime.agent import model_steps
from runtime.config import Settings
from runtime.errors import ConfigError, SpecError
from runtime.llm.base import LLMUsage
from runtime.llm.profiles import default_models_file, is_loopback_url, load_profiles
from runtime.llm.router import Router, complexity
from runtime.recovery import liveness
from runtime.recovery.liveness import Served
from runtime.schemas import JobSpec

KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")


@pytest.fixture
def no_keys(monkeypatch):
    for k in KEYS:
        monkeypatch.delenv(k, raising=False)


@pytest.fixture
def all_keys(monkeypatch):
    for k in KEYS:
        monkeypatch.setenv(k, "sk-test")


def test_shipped_profiles_have_public_prices():
    p = load_profiles(default_models_file())
    assert {
        "gpt-4o",
        "gpt-4o-mini",
        "claude-3.5-sonnet",
        "claude-3-haiku",
        "local",
        "fake-fast",
        "fake-slow",
    } <= set(p)
    assert (p["gpt-4o"].input_per_m, p["gpt-4o"].output_per_m) == (2.50, 10.00)
    assert (p["gpt-4o-mini"].input_per_m, p["gpt-4o-mini"].output_per_m) == (0.15, 0.60)
    assert (p["claude-3.5-sonnet"].input_per_m, p["claude-3.5-sonnet"].output_per_m) == (3, 15)
    assert (p["claude-3-haiku"].input_per_m, p["claude-3-haiku"].output_per_m) == (0.25, 1.25)
    assert p["local"].backend == "local" and p["local"].queue == "gpu"
    assert p["local"].cost_usd(LLMUsage(10_000, 10_000)) == 0
    assert p["fake-fast"].params["latency_ms"] == 20 and not p["fake-fast"].routable


def test_cost_usd():
    p = load_profiles(default_models_file())["gpt-4o"]
    assert p.cost_usd(LLMUsage(1_000_000, 100_000)) == pytest.approx(2.50 + 1.00)


def test_models_file_setting_and_errors(tmp_path, monkeypatch):
    custom = tmp_path / "m.toml"
    custom.write_text('[models.mine]\nbackend = "fake"\nlatency_ms = 1\n')
    monkeypatch.setenv("CELERAGENT_MODELS_FILE", str(custom))
    from runtime.config import reset_settings

    reset_settings()
    try:
        assert list(load_profiles()) == ["mine"]
    finally:
        monkeypatch.delenv("CELERAGENT_MODELS_FILE")
        reset_settings()
    custom.write_text('[models.bad]\nbackend = "telepathy"\n')
    with pytest.raises(ConfigError, match="backend must be one of"):
        load_profiles(custom)
    with pytest.raises(ConfigError, match="does not exist"):
        load_profiles(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hi", "simple"),
        ("What is the capital of France?", "simple"),
        ("今天几号？", "simple"),
        ("Summarise this paragraph about the weather in Paris for my weekly newsletter", "medium"),
        ("Compare PostgreSQL and MySQL replication and analyze the trade-offs for us", "complex"),
        ("请详细分析一下这两种缓存策略的优缺点，并给出设计建议", "complex"),
        ("word " * 100, "complex"),
    ],
)
def test_complexity(query, expected):
    assert complexity(query) == expected


def test_requested_unknown_lists_known_names(all_keys):
    with pytest.raises(SpecError, match="known models: .*gpt-4o-mini"):
        Router(load_profiles(default_models_file())).select("q", requested="gpt-9")


def test_requested_without_key_is_a_config_error(no_keys):
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        Router(load_profiles(default_models_file())).select("q", requested="gpt-4o")


def test_no_remote_keys_routes_to_local(no_keys):
    router = Router(load_profiles(default_models_file()))
    assert router.select("Compare and analyze two designs in detail").name == "local"
    assert router.select("hi").name == "local"


def test_routes_by_complexity_to_cheapest_good_enough(all_keys):
    router = Router(load_profiles(default_models_file()))
    assert router.select("What is 2+2?").name == "gpt-4o-mini"
    assert router.select("Compare Raft and Paxos and analyze the trade-offs").name == "gpt-4o"


def test_degradation_prefers_fast_tier(all_keys):
    router = Router(load_profiles(default_models_file()))
    hard = "Compare Raft and Paxos and analyze the trade-offs"
    chosen = router.select(hard, degradation_level=1)
    assert chosen.tier == "fast" and chosen.is_remote


def test_live_p95_and_latency_limit(all_keys):
    router = Router(load_profiles(default_models_file()))
    hard = "Compare Raft and Paxos and analyze the trade-offs"
    # gpt-4o measured slow: the limit pushes the choice to claude-3.5-sonnet.
    chosen = router.select(hard, latency_limit_s=4.0, live_p95_s={"gpt-4o": 9.0})
    assert chosen.name == "claude-3.5-sonnet"


def test_budget_limits_choice(all_keys):
    router = Router(load_profiles(default_models_file()))
    hard = "Compare Raft and Paxos and analyze the trade-offs"
    chosen = router.select(hard, remaining_budget_usd=0.001)
    assert chosen.typical_cost_usd() <= 0.001


def test_loopback_server_needs_no_key(no_keys, tmp_path):
    f = tmp_path / "m.toml"
    f.write_text(
        '[models.vllm]\nbackend = "openai"\nbase_url = "http://127.0.0.1:8000/v1"\n'
        'api_key_env = "NOPE_KEY"\nquality = 0.9\ninput_per_m = 0.01\n'
    )
    assert Router(load_profiles(f)).select("hello").name == "vllm"
    assert is_loopback_url("http://localhost:1/v1") and not is_loopback_url("https://a.b/v1")


def test_only_models_with_a_live_worker_are_routed(all_keys):
    """`live_queues`: a model whose queue no live worker consumes would wait until the job's
    deadline; the router never picks it, and naming it is an error that says what to start."""
    router = Router(load_profiles(default_models_file()))
    both = router.select("hello", live_queues={"llm", "gpu"})
    assert router.select("hello", live_queues={"gpu"}).queue == "gpu"
    assert router.select("hello", live_queues={"llm"}).queue == "llm"
    assert both.queue in {"llm", "gpu"}
    with pytest.raises(ConfigError, match="no live worker serves a usable model"):
        router.select("hello", live_queues=set())
    with pytest.raises(ConfigError, match=r"no live worker consumes it: .*-Q gpu"):
        router.select("hello", requested="local", live_queues={"llm"})
    assert router.select("hello", requested="local", live_queues={"gpu"}).name == "local"


def test_a_restarting_worker_is_routed_to_only_when_no_live_one_can_serve(all_keys):
    """model_steps.route with `Served`: a queue whose worker beat within the grace (it is
    restarting) serves a job no live worker can; a live queue is preferred when one can."""
    settings = Settings()
    restarting = Served(live=frozenset({"llm"}), recent=frozenset({"llm", "gpu"}))
    gone = Served(live=frozenset({"llm"}), recent=frozenset({"llm"}))
    local, auto = JobSpec(query="hello", model="local"), JobSpec(query="hello")
    assert model_steps.route(local, settings, 0, restarting).name == "local"
    with pytest.raises(ConfigError, match=r"no live worker consumes it: .*-Q gpu"):
        model_steps.route(local, settings, 0, gone)
    assert model_steps.route(auto, settings, 0, restarting).queue == "llm"
    only_restarting = Served(live=frozenset(), recent=frozenset({"gpu"}))
    assert model_steps.route(auto, settings, 0, only_restarting).queue == "gpu"


def test_served_reads_live_and_recent_queues_from_one_round_trip():
    queues = ("llm", "gpu")
    assert liveness.served_keys(queues)[1] == keys.queue_alive("gpu")
    served = liveness.served(queues, ["w1", None, "w1", "w2"])
    assert served == Served(live=frozenset({"llm"}), recent=frozenset({"llm", "gpu"}))
