"""Which of a job's tools could answer its question, before a small model plans.

SmolLM2-135M, the default local model, is a poor judge of whether a tool fits: left to
decide under the plan grammar it replies `{"calls": []}` to nearly every question (0 of 10
calls on BFCL simple_python), and forced to call a tool it picks sensible values (6 of 10
right). So the decision is made here, and the model only fills in calls:

- a tool is relevant when the question's embedding is close to the tool's name and
  description (cosine >= `Settings.planner_tool_similarity`, and within
  `Settings.planner_tool_margin` of the closest tool: a small model given two similar tools
  calls both), or when the planner's deterministic detectors see its job in the question
  (arithmetic, a date word, a URL);
- a tool the question does not name (`named`: fewer than two of the words of its name)
  needs a higher similarity, `Settings.planner_tool_similarity_unnamed`: a near miss (same
  topic, another job: "the rating of the board game 'Ticket to Ride'" against
  `chess.rating`) is as close to the question as a right tool is, but a right tool's name
  is usually in the question's own words;
- no relevant tool: the plan has no calls, and the model is not asked at all;
- otherwise the model sees the relevant tools only and must call at least one.

The embedder is the semantic cache's (all-MiniLM-L6-v2, ONNX, ~6 ms a question on this
CPU). It is English-only: a Chinese question rarely clears the threshold on similarity
alone, which is why the detectors, which read Chinese operators and date words, count too.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from runtime.tools.base import Tool

# Per process: each tool's vector, keyed by its text (a job's tools repeat across jobs).
_MAX_CACHED = 4096
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_lock = threading.Lock()

Embed = Callable[[list[str]], np.ndarray]


def tool_text(tool: Tool) -> str:
    """What a tool is compared on: its name in words, then its description."""
    words = tool.name.replace(".", " ").replace("_", " ")
    return f"{words}: {tool.description}"


def _default_embed(texts: list[str]) -> np.ndarray:
    from runtime.cache.embedder import get_embedder

    # float32, not the cache's int8 (SEMANTIC_EMBED_INT8): the gate's bar was set on these.
    return get_embedder(int8=False).embed(texts)


def _tool_vectors(tools: Sequence[Tool], embed: Embed) -> np.ndarray:
    texts = [tool_text(t) for t in tools]
    with _lock:
        found = {t: _cache[t] for t in texts if t in _cache}
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        found.update(zip(missing, embed(missing), strict=True))
        with _lock:
            for text in missing:
                _cache[text] = found[text]
            while len(_cache) > _MAX_CACHED:
                _cache.popitem(last=False)
    return np.stack([found[t] for t in texts])


def similarities(query: str, tools: Sequence[Tool], embed: Embed | None = None) -> list[float]:
    """Cosine similarity of the question to each tool (vectors are L2-normalised)."""
    if not tools:
        return []
    embed = embed or _default_embed
    vectors = _tool_vectors(tools, embed)
    question = embed([query])[0]
    return [float(s) for s in vectors @ question]


# A number a question may give in words (English and Chinese numerals).
_NUMBER_WORD = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred"
    r"|thousand|million|billion|dozen|half|twice|double|triple|single|first|second|third"
    r"|last|next|once)\b|[一二两三四五六七八九十百千万亿半]",
    re.IGNORECASE,
)


def fillable(query: str, tool: Tool) -> bool:
    """False when the tool needs a number (a required number argument) and the question
    gives none: its call could only invent one. On BFCL's tuning categories the right
    function passes this in 99.1% of 800 cases (ops/bench/bfcl_data.py)."""
    schema = tool.json_schema()
    props = schema.get("properties") or {}
    needs = [
        k
        for k in schema.get("required", [])
        if isinstance(props.get(k), dict) and props[k].get("type") in ("integer", "number")
    ]
    return not needs or bool(_NUMBER_WORD.search(query))


_WORD = re.compile(r"[A-Za-z]+")
# Name words that say nothing about a tool's job: most tools get, find or calculate.
_GENERIC_WORDS = "the and for from with get set find fetch calc calculate compute retrieve"
_GENERIC = frozenset(_GENERIC_WORDS.split())


def _stem(word: str) -> str:
    # Crude on purpose: "calculates"/"calculation", "battles"/"battle" meet at 5 letters.
    word = word.lower()
    return word[:5] if len(word) > 5 else word.removesuffix("s")


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text) if len(w) > 2 and w.lower() not in _GENERIC}


def named(query: str, tool: Tool) -> bool:
    """True when the question says the tool's name in its own words: two of the name's
    words ("Calculate the *stock return* ..." for `calculate_stock_return`), or every one
    when the name has fewer (a bare `capital`). Names split at dots, `_` and camelCase."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tool.name)
    name = _words(spaced.replace("_", " ").replace(".", " "))
    return len(name & _words(query)) >= min(2, len(name))


def relevant_tools(
    query: str,
    tools: Sequence[Tool],
    threshold: float,
    margin: float = 1.0,
    detected: Iterable[str] = (),
    embed: Embed | None = None,
    unnamed: float | None = None,
) -> list[Tool]:
    """The tools that could answer `query`, in their given order: similar enough (at least
    `threshold`, at least `unnamed` for a tool the question does not `named`, and within
    `margin` of the closest tool) and `fillable`, or named in `detected` (tools the
    deterministic detectors matched)."""
    hinted = set(detected)
    # An unnamed tool's similarity counts for less by the difference of the two bars, so
    # one bar and one margin compare every tool.
    penalty = max(0.0, unnamed - threshold) if unnamed is not None else 0.0
    scores = [
        (s if named(query, t) else s - penalty) if fillable(query, t) else -2.0
        for t, s in zip(tools, similarities(query, tools, embed), strict=True)
    ]
    bar = max([threshold, *(s - margin for s in scores)])
    return [t for t, s in zip(tools, scores, strict=True) if s >= bar or t.name in hinted]
