"""Multiword verbs read as one word: a phrasal verb and its one-word synonym, a light verb
and its noun.

structure.py compares content words one by one, so a verb whose meaning needs its particle
loses it: "put off" is "put", "call off" is "call", and "Should I postpone the meeting?" /
"Should I put off the meeting?" reads as "postpone" swapped for "put". WordNet lists such
verbs as lemmas of their own, with an underscore ("put_off" = "postpone", "call_off" =
"cancel", "set_up" = "install", "turn_down" = "reject", "look_into" = "investigate"), so:

- a phrasal verb: a content verb followed by its particle (tag RP, up to two words after it:
  "put the meeting off") or by a preposition right after it (tag IN: "look into") is read as
  the joined lemma when WordNet lists it and the joined lemma is a synonym (wordnet.py's
  rule) of a verb only the other question has, or of the other's joined verb ("switch on" /
  "turn on"). The verb is then renamed to the other's, so the content check sees one word.
- a light verb (a closed class: "make", "give", "do" carry little meaning of their own and
  leave the action with their subject) with a noun a word or two after it that WordNet
  relates to a verb only the other question has ("make a decision" / "decide", "make a
  payment" / "pay"): the light verb is dropped and the noun renamed to that verb. Verbs of
  receiving are left out: "take a loan" / "get a loan" borrow, "lend" gives; "take a test"
  is not "test", nor "take a break" "break". ("give" and "do" are mostly frame words,
  structure.py, so they rarely reach this.)

Only renames that make a pair: a particle that changes the meaning ("turn on" / "turn off")
is left to the preposition check, and a word with no partner stays a difference. Without
WordNet's files nothing is joined (a miss, never a wrong hit).
"""

from __future__ import annotations

import dataclasses

from runtime.cache import word_class, wordnet
from runtime.cache.parses import Parsed

# Verbs that lend their grammar to a noun carrying the meaning (a closed class, see above).
_LIGHT = frozenset({"make", "give", "do"})
# What may stand between a light verb and its noun: articles, possessives, adjectives.
_BETWEEN = frozenset({"DT", "PRP$", "JJ"})


def _joined(p: Parsed, lemma: str, form: str) -> tuple[str, int] | None:
    """The WordNet lemma of the verb written `form` with its particle ("put_off"), and
    where the particle is written, if WordNet lists the pair."""
    for i, (word, tag) in enumerate(zip(p.words, p.tags, strict=True)):
        if word != form or not tag.startswith("VB"):
            continue
        after = list(enumerate(p.tags[i + 1 : i + 4], start=i + 1))
        at = next((j for j, t in after if t == "RP"), None)
        if at is None and after and after[0][1] == "IN":
            at = i + 1
        if at is not None and wordnet.synsets(f"{lemma}_{p.words[at]}", "v"):
            return f"{lemma}_{p.words[at]}", at
    return None


def _noun_of_light_verb(p: Parsed, form: str) -> str | None:
    """The noun written a word or two after the light verb `form` ("make a decision")."""
    lemmas = {f: w for w, f in p.forms}
    for i, word in enumerate(p.words):
        if word != form:
            continue
        for j in range(i + 1, min(i + 4, len(p.words))):
            if p.tags[j].startswith("NN"):
                return lemmas.get(p.words[j])
            if p.tags[j] not in _BETWEEN:
                break
    return None


def _renamed(p: Parsed, names: dict[str, str], dropped: set[str], absorbed: set[int]) -> Parsed:
    """`p` with content words renamed, light verbs dropped, and the particles the joined
    verbs absorbed taken out of its words (no particle is then on one side only)."""
    if not names and not dropped:
        return p
    content = tuple((names.get(w, w), c) for w, c in p.content if w not in dropped)
    forms = tuple((names.get(w, w), f) for w, f in p.forms if w not in dropped)
    words = tuple(w for i, w in enumerate(p.words) if i not in absorbed)
    tags = tuple(t for i, t in enumerate(p.tags) if i not in absorbed)
    return dataclasses.replace(p, content=content, forms=forms, words=words, tags=tags)


def _align_one(a: Parsed, b: Parsed) -> Parsed:
    """`a` with its multiword verbs renamed to the words of `b` they stand for."""
    words_a = {w for w, _ in a.content}
    verbs_b = {w for w, c in b.content if c == "verb" and w not in words_a}
    forms_b = dict(b.forms)
    names: dict[str, str] = {}
    dropped: set[str] = set()
    absorbed: set[int] = set()
    for lemma, form in a.forms:
        if dict(a.content).get(lemma) != "verb" or lemma in names.values():
            continue
        joined = _joined(a, lemma, form)
        for y in sorted(verbs_b - set(names.values())):
            other = _joined(b, y, forms_b.get(y, y))
            if joined and wordnet.same_meaning(joined[0], other[0] if other else y, "v"):
                names[lemma] = y
                if other is None:  # Both joined ("switch on" / "turn on"): particles match.
                    absorbed.add(joined[1])
                break
            noun = _noun_of_light_verb(a, form) if lemma in _LIGHT else None
            if noun and noun not in names and word_class.related(noun, y):
                names[noun] = y
                dropped.add(lemma)
                break
    return _renamed(a, names, dropped, absorbed)


def align(a: Parsed, b: Parsed) -> tuple[Parsed, Parsed]:
    """Both parses with multiword verbs read as the single verbs of the other (docstring)."""
    if not wordnet.available():
        return a, b
    a2 = _align_one(a, b)
    return a2, _align_one(b, a2)
