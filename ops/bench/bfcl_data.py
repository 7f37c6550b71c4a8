"""BFCL's packaged cases as planner input, and BFCL's own AST checker to score plans.

The Berkeley Function Calling Leaderboard ships its data in the PyPI package `bfcl-eval`
(installed with --no-deps by ops/setup: its own dependencies are pinned hard). Each case is
a question plus the function documents the model may call; `possible_answer/` holds, per
expected call, every value each parameter may take ("" marks an optional one).

Scoring uses bfcl_eval's `ast_checker` itself, not a copy: same names, required parameters
present, values among the allowed ones (strings compared after BFCL's normalisation),
no unknown parameters, order-free for parallel calls. Importing it pulls in BFCL's model
registry and with it every provider SDK, for one lookup (may a model write dots in names?);
a stand-in registry answers that lookup with "no", and our plans keep the dotted names.
"""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

# An AST category -> the checker category it is scored as ("" = relevance only).
CATEGORIES = {
    "simple_python": "simple",
    "multiple": "multiple",
    "parallel": "parallel",
    "parallel_multiple": "parallel_multiple",
    "irrelevance": "",
    "live_simple": "simple",
    "live_multiple": "multiple",
    "live_parallel": "parallel",
    "live_parallel_multiple": "parallel_multiple",
    "live_irrelevance": "",
}
# The categories the planner prompt may be tuned on (issue 11); the rest are held out.
TUNING = ("simple_python", "multiple", "parallel")
# Irrelevance cases made from the tuning categories (ops/bench/bfcl_synthetic.py).
SYNTHETIC = "synthetic_irrelevance"

# BFCL's type names -> JSON Schema's. "any" means no constraint.
_TYPES = {"dict": "object", "float": "number", "tuple": "array", "any": None}


@dataclass
class DocTool:
    """A BFCL function document shaped like runtime.tools.base.Tool for the planner: a
    name, a description and an argument JSON schema. It never runs."""

    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=dict)

    def json_schema(self) -> dict[str, Any]:
        return self.schema


@dataclass
class Case:
    id: str
    category: str
    question: str
    functions: list[dict[str, Any]]
    answer: list[dict[str, Any]]  # BFCL's ground truth; empty for irrelevance

    def tools(self) -> list[DocTool]:
        return [
            DocTool(f["name"], f.get("description", ""), to_json_schema(f.get("parameters", {})))
            for f in self.functions
        ]


def to_json_schema(node: Any) -> Any:
    """A BFCL parameter document as JSON Schema: its type names mapped, `default`s dropped
    (BFCL's optional values are in the description), everything else kept."""
    if isinstance(node, list):
        return [to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "type" and isinstance(value, str):
            mapped = _TYPES.get(value, value)
            if mapped is not None:
                out["type"] = mapped
        elif key == "properties" and isinstance(value, dict):
            out[key] = {k: to_json_schema(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "anyOf", "oneOf"):
            out[key] = to_json_schema(value)
        elif key != "default":
            out[key] = value
    if out.get("type") == "object" and "properties" not in out:
        out["properties"] = {}
    return out


def _read_jsonl(name: str) -> list[dict[str, Any]]:
    path = resources.files("bfcl_eval") / "data" / name
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _question_text(turns: list[list[dict[str, str]]]) -> str:
    # Single-turn categories: one turn of messages; the users' words make the question
    # (a live case may open with a system message, which the planner's own prompt replaces).
    messages = turns[0] if turns else []
    return "\n".join(m["content"] for m in messages if m.get("role") == "user").strip()


def load(category: str, limit: int | None = None) -> list[Case]:
    if category not in CATEGORIES:
        raise SystemExit(f"unknown category {category!r}; one of: {', '.join(CATEGORIES)}")
    rows = _read_jsonl(f"BFCL_v4_{category}.json")
    if not rows:
        raise SystemExit(
            "bfcl-eval's data is not installed: pip install --no-deps bfcl-eval (ops/setup does)"
        )
    answers = {
        a["id"]: a["ground_truth"] for a in _read_jsonl(f"possible_answer/BFCL_v4_{category}.json")
    }
    cases = [
        Case(
            row["id"],
            category,
            _question_text(row["question"]),
            row["function"],
            answers.get(row["id"], []),
        )
        for row in rows
    ]
    return cases[:limit] if limit else cases


def _checker() -> Any:
    name = "bfcl_eval.constants.model_config"
    if name not in sys.modules:

        class _NoDots(dict[str, Any]):
            def __missing__(self, key: str) -> Any:
                return types.SimpleNamespace(underscore_to_dot=False)

        stand_in = types.ModuleType(name)
        stand_in.MODEL_CONFIG_MAPPING = _NoDots()  # type: ignore[attr-defined]
        sys.modules[name] = stand_in
    from bfcl_eval.constants.enums import Language
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker

    return lambda functions, calls, answer, category: ast_checker(
        functions, calls, answer, Language.PYTHON, category, "celeragent"
    )


def score(case: Case, calls: list[dict[str, Any]]) -> tuple[bool, str]:
    """(right, why not) for the plan's calls, each {"name", "arguments"}."""
    kind = "" if case.category == SYNTHETIC else CATEGORIES[case.category]
    if not kind:  # irrelevance: none of the functions fits, so the right plan is no call
        return (not calls, "" if not calls else f"{len(calls)} call(s) where none fits")
    if not calls:
        return False, "no call"
    result = _checker()(
        case.functions, [{c["name"]: c["arguments"]} for c in calls], case.answer, kind
    )
    return bool(result["valid"]), "; ".join(map(str, result.get("error", [])))[:300]
