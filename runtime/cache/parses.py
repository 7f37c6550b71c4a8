"""A parsed English question (structure.py's `Parsed`), memoised per process, and the JSON form
the semantic cache stores with each entry.

A lookup compares its question's parse with each candidate's. Parsing is the verifier's dear
step (spaCy, ~2-3 ms), so a question is parsed once: queries and the entries they met are
memoised here, and each entry's parse is computed when it is stored (off the request path) and
carried back with the candidate (`carry`), so a lookup runs spaCy on its own question only,
whichever process stored the entry and however cold this process's memo.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from runtime.cache.clock import normalise_times
from runtime.cache.degrees import least_as_most
from runtime.cache.framing import unframe
from runtime.cache.scope import strip_idioms
from runtime.cache.word_forms import join_negating_prefixes

MEMO = 8192  # Parses kept per process: the queries seen lately and the entries they met.
# Bumped whenever `Parsed` or the parse itself changes: a stored parse of another version is
# ignored (the question is parsed again), never misread.
# 18: "at most" read as "maximum" (degrees.py); 17: frames rewritten before parsing
# (asking.py), "from V-ing" as amod; 16: clock
VERSION = 18


@dataclass(frozen=True)
class Parsed:
    content: tuple[tuple[str, str], ...]  # (lemma, word class) in order, frame words left out
    words: tuple[str, ...]  # every word as written (lowercased), punctuation left out
    tags: tuple[str, ...]  # each word's fine part-of-speech tag (IN: preposition, MD: modal)
    forms: tuple[tuple[str, str], ...]  # (lemma, the word as written) of the content words
    order: tuple[str, ...]  # content lemmas and prepositions, in order
    roles: tuple[tuple[str, str], ...]  # (noun lemma, role) for nouns with a clear role
    degrees: tuple[tuple[str, str], ...]  # (adjective/adverb lemma, "more" | "most")
    passive: bool
    tense: str  # "past", "future" or "" (present, or not told)
    hindered: tuple[tuple[str, str], ...]  # (action, verb): "stop X from barking": (bark, stop)
    # (noun lemma, the noun it modifies): "sourdough bread": (sourdough, bread)
    modifiers: tuple[tuple[str, str], ...] = ()
    # (content lemma, the noun it qualifies) for words before a noun: "starting dose"
    qualifiers: tuple[tuple[str, str], ...] = ()
    # (verb lemma, its subject: a noun's lemma, or a pronoun as written): "the airline
    # cancels": (cancel, airline); "I cancel": (cancel, i)
    agents: tuple[tuple[str, str], ...] = ()


_memo: OrderedDict[str, Parsed] = OrderedDict()
_lock = threading.Lock()


def prepared(question: str) -> str:
    """The text that is parsed: framing dropped (framing.py), "the least expensive" the
    "most cheap" (degrees.py), "7 am" = "7 in the morning",
    emphatic idioms dropped, "non-editable" one word."""
    text = least_as_most(unframe(question))
    return join_negating_prefixes(strip_idioms(normalise_times(text)))


def recall(text: str) -> Parsed | None:
    with _lock:
        found = _memo.get(text)
        if found is not None:
            _memo.move_to_end(text)
        return found


def keep(text: str, parsed: Parsed) -> None:
    with _lock:
        _memo[text] = parsed
        _memo.move_to_end(text)
        while len(_memo) > MEMO:
            _memo.popitem(last=False)


def forget() -> None:
    """Drop every memoised parse (benchmarks time the parser, not the dictionary)."""
    with _lock:
        _memo.clear()


def dumps(parsed: Parsed) -> str:
    return json.dumps({"v": VERSION, **dataclasses.asdict(parsed)}, ensure_ascii=False)


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def carry(question: str, stored: str | None) -> bool:
    """Memoise a stored parse of `question`; False (and nothing kept) if it is missing, of
    another version or malformed: the question is then parsed when it is compared."""
    if not stored:
        return False
    try:
        fields = json.loads(stored)
        if not isinstance(fields, dict) or fields.pop("v", None) != VERSION:
            return False
        parsed = Parsed(**{k: _tuples(v) for k, v in fields.items()})
    except (ValueError, TypeError):
        return False
    keep(prepared(question), parsed)
    return True
