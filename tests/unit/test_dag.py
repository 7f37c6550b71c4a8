"""runtime/job/dag.py: validation, Kahn layering, `$ref` checks and resolution. Pure; no Redis."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.errors import PlanError, SpecError, ToolArgumentError
from runtime.job import dag
from runtime.schemas import Plan


def call(
    cid: str, name: str = "echo", args: dict[str, Any] | None = None, deps: tuple = ()
) -> dict[str, Any]:
    return {
        "id": cid,
        "name": name,
        "arguments": {"value": cid} if args is None else args,
        "depends_on": list(deps),
    }


def plan(*calls: dict[str, Any]) -> Plan:
    return Plan.model_validate({"calls": list(calls)})


def ids(layers: list[list[Any]]) -> list[list[str]]:
    return [[c.id for c in layer] for layer in layers]


# --- layering ------------------------------------------------------------------------------


def test_independent_calls_form_one_layer_in_plan_order() -> None:
    p = plan(call("c"), call("a"), call("b"))
    assert ids(dag.layers(p)) == [["c", "a", "b"]]


def test_diamond_is_three_layers_with_plan_order_inside_a_layer() -> None:
    p = plan(
        call("join", deps=("right", "left")),
        call("right", deps=("root",)),
        call("left", deps=("root",)),
        call("root"),
    )
    assert ids(dag.validate_plan(p)) == [["root"], ["right", "left"], ["join"]]


def test_chain_is_one_call_per_layer() -> None:
    p = plan(call("a"), call("b", deps=("a",)), call("c", deps=("b",)))
    assert ids(dag.layers(p)) == [["a"], ["b"], ["c"]]


def test_ancestors_are_transitive() -> None:
    p = plan(call("a"), call("b", deps=("a",)), call("c", deps=("b",)), call("d"))
    assert dag.ancestors(p) == {"a": set(), "b": {"a"}, "c": {"a", "b"}, "d": set()}


def test_leaves_are_calls_nothing_depends_on_in_plan_order() -> None:
    p = plan(call("z"), call("a"), call("b", deps=("a",)), call("c", deps=("a",)))
    assert dag.leaves(p) == ["z", "b", "c"]


# --- cycles --------------------------------------------------------------------------------


def test_two_cycle_is_refused_naming_both_calls() -> None:
    p = plan(call("a", deps=("b",)), call("b", deps=("a",)))
    with pytest.raises(PlanError, match="cycle") as exc:
        dag.validate_plan(p)
    assert re.search(r"\ba\b", str(exc.value)) and re.search(r"\bb\b", str(exc.value))


def test_self_dependency_is_refused_as_a_cycle() -> None:
    with pytest.raises(PlanError, match=r"call 'a' depends on itself \(a cycle\)") as exc:
        dag.validate_plan(plan(call("a", deps=("a",))))
    assert exc.value.call_id == "a"


def test_longer_cycle_names_every_member_and_not_the_finished_root() -> None:
    p = plan(
        call("root"),
        call("first", deps=("third", "root")),
        call("second", deps=("first",)),
        call("third", deps=("second",)),
    )
    with pytest.raises(PlanError, match="dependency cycle") as exc:
        dag.validate_plan(p)
    message = str(exc.value)
    for member in ("first", "second", "third"):
        assert member in message
    assert "root" not in message


def test_layers_alone_refuse_a_cycle() -> None:
    with pytest.raises(PlanError, match="cycle"):
        dag.layers(plan(call("a", deps=("b",)), call("b", deps=("a",))))


# --- structure -----------------------------------------------------------------------------


def test_unknown_tool_is_refused_naming_the_tool_and_the_known_ones() -> None:
    with pytest.raises(PlanError, match=r"call 'x': unknown tool 'no_such_tool'") as exc:
        dag.validate_plan(plan(call("x", name="no_such_tool")))
    assert "calculator" in str(exc.value) and "echo" in str(exc.value)
    assert exc.value.call_id == "x"


def test_duplicate_id_is_refused() -> None:
    with pytest.raises(PlanError, match=r"call id 'a' appears twice"):
        dag.validate_plan(plan(call("a"), call("a")))


def test_dangling_dependency_is_refused() -> None:
    with pytest.raises(PlanError, match=r"call 'b' depends on 'ghost', which is not a call"):
        dag.validate_plan(plan(call("a"), call("b", deps=("ghost",))))


def test_allowlist_refuses_other_tools() -> None:
    p = plan(call("c", name="calculator", args={"expression": "1+1"}))
    with pytest.raises(PlanError, match=r"tool 'calculator' is not in this job's allowlist"):
        dag.validate_plan(p, allowlist=["echo"])
    assert ids(dag.validate_plan(p, allowlist=["calculator"])) == [["c"]]


def test_plan_errors_are_spec_errors() -> None:
    # The client refuses every SpecError before queueing; PlanError must be one.
    assert issubclass(PlanError, SpecError) and issubclass(ToolArgumentError, PlanError)


# --- $ref checks ---------------------------------------------------------------------------


def test_ref_to_a_non_ancestor_is_refused_with_the_fix() -> None:
    p = plan(
        call("a"),
        call("other"),
        call("b", args={"value": {"$ref": "a.value"}}, deps=("other",)),
    )
    with pytest.raises(PlanError, match="not one of its ancestors") as exc:
        dag.validate_plan(p)
    assert "add 'a' to depends_on" in str(exc.value)
    assert exc.value.call_id == "b"


def test_ref_to_a_transitive_ancestor_is_allowed() -> None:
    p = plan(
        call("a"),
        call("mid", deps=("a",)),
        call("b", args={"value": {"$ref": "a.value"}}, deps=("mid",)),
    )
    assert ids(dag.validate_plan(p)) == [["a"], ["mid"], ["b"]]


def test_ref_to_something_that_is_not_a_call_is_refused() -> None:
    p = plan(call("a"), call("b", args={"value": {"$ref": "zz.value"}}, deps=("a",)))
    with pytest.raises(PlanError, match=r"names 'zz', which is not a call"):
        dag.validate_plan(p)


def test_ref_nested_in_lists_and_dicts_is_checked() -> None:
    p = plan(
        call("a"),
        call("b", args={"value": {"deep": [1, {"$ref": "a.value"}]}}),  # no depends_on
    )
    with pytest.raises(PlanError, match="not one of its ancestors"):
        dag.validate_plan(p)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("a..value", "empty path segment"),
        ("a.value.", "empty path segment"),
        (".value", "empty path segment"),
        ("", "must be a string"),
        ("   ", "must be a string"),
        (5, "must be a string"),
        (None, "must be a string"),
    ],
)
def test_bad_ref_syntax_is_refused(ref: Any, message: str) -> None:
    p = plan(call("a"), call("b", args={"value": {"$ref": ref}}, deps=("a",)))
    with pytest.raises(PlanError, match=message) as exc:
        dag.validate_plan(p)
    assert exc.value.call_id == "b"


@pytest.mark.parametrize("ref", ["", 0])
def test_falsy_bad_ref_on_a_typed_field_is_reported_as_a_bad_ref(ref: Any) -> None:
    p = plan(call("a"), call("b", "calculator", {"expression": {"$ref": ref}}, ("a",)))
    with pytest.raises(PlanError, match=r"\$ref must be a string"):
        dag.validate_plan(p)


def test_split_ref() -> None:
    assert dag.split_ref("search_1.items.0.url") == ("search_1", ["items", "0", "url"])
    assert dag.split_ref("a") == ("a", [])


def test_is_ref_needs_exactly_one_key() -> None:
    assert dag.is_ref({"$ref": "a"})
    assert not dag.is_ref({"$ref": "a", "other": 1})
    assert not dag.is_ref("$ref")
    assert list(dag.iter_refs({"x": [{"$ref": "a.b"}, {"y": {"$ref": "c"}}], "z": 1})) == [
        "a.b",
        "c",
    ]


# --- $ref resolution -----------------------------------------------------------------------

OUTPUTS = {
    "search": {"items": [{"url": "u0"}, {"url": "u1"}, {"url": "u2"}], "count": 3},
    "calc": {"result": 42},
    "plain": [10, 20],
}


def test_resolve_through_dicts_lists_and_negative_indices() -> None:
    args = {
        "first": {"$ref": "search.items.0.url"},
        "last": {"$ref": "search.items.-1.url"},
        "nested": [{"$ref": "calc.result"}, {"k": {"$ref": "plain.1"}}],
        "whole": {"$ref": "calc"},
        "literal": "keep",
    }
    assert dag.resolve_refs(args, OUTPUTS, "c") == {
        "first": "u0",
        "last": "u2",
        "nested": [42, {"k": 20}],
        "whole": {"result": 42},
        "literal": "keep",
    }


def test_resolve_does_not_mutate_its_input() -> None:
    args = {"x": {"$ref": "calc.result"}}
    dag.resolve_refs(args, OUTPUTS)
    assert args == {"x": {"$ref": "calc.result"}}


@pytest.mark.parametrize(
    ("ref", "missing"),
    [
        ("search.items.3.url", "search.items.3"),
        ("search.items.-4", "search.items.-4"),
        ("search.items.x", "search.items.x"),
        ("search.nope.deep", "search.nope"),
        ("calc.result.more", "calc.result.more"),
        ("plain.key", "plain.key"),
    ],
)
def test_resolve_names_the_missing_path(ref: str, missing: str) -> None:
    with pytest.raises(PlanError) as exc:
        dag.resolve_refs({"v": {"$ref": ref}}, OUTPUTS, "reader")
    message = str(exc.value)
    assert f"{missing} does not exist" in message
    assert "call 'reader'" in message
    assert exc.value.call_id == "reader"


def test_resolve_of_a_call_without_output() -> None:
    with pytest.raises(PlanError, match=r"'absent' has no output"):
        dag.resolve_refs({"$ref": "absent.x"}, OUTPUTS, "c")


# --- argument schemas ----------------------------------------------------------------------


def test_arguments_failing_the_schema_are_refused_naming_the_field() -> None:
    with pytest.raises(ToolArgumentError, match=r"tool 'sleep'.*ms") as exc:
        dag.validate_plan(plan(call("s", "sleep", {"ms": -5})))
    assert exc.value.call_id == "s"


def test_missing_required_argument_is_refused() -> None:
    with pytest.raises(ToolArgumentError, match=r"expression: Field required"):
        dag.validate_plan(plan(call("c", "calculator", {})))


def test_a_ref_field_is_not_reported_missing() -> None:
    p = plan(
        call("a", "calculator", {"expression": "1+1"}),
        call("b", "calculator", {"expression": {"$ref": "a.expression"}}, ("a",)),
        call("s", "sleep", {"ms": {"$ref": "a.result"}}, ("a",)),
    )
    assert ids(dag.validate_plan(p)) == [["a"], ["b", "s"]]


def test_other_fields_are_still_checked_next_to_a_ref_field() -> None:
    p = plan(
        call("a"),
        call("f", "fail", {"message": {"$ref": "a.value"}, "retryable": "not a bool"}, ("a",)),
    )
    with pytest.raises(ToolArgumentError) as exc:
        dag.validate_plan(p)
    assert "retryable" in str(exc.value)
    assert "message" not in str(exc.value).split("(", 1)[1]


# --- limits --------------------------------------------------------------------------------


def test_max_calls() -> None:
    p = plan(call("a"), call("b"), call("c"))
    with pytest.raises(PlanError, match="the plan has 3 calls; the limit is 2"):
        dag.validate_plan(p, max_calls=2)
    assert len(dag.validate_plan(p, max_calls=3)) == 1


def test_max_depth() -> None:
    p = plan(call("a"), call("b", deps=("a",)), call("c", deps=("b",)))
    with pytest.raises(PlanError, match="the plan is 3 layers deep; the limit is 2"):
        dag.validate_plan(p, max_depth=2)
    assert len(dag.validate_plan(p, max_depth=3)) == 3


def test_max_argument_bytes() -> None:
    p = plan(call("big", args={"value": "x" * 500}))
    with pytest.raises(PlanError, match=r"call 'big': arguments are \d+ bytes; the limit is 100"):
        dag.validate_plan(p, max_argument_bytes=100)
    dag.validate_plan(p, max_argument_bytes=1_000)


def test_argument_bytes_count_utf8_bytes_not_characters() -> None:
    # 100 characters of a 3-byte code point: 300+ bytes.
    p = plan(call("u", args={"value": "€" * 100}))
    with pytest.raises(PlanError, match="bytes"):
        dag.validate_plan(p, max_argument_bytes=200)


# --- properties ----------------------------------------------------------------------------


@st.composite
def acyclic_plans(draw: st.DrawFn) -> Plan:
    """DAGs acyclic by construction (a call depends only on calls created before it), then
    listed in a shuffled order so the plan order is not the topological order."""
    n = draw(st.integers(min_value=1, max_value=25))
    calls = []
    for i in range(n):
        deps = draw(st.sets(st.integers(min_value=0, max_value=i - 1), max_size=4)) if i else set()
        calls.append(call(f"c{i}", deps=tuple(f"c{d}" for d in sorted(deps))))
    order = draw(st.permutations(calls))
    return plan(*order)


@settings(max_examples=150, deadline=None, database=None)
@given(acyclic_plans())
def test_layers_respect_dependencies_and_partition_the_calls(p: Plan) -> None:
    layered = dag.validate_plan(p)
    index = {c.id: i for i, layer in enumerate(layered) for c in layer}
    # A partition: every call exactly once.
    flat = [c.id for layer in layered for c in layer]
    assert sorted(flat) == sorted(c.id for c in p.calls)
    assert len(flat) == len(set(flat))
    assert all(layered)
    for c in p.calls:
        for dep in c.depends_on:
            assert index[c.id] > index[dep]
        # Kahn's layers are as shallow as possible: a call sits right after its deepest parent.
        assert index[c.id] == (max((index[d] for d in c.depends_on), default=-1) + 1)
    # Order within a layer follows the plan.
    position = {c.id: i for i, c in enumerate(p.calls)}
    for layer in layered:
        assert [position[c.id] for c in layer] == sorted(position[c.id] for c in layer)
    # Leaves: exactly the calls nothing depends on; the last layer holds only leaves.
    leaves = set(dag.leaves(p))
    assert {c.id for c in layered[-1]} <= leaves


@settings(max_examples=100, deadline=None, database=None)
@given(acyclic_plans(), st.data())
def test_a_back_edge_makes_a_cycle_that_is_refused(p: Plan, data: st.DataObject) -> None:
    parents = dag.ancestors(p)
    candidates = [c for c in p.calls if parents[c.id]]
    if not candidates:
        return
    child = data.draw(st.sampled_from(candidates))
    ancestor = data.draw(st.sampled_from(sorted(parents[child.id])))
    raw = p.model_dump()
    for c in raw["calls"]:
        if c["id"] == ancestor:
            c["depends_on"].append(child.id)
    with pytest.raises(PlanError, match="cycle") as exc:
        dag.validate_plan(Plan.model_validate(raw))
    assert child.id in str(exc.value) and ancestor in str(exc.value)
