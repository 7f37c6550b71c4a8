"""The relevance gate's second bar: a tool the question does not name needs a closer
embedding (runtime/agent/tool_choice.py `named`, `relevant_tools(unnamed=...)`)."""

from __future__ import annotations

import numpy as np

from runtime.agent import tool_choice
from runtime.agent.planner import arithmetic_cue


class _Doc:
    def __init__(self, name: str, description: str = "") -> None:
        self.name, self.description = name, description

    def json_schema(self) -> dict:
        return {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}


def test_a_question_names_a_tool_with_two_of_its_words_or_all_of_fewer():
    q = "Calculate the projected return on a $5000 investment in ABC company's stock."
    assert tool_choice.named(q, _Doc("calculate_stock_return"))
    assert not tool_choice.named(q, _Doc("total_revenue"))
    # Generic verbs say nothing: "calculate" alone does not name calculate_area.
    assert not tool_choice.named(q, _Doc("calculate_area"))
    # Dots, camelCase and plurals: a one-word name needs its one word.
    assert tool_choice.named("What is the capital of Brazil?", _Doc("capital"))
    monarch = _Doc("history.getMonarchOfYear")
    assert tool_choice.named("Who was the monarch in the year 1800?", monarch)
    assert not tool_choice.named("Who was the monarch in 1800?", monarch)  # 1 of 3 words
    assert not tool_choice.named("The rating of the game 'Ticket to Ride'", _Doc("chess.rating"))
    assert tool_choice.named("My chess ratings, please", _Doc("chess.rating"))


def _embed_with(similarity: dict[str, float]):
    """An embedder where the question is [1, 0] and each tool text sits at its set cosine."""

    def embed(texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            s = next((v for k, v in similarity.items() if text.startswith(k)), 1.0)
            rows.append([s, np.sqrt(1 - s * s)])
        return np.array(rows)

    return embed


def test_an_unnamed_tool_needs_the_higher_bar():
    tools = [_Doc("weather_forecast"), _Doc("air_quality"), _Doc("flight_status")]
    embed = _embed_with({"weather forecast": 0.41, "air quality": 0.41, "flight status": 0.5})
    query = "What is the weather forecast for Oslo?"

    def kept(unnamed: float | None) -> list[str]:
        found = tool_choice.relevant_tools(query, tools, 0.37, 1.0, embed=embed, unnamed=unnamed)
        return [t.name for t in found]

    assert kept(None) == ["weather_forecast", "air_quality", "flight_status"]  # one bar
    # air_quality (unnamed, 0.41) falls below 0.45; flight_status (unnamed, 0.5) clears it;
    # weather_forecast (named) needs only 0.37.
    assert kept(0.45) == ["weather_forecast", "flight_status"]
    assert kept(0.55) == ["weather_forecast"]
    # Detected tools are kept whatever the bars.
    found = tool_choice.relevant_tools(
        query, tools, 0.37, 1.0, detected=["air_quality"], embed=embed, unnamed=0.55
    )
    assert [t.name for t in found] == ["weather_forecast", "air_quality"]


def test_divide_and_multiply_are_arithmetic_words():
    assert arithmetic_cue("Divide 96 by 4.") and arithmetic_cue("Multiply 12 by 7, please")
    assert not arithmetic_cue("Divide the class into teams.")


def test_an_expression_the_question_writes_whole_is_the_only_one_offered():
    from runtime.agent.plan_schema import plan_schema
    from runtime.agent.planner import written_whole
    from runtime.tools.registry import all_tools

    tools = all_tools(["calculator"])
    assert written_whole("What is (1250 - 380) / 3?", tools) == {
        "calculator": {"expression": "(1250 - 380) / 3"}
    }
    assert written_whole("计算 128 乘以 46 等于多少？", tools) == {
        "calculator": {"expression": "128 * 46"}
    }
    # A reading that leaves out a number of the question is the model's to write.
    assert written_whole("What is 3 ** 7 minus 100?", tools) == {}
    assert written_whole("Write a poem", tools) == {}
    query = "What is (1250 - 380) / 3?"
    schema = plan_schema(
        tools, 4, refs=False, min_calls=1, query=query, fixed=written_whole(query, tools)
    )
    call = schema["properties"]["calls"]["items"]
    assert call["properties"]["arguments"]["properties"]["expression"] == {
        "type": "string",
        "enum": ["(1250 - 380) / 3"],
    }
