"""Degree of comparison in two English parses: plain, comparative ("cheaper", "more
affordable") or superlative ("cheapest", "the most affordable", "the least expensive").

- the same adjective at two degrees is a different question ("farther" / "farthest");
- a superlative (or comparative) on one side only is one too, even when the adjectives are
  synonyms that content.clash lets pass: "the cheapest way" asks for one way, "an affordable
  way" for any. Counted from the tags (JJS / RBS, JJR / RBR; "most" and "least" carry the tag
  themselves), so "cheapest" and "most affordable" are one superlative each: a closed class of
  grammar, no word list. "best" / "better" are left out: in "the best way to" they only praise
  ("How do I choose X?" asks the same).
- "the least X" is "the most" of X's antonym ("the least expensive" / "the cheapest"): with
  WordNet's antonym of X's first sense, `least_as_most` rewrites it so (no antonym: as it is).
Called by structure.py's `clash_en`; `least_as_most` by verify.py and parses.py.
"""

from __future__ import annotations

import re
from typing import Protocol

from runtime.cache import wordnet


class Parsed(Protocol):
    """What this module reads of parses.Parsed (parses.py imports `least_as_most` from here,
    so naming its class would make the two modules import each other)."""

    @property
    def words(self) -> tuple[str, ...]: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def forms(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def degrees(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def content(self) -> tuple[tuple[str, str], ...]: ...


_DEGREE_TAGS = {"JJS": "most", "RBS": "most", "JJR": "more", "RBR": "more"}
_PRAISE = frozenset({"best", "better"})
# The degrees downwards, counted apart: "uses less power" is not "uses more power".
_DOWN = {"less": "less", "fewer": "less", "lesser": "less", "least": "least", "fewest": "least"}
# The words that only mark a degree: no content word of their own (structure.py).
MARKERS = frozenset({"more", "most", "less", "least"})


def _count(p: Parsed, degree: str) -> int:
    return sum(
        1
        for w, t in zip(p.words, p.tags, strict=True)
        if (_DOWN.get(w) or _DEGREE_TAGS.get(t)) == degree and w not in _PRAISE
    )


_LEAST = re.compile(r"\b(the|The)\s+least\s+([a-z]+)\b")


def _most_antonym(m: re.Match[str]) -> str:
    antonym = wordnet.antonym_of(m.group(2))
    return f"{m.group(1)} most {antonym}" if antonym else m.group(0)


def least_as_most(text: str) -> str:
    """ "the least expensive way" -> "the most cheap way" (see the module's doc); "as fast as
    possible" -> "the most fast"."""
    text = _AT_MOST.sub("maximum", text) if "most" in text else text
    text = _AS_POSSIBLE.sub(r"the most \1", text) if "as " in text else text
    return _LEAST.sub(_most_antonym, text) if "least" in text else text


# "as fast as possible" (as cheaply as I can) is the manner at its utmost, which "the quickest
# way" asks too: read "the most fast", a superlative as "quickest" is, not four added words.
_AS_POSSIBLE = re.compile(
    r"\bas\s+([a-z]+)\s+as\s+(?:possible|(?:i|we|you)\s+(?:can|could))\b", re.IGNORECASE
)


# "at most" is an upper bound, the maximum ("How much weight can it hold at most?" / "What is
# the maximum weight it can hold?"), not the proportion "most" scope.py compares.
_AT_MOST = re.compile(r"\bat\s+(?:the\s+)?most\b", re.IGNORECASE)


def _degrees(p: Parsed) -> dict[str, str]:
    """Content lemma -> "more" / "most": by its tag ("cheaper"), or by "more" / "most" just
    before it ("most affordable")."""
    found = dict(p.degrees)
    lemma = {form: lemma for lemma, form in p.forms}
    for before, word in zip(p.words, p.words[1:], strict=False):
        if before in ("more", "most") and word in lemma:
            found.setdefault(lemma[word], before)
    return found


def degree_clash(a: Parsed, b: Parsed) -> str | None:
    da, db = _degrees(a), _degrees(b)
    for word in sorted({w for w, _ in a.content} & {w for w, _ in b.content}):
        if da.get(word) != db.get(word):
            return f"degree differs: {da.get(word, 'plain')} {word} vs {db.get(word, 'plain')}"
    for degree in ("most", "more", "least", "less"):
        if _count(a, degree) != _count(b, degree):
            return f"degree differs: {_count(a, degree)} vs {_count(b, degree)} {degree}"
    return None
