"""runtime/agent/call_split.py: how many calls a question asks of its tool, and each call's
share of the values; and the plan schema that asks for exactly that (plan_schema.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from runtime.agent.call_split import Split, mentions, split_calls
from runtime.agent.plan_schema import plan_schema

NUM = {"type": "number"}
INT = {"type": "integer"}
STR = {"type": "string"}


@dataclass
class T:
    name: str
    properties: dict[str, Any]
    required: list[str] = field(default_factory=list)
    description: str = ""

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object", "properties": self.properties, "required": self.required}


def by_words(texts: list[str]) -> np.ndarray:
    # A stand-in embedder: city names and "city" share a dimension, anything else does not.
    cities = ("city", "oslo", "lima", "delhi")
    rows = np.array([[float(any(c in t.lower() for c in cities)), 0.1] for t in texts])
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


SQUARE = T("square", {"x": INT})
LOAN = T("loan", {"amount": NUM, "rate": NUM, "years": INT})
HYPOT = T("hypot", {"a": NUM, "b": NUM})
TRIANGLE = T("triangle_area", {"a": NUM, "b": NUM, "c": NUM})
WEATHER = T("weather", {"city": {"type": "string", "description": "A city."}, "days": INT})
MEAN = T("mean", {"values": {"type": "array", "items": NUM}})


@pytest.mark.parametrize(
    ("query", "tool", "count", "numbers"),
    [
        # A listed run of numbers for the one slot the other numbers leave free.
        ("Square 7, 9 and 12.", SQUARE, 3, [(7,), (9,), (12,)]),
        (
            "Payments on 2500 at 3% over 4, 6 and 8 years?",
            LOAN,
            3,
            [(2500, 3, 4), (2500, 3, 6), (2500, 3, 8)],
        ),
        # Whole groups, in the order written.
        ("The hypotenuse for 6 and 8, then 9 and 40.", HYPOT, 2, [(6, 8), (9, 40)]),
        ("Square 11 and 13.", SQUARE, 2, [(11,), (13,)]),
        # "respectively": one call per item of the list before it; "days 1" of a city named
        # "Area 51" stays with both calls.
        (
            "Weather in Area 51 and Oslo for 2 days and 5 days respectively.",
            WEATHER,
            2,
            [(51, 2), (51, 5)],
        ),
    ],
)
def test_numbers_split_into_calls(query, tool, count, numbers) -> None:
    split = split_calls(query, [tool], 4, by_words)
    assert split.count == count
    assert [tuple(n) for n in split.numbers or []] == numbers


@pytest.mark.parametrize(
    "query",
    [
        "The area of a triangle with sides 3, 4 and 5.",  # as many numbers as slots
        "Mean of 4, 8, 15 and 16.",  # a list argument takes them all
        "The derivative of 3x^2 + 2x - 1 at x = 2.",  # formula numbers are not values
        "Square the number of days since January 1, 2022.",  # a date is not two values
        "Payments on 2500 at 3% over 4 years with 7 off.",  # 4 numbers, 3 slots, no list
        "Weather in Oslo for its temperature and days.",  # "days" names an argument
    ],
)
def test_no_split_without_a_clear_reason(query) -> None:
    tools = {"triangle": TRIANGLE, "Mean": MEAN, "Weather": WEATHER}
    tool = next((t for word, t in tools.items() if word in query), LOAN)
    if "derivative" in query or "Square" in query:
        tool = SQUARE
    assert split_calls(query, [tool], 4, by_words) == Split()


def test_names_fill_the_one_free_text_argument() -> None:
    query = "Weather for the cities Oslo, Lima, and New Delhi."
    split = split_calls(query, [WEATHER], 4, by_words)
    assert (split.count, split.texts, split.text_arg) == (3, ("Oslo", "Lima", "New Delhi"), "city")
    # Names that are not values of the argument ("humidity" is no city) make no split.
    assert split_calls("Oslo's rain and humidity.", [WEATHER], 4, by_words) == Split()


def test_repeat_words_ask_for_two_and_too_many_calls_for_none() -> None:
    assert split_calls("Loan of 2500 at 3% for 4 years; then repeat with 9.", [LOAN], 4).count == 2
    assert split_calls("Square 1, 2, 3, 4 and 5.", [SQUARE], 4) == Split()


def test_with_several_tools_the_widest_decides() -> None:
    # 3 numbers: too many for square alone, not for the triangle.
    assert split_calls("Square or triangle of 3, 4 and 5?", [SQUARE, TRIANGLE], 4) == Split()


def test_mentions_skip_words_formulas_and_dates() -> None:
    assert [v for v, _ in mentions("HbA1c of 5.5%, x^2 at 3x, $1,200 on 2024-03-01")] == [
        5.5,
        1200,
    ]


def test_a_word_ending_in_a_letter_is_not_a_formula_variable() -> None:
    # "and -25": the "d" of "and" once made "d - 25" a formula, and -25 was dropped.
    query = "roots of a quadratic with coefficients 5, 20, and -25"
    assert [v for v, _ in mentions(query)] == [5, 20, -25]
    assert [v for v, _ in mentions("solve 3x^2 + 2x - 1 = 0, then 4")] == [0, 4]


def test_a_split_plan_schema_has_one_schema_per_call() -> None:
    query = "Payments on 2500 at 3% over 4, 6 and 8 years?"
    split = split_calls(query, [LOAN], 4)
    calls = plan_schema([LOAN], 4, refs=False, min_calls=1, query=query, split=split)
    calls = calls["properties"]["calls"]
    assert calls["minItems"] == calls["maxItems"] == 3
    years = [
        c["properties"]["arguments"]["properties"]["years"]["enum"] for c in calls["prefixItems"]
    ]
    assert years == [[2500, 3, 4], [2500, 3, 6], [2500, 3, 8]]
    rate = calls["prefixItems"][0]["properties"]["arguments"]["properties"]["rate"]["enum"]
    assert 0.03 in rate and 6 not in rate  # "3%" as 0.03 too; another call's number is not


def test_a_named_split_fixes_the_text_argument_per_call() -> None:
    query = "Weather for Oslo and Lima."
    schema = plan_schema(
        [WEATHER],
        4,
        refs=False,
        min_calls=1,
        query=query,
        split=split_calls(query, [WEATHER], 4, by_words),
    )
    cities = [
        c["properties"]["arguments"]["properties"]["city"]
        for c in schema["properties"]["calls"]["prefixItems"]
    ]
    assert cities == [{"type": "string", "enum": ["Oslo"]}, {"type": "string", "enum": ["Lima"]}]


def test_no_split_keeps_the_open_schema() -> None:
    query = "Square 7."
    calls = plan_schema([SQUARE], 4, refs=False, min_calls=1, query=query, split=Split())
    calls = calls["properties"]["calls"]
    assert "prefixItems" not in calls and calls["maxItems"] == 4 and calls["minItems"] == 1


def test_numbers_go_to_the_argument_their_words_name() -> None:
    from runtime.agent.number_slots import labelled

    loan = {"properties": {"loan_amount": INT, "interestRate": NUM, "term": INT}}
    query = "A loan amount of $400,000 at an interest rate of 4% over 30 years."
    assert labelled(query, loan) == {"loan_amount": [400000], "interestRate": [4]}
    person = {"properties": {"height": NUM, "weight": INT}}
    assert labelled("Her height is 1.7 m and she weighs 60 kg.", person) == {
        "height": [1.7],
        "weight": [60],
    }
    # A listed number shares its label with the others; it is left to the model.
    area = {"properties": {"base": INT, "height": INT}}
    assert labelled("Its base and height are 6cm and 10cm.", area) == {}
    # Two arguments named alike: the number is left to the model.
    pair = {"properties": {"start_year": INT, "end_year": INT}}
    assert labelled("Events of the year 1990", pair) == {}
