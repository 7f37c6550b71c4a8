"""One English question frame written several ways, rewritten to one of them before the checks.

"What's the best way to V" asks how to V; "Is there a way to V" too; "What's the right time to
V" asks when to V; "Can you walk me through how to V" asks how to V, and a trailing "step by
step" only asks for the answer's layout. The content check (structure.py) would otherwise read
"best", "way", "time", "walk" as words of the question. These are frames, closed classes of
phrases built on the question words themselves (way = how, time = when), so the rewrites hold
for any verb and object; the verb and everything after it are kept as written.

What stays content, on purpose:
- a way or time qualified by anything but a word that only approves it ("right", "best",
  "proper", "recommended"): "the fastest / cheapest / safest way" asks for a narrower answer
  than "how", so "What's the fastest way to X" is not rewritten;
- "of year" / "of day" after "time": "in the year" / "in the day" is kept ("When in the year
  should I prune X" and "When should I prune X" differ by one added word, which the content
  check lets pass; "in the day" against "in the year" is a swap it refuses).
Used by framing.py's `unframe`, so the verifier and the stored parse see the same text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words that approve of a way or a time without narrowing it.
_APPROVING = r"(?:best|right|proper|correct|recommended|ideal|good|appropriate|usual|normal)"
_WHAT_IS = r"what(?:['’]s|\s+is|\s+would\s+be)\s+(?:the|a)\s+"
_WAY = re.compile(
    rf"^{_WHAT_IS}(?:{_APPROVING}\s+)?(?:way|method)\s+(?:to|of)\s+(?=\w)"
    r"|^is\s+there\s+(?:a|any)\s+way\s+(?:to|of)\s+(?=\w)"
    # "What's the process / procedure for renewing X" asks how to renew X.
    rf"|^{_WHAT_IS}(?:{_APPROVING}\s+)?(?:process|procedure|steps)\s+(?:for|of)\s+(?=\w+ing\b)"
    # "Can you walk / talk / take me through how to ..."
    r"|^(?:can|could|would|will)\s+you\s+(?:walk|talk|take|run)\s+me\s+through\s+how\s+to\s+"
    # A bare "how to V" heading the question ("How to reset my PIN?") asks "How do I V".
    r"|^how\s+to\s+(?=\w)",
    re.IGNORECASE,
)
# Fewer for a time: "the usual / normal time to V" is how long V takes ("What's the normal
# time to recover from flu?"), and "a good time to run a mile" a result, not when to run it.
_TIMELY = r"(?:best|right|proper|correct|recommended|ideal|appropriate)"
_TIME = re.compile(
    rf"^{_WHAT_IS}(?:{_TIMELY}\s+)?time(?:\s+of\s+(?:the\s+)?(year|day|week|month))?"
    r"\s+to\s+(?=\w)",
    re.IGNORECASE,
)
# "..., step by step?" / "... step-by-step?": how the answer is laid out, not what it says.
_LAYOUT = re.compile(r"\s*,?\s*\b(?:step[\s-]+by[\s-]+step)\b\s*(?=[?.!]?\s*$)", re.IGNORECASE)


def _when(m: re.Match[str]) -> str:
    period = m.group(1)
    return f"When in the {period.lower()} should I " if period else "When should I "


# Two idioms that ask one thing: "what becomes of X" is "what happens to X", and "Should I
# (even) bother V-ing" asks "Is it worth V-ing".
_BECOMES = re.compile(r"\bwhat\s+(becomes|became|will\s+become)\s+of\b", re.IGNORECASE)
_BOTHER = re.compile(r"^should\s+I\s+(?:even\s+)?bother\s+(?=\w+ing\b)", re.IGNORECASE)
_HAPPENS = {"becomes": "happens to", "became": "happened to", "will become": "will happen to"}


def _happens(m: re.Match[str]) -> str:
    return "what " + _HAPPENS[re.sub(r"\s+", " ", m.group(1).lower())]


# "stop my dog barking" is "stop my dog from barking": with "from", the parse reads the
# action held back (structure.py `hindered`), and "keep / prevent X from V-ing" say the same.
_DET = "(?:my|your|his|her|our|their|the|a|an|this|these|those)"
_STOP = re.compile(
    rf"\b(stop(?:s|ping)?(?:\s+{_DET})?(?:\s+(?!(?:from|{_DET})\b)[a-z]+(?<!ing)){{1,3}}?)"
    r"\s+(?!from\b)(?=[a-z]+ing\b)",
    re.IGNORECASE,
)


def rewrite(text: str) -> str:
    """The question in its plainest frame: "How do I V ..." / "When should I V ..."."""
    out = _LAYOUT.sub("", text)
    out = _WAY.sub("How do I ", out, count=1)
    out = _BOTHER.sub("Is it worth ", _BECOMES.sub(_happens, out))
    out = _STOP.sub(r"\1 from ", out)
    return _TIME.sub(_when, out, count=1)


# "Is there a law / an app / a fee to V ...": the noun is what the question asks about, where
# "Is there a way to V" (rewritten "How do I V") asks only how. The content check lets one
# added word pass, so without this "Is there a law to record calls?" would take the answer to
# "How do I record calls?".
_THERE = re.compile(r"^\s*(?:is|are)\s+there\s+(?:a|an|any|some)?\s*([a-z]+)", re.IGNORECASE)


def existential_clash(
    a_text: str, b_text: str, a_words: Sequence[str], b_words: Sequence[str]
) -> str | None:
    """One question asks whether a thing exists ("Is there a law to ...") and the other,
    which asks no such thing, never names it."""
    for text, other_text, other in ((a_text, b_text, b_words), (b_text, a_text, a_words)):
        m = _THERE.match(text)
        noun = m.group(1).lower() if m else ""
        named = {noun, noun.removesuffix("s")} & set(other)
        if noun and not named and not _THERE.match(other_text):
            return f"content differs: is there a {noun} vs no {noun}"
    return None
