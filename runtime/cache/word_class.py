"""A content word that changes word class must stay the same word, or a word WordNet relates.

Paraphrases often move a meaning from one word class to another: "is dependent on" / "depends
on", "Who wrote X?" / "Who is the author of X?", "without giving me notice" / "without
notifying me". structure.py's content check refuses a content word swapped for another of its
class ("hire" / "fire") but used to let any change of class pass, which also let an unrelated
word of opposite meaning through: "Which fruits are rich in vitamin K?" / "Which fruits lack
vitamin K?" (adjective -> verb), "contain" / "are poor in" (verb -> adjective). So a change of
class passes only when the two words are related:

- one derived from the other by spelling (word_forms.related: "depend" / "dependent"), or
- WordNet relates them, in any part of speech, within each word's first `SENSES` senses: they
  share a synset, or one step joins a sense of one to a sense of the other through a
  derivational link ("+": "write" -> "writer, author", "notify" -> "notice"), a similar-to link
  ("&", adjectives) or an adverb's adjective ("\\"). Never through an attribute ("="), which
  joins both poles to their noun ("rich" and "poor" both to "wealth"), nor through antonyms.

Without WordNet's files nothing is related, and such a swap is refused: a miss, not a wrong hit.
"""

from __future__ import annotations

import functools

from runtime.cache import word_forms, wordnet

# The WordNet pointers that keep a meaning while changing its word class (see above).
_LINKS = ("+", "&", "\\")
_PARTS = "nvar"


def _senses(word: str) -> frozenset[tuple[str, str]]:
    """(part of speech, synset) of the word's first SENSES senses, in every part of speech."""
    return frozenset((p, s) for p in _PARTS for s in wordnet.synsets(word, p)[: wordnet.SENSES])


@functools.lru_cache(maxsize=8192)
def _reach(word: str) -> frozenset[tuple[str, str]]:
    """The word's senses, and the synsets one derivational / similar-to / pertainym link away."""
    found = set(_senses(word))
    for p, s in _senses(word):
        for link in _LINKS:
            for to in _PARTS:
                found.update((to, t) for t in wordnet.pointers(s, p, link, to))
    return frozenset(found)


@functools.lru_cache(maxsize=8192)
def related(x: str, y: str) -> bool:
    """x and y may stand for each other across word classes: derived by spelling, or one
    WordNet link apart (module docstring). Antonyms never are."""
    if x == y or word_forms.related(x, y):
        return True
    if any(wordnet.antonyms(x, y, p) for p in _PARTS):
        return False
    return bool(_reach(x) & _senses(y) or _reach(y) & _senses(x))


def unrelated_swap(only_a: list[str], only_b: list[str]) -> tuple[list[str], list[str]]:
    """The words each side has alone, less the pairs related across a change of class: what is
    left on both sides is a swap of unrelated words ("rich" / "lack"), whatever their class."""
    paired_a, paired_b = set(), set()
    for x in only_a:
        y = next((y for y in only_b if y not in paired_b and related(x, y)), None)
        if y is not None:
            paired_a.add(x)
            paired_b.add(y)
    return [x for x in only_a if x not in paired_a], [y for y in only_b if y not in paired_b]
