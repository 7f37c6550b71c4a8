"""Whose thing: a noun both questions ask about, owned by someone else on one side only.

"How do I reset my password?" and "How do I reset my partner's password?" differ by one added
word, "partner", which structure.py's content check lets pass (paraphrases often add one),
and no role is swapped. But the answer is for another person's password (permissions,
consent, a different account). So an owner named with "'s" before a noun both questions
share ("my partner's", "someone else's", "Anna's"), or a third person's "his" / "her",
counts as a difference when the other question does not name that owner anywhere ("Google's
policy" / "the policy of Google" is one owner). The asker's own ("my", "your", "our") and no
owner at all are one: "reset my password" / "reset a password" is the same question; so are
"their" and "its", which mostly point back at the question's own subject.
"""

from __future__ import annotations

from runtime.cache.parses import Parsed

# Possessive pronouns of a third person: another's thing, not the asker's.
_THIRD = frozenset({"his", "her"})


def _owners(p: Parsed) -> dict[str, str]:
    """Possessed noun (as written) -> the owner word written before it ("partner", "her")."""
    found: dict[str, str] = {}
    for i, (word, tag) in enumerate(zip(p.words, p.tags, strict=True)):
        owner = ""
        if tag == "POS" and i > 0:
            owner = p.words[i - 1]
        elif tag == "PRP$" and word in _THIRD:
            owner = word
        if not owner:
            continue
        for j in range(i + 1, min(i + 5, len(p.words))):
            if p.tags[j].startswith("NN") and (
                j + 1 == len(p.words) or not p.tags[j + 1].startswith("NN")
            ):
                found.setdefault(p.words[j], owner)  # the head: last noun of "credit card"
                break
    return found


def owner_clash(a: Parsed, b: Parsed) -> str | None:
    """A shared noun owned by someone the other question never names (module docstring)."""
    for x, y in ((a, b), (b, a)):
        owners_y = _owners(y)
        for noun, owner in _owners(x).items():
            if noun in y.words and owner not in y.words and owners_y.get(noun) != owner:
                return f"owner differs: {owner}'s {noun} vs {owners_y.get(noun, 'none')}'s {noun}"
    return None
