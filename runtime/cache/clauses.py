"""Clauses that only trade places: "I forgot my PIN, how can I reset it?" and "How can I reset
my PIN? I've forgotten it." ask the same thing, yet their content words come in another order,
which structure.py's order check reads as a reversal ("forget ... reset").

A reversal that changes the meaning swaps words within one clause ("Did Alice call Bob?") or
across clauses joined by a word that orders them ("If A, will B?", "B because A"): clauses
only juxtaposed (by a comma or a sentence's end) say the same in either order. So a reversed
pair whose two blocks lie in different clauses in both questions, neither of which has a
subordinating word (a closed class, lexicon.py), is a rotation, not a reversal.
"""

from __future__ import annotations

import re

from runtime.cache import lexicon
from runtime.cache.parses import Parsed

_BOUNDARY = re.compile(r"[,.?!;:]+\s*")
_WORD = re.compile(r"[a-z0-9'’]+")


def _clauses(text: str) -> list[set[str]]:
    return [set(_WORD.findall(c)) for c in _BOUNDARY.split(text.lower()) if c.strip()]


def _clause_of(lemmas: str, p: Parsed, clauses: list[set[str]]) -> int | None:
    first = lemmas.split()[0]
    written = {form for lemma, form in p.forms if lemma == first} | {first}
    found = [i for i, words in enumerate(clauses) if written & words]
    return found[0] if len(found) == 1 else None


def rotated(a_text: str, b_text: str, a: Parsed, b: Parsed, pair: tuple[str, str]) -> bool:
    """The reversed blocks `pair` lie in different, merely juxtaposed clauses in both."""
    for text, p in ((a_text, a), (b_text, b)):
        if lexicon.EN_SUBORDINATORS & set(p.words):
            return False
        clauses = _clauses(text)
        left, right = _clause_of(pair[0], p, clauses), _clause_of(pair[1], p, clauses)
        if left is None or right is None or left == right:
            return False
    return True


def _conditions(text: str, p: Parsed) -> set[str] | None:
    """The content lemmas of the clause a subordinator opens ("if the ferry is late"), up to
    the clause's end; None when the question has no such clause."""
    found: set[str] | None = None
    for clause in _BOUNDARY.split(text.lower()):
        words = _WORD.findall(clause)
        opens = [i for i, w in enumerate(words) if w in lexicon.EN_CONDITIONS]
        if opens:
            inside = set(words[opens[0] + 1 :])
            found = (found or set()) | {lemma for lemma, form in p.forms if form in inside}
    return found


def condition_clash(a_text: str, b_text: str, a: Parsed, b: Parsed) -> str | None:
    """A content word both questions share, inside the condition in one and outside it in
    the other: "If the ferry is late, will I miss the train?" / "If I miss the train, will
    the ferry be late?" swaps what is supposed and what is asked."""
    ca, cb = _conditions(a_text, a), _conditions(b_text, b)
    if ca is None or cb is None:
        return None
    shared = {w for w, _ in a.content} & {w for w, _ in b.content}
    moved = sorted(w for w in shared if (w in ca) != (w in cb))
    return f"condition differs: {', '.join(moved)} moved in or out of it" if moved else None
