"""Iteration: "keeps restarting" / "restarting over and over" / "restarting constantly".

English says that an action repeats in a few fixed ways: "keep" (+ "on") before a verb in
-ing, or an adverbial after it ("over and over", "again and again", "constantly",
"continually", "repeatedly", "nonstop"). All say the same, so one question with "keeps
crashing" and the other with "crashing over and over" ask one thing; the content check
(structure.py) saw "keep" swapped for "over". A closed class: each marker is read as one
content word, "keep", on both sides, so a question that repeats the action still differs
from one that stops it ("keeps" / "stopped"), and a marker on one side only is one word
added, as "keeps jamming" / "jams" already was.
"""

from __future__ import annotations

import dataclasses

from runtime.cache.parses import Parsed

MARKER = "keep"
# Adverbs that say the action repeats (a closed class).
_ADVERBS = frozenset({"constantly", "continually", "repeatedly", "nonstop", "non-stop"})
# Doubled adverbials: "over and over", "again and again"; their first word is the marker.
_DOUBLED = frozenset({"over", "again"})


def _markers(p: Parsed) -> set[str]:
    """The content lemmas of `p` that only say the action repeats."""
    found = set(_ADVERBS & {w for w, _ in p.content})
    words = p.words
    for i in range(len(words) - 2):
        if words[i] in _DOUBLED and words[i + 1] == "and" and words[i + 2] == words[i]:
            found.add(words[i])
    return found & {w for w, _ in p.content}


def iterative(a: Parsed, b: Parsed) -> tuple[Parsed, Parsed]:
    """Both parses with their markers of iteration read as "keep" (module docstring)."""
    return _one(a), _one(b)


def _one(p: Parsed) -> Parsed:
    markers = _markers(p)
    if not markers:
        return p
    content: list[tuple[str, str]] = []
    for w, c in p.content:
        lemma = MARKER if w in markers else w
        if lemma not in {x for x, _ in content}:
            content.append((lemma, c))
    forms = tuple((MARKER if w in markers else w, f) for w, f in p.forms)
    return dataclasses.replace(p, content=tuple(content), forms=forms)
