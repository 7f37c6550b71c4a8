"""Property tests for `runtime.job.validation.validate_spec`: whatever a caller sends (a dict, JSON
text, garbage), it either comes back as a `JobSpec` that can be stored, or is refused with a
`SpecError`/`PlanError` whose message is a sentence. Never any other exception: a client
must not see a TypeError or a RecursionError from the runtime's input checks.

A valid random acyclic plan of known tools always validates, and its layers respect every
dependency; a plan with a cycle, or deeper than the limit, is always refused.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.config import get_settings, reset_settings
from runtime.errors import CeleragentError, PlanError, SpecError
from runtime.job import dag
from runtime.job.validation import validate_spec
from runtime.schemas import JobSpec

PROPERTY = settings(
    max_examples=200,
    deadline=None,  # two shared cores: a slow example is not a failure
    database=None,  # no .hypothesis/ folder in the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Huge inputs cost milliseconds each: fewer examples say as much.
FEW = settings(PROPERTY, max_examples=30)


@pytest.fixture(scope="module", autouse=True)
def _default_settings() -> None:
    reset_settings()


def limits() -> Any:
    return get_settings()


# --- building blocks ------------------------------------------------------------------------

ODD_TEXT = [
    "\u202e",  # right-to-left override
    "\u202bمرحبا\u202c",  # right-to-left embedding with Arabic
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",  # byte-order mark
    "\x00",  # NUL
    "a\x00b",
    "\u2028\u2029",  # line and paragraph separators
    "e\u0301\u0301\u0301",  # stacked combining marks
    "\U0001f600\U0001f4a9",  # astral plane
    "中文查询",
    "\t\r\n",
    " ",
    "",
    "$ref",
    "__proto__",
    "' OR 1=1 --",
]
odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(ODD_TEXT),
    st.lists(st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=4)), max_size=6).map("".join),
)
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(odd_text, inner, max_size=4)
    ),
    max_leaves=12,
)

# JSON without a `{"$ref": ...}` anywhere: plain data for valid plans.
# No `$ref` at all: `{"$ref": None}` is a (malformed) reference too, so test for any item,
# not for a non-None first item.
plain_json = json_value.filter(lambda v: not any(True for _ in dag.iter_refs(v)))

KNOWN_TOOLS = ["echo", "sleep", "calculator", "current_date", "fail", "http_get"]
tool_names = st.one_of(
    st.sampled_from([*KNOWN_TOOLS, "no_such_tool", "ECHO", "echo ", ""]), odd_text
)
call_ids = st.one_of(
    st.sampled_from(["a", "b", "c", "_x", "s-1", "1bad", "a b", "a.b", "\u202ea", "", "x" * 65]),
    odd_text,
)
ref_values = st.one_of(
    st.builds(lambda t, p: {"$ref": f"{t}.{p}"}, call_ids, odd_text),
    st.builds(lambda v: {"$ref": v}, json_value),
)
arguments = st.one_of(
    st.dictionaries(
        st.sampled_from(["value", "ms", "expression", "timezone", "url", "message", "retryable"])
        | odd_text,
        st.one_of(json_value, ref_values),
        max_size=4,
    ),
    json_value,
)
calls = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(call_ids, json_value),
        "name": st.one_of(tool_names, json_value),
        "arguments": arguments,
        "depends_on": st.one_of(st.lists(call_ids, max_size=3), json_value),
        "extra": json_value,
    },
)
budgets = st.one_of(
    st.dictionaries(
        st.sampled_from(["max_steps", "max_llm_calls", "max_tokens", "max_cost_usd", "deadline_s"])
        | odd_text,
        st.one_of(st.integers(-5, 10**6), st.floats(allow_nan=False), json_value),
        max_size=5,
    ),
    json_value,
)


@st.composite
def huge_query(draw: st.DrawFn) -> str:
    over = draw(st.integers(min_value=1, max_value=3_000))
    unit = draw(st.sampled_from(["x", "\u200b", "中", "\U0001f600", "\x00", "\u202e"]))
    return unit * (limits().max_query_chars + over)


specs = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(odd_text, huge_query(), json_value),
        "plan": st.one_of(
            st.fixed_dictionaries({"calls": st.lists(calls, max_size=5)}),
            json_value,
        ),
        "tools": st.one_of(st.lists(tool_names, max_size=3), json_value),
        "budget": budgets,
        "priority": st.one_of(st.integers(-3, 12), json_value),
        "tenant": st.one_of(odd_text, json_value),
        "idempotency_key": st.one_of(odd_text, json_value),
        "model": st.one_of(
            st.sampled_from(["auto", "fake-fast", "fake-slow", "local", "gpt-4o", "nope"]),
            odd_text,
            json_value,
        ),
        "synthesize": json_value,
        "metadata": json_value,
        "unexpected": json_value,
    },
)

# Escapes a JSON text may carry that a Python dict cannot: lone surrogates, and pairs.
ESCAPES = ["\\ud800", "\\udfff", "\\ud83d", "\\ude00", "\\ud83d\\ude00", "\\u0000", "\\u202e"]
MARK = "\u2063MARK\u2063"  # invisible separator: never produced by the other strategies


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    """A spec as JSON text, possibly with raw escapes spliced into its strings, possibly
    truncated or wrapped in junk."""
    spec = draw(specs)
    if draw(st.booleans()):
        spec["query"] = MARK + str(spec.get("query", "")) + MARK
    text = json.dumps(spec, ensure_ascii=draw(st.booleans()))
    marker = json.dumps(MARK)[1:-1]  # however json.dumps wrote it
    text = text.replace(marker, draw(st.sampled_from(ESCAPES)))
    mangle = draw(st.sampled_from(["none", "truncate", "prefix", "suffix"]))
    if mangle == "truncate" and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif mangle == "prefix":
        text = draw(odd_text) + text
    elif mangle == "suffix":
        text = text + draw(odd_text)
    return text


any_input = st.one_of(
    specs,
    json_texts(),
    st.text(max_size=200),  # random text, mostly not JSON
    json_value.map(json.dumps),  # JSON text of the wrong shape
    json_value,  # not a dict at all
    st.binary(max_size=50),
)


def check(spec: Any) -> JobSpec | None:
    """The property: a stored-able JobSpec, or a CeleragentError with a sentence."""
    try:
        parsed = validate_spec(spec, limits())
    except (SpecError, PlanError) as exc:
        assert isinstance(exc, CeleragentError)
        message = str(exc)
        assert len(message) > 20, f"not a sentence: {message!r}"
        return None
    assert isinstance(parsed, JobSpec)
    # What was accepted can be stored: Client.submit writes exactly this JSON to Redis.
    stored = parsed.model_dump_json()
    assert JobSpec.model_validate_json(stored) == JobSpec.model_validate(parsed.model_dump())
    return parsed


# --- properties over arbitrary input --------------------------------------------------------


@PROPERTY
@given(any_input)
def test_any_input_is_a_jobspec_or_a_sentence(spec: Any) -> None:
    check(spec)


@PROPERTY
@given(specs)
def test_the_same_spec_as_dict_and_as_json_text_gets_the_same_verdict(spec: dict) -> None:
    as_dict = check(spec)
    as_text = check(json.dumps(spec))
    assert (as_dict is None) == (as_text is None)
    if as_dict is not None:
        assert as_dict == as_text


@FEW
@given(huge_query(), st.sampled_from([None, "echo"]))
def test_a_query_over_the_limit_is_refused_naming_the_limit(query: str, tool: str | None) -> None:
    spec: dict[str, Any] = {"query": query}
    if tool:
        spec["plan"] = {"calls": [{"id": "a", "name": tool, "arguments": {"value": 1}}]}
    with pytest.raises(SpecError) as info:
        validate_spec(spec, limits())
    assert "CELERAGENT_MAX_QUERY_CHARS" in str(info.value)


@FEW
@given(st.integers(min_value=1, max_value=20_000), st.sampled_from(["y", "\u200b", "中"]))
def test_huge_arguments_are_refused_over_the_byte_limit(extra: int, unit: str) -> None:
    cap = limits().max_argument_bytes
    value = unit * (cap // len(unit.encode()) + extra)
    spec = {"plan": {"calls": [{"id": "a", "name": "echo", "arguments": {"value": value}}]}}
    with pytest.raises(PlanError) as info:
        validate_spec(spec, limits())
    assert f"the limit is {cap}" in str(info.value)


# --- plans: chains, cycles, valid DAGs ------------------------------------------------------


def chain(n: int) -> dict[str, Any]:
    return {
        "calls": [
            {
                "id": f"c{i}",
                "name": "echo",
                "arguments": {"value": {"$ref": f"c{i - 1}.value"}} if i else {"value": 0},
                "depends_on": [f"c{i - 1}"] if i else [],
            }
            for i in range(n)
        ]
    }


@PROPERTY
@given(st.integers(min_value=1, max_value=120), st.randoms(use_true_random=False))
def test_a_chain_validates_up_to_the_depth_limit_and_is_refused_beyond(n: int, rnd: Any) -> None:
    plan = chain(n)
    rnd.shuffle(plan["calls"])  # order in the list never matters
    max_depth = limits().max_plan_depth
    if n <= max_depth:
        parsed = check({"plan": plan, "budget": {"max_steps": n}})
        assert parsed is not None and parsed.plan is not None
        assert [[c.id for c in layer] for layer in dag.layers(parsed.plan)] == [
            [f"c{i}"] for i in range(n)
        ]
    else:
        with pytest.raises(PlanError) as info:
            validate_spec({"plan": plan}, limits())
        assert f"{n} layers deep" in str(info.value)


@st.composite
def acyclic_plans(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A random DAG of known tools with valid arguments; `$ref`s only to ancestors."""
    n = draw(st.integers(min_value=1, max_value=25))
    ids = [f"n{i}" for i in range(n)]
    out: list[dict[str, Any]] = []
    for i, cid in enumerate(ids):
        deps = draw(st.lists(st.sampled_from(ids[:i]), unique=True, max_size=3)) if i else []
        tool = draw(st.sampled_from(["echo", "sleep", "calculator", "current_date"]))
        if tool == "echo":
            value: Any = draw(plain_json)
            if deps and draw(st.booleans()):
                value = {"got": {"$ref": f"{draw(st.sampled_from(deps))}.value"}, "v": value}
            args: dict[str, Any] = {"value": value}
        elif tool == "sleep":
            args = {"ms": draw(st.integers(0, 600_000))}
        elif tool == "calculator":
            args = {"expression": draw(st.sampled_from(["1 + 1", "pi * 3 ** 2", "sqrt(2)"]))}
        else:
            zone = draw(st.sampled_from([None, "UTC", "Asia/Tokyo", "America/New_York"]))
            args = {} if zone is None else {"timezone": zone}
        out.append({"id": cid, "name": tool, "arguments": args, "depends_on": deps})
    return draw(st.permutations(out))


@PROPERTY
@given(acyclic_plans(), st.sampled_from([None, "", "what now?"]))
def test_a_valid_random_acyclic_plan_always_validates(calls: list, query: str | None) -> None:
    # A budget that covers any plan: this property is about the DAG (the budget's own
    # refusals are tested in test_validation.py).
    budget = {"max_steps": len(calls) + 1, "deadline_s": 1e7}
    spec: dict[str, Any] = {"plan": {"calls": calls}, "budget": budget}
    if query is not None:
        spec["query"] = query
    parsed = check(spec)
    assert parsed is not None and parsed.plan is not None
    layer_of = {c.id: i for i, layer in enumerate(dag.layers(parsed.plan)) for c in layer}
    assert set(layer_of) == {c["id"] for c in calls}
    for c in calls:
        for dep in c["depends_on"]:
            assert layer_of[dep] < layer_of[c["id"]]


@st.composite
def cyclic_plans(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A valid DAG plus a cycle of k >= 1 calls (k = 1: a call depending on itself)."""
    calls = [dict(c, depends_on=list(c["depends_on"])) for c in draw(acyclic_plans())]
    k = draw(st.integers(min_value=1, max_value=min(6, len(calls))))
    ring = draw(st.permutations(calls))[:k]
    for i, c in enumerate(ring):
        prev = ring[i - 1]["id"]  # ring[-1] closes the loop; k = 1 is a self-dependency
        if prev not in c["depends_on"]:
            c["depends_on"].append(prev)
    return calls


@PROPERTY
@given(cyclic_plans())
def test_a_plan_with_a_cycle_is_always_refused(calls: list) -> None:
    with pytest.raises(PlanError) as info:
        validate_spec({"plan": {"calls": calls}}, limits())
    message = str(info.value)
    assert "cycle" in message and len(message) > 20


# --- inputs only the Python API can send (no JSON text carries them) ------------------------
# validate_spec also takes dicts from Python callers; these probe what such dicts can hold.


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_deeply_nested_arguments_are_refused_with_a_sentence() -> None:
    check({"plan": {"calls": [{"id": "a", "name": "echo", "arguments": {"value": nested(5000)}}]}})


def test_a_lone_surrogate_in_arguments_is_refused_with_a_sentence() -> None:
    check({"plan": {"calls": [{"id": "a", "name": "echo", "arguments": {"value": "\ud800"}}]}})


@pytest.mark.parametrize(
    "value", [{1, 2}, object(), {(1, 2): 3}], ids=["set", "object", "tuple-key"]
)
def test_non_json_argument_values_are_refused_with_a_sentence(value: Any) -> None:
    check({"plan": {"calls": [{"id": "a", "name": "echo", "arguments": {"value": value}}]}})


@pytest.mark.parametrize(
    "spec",
    [{"query": "\udfff hi"}, {"query": "hi", "metadata": {"a": object()}}],
    ids=["surrogate-query", "object-metadata"],
)
def test_an_accepted_spec_can_always_be_stored(spec: dict) -> None:
    check(spec)
