"""Facts the user stated: an extractive memory of a conversation, kept beside its summary.

The model-written summary (runtime/conversation/summary.py) is the issue's way of keeping
dropped turns, but a small local model summarises lossily and late: its summary task waits
behind every job on the gpu queue, so rounds drop out of the window before any summary
covers them (README: one summary stored in a 20-turn run). This memory is the cheap,
deterministic complement: when a round is appended, the sentences of the user's turn that
state something about the user (first person, not a question, not a request: "My cat is
called Milo.", "I live in Lisbon.", "I am 42.") are kept verbatim, compressed, in a hash per
conversation (keys.conversation_facts). A later sentence about the same subject ("My name
is ...") replaces the earlier one; at most `conversation_facts_max` are kept (oldest go).

In a model call the facts most related to the question (content words in common, then the
newest; at most `conversation_facts_shown`, in at most `conversation_facts_tokens`) are put
at the head of the question's own message, the most related one last, in the user's voice
("What I told you earlier: ..."). runtime/conversation/context.py reserves their room inside
the history's budget, right after the recent rounds. A 135M model answers from what stands
next to the question, and mixes up names that stand farther away. The header, the place and
the number shown were chosen on ops/bench/conversation_tune.py, a set of other facts than
the measured checks of ops/bench/conversation.py.

Extraction never calls a model and is not on the next answer's path beyond one HSET.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import redis

from runtime import keys
from runtime.config import Settings
from runtime.llm.tokens import compress

# In the user's own voice: the facts stand at the head of the user's question. Under a neutral
# "Facts the user stated ..." header the small model gave one wrong answer to every question
# (3 of 12 on the tuning set, against 10 of 12 with this one, both with 3 facts shown).
FACTS_HEADER = "What I told you earlier:"
MAX_FACT_CHARS = 240  # a longer sentence is prose, not a fact worth a permanent slot
MIN_SHARED = 1  # content words a fact shares with the question to be shown beside it


@dataclass(frozen=True)
class Fact:
    number: int  # the round that stated it (the newest statement of its subject wins)
    text: str
    key: str  # its subject ("my name", "my brother's name"), or the sentence itself


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_FIRST_PERSON = {"i", "i'm", "i've", "i'd", "i'll", "my", "me", "mine", "we", "our", "we're"}
# A first-person sentence that asks for something states no fact about the user.
_REQUEST = re.compile(
    r"\b(would like|want to know|wonder|tell me|show me|give me|explain|can you|could you|"
    r"would you|will you|please|let me know|help me|i need you|i want you)\b",
    re.IGNORECASE,
)
_COPULA = {"is", "are", "was", "were", "'s", "am", "called", "named"}
_STOP = {
    "a", "an", "the", "is", "are", "was", "were", "am", "be", "been", "do", "does", "did",
    "i", "i'm", "my", "me", "mine", "we", "our", "you", "your", "it", "its", "of", "in", "on",
    "at", "to", "for", "with", "and", "or", "what", "which", "who", "whom", "where", "when",
    "how", "why", "that", "this", "there", "as", "by", "from", "so", "too", "also", "very",
    "really", "just", "have", "has", "had", "s",
}  # fmt: skip
# Words that state nothing by themselves (stems, as content_words makes them).
_VAGUE = {
    "think", "guess", "know", "like", "see", "agree", "mean", "sure", "okay", "ok", "thank",
    "thanks", "hope", "yes", "no", "not", "so", "that", "this", "it", "too", "great", "good",
    "fine", "got", "understand", "feel", "will", "would", "can", "could", "should",
}  # fmt: skip


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("’", "'"))


def _stem(word: str) -> str:
    """A crude stem, enough to match "brother's"/"brother" and "lives"/"live"."""
    word = word.removesuffix("'s")
    for suffix in ("ing", "es", "s", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in words(text) if w not in _STOP}


def _subject(ws: list[str]) -> str:
    """What the sentence is about, so a later statement of it replaces this one: the words
    from "my" up to the verb ("my brother's name"); else the sentence itself (I may play the
    violin and chess: "I <verb>" statements add up rather than replace each other)."""
    if "my" in ws:
        start = ws.index("my")
        for end in range(start + 1, min(len(ws), start + 5)):
            if ws[end] in _COPULA:
                return " ".join(ws[start:end])
    return " ".join(ws)


def extract(text: str, number: int) -> list[Fact]:
    """The sentences of one user turn that state a fact about the user (module docstring)."""
    found: dict[str, Fact] = {}
    for raw in _SENTENCE_END.split(text):
        sentence = compress(raw).strip()
        if not sentence or sentence.endswith("?") or len(sentence) > MAX_FACT_CHARS:
            continue
        ws = words(sentence)
        if not _FIRST_PERSON.intersection(ws) or _REQUEST.search(sentence):
            continue
        if not content_words(sentence) - _VAGUE:
            continue  # "I think so." / "I like it." / "Me too."
        fact = Fact(number, sentence, _subject(ws))
        found[fact.key] = fact
    return list(found.values())


def stage(pipe: Any, tenant: str, conversation_id: str, facts: Sequence[Fact]) -> None:
    """Queue the round's facts on the pipeline that appends the round (store.append), so a
    reader who sees the round sees its facts; a subject stated again replaces its fact."""
    if facts:
        key = keys.conversation_facts(tenant, conversation_id)
        pipe.hset(key, mapping={f.key: json.dumps({"n": f.number, "s": f.text}) for f in facts})


def trim(r: redis.Redis, tenant: str, conversation_id: str, settings: Settings) -> None:
    """Keep the newest `conversation_facts_max` facts (two appends racing here can only
    trim one fact too few or too many)."""
    key = keys.conversation_facts(tenant, conversation_id)
    if int(cast(int, r.hlen(key))) <= settings.conversation_facts_max:
        return
    stored = parse(cast(dict[str, str], r.hgetall(key)))
    extra = stored[: len(stored) - settings.conversation_facts_max]
    if extra:
        r.hdel(key, *[f.key for f in extra])


def parse(raw: dict[str, str]) -> list[Fact]:
    """The stored facts, oldest first."""
    out = []
    for subject, value in raw.items():
        d = json.loads(value)
        out.append(Fact(int(d["n"]), str(d["s"]), subject))
    out.sort(key=lambda f: (f.number, f.key))
    return out


def select(
    facts: Sequence[Fact],
    question: str,
    size: Callable[[list[Fact]], int],
    budget: int,
    most: int = 1,
) -> list[Fact]:
    """The facts to show beside `question` within `budget` tokens (`size` counts a list as
    it will be shown): those sharing a content word with it, at most `most`, the most
    related first (words in common, then the newest), returned in showing order, the most
    related last, nearest the question. Unrelated facts stay out: shown a list of them, the
    small model answered a plain statement with a comment on the list, or with junk, and
    that answer then sat in the history of every later turn (ops/bench/conversation_tune.py)."""
    asked = content_words(question)
    scored = [(len(asked & content_words(f.text)), f) for f in facts]
    ranked = sorted(
        ((n, f) for n, f in scored if n >= MIN_SHARED), key=lambda x: (x[0], x[1].number)
    )
    chosen: list[Fact] = []
    for _, fact in reversed(ranked):
        if len(chosen) >= most:
            break
        if size([fact, *chosen]) > budget:
            continue  # a shorter, less related fact may still fit
        chosen.insert(0, fact)
    return chosen


def render(facts: Sequence[Fact]) -> str:
    return FACTS_HEADER + "\n" + "\n".join(f"- {f.text}" for f in facts)
