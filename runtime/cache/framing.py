"""English wording that frames a question without changing it, rewritten before the checks.

- Openers that announce a question ("Quick one:", "Quick question -", "I was wondering,",
  a greeting before them ("hey", "yo"), a request said as a hope ("I was hoping you could"),
  "Just curious:", "Out of curiosity,", "Silly question, but", "Sorry if this is basic, but"):
  "Quick one" is no number 1, and the opener asks nothing.
- A formal request to be advised before a question word ("Kindly advise how to ...",
  "Please advise whether ..."): the advice is the answer to the question that follows.
- Advice asked about a problem ("..., what should I do?", "What can I do if ..."): the modal
  asks nothing of its own, so each is read "what should I do".
- Wrappers that ask for a register ("in plain words", "in simple terms", "in layman's
  terms", "in plain English"): the question is the same, only the wording of the answer is
  asked to be simple ("English" there is no entity either).
- A double negation: a negator with "stop" / "quit" / "cease" + a verb in -ing ("won't stop
  dripping", "doesn't stop ringing", "can't stop sneezing") says the action goes on, as
  "keeps dripping" does; read as that, it is no negation and no change of verb. So in a
  question: "Why won't the tap stop dripping?" asks "Why does the tap keep dripping?".

All three are closed classes of phrases, so the rules hold for questions never seen. One
frame written several ways ("the best way to" / "how do I") is asking.py's, applied here
too. Chinese text is left as it is (chinese.py). Used by verify.py's `verify_match` and by
parses.py's `prepared` (so a stored parse is of the same text). `unframe` is idempotent.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from runtime.cache import asking, lexicon

_CJK = re.compile(r"[\u4e00-\u9fff]")
_OPENER = re.compile(
    # "one" only after "quick": "small one" / "short one" may be the size the question is about
    r"^\s*(?:(?:a\s+)?(?:quick\s+one|(?:quick|short|simple|small|brief)\s+(?:question|q))"
    r"|(?:i\s+was|i'?m|i\s+am)\s+(?:just\s+)?wondering|(?:just\s+)?curious|out\s+of\s+curiosity"
    r"|(?:random|silly|dumb|stupid|basic|newbie)\s+question(?:,?\s+but)?"
    # An apology for the question itself, not for what happened ("Sorry I missed the
    # deadline, but ..." keeps its clause).
    r"|(?:sorry|apologies)\s+(?:if|for|to)\b[^,.?!:;]{0,40}\b(?:question|basic|obvious|dumb|"
    r"silly|stupid|naive|bother\w*|asking)\b[^,.?!:;]{0,20},?\s+but"
    r"|(?:this|it)\s+(?:might|may|could)\s+be\s+a\s+(?:silly|dumb|stupid|basic|naive)\s+"
    r"question,?\s+but)(?:\s*[:,;]|\s+[\-–—]|(?<=but))\s+",
    re.IGNORECASE,
)
# A greeting before the question asks nothing ("hey, quick q - ...").
_GREETING = re.compile(
    r"^\s*(?:hey|hi|hello|hiya|yo|howdy)(?:\s+there)?\b\s*[,!]?\s*(?=\w)", re.IGNORECASE
)
# A request to be told, said as a hope or a wish ("I was hoping you could tell me whether X"):
# dropped up to "tell me", which structure.py reads as framing, like "Can you tell me".
_POLITE = re.compile(
    r"^\s*(?:i\s+was|i['’]?m|i\s+am)\s+(?:hoping|wondering\s+(?:if|whether))\s+(?:that\s+)?"
    r"you\s+(?:could|can|would|might|['’]d)\s+(?=\w)",
    re.IGNORECASE,
)
# A formal request to be advised ("Kindly advise how to ...", "Please advise me whether ..."):
# the advice asked for is the answer to the question that follows, so the request asks
# nothing itself. Only before a question word, so "Please advise the tenant" stays content.
_ADVISE = re.compile(
    r"^\s*(?:kindly|please)\s+advise\s+(?:me\s+|us\s+)?(?:on\s+)?"
    r"(?=(?:how|whether|if|what|when|where|which|who|why)\b)",
    re.IGNORECASE,
)
# Asking for advice about a problem: "..., what should I do?" after a clause, or "What can I
# do if / when / about ...". The modal only asks what to do, so "should", "can" and "could"
# ask the same there: each is read "what should I do". Only with the problem beside it: "What
# should I do in Paris?" (a recommendation) against "What can I do in Paris?" (the options)
# keeps its modal, and so does "Must I pay?" against "Can I pay?".
_ADVICE = re.compile(
    r"(?:(?<=[,;])\s*|^\s*)what\s+(?:should|can|could|shall)\s+(i|we)\s+do\b"
    r"(?=\s*[?.!]*\s*$|\s+(?:if|when|about)\b)",
    re.IGNORECASE,
)
# "Do you happen to know whether ..." asks what "Do you know whether ..." does: "happen" is
# politeness, not an event.
_HAPPEN = re.compile(
    r"\b((?:do|does|would|did)\s+(?:you|anyone|anybody|somebody|someone))\s+happen\s+to\s+know\b",
    re.IGNORECASE,
)
_REGISTER = re.compile(
    r"\s*[,;]?\s*\b(?:in|using)\s+(?:plain|simple|simpler|everyday|layman['’]?s|lay|"
    r"non-?technical|basic)\s+(?:words|terms|english|language)\b\s*[,;]?",
    re.IGNORECASE,
)
# The negator, the verb of stopping, the action that goes on.
_NOT_STOP = re.compile(
    r"\b(?:(won['’]t|will\s+not|doesn['’]t|does\s+not|can['’]t|cannot|never)|"
    r"(didn['’]t|did\s+not|couldn['’]t|could\s+not)|(don['’]t|do\s+not))\s+"
    r"(?:stop|quit|cease)\s+(\w+ing)\b",
    re.IGNORECASE,
)

# The same in a question, the subject between ("Why won't my cat stop scratching?"): the
# negator becomes its plain auxiliary ("does", not "will": no future is added), "stop" "keep".
_NOT_SUBJECT_STOP = re.compile(
    r"\b(?:(won['’]t|doesn['’]t|can['’]t)|(didn['’]t|couldn['’]t)|(don['’]t))\s+"
    r"((?:[\w-]+\s+){1,4}?)(?:stop|quit|cease)\s+(\w+ing)\b",
    re.IGNORECASE,
)


def _does_keep(m: re.Match[str]) -> str:
    aux = "did" if m.group(2) else "do" if m.group(3) else "does"
    return f"{aux} {m.group(4)}keep {m.group(5)}"


def _keep(m: re.Match[str]) -> str:
    # "doesn't stop" / "won't stop" go on now: "keeps" ("don't stop": "keep"); "didn't stop"
    # went on: "kept".
    verb = "kept" if m.group(2) else "keep" if m.group(3) else "keeps"
    return f"{verb} {m.group(4)}"


@functools.lru_cache(maxsize=8192)
def unframe(text: str) -> str:
    """The question without its framing (see the module's doc); Chinese text unchanged."""
    if _CJK.search(text):
        return text
    out = _OPENER.sub("", _GREETING.sub("", text))
    out = _ADVISE.sub("", _POLITE.sub("", _HAPPEN.sub(r"\1 know", out)))
    out = _ADVICE.sub(lambda m: f" what should {m.group(1)} do", out)
    out = asking.rewrite(out)
    out = _REGISTER.sub(" ", out)
    out = _NOT_STOP.sub(_keep, out)
    out = _NOT_SUBJECT_STOP.sub(_does_keep, out)
    out = re.sub(r"\s+([?.!,])", r"\1", out).strip()
    out = re.sub(r"^[,;:\s]+", "", out)
    if out and out != text and text[:1].isupper():
        out = out[0].upper() + out[1:]  # The question opens as before: "what is" -> "What is"
    return out or text


# Verbs that ask for advice (a closed class). In the imperative or the present ("Suggest a
# tent for beginners", "Which tent do you recommend?") they frame the request as "tell" and
# "show" do: "Which tent is good for beginners?" asks the same. A participle stays content:
# "the recommended dose" is not "the lethal dose".
_ADVISING = frozenset({"suggest", "recommend"})


def advice_request(lemma: str, tag: str) -> bool:
    """The word asks for advice, framing the question rather than saying what it is about."""
    return lemma in _ADVISING and tag in ("VB", "VBP")


def possession(tok: Any) -> bool:
    """A main verb "have" with an object and a subject other than the asker or the one asked
    ("Which cities have water?") says what the question is about, unlike "I have a question"
    or "do you have tips": it is content, so "are short of water" is not "have water"."""
    if tok.lemma_ != "have" or tok.pos_ != "VERB":
        return False
    children = list(tok.children)
    asker = any(c.dep_ == "nsubj" and c.lower_ in ("i", "we", "you") for c in children)
    return not asker and any(c.dep_ == "dobj" for c in children)


# Frame words that frame as nouns ("what sort of", "the best way to", "a quick question"):
# tagged as a verb they are the action asked about ("sort a list" / "reverse a list" was
# served while "sort" was dropped as a frame word: session 18's adversarial round).
_FRAME_NOUNS = frozenset(lexicon.words("way method step thing question information info kind sort"))


def frame_word(tok: Any, listed: bool) -> bool:
    """The parsed word frames the request: `listed` among structure.py's frame words and not
    a verb of possession nor a framing noun used as a verb, or a verb asking for advice."""
    acting = tok.pos_ == "VERB" and tok.lemma_.lower() in _FRAME_NOUNS
    return (listed and not acting and not possession(tok)) or advice_request(
        tok.lemma_.lower(), tok.tag_
    )
