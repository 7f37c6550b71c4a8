"""The content check of two English questions (structure.py's `clash_en`): their content
words, as lemmas with a word class each, compared as bags. A content word swapped for one of
its class, a name changed, or more than one word added on one side is a different question;
one added word, a synonym (WordNet), a derived form ("paint" / "painter") or a spelling
variant is not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from runtime.cache import word_class, word_forms, wordnet


def _unmatched(a: Sequence[tuple[str, str]], b: Sequence[tuple[str, str]]) -> list[str]:
    """a's lemmas that b lacks, counted: "international" twice (an international departure
    at Denver International) is not "international" once (a domestic one)."""
    left = Counter(w for w, _ in b)
    found: list[str] = []
    for w, _ in a:
        if left[w]:
            left[w] -= 1
        elif w not in found:
            found.append(w)
    return found


def clash(
    a: Sequence[tuple[str, str]],
    b: Sequence[tuple[str, str]],
    forms: dict[str, str] | None = None,
    loose: bool = False,
    adverbs: frozenset[str] = frozenset(),
) -> str | None:
    """Content words swapped for others of their class, a name changed, or more than one
    word added on one side. `forms`: lemma -> the word as written, for the affix check (the
    lemmatiser mangles words it does not know: "nonbinding" -> "nonbinde"). `loose`: the
    tagging is not to be trusted (`_verbless`), so synonyms are sought in every part of
    speech, not only the tagged ones. `adverbs`: the lemmas tagged as adverbs; one swapped
    for a noun changes how or where the thing is done ("cook rice quickly / in the
    microwave", "explain simply / in detail"): other changes of class are rephrasings ("how
    tall" / "the height", "who wrote" / "the author")."""
    words_a, words_b = dict(a), dict(b)
    only_a, only_b = _unmatched(a, b), _unmatched(b, a)
    forms = forms or {}
    # One word as written, lemmatised two ways by the tagger ("a broken spoke": the verb
    # "speak" on one side, the noun "spoke" on the other), is the same word; but only where
    # a swap is left to judge. Left with words on one side alone, the pair would pass as one
    # word added, and such slips come with others: "a will and a living will" tags the second
    # "will" a modal, so only "living" / "live" tells it from "a will and a living trust".
    twice = {forms.get(x, x) for x in only_a} & {forms.get(y, y) for y in only_b}
    kept_a = [x for x in only_a if forms.get(x, x) not in twice]
    kept_b = [y for y in only_b if forms.get(y, y) not in twice]
    if kept_a and kept_b:
        only_a, only_b = kept_a, kept_b
    for x in only_a:
        for y in only_b:
            fx, fy = forms.get(x, x), forms.get(y, y)
            if word_forms.polarity_pair(x, y) or word_forms.polarity_pair(fx, fy):
                return f"polarity differs: {fx} vs {fy}"
            modifier = "modifier" in (words_a[x], words_b[y])
            if modifier and word_forms.degree_pair(fx, fy):
                return f"degree differs: {fx} vs {fy}"
    only_a, only_b = wordnet.drop_synonyms(only_a, only_b, None if loose else words_a | words_b)
    related = [(w, v) for w in only_a for v in only_b if word_forms.related(w, v)]
    derived = {w for w, _ in related} | {v for _, v in related}
    # A compound's other half stays ("waterproof" / "water resistant": "proof" vs "resistant").
    rest_a = {r: words_a[w] for w, v in related if (r := word_forms.compound_rest(w, v))}
    rest_b = {r: words_b[v] for w, v in related if (r := word_forms.compound_rest(v, w))}
    words_a, words_b = words_a | rest_a, words_b | rest_b
    only_a = [w for w in only_a if w not in derived] + list(rest_a)
    only_b = [w for w in only_b if w not in derived] + list(rest_b)
    only_a, only_b = [w for w in only_a if w not in only_b], [w for w in only_b if w not in only_a]
    classes_a = {words_a[w] for w in only_a}
    classes_b = {words_b[w] for w in only_b}
    swapped = bool(classes_a & classes_b) or "name" in classes_a | classes_b
    # A change of word class passes only between related words ("write" / "author").
    swapped = swapped or all(word_class.unrelated_swap(only_a, only_b))
    for x_only, y_words in ((only_a, words_b), (only_b, words_a)):
        y_only = only_b if x_only is only_a else only_a
        if any(w in adverbs for w in x_only) and any(y_words[w] == "noun" for w in y_only):
            swapped = True  # an adverb of manner vs a noun: "quickly" / "in the microwave"
    added = len(only_b) if not only_a else len(only_a) if not only_b else 0
    if (only_a and only_b and (swapped or max(len(only_a), len(only_b)) > 2)) or added > 1:
        return f"content differs: {' '.join(only_a) or 'none'} vs {' '.join(only_b) or 'none'}"
    return None
