"""The planner, pure: no Celery, no Redis, any `LLMBackend` (its prompt: plan_prompt.py).

The planner asks a model for a DAG of tool calls as JSON, validates it, re-asks once with the
error, and falls back to a deterministic plan, so a weak or confused model slows a job down
but never fails it. Tool outputs enter the answer prompt fenced and labelled as untrusted
data: a web page must not be able to instruct the model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from runtime.agent.call_split import split_calls
from runtime.agent.plan_prompt import SHOTS, build_planner_messages
from runtime.agent.plan_schema import plan_schema
from runtime.agent.tool_choice import Embed, relevant_tools
from runtime.errors import PlanError, SpecError
from runtime.schemas import Plan, ToolCall

if TYPE_CHECKING:
    from runtime.llm.base import Completion, LLMBackend
    from runtime.llm.profiles import ModelProfile
    from runtime.tools.base import Tool

# "gate": no tool could answer (runtime/agent/tool_choice.py), so no model was asked.
Source = Literal["model", "repaired", "fallback", "none", "gate"]
# The most calls a local model's plan may have: the multi-tool questions of
# ops/bench/planner_quality.py need two, and four leaves room.
LOCAL_MAX_CALLS = 4
# A local plan's token budget. The grammar bounds each value (plan_schema.grounded), and a
# small model that loops fills each string to its bound ("Deer_Wi_Wi_Wi…"): four calls of a
# BFCL-sized tool then take about 360 tokens (800 before the bounds). A plan cut off at the
# budget is invalid JSON, and a repair round only gets cut off again.
LOCAL_PLAN_TOKENS = 512


@dataclass
class PlanOutcome:
    plan: Plan | None
    source: Source
    completions: list[Completion] = field(default_factory=list)
    error: str | None = None
    # What `validate` returned for the plan: its layers' call ids, so the caller never
    # validates the same plan again to get them.
    layers: list[list[str]] | None = None


_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)


def parse_plan(text: str) -> Plan | None:
    """The model's reply as a Plan; None when it says no tools are needed (`{"calls": []}`).

    Strict JSON (a ```json fence is tolerated); anything else raises PlanError.
    """
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"the plan is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("calls"), list):
        raise PlanError('the plan must be a JSON object with a "calls" list.')
    if not data["calls"]:
        return None
    _number_calls(data["calls"])
    try:
        return _without_repeats(Plan.model_validate(data))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise PlanError(f"the plan has the wrong shape ({problems}).") from None


_NUMBERS = re.compile(r"\d+(?:\.\d+)?")
# Words that make a number arithmetic, and words that ask for an amount (ops/bench/answers.py's
# tuning questions: "2 的 10 次方是多少？", "how much do I have after 18 months of 125?").
_MATH_WORD = re.compile(
    r"\b(?:power|percent|squared|cubed|times|plus|minus|divided?|multiplied|multiply)\b"
    r"|次方|平方|立方|百分之|%|折|倍|加上|减去|乘以|除以",
    re.IGNORECASE,
)
_AMOUNT_WORD = re.compile(r"\b(?:how much|how many|total|sum)\b|多少|几|一共|总共", re.IGNORECASE)


def arithmetic_cue(query: str) -> bool:
    """True when the question asks for arithmetic in words the similarity gate misses: a
    number with a math word, or two numbers and a question about an amount."""
    count = len(_NUMBERS.findall(query))
    return (count >= 1 and bool(_MATH_WORD.search(query))) or (
        count >= 2 and bool(_AMOUNT_WORD.search(query))
    )


def written_whole(query: str, tools: Sequence[Tool]) -> dict[str, dict[str, str]]:
    """The calculator's expression when the question writes all of it ("What is
    (1250 - 380) / 3?", "计算 128 乘以 46"): the deterministic reading, when it uses every
    number of the question. SmolLM2-135M copied such expressions wrongly (870 for
    "(1250 - 380) / 3", 100 for "(45 + 55) * 12": ops/bench/answers.py, tuning split), so
    the grammar offers only this one. A reading that misses a number ("3 ** 7 minus 100"
    reads as "3 ** 7") is left to the model."""
    plan = fallback_plan(query, tools)
    calls = [c for c in plan.calls if c.name == "calculator"] if plan else []
    if len(calls) != 1 or len(calls[0].arguments) != 1:
        return {}
    [(arg, expression)] = calls[0].arguments.items()
    wanted = set(_NUMBERS.findall(query))
    if not isinstance(expression, str) or not wanted <= set(_NUMBERS.findall(expression)):
        return {}
    return {"calculator": {arg: expression}}


_SLUG = re.compile(r"[^a-z0-9]+")


def _number_calls(calls: list[Any]) -> None:
    """Give calls written without an id (the local model's grounded plans) one from their
    tool's name and position ("calculator_1"), and no dependencies."""
    for n, call in enumerate(calls, start=1):
        if isinstance(call, dict) and "id" not in call and isinstance(call.get("name"), str):
            slug = _SLUG.sub("_", call["name"].rsplit(".", 1)[-1].lower()).strip("_")[:16]
            call["id"] = f"{slug or 'call'}_{n}" if slug[:1].isalpha() else f"call_{n}"
            call.setdefault("depends_on", [])


_MATH_SPAN = re.compile(r"[\d(][\d\s+\-*/^%().,]*[\d)]")
_OPERATOR = re.compile(r"[\d)]\s*(?:[-+*/^%]|\*\*)\s*[\d(]")
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_ZH_OPERATORS = (
    ("乘以", "*"),
    ("除以", "/"),
    ("加上", "+"),
    ("减去", "-"),
    ("加", "+"),
    ("减", "-"),
    ("乘", "*"),
    ("除", "/"),
    ("×", "*"),
    ("÷", "/"),
    ("（", "("),
    ("）", ")"),
)
_FUNCTION_MATH = re.compile(r"\b(sqrt|log10|log|exp|sin|cos|tan)\s*\(\s*[\d.]+\s*\)")
_DATE = re.compile(
    r"\b(today|date|time|day of the week|what day|current year|now)\b"
    r"|今天|日期|几号|星期几|现在几点|时间",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s<>\"'）)]+")


def _tool_field(tool: Tool, preferred: Sequence[str]) -> str | None:
    props = tool.json_schema().get("properties", {})
    return next((name for name in preferred if name in props), next(iter(props), None))


_PERCENT_OF = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*(?:of|的)\s*(\d+(?:\.\d+)?)", re.IGNORECASE)
_SQUARE_ROOT = re.compile(
    r"square root of\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*的平方根", re.IGNORECASE
)


def _find_expression(query: str) -> str | None:
    function = _FUNCTION_MATH.search(query)
    if function:
        return function.group(0)
    percent = _PERCENT_OF.search(query)
    if percent:
        return f"{percent.group(1)} / 100 * {percent.group(2)}"
    root = _SQUARE_ROOT.search(query)
    if root:
        return f"sqrt({root.group(1) or root.group(2)})"
    text = query
    for word, symbol in _ZH_OPERATORS:
        text = text.replace(word, symbol)
    for match in _MATH_SPAN.finditer(text):
        span = match.group(0).replace(",", "").strip()
        # Trim unbalanced parentheses at the edges ("(2 + 3) * 4)" in running prose).
        while span.count("(") > span.count(")") and span.startswith("("):
            span = span[1:].strip()
        while span.count(")") > span.count("(") and span.endswith(")"):
            span = span[:-1].strip()
        if _ISO_DATE.fullmatch(span):
            continue  # 2024-01-05 is a date, not a subtraction
        if _OPERATOR.search(span) and span.count("(") == span.count(")"):
            return span
    return None


def fallback_plan(query: str, tools: Sequence[Tool]) -> Plan | None:
    """A deterministic plan from the query alone: arithmetic -> calculator, a date/time
    question -> current_date, a URL -> http_get; None when nothing matches."""
    by_name = {t.name: t for t in tools}
    calls: list[dict[str, Any]] = []
    if "calculator" in by_name:
        expression = _find_expression(query)
        arg = _tool_field(by_name["calculator"], ("expression",))
        if expression and arg:
            calls.append({"id": "calc_1", "name": "calculator", "arguments": {arg: expression}})
    if "current_date" in by_name and _DATE.search(query):
        calls.append({"id": "date_1", "name": "current_date", "arguments": {}})
    if "http_get" in by_name:
        arg = _tool_field(by_name["http_get"], ("url",))
        for i, url in enumerate(_URL.findall(query)[:3], start=1):
            if arg:
                calls.append({"id": f"http_{i}", "name": "http_get", "arguments": {arg: url}})
    return Plan.model_validate({"calls": calls}) if calls else None


def _without_repeats(plan: Plan) -> Plan:
    """The plan without calls that repeat an earlier call's tool and arguments (small models
    loop on a call until the token limit); a dependency on a dropped call points at the call
    it repeated."""
    first: dict[str, str] = {}  # canonical call -> id of its first occurrence
    same: dict[str, str] = {}  # dropped id -> kept id
    kept: list[ToolCall] = []
    ids: set[str] = set()
    for call in plan.calls:
        key = json.dumps([call.name, call.arguments], sort_keys=True)
        if key in first:
            if call.id not in ids:
                same[call.id] = first[key]
            continue
        if call.id in ids:  # another call under a used id: it gets a fresh one
            fresh = next(f"{call.id}_{n}" for n in range(2, 1000) if f"{call.id}_{n}" not in ids)
            call = call.model_copy(update={"id": fresh})
        first.setdefault(key, call.id)
        ids.add(call.id)
        kept.append(call)
    if not same and len(kept) == len(plan.calls) and kept == plan.calls:
        return plan
    fixed = [
        c.model_copy(
            update={"depends_on": list(dict.fromkeys(same.get(d, d) for d in c.depends_on))}
        )
        for c in kept
    ]
    return Plan(calls=fixed)


def _reject_copied_examples(plan: Plan, query: str) -> None:
    """Small models copy the few-shot example's calls (fetching https://example.net for a
    date question). A call equal to an example's, with values the query never mentions, is
    refused so the repair or the fallback plans for the real question instead."""
    for call in plan.calls:
        for _, _, shot in SHOTS:
            for example in shot["calls"]:
                same = call.name == example["name"] and call.arguments == example["arguments"]
                values = [str(v) for v in example["arguments"].values()]
                if same and values and not all(v in query for v in values):
                    raise PlanError(
                        f"call {call.id!r} copies the example ({call.name} with "
                        f"{json.dumps(call.arguments)}); plan for the question itself.",
                        call.id,
                    )


# Checks a plan (raising SpecError) and returns its layers' call ids.
Validate = Callable[[Plan], list[list[str]] | None]


def _check(text: str, validate: Validate, query: str, few_shot: bool) -> tuple[Plan | None, Any]:
    plan = parse_plan(text)
    if plan is None:
        return None, None
    if few_shot:
        _reject_copied_examples(plan, query)
    return plan, validate(plan)


def gate(
    query: str,
    tools: Sequence[Tool],
    bar: float,
    margin: float = 1.0,
    unnamed: float | None = None,
    embed: Embed | None = None,
) -> list[Tool]:
    """The tools the local model may call for `query` (`tool_choice.relevant_tools`, the
    deterministic detectors' tools always among them); none: the plan has no calls."""
    hinted = fallback_plan(query, tools)
    detected = [c.name for c in hinted.calls] if hinted else []
    if arithmetic_cue(query):  # the embedder reads no Chinese, nor "how much" sums
        detected.append("calculator")
    return relevant_tools(query, tools, bar, margin, detected, embed=embed, unnamed=unnamed)


def plan_with_model(
    backend: LLMBackend,
    profile: ModelProfile,
    query: str,
    tools: Sequence[Tool],
    validate: Validate,
    max_tokens: int = 512,
    max_calls: int = 200,
    *,
    fallback: bool = True,
    tool_gate: float | None = None,
    tool_margin: float = 1.0,
    tool_unnamed: float | None = None,
) -> PlanOutcome:
    """Ask, validate, repair once, fall back (unless `fallback` is off: benchmarks score
    the model alone). Backend failures (RetryableError, ...) propagate so the task can
    retry; problems with the model's output never do. With `tool_gate` (a similarity bar;
    `tool_unnamed` for tools the question does not name), a local model sees only the tools
    that could answer and must call one of them."""
    local = profile.backend == "local"
    min_calls = 0
    if local and tool_gate is not None:
        tools = gate(query, tools, tool_gate, tool_margin, tool_unnamed)
        if not tools:
            return PlanOutcome(None, "gate")
        min_calls = 1
    messages = build_planner_messages(query, tools, few_shot=local)
    # The model decodes under this request's plan schema (runtime/agent/plan_schema.py): a
    # grammar on the local model, `response_format` on a remote one. The local model gets no
    # $ref values (a 135M model fills them with the prompt's example paths) and at most
    # LOCAL_MAX_CALLS calls (it repeats a call until the token limit otherwise).
    if local:
        most = min(max_calls, LOCAL_MAX_CALLS)
        split = split_calls(query, tools, most)
        schema = plan_schema(
            tools,
            most,
            refs=False,
            min_calls=min_calls,
            query=query,
            split=split,
            fixed=written_whole(query, tools),
        )
        max_tokens = max(max_tokens, LOCAL_PLAN_TOKENS)
    else:
        schema = plan_schema(tools, max_calls)
    completions: list[Completion] = []

    def ask(msgs: list[dict[str, str]]) -> str:
        completion = backend.complete(
            msgs,
            model=profile.wire_model,
            max_tokens=max_tokens,
            temperature=0.0,
            json_schema=schema,
        )
        completions.append(completion)
        return completion.text

    first = ask(messages)
    try:
        plan, layers = _check(first, validate, query, local)
        return PlanOutcome(plan, "model", completions, layers=layers)
    except (SpecError, ValueError) as exc:
        error = str(exc)
    repair = messages + [
        {"role": "assistant", "content": first},
        {
            "role": "user",
            "content": f"That plan is invalid: {error}\nReply again with corrected JSON only, "
            'or {"calls": []} if no tool is needed.',
        },
    ]
    second = ask(repair)
    try:
        plan, layers = _check(second, validate, query, local)
        return PlanOutcome(plan, "repaired", completions, error, layers)
    except (SpecError, ValueError) as exc:
        error = f"{error} Repair attempt: {exc}"
    if not fallback:
        return PlanOutcome(None, "none", completions, error)
    try:
        plan = fallback_plan(query, tools)
        if plan is not None:
            return PlanOutcome(plan, "fallback", completions, error, validate(plan))
    except (SpecError, ValueError) as exc:
        error = f"{error} Fallback plan: {exc}"
    return PlanOutcome(None, "none", completions, error)
