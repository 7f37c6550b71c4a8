"""Which number argument a question's number belongs to, when the question labels it.

"a loan amount of $400,000 with an annual interest rate of 4%": the words around each
number name an argument of `calculate_mortgage_payment(loan_amount, interest_rate, ...)`.
SmolLM2-135M reads such labels poorly (it wrote loan_amount 15 and interest_rate 400000 on
BFCL parallel), so the plan grammar offers a labelled argument only its own numbers
(plan_schema.plan_schema); an argument no number is labelled for keeps every number.

A number is labelled for an argument when a word of the argument's name (split at `_` and
camelCase; "weighs" matches "weight") stands in the number's clause: up to four words
before it and the two right after it (its unit: "80 kg", "6 feet tall"), not past
punctuation, "and" or another number. When two arguments
match equally, the number is left to the model. Tuned on BFCL's tuning categories only.
"""

from __future__ import annotations

import re
from typing import Any

from runtime.agent.call_split import NUMBER_LIST, Number, mentions

_WORD = re.compile(r"[A-Za-z]+")
_BREAK = re.compile(r"[,;:?!()]|\band\b|\d")
# Words that label nothing: they are in too many argument names or questions.
_STOP_WORDS = (
    "a an the of for from in on at to by with per is are was be and or value number "
    "amount total given new old each this that"
)
_STOP = frozenset(_STOP_WORDS.split())


def _stem(word: str) -> str:
    word = word.lower()
    return word[:5] if len(word) > 5 else word.removesuffix("s")


def _name_words(name: str) -> set[str]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ")
    return {_stem(w) for w in _WORD.findall(spaced) if w.lower() not in _STOP and len(w) > 1}


def _clause_words(query: str, start: int, end: int) -> set[str]:
    before = _BREAK.split(query[:start])[-1]
    after = _BREAK.split(query[end:])[0]
    words = [w for w in _WORD.findall(before) if w.lower() not in _STOP][-4:]
    words += [w for w in _WORD.findall(after)[:2] if w.lower() not in _STOP]
    return {_stem(w) for w in words}


def labelled(query: str, schema: dict[str, Any]) -> dict[str, list[Number]]:
    """Per number argument of `schema` (top level), the question's numbers labelled for it;
    arguments with none are left out."""
    props = schema.get("properties") or {}
    names = {
        k: _name_words(k)
        for k, v in props.items()
        if isinstance(v, dict) and v.get("type") in ("integer", "number")
    }
    out: dict[str, list[Number]] = {}
    # A number in a list ("base and height as 6cm and 10cm") shares its label with the
    # others, so the label says nothing about which is which.
    listed = [m.span() for m in NUMBER_LIST.finditer(query)]
    for value, start in mentions(query):
        if any(a <= start < b for a, b in listed):
            continue
        written = re.match(r"-?[\d.,]*%?", query[start:])
        context = _clause_words(query, start, start + len(written.group(0) if written else ""))
        scores = {k: len(words & context) for k, words in names.items()}
        best = max(scores.values(), default=0)
        winners = [k for k, s in scores.items() if s == best]
        if best and len(winners) == 1:
            out.setdefault(winners[0], []).append(value)
    return out
