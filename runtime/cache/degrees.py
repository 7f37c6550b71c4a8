"""Degree of comparison in two English parses: plain, comparative ("cheaper", "more
affordable") or superlative ("cheapest", "the most affordable", "the least expensive").

- the same adjective at two degrees is a different question ("farther" / "farthest");
- a superlative (or comparative) on one side only is one too, even when the adjectives are
  synonyms that content_clash lets pass: "the cheapest way" asks for one way, "an affordable
  way" for any. Counted from the tags (JJS / RBS, JJR / RBR; "most" and "least" carry the tag
  themselves), so "cheapest" and "most affordable" are one superlative each: a closed class of
  grammar, no word list. "best" / "better" are left out: in "the best way to" they only praise
  ("How do I choose X?" asks the same).
Called by structure.py's `clash_en`.
"""

from __future__ import annotations

from runtime.cache.parses import Parsed

_DEGREE_TAGS = {"JJS": "most", "RBS": "most", "JJR": "more", "RBR": "more"}
_PRAISE = frozenset({"best", "better"})


def _count(p: Parsed, degree: str) -> int:
    return sum(
        1
        for w, t in zip(p.words, p.tags, strict=True)
        if _DEGREE_TAGS.get(t) == degree and w not in _PRAISE
    )


def degree_clash(a: Parsed, b: Parsed) -> str | None:
    da, db = dict(a.degrees), dict(b.degrees)
    for word in sorted({w for w, _ in a.content} & {w for w, _ in b.content}):
        if da.get(word) != db.get(word):
            return f"degree differs: {da.get(word, 'plain')} {word} vs {db.get(word, 'plain')}"
    for degree in ("most", "more"):
        if _count(a, degree) != _count(b, degree):
            return f"degree differs: {_count(a, degree)} vs {_count(b, degree)} {degree}"
    return None
