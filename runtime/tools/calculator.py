"""`calculator(expression)`: arithmetic by walking the AST. Never `eval`: only numbers, the
arithmetic operators, parentheses and a short list of math functions are accepted, and sizes
are bounded so `9**9**9` is refused instead of hanging a worker.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from runtime.errors import ToolError
from runtime.tools.registry import tool

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt,
    "abs": abs,
    "round": round,
    "min": min,
    "max": max,
    "log": math.log,
    "log10": math.log10,
    "exp": math.exp,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "floor": math.floor,
    "ceil": math.ceil,
}
_CONSTANTS = {"pi": math.pi, "e": math.e}
MAX_EXPONENT = 1_000
MAX_MAGNITUDE = 10**100


# What an expression may contain: digits, operators, parentheses, the functions and constants
# above. Published in the schema, so a model decoding under it (the local planner's grammar)
# cannot write "15% of 2400" or "128 * 46 = 512", which evaluate() would refuse anyway.
EXPRESSION_PATTERN = (
    r"^(?:[0-9.,+\-*/%^()\s]|"
    + "|".join(sorted([*_FUNCTIONS, *_CONSTANTS], key=len, reverse=True))
    + ")+$"
)
# "15%" written as a percentage (not followed by a number or "("): 15/100. "17 % 5" stays modulo.
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%(?!\s*[\d(.])")


class CalculatorArgs(BaseModel):
    # The pattern is published, not enforced: evaluate()'s refusals say what is wrong.
    expression: str = Field(
        min_length=1,
        max_length=1_000,
        examples=["(2 + 3) * 4"],
        json_schema_extra={"pattern": EXPRESSION_PATTERN},
    )


def evaluate(expression: str) -> float | int:
    try:
        text = _PERCENT.sub(r"(\1 / 100)", expression.replace("^", "**"))
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ToolError(f"calculator: {expression!r} is not an arithmetic expression.") from None
    return _eval(tree.body)


def _eval(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ToolError(f"calculator: exponent {right} is larger than {MAX_EXPONENT}.")
        try:
            value = _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:
            raise ToolError("calculator: division by zero.") from None
        except OverflowError:
            raise ToolError("calculator: the result is too large (over 1e100).") from None
        return _checked(value)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        try:
            return _checked(_FUNCTIONS[node.func.id](*(_eval(a) for a in node.args)))
        except OverflowError:
            raise ToolError("calculator: the result is too large (over 1e100).") from None
        except (ValueError, TypeError) as exc:
            raise ToolError(f"calculator: {node.func.id}: {exc}.") from None
    raise ToolError(
        f"calculator: {ast.unparse(node)!r} is not allowed; use numbers, + - * / // % **, "
        f"parentheses, pi, e and {', '.join(sorted(_FUNCTIONS))}."
    )


def _checked(value: Any) -> Any:
    """Only real numbers within bounds leave the calculator."""
    if isinstance(value, complex):
        raise ToolError("calculator: the result is not a real number.")
    if isinstance(value, int | float) and abs(value) > MAX_MAGNITUDE:
        raise ToolError("calculator: the result is too large (over 1e100).")
    return value


@tool(
    "calculator",
    args=CalculatorArgs,
    description="Evaluate an arithmetic expression such as '(2 + 3) * sqrt(16)'.",
    ttl_s=86_400,  # Arithmetic never changes.
)
def calculator(args: CalculatorArgs) -> dict[str, Any]:
    return {"expression": args.expression, "result": evaluate(args.expression)}
