"""A verb of receiving with a noun is not the noun's own verb: "take a loan" is not "lend".

phrasal.py reads a light verb of doing and its noun as the noun's verb ("make a decision" /
"decide"), since the subject does the act. A verb of receiving ("take", "get", "have",
"receive", "undergo") leaves the subject on the other end of the act: "Should I take a loan?"
borrows, "Should I lend?" gives; "Can I take the test online?" sits it, "Can I test
online?" gives it; "get a refund" is paid back, "refund" pays back. structure.py's content
check matches "loan" to "lend" (word_class.py) or "test" to "test" (one lemma, two
classes) and lets the leftover "take" pass as one added word, so such a pair is refused
here: a receiving verb on one side only, whose noun is the other question's verb (the
same lemma or one WordNet relates) that this side does not use as a verb.

Some acts are done to oneself, and taking one is doing it: "take a nap" / "nap", "take a
walk" / "walk", "have a drink" / "drink", "take a look" / "look". WordNet files each verb
sense under a lexicographer file; when the other verb's most frequent sense is one of the
body, consumption, motion or perception, the pair passes. Any other (possession: "lend",
"refund"; social: "test", "vote"; contact: "massage") is refused: a miss, never a wrong
hit. A verb WordNet does not know at all, coined from the very
noun ("take a screenshot" / "screenshot"), passes: no direction is known to differ.
"""

from __future__ import annotations

from runtime.cache import word_class, wordnet
from runtime.cache.parses import Parsed

# Verbs whose subject receives or undergoes the act its noun names (a closed class), by the
# forms they are written in: "get" and "have" are frame words (structure.py), so no lemma.
_FORMS = {
    "take": "take takes took taken taking",
    "get": "get gets got gotten getting",
    "have": "have has had having",
    "receive": "receive receives received receiving",
    "undergo": "undergo undergoes underwent undergone undergoing",
    "obtain": "obtain obtains obtained obtaining",
}
_RECEIVING = {form: verb for verb, forms in _FORMS.items() for form in forms.split()}
# What may stand between the verb and its noun: articles, possessives, adjectives.
_BETWEEN = frozenset({"DT", "PRP$", "JJ"})
# WordNet's verb lexicographer files of acts done to oneself: verb.body (29), verb.consumption
# (34), verb.motion (38), verb.perception (39). Taking one of these is doing it.
_SELF_DIRECTED = frozenset({"29", "34", "38", "39"})


def _objects(p: Parsed) -> list[tuple[str, str]]:
    """(receiving verb, the noun a word or two after it) as lemmas: ("take", "loan")."""
    lemmas = {f: w for w, f in p.forms}
    found = []
    for i, word in enumerate(p.words):
        if word not in _RECEIVING or not p.tags[i].startswith("VB"):
            continue
        for j in range(i + 1, min(i + 4, len(p.words))):
            if p.tags[j].startswith("NN") and p.words[j] in lemmas:
                found.append((_RECEIVING[word], lemmas[p.words[j]]))
                break
            if p.tags[j] not in _BETWEEN:
                break
    return found


def _self_directed(verb: str, noun: str) -> bool:
    senses = wordnet.synsets(verb, "v")
    if not senses:  # A verb coined from the noun ("screenshot"): taking one is making one.
        return verb == noun and wordnet.available()
    return wordnet.lexfile(senses[0], "v") in _SELF_DIRECTED


def clash(a: Parsed, b: Parsed) -> str | None:
    """A receiving verb and its noun on one side, the noun's verb on the other (docstring)."""
    for x, y in ((a, b), (b, a)):
        pairs = _objects(x)
        if not pairs:
            continue
        received_y = {_RECEIVING[w] for w in y.words if w in _RECEIVING}
        verbs_x = {w for w, c in x.content if c == "verb"}
        verbs_y = [w for w, c in y.content if c == "verb" and w not in verbs_x]
        for verb, noun in pairs:
            if verb in received_y:
                continue
            for other in verbs_y:
                if (noun == other or word_class.related(noun, other)) and not _self_directed(
                    other, noun
                ):
                    return f"direction differs: {verb} {noun} vs {other}"
    return None
