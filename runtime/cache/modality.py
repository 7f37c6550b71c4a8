"""What is asked of the act: whether it is allowed or possible, or whether it is required.

structure.py compares a modal swapped for another one word for one ("Must / May I file?",
function_words.modal_clash), but obligation is often written in words that are no modal:
"Do I have to tip in Japan?" / "Can I tip in Japan?", "Do I need to register?" / "May I
register?". Both read as the same content words, so each question's kinds are read here from
a closed class: "required" (the modals of lexicon.EN_MODAL_CLASSES plus "have to", "need
to", "required", "mandatory", "obligatory", "compulsory") and "possible" (the modals plus
"allowed", "permitted", "able to", "possible", "okay / ok / alright to" or "... if").
Questions with kinds on both sides and none in common differ; a question with no kind at all
("Do I tip in Japan?") is left to the other checks. "Can / could you ..." asks the
assistant, not about the act; "have to do with" is about relation, and "May" capitalised
inside a sentence is a month.
"""

from __future__ import annotations

import functools
import re

from runtime.cache import lexicon

_REQUESTS = re.compile(r"\b(?:can|could|would|will)\s+(?:you|u)\b|\bhave\s+to\s+do\s+with\b", re.I)
_MONTH = re.compile(r"(?<![.?!]\s)(?<!^)\bMay\b")
_KINDS = (
    (
        "required",
        re.compile(
            r"\b(?:ha(?:ve|s|d)|need(?:s|ed)?|got)\s+to\b|\b(?:required|mandatory|obligatory|compulsory)\b"
        ),
    ),
    (
        "possible",
        re.compile(
            r"\b(?:allowed|permitted|able\s+to|possible)\b"
            # "Is it OK if I wear ..." asks leave as "Is it OK to wear ..." does.
            r"|\b(?:okay|ok|alright|all\s+right)\s+(?:to|if)\b"
        ),
    ),
)
_WORD = re.compile(r"[a-z]+")
# What a clause of time or purpose says is no part of what is asked: "How long should I leave
# the grout before I can use the shower?" asks what "How much time does the grout need before
# I use the shower?" asks. Its modal ("can") is read no more than the rest of the clause.
_TIME_CLAUSE = re.compile(r"\b(?:before|until|till|so\s+that|so)\s+(?:i|we|you|they|it)\b[^,;?]*")


@functools.lru_cache(maxsize=8192)
def kinds(text: str) -> frozenset[str]:
    """The kinds of modality a question asks about (module docstring)."""
    lowered = _TIME_CLAUSE.sub(" ", _REQUESTS.sub(" ", _MONTH.sub(" ", text)).lower())
    # "need" alone is mostly the verb of a thing needed ("What do I need for a visa?").
    words = [w for w in _WORD.findall(lowered) if w in lexicon.EN_MODAL_CLASSES and w != "need"]
    found = {lexicon.EN_MODAL_CLASSES[w] for w in words}
    found.update(kind for kind, pattern in _KINDS if pattern.search(lowered))
    return frozenset(found)


def clash(a_text: str, b_text: str) -> str | None:
    ka, kb = kinds(a_text), kinds(b_text)
    if ka and kb and not ka & kb:
        return f"modality differs: {'/'.join(sorted(ka))} vs {'/'.join(sorted(kb))}"
    return None
