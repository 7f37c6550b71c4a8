"""How many calls a question asks of its tool, and which of the question's values each call
gets, read from the question and the tool's argument schema before a small model plans.

SmolLM2-135M writes one call for "the factorial of 5, 10 and 15" (1 of 20 BFCL `parallel`
cases right), and when it writes several it copies values across them. Counting is easy
for code and hard for it, so the count is estimated here and the plan grammar
(plan_schema.plan_schema) then asks for exactly that many calls, each with only its own
share of the values; the model still picks which argument each value goes to.

A value list belongs to one argument when the tool has fewer number slots than the
question has numbers:

- a listed run of numbers, "for 10, 20 and 30 years", when the other numbers fill all the
  tool's number slots but one: one call per listed number, each with the other numbers;
- otherwise, when the numbers are a whole multiple of the slots ("3 and 4, 5 and 12" for
  a(a, b)): one call per group, in the order written;
- "A and B respectively": one call per item of the list before it;
- words that repeat the request ("then repeat with", "do the same", "another with"): two;
- a list of names ("copper and aluminum", "Apple Inc., Google LLC., and Microsoft Corp")
  for a tool with exactly one free-text argument, each name close to that argument in the
  gate's embedding ("Seattle" to "location", not "humidity"): one call per name, that
  argument fixed.

Numbers inside formulas ("3x^2 + 2x") are not values. A tool that takes a list or an open
object of numbers can take any count of them in one call, so it gets no estimate. Anything
unsure gives 1, which leaves the plan as the model writes it: a wrong count is always a
wrong plan, so the rules prefer missing a split to inventing one. Tuned on BFCL's
simple_python, multiple and parallel cases only (ops/bench/bfcl.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from runtime.agent import tool_choice
from runtime.agent.tool_choice import Embed

if TYPE_CHECKING:
    from runtime.tools.base import Tool

Number = int | float


@dataclass(frozen=True)
class Split:
    """`count` calls; per call, the numbers it may use (None: all of the question's) and
    the value of the tool's one free-text argument `text_arg` (None: not fixed)."""

    count: int = 1
    numbers: tuple[tuple[Number, ...], ...] | None = None
    texts: tuple[str, ...] | None = None
    text_arg: str | None = None


# A number as written: "300,000", "-2", "5.6", "30.45", "5%", "5m"; not inside a word
# ("HbA1c"), a formula's exponent ("x^2") or a coefficient ("3x", "2x^2").
_MENTION = re.compile(
    r"(?<![\w.^])-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?!\.?\d)(?![a-z]?\^|[xyz]\b)%?"
)
_UNIT = r"(?:\s*(?:%|[A-Za-z²]+\.?))?"
_LISTED = rf"-?\d+(?:\.\d+)?{_UNIT}"
# "5, 10 and 15", "1,5 and 10 years", "20 minutes and 15 minutes": two or more numbers
# joined by commas and a final "and".
NUMBER_LIST = re.compile(rf"\$?{_LISTED}(?:\s*,\s*\$?{_LISTED})*\s*,?\s+and\s+\$?{_LISTED}")
_REPEAT = re.compile(
    r"\b(?:then repeat|repeat (?:it|this|the same)|do the same|same (?:calculation|thing)"
    r"|another (?:one )?with|and again (?:for|with))\b",
    re.IGNORECASE,
)
_RESPECTIVELY = re.compile(r"\brespectively\b", re.IGNORECASE)
# Words that end a name when reading back from a list ("the artists Taylor Swift and ...").
_STOP_WORDS = (
    "a an the of for from in on at to by with and or about between is are was were "
    "what which who how get find fetch play calculate compute show give list me my "
    "their its them it this that these those both each also"
)
_STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[\w'.&-]+")
# Dates are one value, not three: "January 1, 2022", "1 January 2022", "2024-03-01".
_DATE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"\s+\d{4}\b|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{4}\b"
    r"|\b\d{4}-\d{1,2}-\d{1,2}\b",
    re.IGNORECASE,
)


# A formula's terms are not values: "3x^2 + 2x - 1" (a term with a variable, then operators).
# A variable is one letter standing alone, so the "d" ending "and" in "20, and -25" does not
# turn "-25" into a formula's term.
_VARIABLE = r"[a-z](?![a-z])"
_FORMULA = re.compile(
    rf"(?<![a-z])[\d.]*{_VARIABLE}(?:\^\d+)?(?:\s*[-+*/]\s*[\d.]*(?:{_VARIABLE})?(?:\^\d+)?)+"
)


def _value(text: str) -> Number:
    number = float(text.rstrip("%").replace(",", ""))
    return int(number) if number.is_integer() else number


def mentions(query: str) -> list[tuple[Number, int]]:
    """Each number the question writes as a value, with where it starts (not in a date or
    a formula)."""
    dates = [m.span() for m in (*_DATE.finditer(query), *_FORMULA.finditer(query))]
    return [
        (_value(m.group(0)), m.start())
        for m in _MENTION.finditer(query)
        if not any(a <= m.start() < b for a, b in dates)
    ]


_TEXT = ("string", "boolean")


def _slots(schema: Any) -> int | None:
    """How many number values one call takes; None when it takes any count (a list or an
    open object of numbers)."""
    if not isinstance(schema, dict):
        return 0
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "integer" in kinds or "number" in kinds:
        return 1
    if "string" in kinds and isinstance(schema.get("pattern"), str):
        # An argument that carries an expression ("6 * 7") takes any count of numbers.
        return None if re.search(schema["pattern"], "1 + 2") else 0
    if "array" in kinds:  # a list of names takes no numbers; any other list takes them all
        items = schema.get("items")
        if isinstance(items, dict) and (items.get("enum") or items.get("type") in _TEXT):
            return 0
        return None
    properties = schema.get("properties")
    if "object" in kinds and not properties:
        return None
    if isinstance(properties, dict):
        total = 0
        for value in properties.values():
            count = _slots(value)
            if count is None:
                return None
            total += count
        return total
    return 0


def _free_text_args(schema: dict[str, Any]) -> list[str]:
    """The top-level string arguments without an enum, pattern or format."""
    return [
        name
        for name, value in (schema.get("properties") or {}).items()
        if isinstance(value, dict)
        and value.get("type") == "string"
        and not {"enum", "const", "pattern", "format"} & value.keys()
    ]


def _number_split(query: str, slots: int) -> Split:
    found = mentions(query)
    values = [v for v, _ in found]
    if slots <= 0 or len(values) <= slots:
        return Split()
    if _RESPECTIVELY.search(query):
        listed = _last_list_before(query, _RESPECTIVELY.search(query).start())  # type: ignore[union-attr]
        if listed:
            return _per_item(found, listed)
    for match in NUMBER_LIST.finditer(query):
        listed = [(v, s) for v, s in found if match.start() <= s < match.end()]
        others = len(found) - len(listed)
        if len(listed) >= 2 and others == slots - 1:
            return _per_item(found, listed)
    if len(values) % slots == 0:
        groups = [values[i : i + slots] for i in range(0, len(values), slots)]
        return Split(len(groups), tuple(tuple(dict.fromkeys(g)) for g in groups))
    return Split()


def _last_list_before(query: str, end: int) -> list[tuple[Number, int]]:
    lists = [m for m in NUMBER_LIST.finditer(query[:end])]
    if not lists:
        return []
    last = lists[-1]
    return [(v, s) for v, s in mentions(query) if last.start() <= s < last.end()]


def _context(query: str, start: int) -> str:
    """The two words before a number ("sample size of 50" -> "sample size")."""
    words = [w for w in re.findall(r"[a-z]+", query[:start].lower()) if w not in _STOP]
    return " ".join(words[-2:])


def _repeated(query: str, cue: int) -> Split:
    """Two calls for "..., then repeat with X of M": the first with the numbers before the
    cue, the second with those after it and the earlier ones they do not replace (a number
    after the cue replaces the earlier number written after the same words)."""
    found = mentions(query)
    before = [(v, s) for v, s in found if s < cue]
    after = [(v, s) for v, s in found if s >= cue]
    if not before or not after:
        return Split(2)
    replaced = {_context(query, s) for _, s in after}
    kept = [v for v, s in before if _context(query, s) not in replaced]
    first = tuple(dict.fromkeys(v for v, _ in before))
    second = tuple(dict.fromkeys([*kept, *(v for v, _ in after)]))
    return Split(2, (first, second))


def _per_item(found: list[tuple[Number, int]], listed: list[tuple[Number, int]]) -> Split:
    others = [v for v, s in found if (v, s) not in listed]
    numbers = tuple(tuple(dict.fromkeys([*others, v])) for v, _ in listed)
    return Split(len(listed), numbers)


def _name_list(query: str, arguments: Sequence[str]) -> list[str]:
    """The longest list of two or more names the question writes ("A, B, and C", "A and
    B"), each at most three words; [] when there is none. A number, an "=" or an argument's
    own name ("its base and height") is not a name."""
    best: list[str] = []
    for joint in re.finditer(r",?\s+and\s+", query):
        right = re.split(r"[,;:?!]|\.(?:\s|$)", query[joint.end() :], maxsplit=1)[0]
        names = [_name_at(right, back=False)[0]]
        for segment in reversed(query[: joint.start()].split(",")):
            name, whole = _name_at(segment, back=True)
            names.insert(0, name)
            if not whole:
                break
        if len(names) > len(best) and all(_is_name(n, arguments) for n in names):
            best = names
    return best


def _name_at(text: str, *, back: bool) -> tuple[str, bool]:
    """The name at the end (`back`) or start of `text`, its words up to a stop word; and
    whether it is the whole of `text`."""
    words = _WORD.findall(text)
    taken: list[str] = []
    for word in reversed(words) if back else words:
        if word.lower() in _STOP or len(taken) == 3:
            break
        taken.append(word)
    whole = len(taken) == len(words)
    if back:
        taken.reverse()
        # A proper name starts at its first capital: "the artists Taylor Swift".
        while len(taken) > 1 and taken[0].islower() and any(w[:1].isupper() for w in taken):
            taken.pop(0)
            whole = False
    return " ".join(taken).strip("'\""), whole


def _is_name(name: str, arguments: Sequence[str]) -> bool:
    words = {w.lower().strip(".") for w in _WORD.findall(name)}
    return (
        bool(name)
        and not name[:1].isdigit()
        and "=" not in name
        and not (words & {a.lower() for a in arguments})
    )


# How close (cosine, the gate's embedder) each listed name must be to the free-text
# argument's name and description: "Seattle" to "location: the city ...", not "humidity".
# Set on BFCL's tuning categories: of the name lists found there, those at >= 0.28 were the
# argument's values in 8 of 13, those below in 13 of 40 (23 of the 27 wrong ones were
# simple_python questions, where a split is always wrong).
NAME_FIT = 0.28


def _names_fit(names: list[str], argument: str, schema: dict[str, Any], embed: Embed) -> bool:
    spec = (schema.get("properties") or {}).get(argument) or {}
    label = f"{argument.replace('_', ' ')}: {spec.get('description', '')}"
    vectors = embed([label, *names])
    return float(min(vectors[1:] @ vectors[0])) >= NAME_FIT


def split_calls(
    query: str, tools: Sequence[Tool], max_calls: int, embed: Embed | None = None
) -> Split:
    """The calls `query` asks of `tools` (the relevant ones; with several, the tool that
    takes the most values decides, so a split is never forced on a tool that could take
    them all). `embed` is the gate's embedder (tool_choice.py) unless given."""
    if not tools or max_calls < 2:
        return Split()
    schemas = [t.json_schema() for t in tools]
    counts = [_slots(s) for s in schemas]
    split = Split()
    if None not in counts:
        split = _number_split(query, max(c for c in counts if c is not None))
    if len(tools) == 1:
        free = _free_text_args(schemas[0])
        arguments = list(schemas[0].get("properties") or {})
        names = _name_list(query, arguments) if len(free) == 1 else []
        if (
            len(names) >= 2
            and split.count in (1, len(names))
            and _names_fit(names, free[0], schemas[0], embed or tool_choice._default_embed)
        ):
            split = Split(len(names), split.numbers, tuple(names), free[0])
    repeat = _REPEAT.search(query)
    if split.count < 2 and repeat:
        split = _repeated(query, repeat.start())
    if split.count < 2 or split.count > max_calls:
        return Split()
    return split
