"""The action a question asks about, compared on two parses: prevented, or done vs found done.

Two shapes that keep every content word (or all but one) and so pass the content check, yet
ask the opposite:
- a prevented action: "stop my dog from barking" / "get my dog to bark". English marks it in
  the grammar: a verb of hindering takes its action as the complement of "from" ("keep X
  from", "ban X from", "protect X from"), so the check needs no list of such verbs.
- the action vs its result: "hide folders" / "show hidden folders", "delete e-mails" / "find
  deleted e-mails". The same noun is the object of a verb on one side and, on the other, of
  another verb, with the first verb there only as its participle ("hidden", "deleted").
Called by structure.py's `clash_en` after the roles and content words have been compared.
"""

from __future__ import annotations

from runtime.cache.parses import Parsed


def _lemmas(p: Parsed) -> set[str]:
    return {lemma for lemma, _ in p.content} | {form for _, form in p.forms}


def _prevented_clash(a: Parsed, b: Parsed) -> str | None:
    for x, y in ((a, b), (b, a)):
        kept = {action for action, _ in y.hindered}
        for action, hinderer in x.hindered:
            if action in _lemmas(y) and action not in kept and hinderer not in _lemmas(y):
                return f"action differs: {hinderer} ... from {action} in one only"
    return None


def participle_of(word: str, verb: str) -> bool:
    """`word` is `verb`'s past participle by the regular rule ("archived", "deleted",
    "hidden" from "hide"); irregular ones ("broken") are not recognised."""
    stem = verb[:-1] if verb.endswith("e") else verb
    rest = word[len(stem) :]
    return word != verb and len(stem) >= 3 and word.startswith(stem) and rest in _ENDINGS


_ENDINGS = {"d", "ed", "en", "den", "ten", "n"}


def _result_clash(a: Parsed, b: Parsed) -> str | None:
    ra, rb = dict(a.roles), dict(b.roles)
    for x, rx, ry in ((a, ra, rb), (b, rb, ra)):
        if x.passive:
            continue  # There the participle is the verb itself ("was approved by").
        written = [form for _, form in x.forms]
        for noun in set(rx) & set(ry):
            if not (rx[noun].startswith("object of ") and ry[noun].startswith("object of ")):
                continue
            verb_x, verb_y = rx[noun][len("object of ") :], ry[noun][len("object of ") :]
            if verb_x == verb_y or verb_y in written:
                continue
            done = next((w for w in written if participle_of(w, verb_y)), None)
            if done:
                return f"action differs: {verb_y} the {noun} vs {verb_x} the {done} {noun}"
    return None


def action_clash(a: Parsed, b: Parsed) -> str | None:
    return _prevented_clash(a, b) or _result_clash(a, b)
