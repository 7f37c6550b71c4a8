"""What kind of answer an English question asks for: a duration, a point in time, a place, a
person, a reason, an amount.

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
    (re.compile(r"\bhow long (?:until|till|before|'?til)\b"), frozenset({"duration", "time"})),
    (re.compile(r"\bhow long\b(?! (?:until|till|before|'?til)\b)"), frozenset({"duration"})),
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
]


@functools.lru_cache(maxsize=8192)
def kinds(text: str) -> frozenset[str]:
    """The kinds of answer an English question asks for (empty when it names none)."""
    lowered = text.lower().replace("’", "'")
    found: set[str] = set()
    for pattern, asked in _KINDS:
        if pattern.search(lowered):
            found |= asked
    return frozenset(found)


def clash(a_text: str, b_text: str) -> str | None:
    """Both questions ask for a kind of answer, and no kind in common."""
    ka, kb = kinds(a_text), kinds(b_text)
    if ka and kb and not ka & kb:
        return f"answer differs: {' '.join(sorted(ka))} vs {' '.join(sorted(kb))}"
    return None
