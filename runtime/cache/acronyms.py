"""An acronym in one English question spelt out in the other: "US" / "United States", "VS Code"
/ "Visual Studio Code", "DMV" / "Department of Motor Vehicles"; and a numeronym, a word's first
and last letters around the count of letters between ("k8s" / "Kubernetes", "i18n" /
"internationalization"), whose digits are no number.

The entity check (verify.py) would see a name on each side missing from the other. An
acronym made of the initials of a run of capitalised words in the other question names the
same thing: a rule of spelling, no list of acronyms, so it holds for names never seen. Only
capitals count on both sides ("us" the pronoun is no acronym; "the united states" written
lowercase is not matched), and short linking words inside a name are skipped, as acronyms
skip them ("of", "and", "the", "for"). Two different names with the same initials in two
otherwise equal questions would pass: rare beside the paraphrases this keeps.

A numeronym matches a word of the other question with its first and last letters and exactly
that many letters between: again a rule of spelling.

`expand` rewrites the acronym (or numeronym) as the other question's words, so every later
check (entities, structure) compares the same spelling. Called by verify.py's `verify_match`.
"""

from __future__ import annotations

import functools
import re

_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:(?:of|and|the|for|&)\s+)?[A-Z][\w'’-]*)+")
_NUMERONYM = re.compile(r"\b([a-z])(\d{1,2})([a-z])\b", re.IGNORECASE)
_LINKS = frozenset({"of", "and", "the", "for", "&"})


def _spellings(text: str) -> dict[str, str]:
    """Initials -> the run of capitalised words that makes them, for every run of two or more
    such words in `text` (and every part of one: "Visual Studio" in "Visual Studio Code")."""
    found: dict[str, str] = {}
    for m in _NAME_RUN.finditer(text):
        words = m.group(0).split()
        for i in range(len(words)):
            for j in range(i + 2, len(words) + 1):
                part = words[i:j]
                if part[0] in _LINKS or part[-1] in _LINKS:
                    continue
                initials = "".join(w[0] for w in part if w not in _LINKS)
                if len(initials) >= 2:
                    found.setdefault(initials, " ".join(part))
    return found


def _numeronyms(text: str, other: str) -> str:
    for m in set(_NUMERONYM.findall(text)):
        first, count, last = m
        spelt = re.search(rf"\b{first}[a-z]{{{int(count)}}}{last}\b", other, re.IGNORECASE)
        if spelt and int(count) >= 2:
            text = re.sub(rf"\b{first}{count}{last}\b", spelt.group(0), text)
    return text


@functools.lru_cache(maxsize=4096)
def expand(text: str, other: str) -> str:
    """`text` with each acronym or numeronym that `other` spells out (and does not use itself)
    replaced by that spelling."""
    text = _numeronyms(text, other)
    acronyms = [a for a in set(_ACRONYM.findall(text)) if not re.search(rf"\b{a}\b", other)]
    if not acronyms:
        return text
    spelt = _spellings(other)
    for acronym in acronyms:
        found = spelt.get(acronym) or _lowercase_spelling(acronym, other)
        if found:
            text = re.sub(rf"\b{acronym}\b", found, text)
    return text


_WORD = re.compile(r"[A-Za-z][\w'’-]*")
# Words too common to be part of a spelt-out name: "is there" is no "IT".
_COMMON = frozenset(
    {"the", "and", "for", "with", "from", "that", "this", "what", "how", "can", "you", "are"}
    | {"was", "not", "but", "all", "any", "its", "our", "your", "their", "has", "have", "had"}
    | {"does", "did", "will", "would", "should", "could"}
)


def _lowercase_spelling(acronym: str, other: str) -> str | None:
    """A run of lowercase words whose initials make an acronym of three letters or more:
    "my HSA" / "my health savings account", "a CDL" / "a commercial driver's license". Users
    write what an acronym stands for in lowercase as often as capitalised; three letters and
    words of three letters or more (not "the", "for") keep chance runs out."""
    if len(acronym) < 3:
        return None
    words = _WORD.findall(other)
    n = len(acronym)
    for i in range(len(words) - n + 1):
        run = words[i : i + n]
        if "".join(w[0] for w in run).upper() == acronym and all(
            len(w) >= 3 and w.lower() not in _COMMON for w in run
        ):
            return " ".join(run)
    return None
