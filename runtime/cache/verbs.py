"""What a question's verb forms say beyond its words: the tense of a verb both questions
share, and who does what when a wh-question inverts its subject with "do".

Both are grammar, not word lists, so they hold for verbs never seen:
- tense: the past against the future, as the parse tells them (`tense`, below);
  and "Who coached the All Blacks?" asks about a former coach, "Who coaches the All
  Blacks?" about the current one. Only one verb in both questions, finite in both and in
  the past in one, the present in the other, counts: participles and bare forms tell no
  tense, and a change of verb ("Who wrote X?" / "Who is the author of X?") is content.py's.
- do-support: "Which team did Leicester knock out?" asks whom Leicester beat (the wh-phrase
  is the object, Leicester the subject); "Which team knocked Leicester out?" asks who beat
  Leicester. spaCy's small model often misparses the inverted form ("Leicester" the object of
  "did"), so the check reads the word order itself: WH-phrase + do + S + V in one question,
  the same WH-phrase + V + S in the other, is the subject and object exchanged.
- voice: "By whom was X designed?" is a passive asking for the agent, and "get / have my X
  exported" makes X what is exported (`passive`, `causative_passive`, used by structure.py's
  role reading): the roles then match "Who designed X?" and "How do I export my X?".
Called by structure.py's `clash_en` on the parses it already has (parses.py's `Parsed`).
"""

from __future__ import annotations

from typing import Any

from runtime.cache.parses import Parsed

_TENSES = {"VBD": "past", "VBZ": "present", "VBP": "present"}
_DO = frozenset({"do", "does", "did"})
_WH = frozenset({"WDT", "WP", "WP$", "WRB"})
_ADVERBS = frozenset({"RB"})  # "usually", "often": they may stand before either verb
_WH_PHRASE = 4  # words of a wh-phrase at most: "which of the modules"


def _finite_tenses(p: Parsed) -> dict[str, str]:
    """Content verbs by lemma, with the tense their finite form shows ("coached": past)."""
    tag = dict(zip(p.words, p.tags, strict=True))
    return {lemma: _TENSES[tag[form]] for lemma, form in p.forms if tag.get(form) in _TENSES}


def tense_clash(a: Parsed, b: Parsed) -> str | None:
    """The past in one question and the future in the other ("Who won?" / "Who will win?"),
    or one verb in the past in one and in the present in the other."""
    if {a.tense, b.tense} == {"past", "future"}:
        return f"tense differs: {a.tense} vs {b.tense}"
    ta, tb = _finite_tenses(a), _finite_tenses(b)
    for verb in sorted(set(ta) & set(tb)):
        if ta[verb] != tb[verb]:
            return f"tense differs: {ta[verb]} {verb} vs {tb[verb]} {verb}"
    return None


def tense(doc: Any) -> str:
    """Past or future, when the question says so: "Who won?" is not "Who will win?"."""
    lowered = [t.lower_ for t in doc]
    if any(w in ("will", "shall", "'ll") for w in lowered) or "going to" in " ".join(lowered):
        return "future"
    if any(t.tag_ == "VBD" for t in doc):
        return "past"
    return ""


def _lemmas(p: Parsed) -> dict[str, str]:
    return {form: lemma for lemma, form in p.forms}


def _inverted(p: Parsed) -> tuple[tuple[str, ...], int] | None:
    """(the wh-phrase, the index of its "do") when `p` reads WH-phrase + do + ..."""
    for i, tag in enumerate(p.tags):
        if tag in _WH:
            for d in range(i + 1, min(i + 1 + _WH_PHRASE, len(p.words))):
                if p.words[d] in _DO:
                    return p.words[i:d], d
            return None
    return None


def _subject_swap(a: Parsed, b: Parsed) -> str | None:
    found = _inverted(a)
    if found is None:
        return None
    phrase, d = found
    n = len(phrase)
    starts = [j for j in range(len(b.words) - n) if b.words[j : j + n] == phrase]
    if not starts or _inverted(b) is not None:
        return None
    j = starts[0] + n  # b's word after the wh-phrase: its verb, if b does not invert
    while j < len(b.words) - 1 and b.tags[j] in _ADVERBS:
        j += 1  # "What usually leads to X?": the adverb stands before the verb
    verb_b = _lemmas(b).get(b.words[j], b.words[j])
    lemmas_a = _lemmas(a)
    for k in range(d + 2, len(a.words)):
        if lemmas_a.get(a.words[k], a.words[k]) == verb_b:
            subject = a.words[d + 1 : k]  # a: WH-phrase do SUBJECT verb; b: WH-phrase verb SUBJECT
            while subject and a.tags[d + len(subject)] in _ADVERBS:
                subject = subject[:-1]  # "What does X usually lead to?": the adverb is no subject
            # The verb's preposition may stand before b's subject when a ends with it: "What
            # does inflation lead to?" / "What leads to inflation?" (cause vs effect).
            while (
                j + 1 < len(b.words)
                and b.tags[j + 1] in ("IN", "RP")
                and b.words[j + 1] in a.words[k + 1 :]
            ):
                j += 1
            if b.words[j + 1 : j + 1 + len(subject)] == subject:
                return f"roles differ: {' '.join(subject)} is the subject of {verb_b} vs its object"
            return None
    return None


def subject_swap(a: Parsed, b: Parsed) -> str | None:
    """The wh-phrase the object of the verb in one question, its subject in the other."""
    return _subject_swap(a, b) or _subject_swap(b, a)


_BE = frozenset({"is", "are", "was", "were", "am", "'s", "'re"})


def inverted_passive(subject: Any) -> bool:
    """A subject (spaCy token) between an inverted "be" and its participle: "Why is my pod
    stuck?", "Was the bridge closed?". The small model parses "is" as the root and the pod
    as the subject of "stuck", where the statement ("My pod is stuck, why?") is a passive
    with the pod its object: the same role, so it is read as the passive it is."""
    verb = subject.head
    if subject.dep_ != "nsubj" or verb.tag_ not in ("VBN", "VBD"):
        return False
    be = verb.head if verb.dep_ in ("ccomp", "xcomp", "acomp") else None
    be = be or next((c for c in verb.children if c.dep_ in ("aux", "auxpass")), None)
    return be is not None and be.lower_ in _BE and be.i < subject.i


# Verbs that take an object and a participle to say the act is done to the object, by someone
# else or by whoever asks: "get my contacts exported", "have my car repaired".
_CAUSATIVE = frozenset({"get", "have"})


def causative_passive(subject: Any) -> bool:
    """A subject (spaCy token) of a participle complementing "get" / "have": "How can I get
    my contacts exported?" is parsed with the contacts the subject of "exported", but they
    are what is exported, as in "How do I export my contacts?": the object, as in a passive."""
    verb = subject.head
    return (
        subject.dep_ == "nsubj"
        and verb.tag_ == "VBN"
        and verb.dep_ in ("ccomp", "xcomp", "oprd")
        and verb.head.lemma_.lower() in _CAUSATIVE
        and verb.head.i < subject.i
    )


def passive(doc: Any) -> bool:
    """The question is in the passive: spaCy's passive labels, or one asking for the agent
    with "by" + a wh-word ("By whom was the bridge designed?", "By which firm was it built?"),
    which the small model parses with "was" as a complement of "by" and the bridge as the
    subject: it is the passive of "Who designed the bridge?", the bridge its object."""
    if any(t.dep_ in ("nsubjpass", "auxpass", "agent") for t in doc):
        return True
    by = next((t for t in doc if not t.is_punct), None)
    return (
        by is not None
        and by.lower_ == "by"
        and any(c.dep_ == "pobj" and c.tag_ in _WH for c in by.children)
        and any(t.lower_ in _BE for t in doc)  # "By whom was ...", not "By when do I ..."
    )
