"""What kind of answer an English question asks for: a duration, a point in time, a place, a
person, a reason, an amount, a frequency, a measure ("how tall", "how far").

"How long does it take to renew a passport?" and "What's the deadline to renew a passport?"
share every content word and score 0.9 cosine, yet one wants "about six weeks" and the other
"by 31 March": the question word decides the answer, and embeddings barely weigh it. The
phrases that ask for each kind are a closed class (question words and a few nouns that name
the kind of answer, "deadline", "what time"), so the check holds for questions never seen.

A question may ask for no listed kind ("What is X?", "Which store sells Y?") or several; two
questions clash only when both ask for some kind and share none ("how long until" asks both
a duration and a point in time, so it agrees with "when"). A paraphrase that swaps "how long"
for "when" is then refused: a miss, the cheap error. Called by verify.py's `verify_match`.
"""

from __future__ import annotations

import functools
import re

from runtime.cache import lexicon, wordnet

# A unit of time after "how many" / "how much" asks for a duration: "how many days" = "how long".
_TIME_UNITS = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|time)"
# "when" is a question word only before an auxiliary or a verb's subject inversion ("When does
# it open?", "By when must I file?"); before a subject it opens a clause ("When I log in, ...").
_AUX = (
    r"(?:is|are|was|were|am|do|does|did|will|would|can|could|should|shall|must|may|might|"
    r"has|have|had)\b"
)
# Each kind of answer and the phrases that ask for it; a phrase may ask for more than one.
_KINDS: list[tuple[re.Pattern[str], frozenset[str]]] = [
    (re.compile(r"\bhow long (?:until|till|before|'?til|ago)\b"), frozenset({"duration", "time"})),
    (re.compile(r"\bhow long\b(?! (?:until|till|before|'?til|ago)\b)"), frozenset({"duration"})),
    (re.compile(rf"\bhow (?:many|much) {_TIME_UNITS}\b"), frozenset({"duration"})),
    (re.compile(rf"\bhow (?:many|much)\b(?! {_TIME_UNITS}\b)"), frozenset({"amount"})),
    (re.compile(rf"(?:^|[,;:.?!]\s*|\bby\s+|\band\s+|\bor\s+)when\s+{_AUX}"), frozenset({"time"})),
    (re.compile(r"\bby when\b"), frozenset({"time"})),
    # Nouns that name a point in time as the answer: "the deadline", "what time", "what date".
    (
        re.compile(
            r"\b(?:deadlines?|due dates?|cut-?off(?: dates?| times?)?|"
            r"(?:what|which) (?:time|date|day|year|month))\b"
        ),
        frozenset({"time"}),
    ),
    (re.compile(r"(?:^|[,;:.?!]\s*)where\b"), frozenset({"place"})),
    (re.compile(r"(?:^|[,;:.?!]\s*)(?:who|whom|whose)\b"), frozenset({"person"})),
    (re.compile(r"\bwhy\b|\bhow come\b"), frozenset({"reason"})),
    (re.compile(r"\bhow (?:often|frequently)\b"), frozenset({"frequency"})),
    # "how" before an auxiliary or "to" asks for a manner, a way: "How can I renew X?" is
    # not "Where / Why / When can I renew X?".
    (re.compile(rf"\bhow (?:to\b|{_AUX})"), frozenset({"manner"})),
]
# "how" + an adjective or adverb asks for that measure: "how tall" a height, "how heavy" a
# weight, "how far" a distance, and the parse drops the word as part of the question word
# (structure.py), so only this check sees "How tall / heavy is X?". The measure is the word
# itself ("how:tall"); two measures agree when WordNet makes them synonyms ("big" / "large").
# The measure stands before the verb ("How tall is", "How far can"), not before a noun:
# "explain how compound interest works" asks for a manner, and names no measure.
_HOW = re.compile(rf"\bhow\s+([a-z]+)(?=\s+{_AUX}|\s*[?.,!]|\s*$)")
# Words after "how" that are not a measure: the kinds above, auxiliaries, pronouns.
_NOT_MEASURE = frozenset(
    lexicon.words(
        "many much long often frequently come do does did is are was were am can could should "
        "would will shall may might must to about so i you we they he she it the a"
    )
)
# Measures that are also asked by a kind above: how quickly / fast / soon something is done
# is how long it takes; how old a thing is, when it was made or how long it has been; how
# late or early, a time ("How late is the pharmacy open?" / "When does it close?").
_ALSO = {
    "quickly": {"duration"},
    "fast": {"duration"},
    "soon": {"duration", "time"},
    "old": {"time", "duration"},
    "late": {"time"},
    "early": {"time"},
}


@functools.lru_cache(maxsize=8192)
def kinds(text: str) -> frozenset[str]:
    """The kinds of answer an English question asks for (empty when it names none)."""
    lowered = text.lower().replace("’", "'")
    found: set[str] = set()
    for pattern, asked in _KINDS:
        if pattern.search(lowered):
            found |= asked
    for word in _HOW.findall(lowered):
        if word not in _NOT_MEASURE and (wordnet.synsets(word, "a") or wordnet.synsets(word, "r")):
            found |= {f"how:{word}", *_ALSO.get(word, ())}
    return frozenset(found)


def _agree(ka: frozenset[str], kb: frozenset[str]) -> bool:
    """Some kind in common, or two measures that are synonyms ("how big" / "how large"); an
    amount ("how much") is left to the other checks beside a measure ("how expensive")."""
    if ka & kb:
        return True
    ma = {k[4:] for k in ka if k.startswith("how:")}
    mb = {k[4:] for k in kb if k.startswith("how:")}
    if any(wordnet.same_meaning(x, y, "ar") for x in ma for y in mb):
        return True
    return bool(("amount" in ka and mb) or ("amount" in kb and ma))


def clash(a_text: str, b_text: str) -> str | None:
    """Both questions ask for a kind of answer, and no kind in common."""
    ka, kb = kinds(a_text), kinds(b_text)
    if ka and kb and not _agree(ka, kb):
        return f"answer differs: {' '.join(sorted(ka))} vs {' '.join(sorted(kb))}"
    return None
