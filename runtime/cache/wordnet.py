"""Same meaning or not, for two English words, from Princeton WordNet 3.0's database files.

The structural checks (structure.py) refuse a question whose content word was swapped for
another ("hire" / "fire"), which also refuses true paraphrases that swap a synonym ("update"
/ "modify", "price" / "cost", "buy" / "purchase"). A hand list of synonyms would only cover
the words it lists; WordNet is a real lexical resource for all of English. Two words count as
the same meaning when, in one part of speech, a synset among each word's first `SENSES`
senses holds both (index files list senses most frequent first, so a rare sense such as
"fast" = "firm" does not make a synonym), and WordNet never links them as antonyms.

The files come from Debian's `wordnet-base` package (ops/setup installs it), read in place:
index lines by binary search over a memory map (no load time, no copy in memory), synset
lines by their byte offset. Without the files `same_meaning` is always False, so the cache
refuses synonym swaps as it did before (a miss, never a wrong hit).

Bilingual pivoting (two English words that translate the same Chinese words in CC-CEDICT)
was tried in session 16 and taken out: it served 10 more tune paraphrases (delete / remove,
choose / pick) but also "murder" for "kill", "evade" for "avoid" and "foster" for "raise",
which WordNet relates exactly as it relates the synonyms, and no unseen English paraphrase.

Chinese has no wordnet here (`wn` downloads its data); its synonyms come from the Cilin
thesaurus instead (zh_synonyms.py), and its content is otherwise compared by character.
"""

from __future__ import annotations

import functools
import mmap
import threading
from pathlib import Path

ROOT = Path("/usr/share/wordnet")
# How many of each word's senses, most frequent first, may carry a synonym. Chosen on the tune
# split (768 pairs, session 10): recall 0.764 without WordNet, 0.869 / 0.884 / 0.884 at
# 2 / 3 / 4 senses; false hits 0 up to 3 senses, 1 at 4 ("still" / "quiet" water).
SENSES = 3
# Not hypernyms: counting synsets one "@" step up as shared (tried on 768 tune pairs)
# gained 2 to 5 paraphrases and made 4 to 7 false hits: "walk" / "travel", "bake" / "cook",
# and siblings such as "tighten" / "loosen", which WordNet does not mark as antonyms. An
# adjective and the head of its cluster ("similar to") only in both words' first sense
# (`_dominant_link`, session 11): any sense would also take "boiling" for "hot" and
# "excellent" for "good" (tune `sense` pairs); first senses took 4 more paraphrases on the
# seen pairs (costly / expensive, affordable / inexpensive) and no must-miss.
_POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}

_lock = threading.Lock()
_maps: dict[str, mmap.mmap | None] = {}


def _map(name: str) -> mmap.mmap | None:
    with _lock:
        if name not in _maps:
            try:
                with open(ROOT / name, "rb") as f:
                    _maps[name] = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except OSError:
                _maps[name] = None  # Not installed: every answer is "not the same".
    return _maps[name]


def available() -> bool:
    return _map("index.verb") is not None


def _index_line(pos: str, lemma: str) -> list[str] | None:
    """The index line of `lemma` in `pos`, split; lines are sorted bytewise by their lemma
    (licence lines open with spaces, so they sort first)."""
    mm = _map(f"index.{_POS_FILES[pos]}")
    if mm is None:
        return None
    key = lemma.replace(" ", "_").encode()
    lo, hi = 0, len(mm)
    while lo < hi:
        mid = (lo + hi) // 2
        start = mm.rfind(b"\n", 0, mid) + 1
        end = mm.find(b"\n", start)
        end = len(mm) if end < 0 else end
        token = mm[start:end].split(b" ", 1)[0]
        if token == key:
            return mm[start:end].decode().split()
        if token < key:
            lo = end + 1
        else:
            hi = start
    return None


@functools.lru_cache(maxsize=8192)
def synsets(lemma: str, pos: str) -> tuple[str, ...]:
    """Offsets of the word's synsets in `pos`, most frequent sense first."""
    fields = _index_line(pos, lemma.lower())
    if fields is None:
        return ()
    # lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
    count, pointers = int(fields[2]), int(fields[3])
    return tuple(fields[6 + pointers : 6 + pointers + count])


@functools.lru_cache(maxsize=8192)
def _pointers(offset: str, pos: str, symbol: str, to_pos: str | None = None) -> frozenset[str]:
    """Synsets of `to_pos` (default: `pos`) that the synset at `offset` points to with
    `symbol` ("!": antonyms, "&": similar to, "\\": an adverb's adjective)."""
    to_pos = to_pos or pos
    mm = _map(f"data.{_POS_FILES[pos]}")
    if mm is None:
        return frozenset()
    start = int(offset)
    fields = mm[start : mm.find(b"\n", start)].decode().split()
    # offset lex_filenum ss_type w_cnt (hex) [word lex_id]... p_cnt [sym offset pos src]...
    words = int(fields[3], 16)
    at = 4 + 2 * words
    pointers = int(fields[at])
    found = set()
    for i in range(pointers):
        # An adjective satellite is pos "s" in a pointer, and lives in the adjective files.
        target = fields[at + 3 + 4 * i].replace("s", "a")
        if fields[at + 1 + 4 * i] == symbol and target == to_pos:
            found.add(fields[at + 2 + 4 * i])
    return frozenset(found)


def pointers(offset: str, pos: str, symbol: str, to_pos: str) -> frozenset[str]:
    """The synsets of `to_pos` that a synset points to with `symbol` (word_class.py)."""
    return _pointers(offset, pos, symbol, to_pos)


def _antonym_targets(offset: str, pos: str) -> frozenset[str]:
    return _pointers(offset, pos, "!")


def antonyms(x: str, y: str, pos: str) -> bool:
    """WordNet links some sense of x and some sense of y as antonyms."""
    sx, sy = synsets(x, pos), synsets(y, pos)
    return any(_antonym_targets(s, pos) & set(sy) for s in sx) or any(
        _antonym_targets(s, pos) & set(sx) for s in sy
    )


# The parts of speech each word class of the parse (structure.py) may take in WordNet.
CLASS_POS = {"noun": "n", "name": "n", "verb": "v", "modifier": "ar"}


@functools.lru_cache(maxsize=8192)
def same_meaning(x: str, y: str, pos: str = "nvar") -> bool:
    """x and y share a synset among their first SENSES senses in a part of speech of `pos`,
    and WordNet never links them as antonyms. `pos` is what the parse tagged either word
    (`CLASS_POS`), not one: spaCy's small pipeline tags "When does the market end?"'s verb a
    noun. Not every part of speech: two nouns ("mother" / "father") or two adjectives
    ("still" / "quiet") may share a verb's synset ("beget", "calm") they do not mean here."""
    if x == y:
        return True
    for p in pos:
        sx, sy = set(synsets(x, p)[:SENSES]), set(synsets(y, p)[:SENSES])
        if sx & sy and not antonyms(x, y, p):
            return True
    return "a" in pos and (_dominant_link(x, y) or _dominant_link(y, x))


def _dominant_link(x: str, y: str) -> bool:
    """x's most frequent sense points straight at y's: an adjective similar to the other in
    both words' first sense ("costly" / "expensive", "affordable" / "inexpensive"), or an
    adverb derived from the adjective ("simply" / "simple", any sense of the adjective).
    First senses only, where synonyms may come from the first SENSES: a looser relation
    needs the words' dominant meanings ("still" / "quiet" are similar in their second)."""
    ax, ay = synsets(x, "a")[:1], synsets(y, "a")[:1]
    if ax and ay and ay[0] in _pointers(ax[0], "a", "&") and not antonyms(x, y, "a"):
        return True
    rx = synsets(x, "r")[:1]
    return bool(rx) and bool(_pointers(rx[0], "r", "\\", "a") & set(synsets(y, "a")))


def pos_of(*classes: str) -> str:
    """The parts of speech of the parse's word classes ("noun", "modifier"...), all if none."""
    found = "".join(dict.fromkeys("".join(CLASS_POS.get(c, "") for c in classes)))
    return found or "nvar"


def drop_synonyms(
    only_a: list[str], only_b: list[str], classes: dict[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """The words each side has alone, less those paired with a synonym on the other side
    ("update" / "modify"): a synonym swap is the same question. `classes`: word -> its class
    in the parse; a pair is then looked up in the parts of speech of either class."""
    classes = classes or {}
    paired_a, paired_b = set(), set()
    for x in only_a:
        y = next(
            (
                y
                for y in only_b
                if y not in paired_b
                and same_meaning(x, y, pos_of(classes.get(x, ""), classes.get(y, "")))
            ),
            None,
        )
        if y is not None:
            paired_a.add(x)
            paired_b.add(y)
    return [x for x in only_a if x not in paired_a], [y for y in only_b if y not in paired_b]


@functools.lru_cache(maxsize=4096)
def antonym_of(adjective: str) -> str | None:
    """The word WordNet gives as the antonym of the adjective's most frequent sense
    ("expensive" -> "inexpensive"), if it gives one."""
    first = synsets(adjective, "a")[:1]
    targets = sorted(_antonym_targets(first[0], "a")) if first else []
    mm = _map("data.adj")
    if not targets or mm is None:
        return None
    start = int(targets[0])
    fields = mm[start : mm.find(b"\n", start)].decode().split()
    return fields[4].split("(")[0].replace("_", " ")  # the synset's first word, marker dropped


@functools.lru_cache(maxsize=4096)
def lexfile(offset: str, pos: str) -> str:
    """The number of the lexicographer file a synset is filed under ("29": verb.body,
    "40": verb.possession; receiving.py), "" without WordNet's files."""
    mm = _map(f"data.{_POS_FILES[pos]}")
    if mm is None:
        return ""
    start = int(offset)
    return mm[start : mm.find(b"\n", start)].decode().split()[1]
