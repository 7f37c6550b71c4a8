"""Contractions typed without their apostrophe: "whats the fastest way", "why doesnt it
start", read as "what's", "doesn't".

People type questions fast. Without the apostrophe, "whats" parses as "what" plus a stray
"s" (a content word the other question lacks), and "doesnt" is no negation to verify.py, so
"Why doesnt my tap drip?" would read as "Why does my tap drip?". Only contractions whose
apostrophe-less form is no other English word are restored ("its", "id", "well", "were",
"shell" are words of their own and stay as typed).
"""

from __future__ import annotations

import re

_CONTRACTIONS = {
    "whats": "what's", "hows": "how's", "wheres": "where's", "whos": "who's",
    "thats": "that's", "theres": "there's", "im": "I'm", "ive": "I've", "youre": "you're",
    "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "cant": "can't",
    "wont": "won't", "isnt": "isn't", "arent": "aren't", "wasnt": "wasn't",
    "werent": "weren't", "shouldnt": "shouldn't", "wouldnt": "wouldn't",
    "couldnt": "couldn't", "havent": "haven't", "hasnt": "hasn't", "mustnt": "mustn't",
}  # fmt: skip
_TYPED = re.compile(r"\b(" + "|".join(_CONTRACTIONS) + r")\b", re.IGNORECASE)


def _restore(m: re.Match[str]) -> str:
    word = _CONTRACTIONS[m.group(1).lower()]
    return word[0].upper() + word[1:] if m.group(1)[0].isupper() else word


def restore(text: str) -> str:
    """`text` with each apostrophe-less contraction written with its apostrophe."""
    return _TYPED.sub(_restore, text)
