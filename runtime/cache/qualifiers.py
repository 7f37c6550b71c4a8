"""Which one of a thing: the words before a noun both questions ask about, compared.

"What's the recommended starting dose for melatonin?" and "What's the maximum safe dose for
melatonin?" ask about one noun, "dose", but about different doses: the words that say which
dose were swapped. structure.py's content check lets a swap of words of different classes
pass ("how tall" / "the height": a rephrasing), and the tagger's classes for such words are
unreliable ("starting" a noun, "boiling" a noun, "melting" a verb), so that check misses
these. Here the parse's dependency says what the words do, whatever their class: each
question's words that qualify one shared noun (amod, compound, nmod before it) are compared,
and qualifiers swapped on both sides, not synonyms nor forms of one word, are a different
question. A qualifier only added or dropped is left to structure.py (`_narrowed`, and the
added-word count): adjectives that only praise ("a good recipe") are often added.
"""

from __future__ import annotations

from runtime.cache import owners, word_forms, wordnet
from runtime.cache.parses import Parsed


def _by_noun(p: Parsed) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for qualifier, noun in p.qualifiers:
        found.setdefault(noun, set()).add(qualifier)
    return found


def requalified(a: Parsed, b: Parsed) -> str | None:
    """A noun both questions share, qualified by different words on each side."""
    qa, qb = _by_noun(a), _by_noun(b)
    words_a = {w for w, _ in a.content}
    words_b = {w for w, _ in b.content}
    forms = dict(a.forms) | dict(b.forms)
    for noun in sorted(set(qa) & set(qb)):
        # Words the other question lacks altogether: one merely moved is no swap.
        only_a = sorted(w for w in qa[noun] - qb[noun] if w not in words_b)
        only_b = sorted(w for w in qb[noun] - qa[noun] if w not in words_a)
        only_a, only_b = wordnet.drop_synonyms(only_a, only_b)
        # One word as written, lemmatised two ways ("waterlogged" / "waterlogge"), is one.
        pairs = [(x, y) for x in only_a for y in only_b if forms.get(x, x) != forms.get(y, y)]
        if pairs and not any(word_forms.related(x, y) for x, y in pairs):
            return f"content differs: {' '.join(only_a)} {noun} vs {' '.join(only_b)} {noun}"
    return owners.owner_clash(a, b)  # whose one: "my" / "my partner's password" (owners.py)
