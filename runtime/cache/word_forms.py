"""Two English words that are forms of one: an affix that flips polarity ("legal" /
"illegal", "useful" / "useless"), a suffix that derives one from the other ("paint" /
"painter"), the same adjective at another degree ("denser" / "densest"), or one word in
British and American spelling ("colour" / "color", "organise" / "organize"). Spelling rules,
no word list: they hold for words never seen. Used by structure.py's content checks.
"""

from __future__ import annotations

import re

from runtime.cache import wordnet

# Prefixes that flip an adjective's polarity ("legal" / "illegal").
_NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non", "a", "anti", "mis")


# The negating prefixes that are written with a hyphen too ("non-editable", "un-American"); not
# "in-" nor "a-", whose hyphenated words are mostly something else ("in-house", "a-list").
_HYPHENATED_NEGATION = re.compile(r"\b(non|un|anti|dis|mis)-(?=[A-Za-z])", re.IGNORECASE)


def join_negating_prefixes(text: str) -> str:
    """ "non-editable" -> "noneditable": the parser splits the hyphenated word in two, "non"
    a modifier of its own that one added word lets pass; joined, the polarity check sees
    "editable" / "noneditable"."""
    return _HYPHENATED_NEGATION.sub(r"\1", text)


def polarity_pair(x: str, y: str) -> bool:
    for p in _NEGATING_PREFIXES:
        if y == p + x or x == p + y:
            return True
    return (x.endswith("ful") and y == x[:-3] + "less") or (
        y.endswith("ful") and x == y[:-3] + "less"
    )


def same_stem(x: str, y: str) -> bool:
    """One word derived from the other by a suffix: "paint" / "painter", "summary" /
    "summarize", "open" / "opening" (not "employer" / "employee": neither contains the other)."""
    short, long = sorted((x, y), key=len)
    stem = short[:-1] if short[-1] in "ey" else short
    return len(stem) >= 4 and len(long) >= len(short) + 2 and long.startswith(stem)


def degree_bases(word: str) -> tuple[set[str], str]:
    """The words `word` may be a comparative or superlative of, and which it would be
    ("denser" -> {"dense", ...}, "more"): the tagger misses degree on words it does not know."""
    for suffix, degree in (("est", "most"), ("er", "more")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            bases = {stem, stem + "e", stem[:-1] + "y" if stem.endswith("i") else stem}
            if len(stem) > 2 and stem[-1] == stem[-2]:
                bases.add(stem[:-1])  # "bigger" -> "big"
            return bases, degree
    return {word}, "plain"


def degree_pair(x: str, y: str) -> bool:
    """Two forms of one adjective at different degrees ("denser" / "densest", "deep" /
    "deeper")."""
    bx, dx = degree_bases(x)
    by, dy = degree_bases(y)
    return dx != dy and bool((bx | {x}) & (by | {y}))


# British spellings and their American forms, as spelling rules (longest first).
_BRITISH = [
    (re.compile(r"isation"), "ization"),
    (re.compile(r"(?<=[a-z]{2})is(e|ed|es|ing|er|ers)$"), r"iz\1"),  # "moisturiser"
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=[a-z]{2})our"), "or"),
    (re.compile(r"(?<=[a-z]{2})tre(s?)$"), r"ter\1"),
    (re.compile(r"ogue$"), "og"),
    (re.compile(r"(?<=[a-z]{2}[aeiou])ll(ed|er|ing)$"), r"l\1"),
    (re.compile(r"ence$"), "ense"),
    (re.compile(r"(?<=[a-z])ae"), "e"),
]


def _american(word: str) -> str:
    for pattern, repl in _BRITISH:
        word = pattern.sub(repl, word)
    return word


def spelling_variant(x: str, y: str) -> bool:
    """One word in British and American spelling: "colour" / "color", "centre" / "center",
    "travelled" / "traveled", "defence" / "defense"."""
    return x != y and len(x) > 3 and _american(x) == _american(y)


def adverb_of(x: str, y: str) -> bool:
    """y is x with the suffix "-ly": "day" / "daily", "week" / "weekly", "gentle" / "gently"."""
    return y in (x + "ly", x[:-1] + "ily", x[:-1] + "y" if x.endswith("le") else "")


def related(x: str, y: str) -> bool:
    """One word derived from the other, or spelt the other way: not a swap of content."""
    return same_stem(x, y) or spelling_variant(x, y) or adverb_of(x, y) or adverb_of(y, x)


def compound_rest(long: str, short: str) -> str | None:
    """What a closed compound adds to the word it opens with: "waterproof" / "water" ->
    "proof". `related` reads the two as forms of one word, which lets the compound's other
    half vanish, so "waterproof" and "water-resistant" (parsed "water", "resistant") would
    differ by one added word. The rest counts as a word of its own only where it is one
    (WordNet knows it) and is no suffix (5 letters or more: not "able", "less", "ness")."""
    rest = long[len(short) :]
    if len(short) < 3 or not long.startswith(short) or len(rest) < 5:
        return None
    return rest if any(wordnet.synsets(rest, pos) for pos in "nvar") else None
