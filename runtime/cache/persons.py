"""The asker and the one asked, as participants: "Can you sell me your car?" is not "Can I sell
you my car?".

structure.py gives nouns a role (subject, object, recipient of a verb) and refuses a question
whose nouns trade roles. Pronouns have none there, because "How do I reset it?" and "How do you
reset it?" ask the same thing: a lone "you" is generic, and which person a question is put in
does not change its answer. When a question names both persons, though, they are two parties
to one act, and who does what to whom is the question: here the first person ("I", "me",
"we", "us") and the second ("you") each get a role key, which the role checks compare like a
noun's. Only when both persons have a role, so a question in one person keeps matching a
question in the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

FIRST = "?me"
SECOND = "?you"
_PERSON = {"i": FIRST, "me": FIRST, "we": FIRST, "us": FIRST, "you": SECOND}


def roles(tokens: Iterable[Any], role_of: Callable[[Any], str | None]) -> dict[str, str]:
    """{FIRST: role, SECOND: role} for a parse where both persons take part, else {}.
    `role_of` is structure.py's role of a token ("subject of sell", "recipient of sell")."""
    found: dict[str, str] = {}
    for tok in tokens:
        key = _PERSON.get(tok.lower_) if tok.pos_ == "PRON" else None
        role = role_of(tok) if key else None
        if key and role:
            found.setdefault(key, role)
    return found if len(found) == 2 else {}
