"""Who takes part in a question, and in what role: the one asked about, the asker and the one
asked, and the check that refuses two questions whose participants trade roles.

structure.py gives each noun a role from the dependency parse ("subject of hire", "object of
for", "recipient of give"). This module adds the participants a noun list misses, and
compares the roles of two questions (`role_clash`):
- the one asked about: "what", "who", "whom" share one key, `ASKED`, so "What causes X?"
  (the subject of "cause") is not "What does X cause?" (its object). A preposition left at
  the end takes the wh-word as its object, which the small parser misses: "Who was the house
  built for?" asks for whom it was built, not who built it; "Who was it written by?" asks
  for the writer, the subject, as "Who wrote it?" does;
- the asker and the one asked: a lone "you" is generic ("How do I reset it?" = "How do you
  reset it?"), so pronouns get no role, unless a question names both persons: then they are
  two parties to one act ("Can you sell me your car?" is not "Can I sell you my car?"), and
  the first person ("I", "me", "we", "us") and the second ("you") each get a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from runtime.cache import lexicon

ASKED = "?wh"
FIRST = "?me"
SECOND = "?you"
_PERSON = {"i": FIRST, "me": FIRST, "we": FIRST, "us": FIRST, "you": SECOND}
# Third persons are never generic: "Why does she ignore him?" is not "Why does he ignore
# her?", so each has a key of its own whenever two persons take part.
_THIRD = {"he": "?he", "him": "?he", "she": "?she", "her": "?she", "they": "?they",
          "them": "?they"}  # fmt: skip
# English prepositions (a closed class) that a question may leave at its end.
_PREPOSITIONS = frozenset(
    lexicon.words(
        "about after against at behind by for from in into of on onto over to toward towards "
        "under with without"
    )
)


def roles(tokens: Iterable[Any], role_of: Callable[[Any], str | None]) -> dict[str, str]:
    """{FIRST: role, SECOND: role} for a parse where both persons take part, else {}.
    `role_of` is structure.py's role of a token ("subject of sell", "recipient of sell")."""
    found: dict[str, str] = {}
    for tok in tokens:
        key = _PERSON.get(tok.lower_, _THIRD.get(tok.lower_)) if tok.pos_ == "PRON" else None
        role = role_of(tok) if key else None
        if key and role:
            found.setdefault(key, role)
    return found if len(found) >= 2 else {}


def stranded(tokens: Iterable[Any]) -> dict[str, str]:
    """{ASKED: role} when a wh-question ends on a preposition with no object of its own
    ("Who was the house built for?": the object of "for"; "... written by?": the subject of
    "write"), else {}."""
    words = [t for t in tokens if not t.is_punct]
    if len(words) < 3 or words[0].tag_ != "WP" or words[-1].lower_ not in _PREPOSITIONS:
        return {}
    last = words[-1]
    if any(c.dep_ == "pobj" for c in last.children):
        return {}
    if last.lower_ == "by" and last.head.tag_ == "VBN":
        return {ASKED: f"subject of {last.head.lemma_.lower()}"}
    return {ASKED: f"object of {last.lower_}"}


def _kind(role: str) -> str:
    return role.split(" of ")[0]


def _target(role: str) -> str:
    return role.split(" of ")[1]


def role_clash(ra: dict[str, str], rb: dict[str, str]) -> str | None:
    """Two participants exchanging roles, or one moving between subject and object of the
    same verb; the one asked about moving between subject and the object of a preposition
    ("Who built it?" / "Who was it built for?")."""
    shared = sorted(set(ra) & set(rb))
    for x in shared:
        for y in shared:
            if x < y and ra[x] != ra[y] and ra[x] == rb[y] and ra[y] == rb[x]:
                return f"roles differ: {x} {ra[x]}, {y} {ra[y]} vs the other way round"
    for x in shared:
        kinds = {_kind(ra[x]), _kind(rb[x])}
        same_verb = _target(ra[x]) == _target(rb[x])
        by_preposition = x == ASKED and bool({_target(ra[x]), _target(rb[x])} & _PREPOSITIONS)
        if kinds == {"subject", "object"} and (same_verb or by_preposition):
            return f"roles differ: {x} is the {ra[x]} vs the {rb[x]}"
    return None


def action_clash(
    ra: dict[str, str], rb: dict[str, str], frame: set[str], opposed: Callable[[str, str], bool]
) -> str | None:
    """One object, and a frame verb done to it in one question where the other does the
    opposite: "How do I show a column?" / "How do I hide a column?". The frame verb is no
    content (structure.py drops "show", "find", "give" as in "show me how", "find me a
    hotel"), so the content check sees only "hide" added; the object tells what each verb
    does. Only opposites (`opposed`: WordNet's antonyms) are refused: a frame verb against
    another verb is as often a paraphrase ("find the area" / "work out the area")."""
    for x in sorted(set(ra) & set(rb)):
        if _kind(ra[x]) != "object" or _kind(rb[x]) != "object":
            continue
        va, vb = _target(ra[x]), _target(rb[x])
        if (va in frame) != (vb in frame) and opposed(va, vb):
            return f"action differs: {va} the {x} vs {vb} the {x}"
    return None


def agents(tokens: Iterable[Any], lemma_of: Callable[[Any], str]) -> tuple[tuple[str, str], ...]:
    """(verb lemma, its subject) for each verb with a noun or pronoun subject: a noun by its
    lemma, a pronoun as written ("the airline cancels": (cancel, airline); "I cancel": (cancel,
    i)), for `agent_clash`."""
    return tuple(
        (lemma_of(t.head), t.lower_ if t.pos_ == "PRON" else lemma_of(t))
        for t in tokens
        if t.dep_ == "nsubj" and t.head.pos_ == "VERB" and t.pos_ in ("PRON", "NOUN", "PROPN")
    )


# The asker and the one asked, who a question may name instead of a third party.
_ASKER = frozenset({"i", "we", "you"})
# Subjects that name no party of their own (a pronoun may stand for the other's noun).
_NO_PARTY = frozenset(
    [*_PERSON, *_THIRD, *lexicon.words("it this that these those one someone anyone who what")]
)


def agent_clash(
    agents_a: Sequence[tuple[str, str]],
    agents_b: Sequence[tuple[str, str]],
    content_a: Sequence[tuple[str, str]],
    content_b: Sequence[tuple[str, str]],
) -> str | None:
    """One verb done by a third party in one question and by the asker in the other: "if
    the airline cancels my flight" / "if I cancel my flight", "Can my landlord raise the
    rent?" / "Can I raise the rent?". The content check sees one noun added, which it lets
    pass; who does it decides the answer. Not when the other question names that party
    elsewhere ("What should I buy as a beginner?" / "What should a beginner buy?")."""
    words_a, words_b = {w for w, _ in content_a}, {w for w, _ in content_b}
    for verb, x in agents_a:
        for other_verb, y in agents_b:
            if verb != other_verb or x == y:
                continue
            for party, asker, elsewhere in ((x, y, words_b), (y, x, words_a)):
                if asker in _ASKER and party not in _NO_PARTY and party not in elsewhere:
                    return f"roles differ: {x} {verb} vs {y} {verb}"
    return None
