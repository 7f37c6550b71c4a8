"""What stands in for a thing: a question about X is not one about what to use instead of X.

"Where can I buy rennet for homemade paneer?" and "Where can I buy an alternative to rennet
for homemade paneer?" share every content word but one, and one word added is left to pass
(content.py: "a good recipe" / "a recipe"). Here the added word turns the question from the
thing to its stand-ins, so it is read from a closed class: the nouns "alternative(s) /
substitute(s) / replacement(s) / stand-in(s) / swap(s)" before "to" or "for", and "instead of"
or "in place of" after "use" or "what" ("What can I use instead of buttermilk?"); not "instead of"
alone, mostly a choice between two ("move the sync to Friday instead of Thursday"); in Chinese 替代
/ 代替 / 代用 / 平替 (not 替换, mostly "to change a part": "怎么替换电池" is "怎么换电池"). A
question with the class on one side only differs; on both, the other checks compare what each
stands in for ("a substitute for eggs" / "an alternative to eggs").
"""

from __future__ import annotations

import re

_EN = re.compile(
    r"\b(?:alternatives?|substitutes?|replacements?|stand-ins?|swaps?)\s+(?:to|for)\b"
    # "What can I use instead of buttermilk?": "instead of" after "use" or "what".
    r"|\b(?:use|using|used|what)\s+(?:[a-z']+\s+){0,4}?(?:instead\s+of|in\s+place\s+of)\b",
    re.I,
)
_ZH = re.compile(r"替代|代替|代用|平替")


def asks_for_stand_in(text: str, lang: str) -> bool:
    return bool((_ZH if lang == "zh" else _EN).search(text))


def clash(a_text: str, b_text: str, lang: str) -> str | None:
    sa, sb = asks_for_stand_in(a_text, lang), asks_for_stand_in(b_text, lang)
    if sa != sb:
        which = "cached" if sa else "new"
        return f"stand-in differs: only the {which} question asks what to use instead"
    return None


# "What could I use instead of gochujang?" asks "What can I substitute for gochujang?": the
# verb and its preposition written one way (alike.common), so no content word differs.
_USE_INSTEAD = re.compile(r"\b(use|using)\s+(?:instead\s+of|in\s+place\s+of)\b", re.IGNORECASE)
_AS_SUBSTITUTE = {"use": "substitute for", "using": "substituting for"}


def one_way(text: str) -> str:
    return _USE_INSTEAD.sub(lambda m: _AS_SUBSTITUTE[m.group(1).lower()], text)
