"""English words that translate one same Chinese word: "verify" / "confirm" (确认), "symptom" /
"sign" (症状), "deadline" / "close" (截止): synonyms by bilingual pivoting.

WordNet (wordnet.py) pairs synonyms that share a synset, and misses many that people swap in
questions ("remove" / "delete", "present" / "gift", "recover" / "restore"). Two English words
that a dictionary gives as translations of one foreign word are often synonyms: this is
bilingual pivoting (Bannard and Callison-Burch, 2005), the method the Paraphrase Database was
built with. Here the dictionary is CC-CEDICT (zh_glosses.py): an entry whose senses include
two single English words ("to verify; to confirm") pairs them. Entries with more than
`_MOST` single-word senses are left out: a word that translates as many things says little
about any two of them.

Pivoting also pairs words that only overlap ("lend" / "borrow" both translate 借款), so
wordnet.py takes a pivot only for nouns and verbs, never where WordNet links the two as
antonyms or as kinds of one thing, and never for adjectives, whose pivots are mostly
degrees of one scale ("old" / "ancient", "warm" / "hot"). Nor where WordNet, holding both
words, relates them nowhere ("file" / "folder" share 文件夹), nor between two words for
people ("cook" / "chef", 厨师): session 16's adversarial pairs. Where WordNet files one word as a
kind of the other, one Chinese word is not enough: "boil" / "cook" share one (a kind of
cooking, not every cooking), "remove" / "delete" two. So two are asked of every pivot
(`ATTESTED`; on the tune split, session 16: 849 of 1138 paraphrases served with one, 844
with two, no must-miss pair either way; but one serves "boil an egg" for "cook an egg").
"""

from __future__ import annotations

import functools
import re

from runtime.cache import zh_glosses

_MOST = 6
ATTESTED = 2  # Chinese words both must translate (module docstring)
_WORD = re.compile(r"[a-z]+")


@functools.cache
def _table() -> dict[str, dict[str, int]]:
    """Each English word -> the other single English words that translate a Chinese word it
    translates, with how many Chinese words they both translate."""
    found: dict[str, dict[str, int]] = {}
    for senses in zh_glosses.entries().values():
        words = {s.removeprefix("to ") for s in senses}
        words = {w for w in words if _WORD.fullmatch(w)}
        if 2 <= len(words) <= _MOST:
            for w in words:
                row = found.setdefault(w, {})
                for other in words - {w}:
                    row[other] = row.get(other, 0) + 1
    return found


def shared_translations(x: str, y: str) -> int:
    """How many Chinese words both x and y translate (0: no pivot)."""
    return 0 if x == y else _table().get(x, {}).get(y, 0)
