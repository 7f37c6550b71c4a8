"""ops/bench/bfcl_data.py: BFCL's packaged cases become planner tools, and BFCL's own AST
checker scores plans (the real bfcl-eval data, installed by ops/setup with --no-deps)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("bfcl_eval")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ops" / "bench"))

from bfcl_data import CATEGORIES, TUNING, load, score, to_json_schema  # noqa: E402

from runtime.agent.plan_schema import plan_schema  # noqa: E402


def test_bfcl_types_become_json_schema():
    doc = {
        "type": "dict",
        "properties": {
            "x": {"type": "float", "default": 1.0},
            "pair": {"type": "tuple", "items": {"type": "integer"}},
            "blob": {"type": "any", "description": "anything"},
        },
        "required": ["x"],
    }
    assert to_json_schema(doc) == {
        "type": "object",
        "properties": {
            "x": {"type": "number"},
            "pair": {"type": "array", "items": {"type": "integer"}},
            "blob": {"description": "anything"},
        },
        "required": ["x"],
    }


def test_every_category_loads_and_its_tools_make_a_plan_schema():
    for category in CATEGORIES:
        cases = load(category, limit=3)
        assert len(cases) == 3 and all(c.question for c in cases)
        for case in cases:
            schema = plan_schema(case.tools(), 4, refs=False, query=case.question)
            assert schema["properties"]["calls"]["maxItems"] == 4
    assert set(TUNING) <= set(CATEGORIES)


def test_scoring_uses_bfcl_rules():
    case = load("parallel", limit=1)[0]  # spotify.play for Taylor Swift 20 and Maroon 5 15
    right = [
        {"name": "spotify.play", "arguments": {"artist": "maroon 5", "duration": 15}},
        {"name": "spotify.play", "arguments": {"artist": "Taylor Swift", "duration": 20}},
    ]
    assert score(case, right) == (True, "")  # order-free, strings normalised
    ok, why = score(case, right[:1])
    assert not ok and "number of functions" in why
    ok, why = score(case, [right[0], {**right[1], "arguments": {"artist": "Taylor Swift"}}])
    assert not ok  # a required parameter is missing
    assert score(case, []) == (False, "no call")
    irrelevant = load("irrelevance", limit=1)[0]
    assert score(irrelevant, []) == (True, "")
    assert not score(irrelevant, right)[0]


def _hash_embed(texts: list[str]) -> np.ndarray:
    # A stand-in embedder: a fixed random unit vector per text (no model needed).
    rows = [
        np.random.default_rng(int(hashlib.sha1(t.encode()).hexdigest()[:8], 16)).normal(size=16)
        for t in texts
    ]
    return np.array([r / np.linalg.norm(r) for r in rows])


def test_synthetic_irrelevance_pairs_a_question_with_another_jobs_functions():
    from bfcl_synthetic import build, half, positives

    assert half("simple_python_0") == half("simple_python_0")
    tune, test = positives("tune"), positives("test")
    assert tune and test and not {c.id for c in tune} & {c.id for c in test}
    by_question = {c.question: c for c in tune}
    cases = build("tune", _hash_embed)
    assert len(cases) > 0.9 * len(tune)
    for case in cases:
        own = by_question[case.question]
        partner = case.id.split("__")[1]
        assert half(partner) == "tune" and partner != own.id
        # No function the question's own case could call, by name.
        assert not {f["name"] for f in case.functions} & {f["name"] for f in own.functions}
        assert score(case, []) == (True, "")
    assert not score(cases[0], [{"name": cases[0].functions[0]["name"], "arguments": {}}])[0]
