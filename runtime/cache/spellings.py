"""One word spelt two ways in a pair of English questions, read as one spelling.

"Wi-Fi", "WiFi" and "wifi", or "e-mail" and "email", are one word: only the hyphen, the dot
or the capitals differ. verify.py would read "Wi-Fi" as a name the other question lacks,
surface.py "WiFi" as an identifier, and structure.py "wi fi" as two content words against
"wifi". So when a word of one question, its hyphens and dots dropped and its case folded, is
a word of the other question written otherwise, both are written the folded way ("wifi").
Two capitalised words ("Wi Fi", "Mail Chimp") count as one word written with a space.

Guards, so no meaning is folded away:
- a word that differs only in its first capital ("Apple" / "apple") is left as it is: the
  capital may be all that makes it a name;
- letters only: digits stay where they are ("Wi-Fi 6" against "Wi-Fi 7" still differs in its
  number, "COVID-19" is not touched);
- only a pair is rewritten, and only where the other question has the word too, so a word
  never loses its spelling alone. Used by verify.py's `_verify`.
"""

from __future__ import annotations

import re

# A word of letters joined by hyphens or dots ("Wi-Fi", "e-mail", "Node.js"), or two
# capitalised words in a row ("Wi Fi").
# Not inside an address, a path or a version ("j.ng@kelp.example", "a/b.c", "v2.x"): those
# are identifiers (surface.py), where a dot is part of what is named.
_WORD = re.compile(
    r"(?<![\w.@/:-])(?:[A-Za-z]+(?:[-.][A-Za-z]+)+|[A-Z][a-z]*\s[A-Z][A-Za-z]*|[A-Za-z]+)"
    r"(?![\w@/:-]|\.\w)"
)
_JOINER = re.compile(r"[-.\s]")


def _folded(word: str) -> str:
    return _JOINER.sub("", word).lower()


def _spelt(word: str) -> bool:
    """The word is written with a joiner or a capital past its first letter."""
    return bool(_JOINER.search(word)) or any(c.isupper() for c in word[1:])


def _words(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for m in _WORD.finditer(text):
        found.setdefault(_folded(m.group(0)), set()).add(m.group(0))
    return found


def align(a: str, b: str) -> tuple[str, str]:
    """Both questions with a word they share written the folded way (module docstring)."""
    wa, wb = _words(a), _words(b)
    shared = [
        (key, wa[key] | wb[key])
        for key in wa.keys() & wb.keys()
        if len(key) > 2 and wa[key] != wb[key] and any(_spelt(w) for w in wa[key] | wb[key])
    ]
    for key, spellings in shared:
        for word in sorted(spellings, key=len, reverse=True):
            pattern = re.compile(rf"(?<![\w.@/:-]){re.escape(word)}(?![\w@/:-]|\.\w)")
            a, b = pattern.sub(key, a), pattern.sub(key, b)
    return a, b
