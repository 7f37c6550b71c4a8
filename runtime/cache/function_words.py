"""Function words compared on two parses: prepositions (and verb particles, and "per" of a
rate) and modal verbs.

Embeddings barely register them, yet they carry the question: "what to wear under / over a
wetsuit", "stretch before / after running", "near / far from the hotel", "scroll up / down",
"must / may I file".
Both are closed classes (lexicon.py lists them, with the groups that stand in for each other),
so these checks judge no word outside the class and hold for sentences never seen. Called by
structure.py's `clash_en` after the content words have been compared.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from runtime.cache import lexicon, word_forms
from runtime.cache.parses import Parsed

_DISTRIBUTIVE = frozenset({"per", "each", "every", "a", "an"})  # "per / each / a month"


def quantity_of(span: Any) -> bool:
    """Parsed tokens reading "number of" / "amount of" + a bare noun: the question word "how
    many" / "how much" ("the number of credits"), unlike "the number of the hotel" (its
    phone number), which takes a determiner."""
    words = [t.lower_ for t in span]
    return (
        len(words) == 3
        and words[0] in ("number", "amount")
        and words[1] == "of"
        and span[2].tag_ in ("NN", "NNS", "JJ", "VBN")
    )


def modal_clash(x: str, y: str) -> str | None:
    """Two modals of different kinds: what is possible or allowed vs what is required."""
    kind_x, kind_y = lexicon.EN_MODAL_CLASSES.get(x), lexicon.EN_MODAL_CLASSES.get(y)
    if kind_x and kind_y and kind_x != kind_y:
        return f"modality differs: {x} vs {y}"
    return None


def _prepositions(p: Parsed) -> tuple[list[str], set[str]]:
    """The prepositions in order, complex ones joined ("far_from"), and the words those
    complex ones are made of."""
    found: list[str] = []
    parts: set[str] = set()
    i = 0
    while i < len(p.words):
        for n in (3, 2):
            joined = "_".join(p.words[i : i + n])
            if joined in lexicon.EN_COMPLEX_PREPOSITIONS:
                found.append(joined)
                parts.update(p.words[i : i + n])
                i += n
                break
        else:
            word = p.words[i]
            if p.tags[i] in ("IN", "RP") and word.isalpha():  # RP: "scroll up"
                found.append(word)
            elif p.tags[i] == "VBG" and word in lexicon.EN_PARTICIPLE_PREPOSITIONS:
                found.append(word)  # "following a shift": a preposition, not a verb
                parts.update((word, lexicon.EN_PARTICIPLE_PREPOSITIONS[word]))
            i += 1
    return found, parts


def _rate_clash(a: Parsed, b: Parsed) -> str | None:
    """A rate on one side only: "cost per month" / "cost in total". The other question says
    the same rate with a distributive determiner or an adverb ("each month", "monthly")."""
    for x, y in ((a, b), (b, a)):
        for i, word in enumerate(x.words[:-1]):
            if word != "per":
                continue
            unit = x.words[i + 1]
            stem = unit[:-1] if unit.endswith("s") else unit
            distributed = any(
                w in _DISTRIBUTIVE and v.startswith(stem)
                for w, v in zip(y.words, y.words[1:], strict=False)
            )
            if not distributed and not any(word_forms.adverb_of(stem, w) for w in y.words):
                sides = (f"per {unit}", "none") if x is a else ("none", f"per {unit}")
                return f"rate differs: {sides[0]} vs {sides[1]}"
    return None


def _fmt(words: set[str]) -> str:
    return " ".join(sorted(words)) or "none"


def preposition_clash(a: Parsed, b: Parsed) -> str | None:
    """The same content words, but a preposition swapped for one that is not its stand-in
    (lexicon.EN_PREPOSITION_GROUPS): "wear under / over a wetsuit", "stretch before / after
    running", "near / far from the hotel". Prepositions are a closed class: no word outside
    it is ever judged, and a question that also changes its content words is left to
    content.clash ("distance between A and B" / "how far is A from B" is a paraphrase)."""
    pa, parts_a = _prepositions(a)
    pb, parts_b = _prepositions(b)
    # A time shifted by "after" / "before" on one side only: "on St Patrick's Day" / "on the
    # day after St Patrick's Day". Judged whatever else changed, as no content word says it.
    ta, tb = set(pa) & lexicon.EN_TIME_ORDER, set(pb) & lexicon.EN_TIME_ORDER
    if bool(ta) != bool(tb):
        return f"preposition differs: {_fmt(ta)} vs {_fmt(tb)}".replace("_", " ")
    found = _rate_clash(a, b)
    if found:
        return found
    parts = parts_a | parts_b
    if {w for w, _ in a.content} - parts != {w for w, _ in b.content} - parts:
        return None
    only_a = list((Counter(pa) - Counter(pb)).elements())  # "zoom in in X" / "zoom out in X"
    only_b = list((Counter(pb) - Counter(pa)).elements())
    for x in only_a:
        for y in only_b:
            if not any(x in g and y in g for g in lexicon.EN_PREPOSITION_GROUPS):
                return f"preposition differs: {x} vs {y}".replace("_", " ")
    # A particle on one side only makes another verb of the same one: "rent" / "rent out".
    particles_a = Counter(w for w, t in zip(a.words, a.tags, strict=True) if t == "RP")
    particles_b = Counter(w for w, t in zip(b.words, b.tags, strict=True) if t == "RP")
    if not only_b and particles_a - particles_b:
        return f"particle differs: {' '.join(particles_a - particles_b)} vs none"
    if not only_a and particles_b - particles_a:
        return f"particle differs: none vs {' '.join(particles_b - particles_a)}"
    return None
