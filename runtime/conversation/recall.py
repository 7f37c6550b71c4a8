"""Does an answer state the fact the user told us? If not, lead it with the user's own words.

The memory counterpart of runtime/agent/answer_check.py (which does this for a tool's number).
A 135M model shown "My name is Ada." beside "What is my name?" still answers with an
earlier answer it copies ("Your brother's name is Tom."), the more so once the facts' rounds
have left the window and a made-up summary stands in for them (README, issue 14). When one
stored fact (runtime/conversation/facts.py) clearly answers the question and the answer does
not contain that fact's value, the answer is led by the user's statement:

    You told me: my name is Ada.

"Clearly" means one of two question forms, matched against exactly one fact:
- a possessive slot: "What is my brother's name?" / "What is my cat called?" asks about
  "my brother's name" / "my cat", the subject a fact is stored under ("My brother's name is
  Tom." / "My cat is called Milo."); "my X's name" also finds "My X is called/named Y.";
- a first-person verb: "Which city do I live in?" / "What am I allergic to?" asks what
  follows "I live in" / "I (am) allergic to", and one fact goes on from there
  ("I live in Lisbon.").
Its value is what the fact says past the asked part ("Tom", "in Lisbon"); the answer states
it when it holds each of the value's content words. Anything else (two facts fit, no fact
fits, a value of stop words only) leaves the answer alone: a wrong lead is worse than none.
Pure functions; no model call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from runtime.conversation.facts import Fact, content_words, words

LEAD_PREFIX = "You told me:"
_COPULA = {"is", "are", "was", "were", "am", "called", "named"}
_NAMING = ("called", "named")  # "my X is called Y" answers "what is my X's name"
_AUX = {"am", "was", "do", "did", "does", "have", "had", "will", "can"}
MAX_SLOT_WORDS = 4  # "my mother's last name": longer is not a slot but a clause


@dataclass(frozen=True)
class Recalled:
    """The one fact that answers the question, and the words a right answer holds."""

    fact: Fact
    value: frozenset[str]  # content words of what the fact says past the asked part

    def lead(self) -> str:
        text = self.fact.text
        if words(text)[:1] == ["my"]:
            text = text[0].lower() + text[1:]  # "You told me: my name is Ada."
        return f"{LEAD_PREFIX} {text}"


def _slot(ws: list[str]) -> list[str] | None:
    """The possessive slot a question asks about: "my" up to a copula or the end."""
    if "my" not in ws:
        return None
    start = len(ws) - 1 - ws[::-1].index("my")
    end = start + 1
    while end < len(ws) and ws[end] not in _COPULA:
        end += 1
    slot = ws[start:end]
    return slot if 1 < len(slot) <= MAX_SLOT_WORDS else None


def _past(fact_words: list[str], asked: list[str]) -> list[str] | None:
    """The fact's words after its first `asked` (and the copulas after it), or None."""
    n = len(asked)
    at = next((i for i in range(len(fact_words) - n + 1) if fact_words[i : i + n] == asked), None)
    if at is None:
        return None
    rest = fact_words[at + n :]
    while rest and rest[0] in _COPULA:
        rest = rest[1:]
    return rest


def _by_slot(ws: list[str], facts: Sequence[Fact]) -> list[tuple[Fact, list[str]]]:
    slot = _slot(ws)
    if slot is None:
        return []
    found = []
    for fact in facts:
        fw = words(fact.text)
        if fact.key == " ".join(slot):
            rest = _past(fw, slot)
        elif slot[-1] == "name" and len(slot) >= 3 and slot[-2].endswith("'s"):
            # "my boss's name" asks for "my boss", in a fact that names it ("is named Karen")
            owner = [*slot[:-2], slot[-2].removesuffix("'s")]
            named = fact.key == " ".join(owner) and any(w in _NAMING for w in fw)
            rest = _past(fw, owner) if named else None
        else:
            continue
        if rest is not None:
            found.append((fact, rest))
    return found


def _verb(ws: list[str]) -> list[str]:
    """The stemmed words after the last "I" of a question, auxiliaries dropped."""
    if "i" not in ws:
        return []
    after = ws[len(ws) - ws[::-1].index("i") :]
    return [_stem(w) for w in after if w not in _AUX]


def _stem(word: str) -> str:
    return next(iter(content_words(word)), word)


def _by_verb(ws: list[str], facts: Sequence[Fact]) -> list[tuple[Fact, list[str]]]:
    asked = _verb(ws)
    if not asked:
        return []
    found = []
    for fact in facts:
        fw = words(fact.text)
        if "i" not in fw:
            continue
        after = fw[fw.index("i") + 1 :]
        while after and after[0] in _AUX:
            after = after[1:]
        if [_stem(w) for w in after[: len(asked)]] == asked:
            found.append((fact, after[len(asked) :]))
    return found


def recall(question: str, facts: Sequence[Fact]) -> Recalled | None:
    """The one stored fact that answers `question`, or None (module docstring)."""
    if not facts or not question.strip().endswith("?"):
        return None
    ws = words(question)
    matches = _by_slot(ws, facts) or _by_verb(ws, facts)
    if len(matches) != 1:
        return None
    fact, rest = matches[0]
    value = content_words(" ".join(rest))
    return Recalled(fact, frozenset(value)) if value else None


def ensure_fact(text: str, question: str, facts: Sequence[Fact]) -> tuple[str, str | None]:
    """The answer, led by the user's statement when a fact answers the question and the
    answer lacks its value. Returns (answer, the lead line added or None)."""
    found = recall(question, facts)
    if found is None or found.value <= content_words(text):
        return text, None
    lead = found.lead()
    body = text.strip()
    return (f"{lead}\n\n{body}" if body else lead), lead


def without_lead(answer: str) -> str:
    """An earlier answer as the model sees it in the history: without the lead line put in
    front of it here. Shown its earlier answers, SmolLM2-135M copies their opening as a
    template, and "You told me:" then led made-up facts ("You told me: I am a teacher." on
    the tuning set, where no fact answered the question)."""
    if answer.startswith(LEAD_PREFIX) and "\n\n" in answer:
        return answer.split("\n\n", 1)[1]
    return answer
