"""Does an answer state the tool's result? If not, lead it with the result. Pure functions.

A 135M model reading `{"expression": "17 * 23 + 4", "result": 395}` sometimes answers with
an operand, a made-up number or a loop instead of 395. When the tool steps produced exactly
one numeric result, that number is the answer, so an answer that never states it gets the
number put in front (`17 * 23 + 4 = 395.`) rather than being shown alone. Only numbers: a
string result (a name, a page) can be paraphrased correctly in ways no check here could
recognise, and a wrong lead line is worse than none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeGuard

# A number as an answer writes it: 1024, 1,024, -3.5, 1.5e+20. Only ASCII letters before it
# disqualify it (x2, v1.3): Chinese text runs straight into numbers ("结果是395").
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])(-|−)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:[eE]([-+]?\d+))?")
MIN_SHOWN_DECIMALS = 2  # a rounded float counts only when it keeps at least two decimals


@dataclass(frozen=True)
class Scalar:
    """The one numeric result of the tool steps, and how to label it in a lead line."""

    value: int | float
    label: str  # "17 * 23 + 4" for the calculator, else the tool's name

    @property
    def text(self) -> str:
        return format_number(self.value)

    def lead(self) -> str:
        if _is_plain_number(self.label):
            return f"{self.text}."
        return f"{self.label} = {self.text}."


def _is_number(value: Any) -> TypeGuard[int | float]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _is_plain_number(text: str) -> bool:
    match = _NUMBER.fullmatch(text.strip())
    return match is not None


def format_number(value: int | float) -> str:
    """395, 290 (for 290.0), 118.4, 0.3333333333: no float noise, never scientific for ints."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return f"{value:.10g}"


# What an expression label may hold: numbers, operators and the calculator's function names.
# The label is shown outside the untrusted-data fence (in the prompt's result line and the
# lead line), so anything that could carry words of its own is replaced by the tool's name.
_ARITHMETIC = re.compile(r"[\d\s+\-*/%^().,]*")
_MATH_NAMES = re.compile(
    r"\b(?:sqrt|abs|round|min|max|log10|log|exp|sin|cos|tan|floor|ceil|pi|e)\b"
)
MAX_LABEL_CHARS = 80


def safe_label(label: object) -> TypeGuard[str]:
    """Whether `label` is plain arithmetic, safe to show outside the fence."""
    if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL_CHARS:
        return False
    return _ARITHMETIC.fullmatch(_MATH_NAMES.sub(" ", label)) is not None


def _step_scalar(step: dict[str, Any]) -> Scalar | None:
    if step.get("error"):
        return None
    output = step.get("output")
    tool = str(step.get("tool", "")) or "tool"
    if _is_number(output):
        return Scalar(output, tool)
    if isinstance(output, dict):
        for key in ("result", "value"):
            value, label = output.get(key), output.get("expression")
            if _is_number(value):
                return Scalar(value, label if safe_label(label) else tool)
    return None


def scalar_result(
    steps: list[dict[str, Any]], final_ids: Collection[str] | None = None
) -> Scalar | None:
    """The numeric result when exactly one final tool step produced one, else None.

    `final_ids` (the plan's leaves) narrows the steps to those whose output is the answer:
    in "area, then double it" only the doubling's result is; without it every step counts.
    Two numeric results are ambiguous (which one answers the question?), so they give None.
    """
    candidates = [s for s in steps if final_ids is None or str(s.get("id")) in final_ids]
    found = [scalar for s in candidates if (scalar := _step_scalar(s)) is not None]
    return found[0] if len(found) == 1 else None


def _shown_matches(match: re.Match[str], value: int | float) -> bool:
    sign, whole, decimals, exp = match.groups()
    digits = whole.replace(",", "")
    whole_value = isinstance(value, int) or value.is_integer()
    if exp is None and not (decimals or "").strip(".0") and whole_value:
        # A whole number against a whole number: exactly, digit for digit (a float
        # comparison would let 12157665459056928000 pass for 3 ** 40).
        return int(digits) * (-1 if sign else 1) == int(value)
    shown = float(digits + (decimals or "")) * 10.0 ** int(exp or 0) * (-1 if sign else 1)
    if math.isclose(shown, value, rel_tol=1e-9, abs_tol=1e-12):
        return True
    places = len(decimals) - 1 if decimals else 0
    return exp is None and places >= MIN_SHOWN_DECIMALS and round(value, places) == shown


def states_value(text: str, value: int | float) -> bool:
    """Whether `text` writes `value`: 395 == 395.0, 1,024 == 1024, and a float rounded to
    the decimals shown (at least MIN_SHOWN_DECIMALS of them) counts."""
    for match in _NUMBER.finditer(text):
        try:
            if _shown_matches(match, value):
                return True
        except (OverflowError, ValueError):  # 1e999, digits float() cannot read
            continue
    return False


def ensure_result(
    text: str, steps: list[dict[str, Any]], final_ids: Collection[str] | None = None
) -> tuple[str, str | None]:
    """The answer, led by the tool's numeric result when it does not state it already.
    Returns (answer, the lead line added or None)."""
    scalar = scalar_result(steps, final_ids)
    if scalar is None or states_value(text, scalar.value):
        return text, None
    lead = scalar.lead()
    body = text.strip()
    return (f"{lead}\n\n{body}" if body else lead), lead


def unstreamed(answer: str, streamed: str) -> str:
    """What the final answer says that its stream did not: the tool's result that the answer
    check put in front of an answer lacking it (runtime/agent/answer_check.py), or the whole
    answer when it differs otherwise. Nothing when the stream holds the answer (a loop's
    repeats, dropped from the answer, were streamed)."""
    body = streamed.strip()
    if not answer.strip() or body.startswith(answer.strip()):
        return ""
    if body and answer.endswith(body):
        return answer[: -len(body)].strip()
    return answer.strip()


# Tools whose output only repeats their arguments: a plan ending in one of them gathers
# other calls' results (the demo's `echo` of the area and its double), and the answer is in
# the calls it gathers (dag.leaves looks through it).
GATHERING_TOOLS = frozenset({"echo"})


# The backends whose answers get the lead line. A remote model states results reliably, and
# may write them in words ("twenty five") that `states_value` cannot read; the 135M local
# model is the one that drops or garbles them.
CHECKED_BACKENDS = frozenset({"local"})


def checks(backend: str) -> bool:
    """Whether answers from a profile with this `backend` go through `ensure_result`."""
    return backend in CHECKED_BACKENDS
