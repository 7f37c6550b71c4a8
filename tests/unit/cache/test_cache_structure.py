"""The verifier's generalising checks (surface.py, structure.py) on questions of their own:
none of these sentences is in tests/data (the eval pairs); they use other words on purpose."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from runtime.cache import clock, content, structure, surface
from runtime.cache.shadow import Guard, answers_agree
from runtime.cache.verify import verify_match

SAME = [
    ("Did the auditors flag the invoice?", "Was the invoice flagged by the auditors?"),
    ("How can I archive old Slack channels?", "How do I archive old Slack channels?"),
    ("Ring me at 8 am", "Ring me at 8 in the morning"),
    ("Does every bus stop at the depot?", "Do all buses stop at the depot?"),
    ("Is a 3 km swim hard?", "Is a three kilometre swim hard?"),
    ("Who composed the Moonlight Sonata?", "Who was the composer of the Moonlight Sonata?"),
    (
        "What is the boiling point of ethanol in Kelvin?",
        "What's the boiling point of ethanol in Kelvin?",
    ),
    ("怎么给猫剪指甲", "如何给猫剪指甲"),
    # the action kept from happening, with and without "from"; a participle on both sides
    ("How do I stop my cat scratching the sofa?", "How do I stop my cat from scratching the sofa?"),
    (
        "How do I recover deleted photos on my phone?",
        "How do I recover photos I deleted on my phone?",
    ),
    ("上海和杭州哪个更大", "杭州和上海哪个更大"),
]

DIFFERENT = [
    # who did what to whom
    (
        "Did the goalkeeper kick the striker?",
        "Did the striker kick the goalkeeper?",
        "roles differ",
    ),
    ("Did the board outvote the founders?", "Did the founders outvote the board?", "roles differ"),
    ("Is Lagos hotter than Nairobi?", "Is Nairobi hotter than Lagos?", "roles differ"),
    (
        "Migrate users off Oracle onto Postgres",
        "Migrate users off Postgres onto Oracle",
        "roles differ",
    ),
    ("王老师批评了小明吗", "小明批评了王老师吗", "order differs"),
    ("北京队赢了上海队吗", "上海队赢了北京队吗", "order differs"),
    ("一海里等于多少米", "一米等于多少海里", "units differ"),
    ("Did Omar send Lucia the photos?", "Did Lucia send Omar the photos?", "roles differ"),
    ("When did the ferry leave?", "When will the ferry leave?", "tense differs"),
    ("谁修好了电梯", "谁会修好电梯", "tense differs"),
    # polarity by affix and by an antonym never listed anywhere
    ("Is this clause binding?", "Is this clause nonbinding?", "polarity differs"),
    ("Why is the dough elastic?", "Why is the dough brittle?", "content differs"),
    ("Are the reviews honest?", "Are the reviews dishonest?", "polarity differs"),
    # identifiers
    (
        "Mail the draft to kim@north.example",
        "Mail the draft to kym@north.example",
        "identifiers differ",
    ),
    ("What does df.dropna do?", "What does df.fillna do?", "identifiers differ"),
    (
        "Why is https://intranet.example/wiki slow?",
        "Why is https://intranet.example/jira slow?",
        "identifiers differ",
    ),
    ("Explain the -v flag of tar", "Explain the -x flag of tar", "identifiers differ"),
    # times, scope, units, degree
    ("Order breakfast for 6 am", "Order breakfast for 6 pm", "times differ"),
    ("Is the gym quiet at sunrise?", "Is the gym quiet at sunset?", "times differ"),
    ("Do all owls hunt at night?", "Do some owls hunt at night?", "scope differs"),
    ("Is 2 mg of melatonin too much?", "Is 2 g of melatonin too much?", "units differ"),
    ("Does 4 divide 20?", "Does 20 divide 4?", "number order differs"),
    ("Which lake is deeper?", "Which lake is deepest?", "degree differs"),
    ("两公斤面粉够做几个面包", "两斤面粉够做几个面包", "units differ"),
    # the action prevented vs brought about; the action vs its result (actions.py)
    (
        "How do I keep my cat from scratching the sofa?",
        "How do I get my cat to scratch the sofa?",
        "action differs",
    ),
    (
        "How do I find deleted emails in Outlook?",
        "How do I delete emails in Outlook?",
        "action differs",
    ),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_rephrasings_pass(a: str, b: str) -> None:
    assert verify_match(a, b) == (True, None)
    assert verify_match(b, a) == (True, None)


@pytest.mark.parametrize(("a", "b", "reason"), DIFFERENT)
def test_differences_are_refused_with_their_reason(a: str, b: str, reason: str) -> None:
    ok, why = verify_match(a, b)
    assert ok is False and why is not None and why.startswith(reason), why
    assert verify_match(b, a)[0] is False


def test_swapped_blocks_needs_a_pivot() -> None:
    assert structure.swapped_blocks(["a", "to", "b"], ["b", "to", "a"]) == ("a", "b")
    assert structure.swapped_blocks(["weather", "in", "paris"], ["in", "paris", "weather"]) is None
    assert structure.swapped_blocks(["a", "b"], ["b", "a"]) is None  # nothing between: a rotation
    assert structure.swapped_blocks(["x", "y"], ["x", "y"]) is None


def test_content_clash_allows_a_change_of_word_class_but_not_a_swap_within_one() -> None:
    assert content.clash([("tall", "modifier")], [("height", "noun")]) is None
    assert content.clash([("tall", "modifier")], [("short", "modifier")]) is not None
    assert content.clash([("x", "noun")], [("x", "noun"), ("y", "noun")]) is None
    assert content.clash([], [("y", "noun"), ("z", "verb")]) is not None


def test_surface_features() -> None:
    assert surface.identifiers("ping ops@acme.example and run make_all() --dry-run") == (
        "--dry-run",
        "make_all",
        "ops@acme.example",
    )
    assert clock.times("at 7 p.m. or noon", "en") == ("0h00pm", "7h00pm")
    # One time, written as a clock, a 24-hour clock, in words or by name, is one token.
    assert clock.times("at 09:00", "en") == clock.times("at 9 am", "en") == ("9h00am",)
    assert clock.times("at 12:00", "en") == clock.times("at midday", "en") == ("0h00pm",)
    assert clock.normalise_times("at quarter to eight") == "at 7:45"
    assert clock.normalise_times("by twenty past 5") == "by 5:20"
    assert clock.normalise_times("it takes five to ten minutes") == "it takes five to ten minutes"
    assert surface.scope_words("How many of them? Only two of all", "en") == (
        "all",
        "only",
        "only:n",
    )
    assert surface.units("run 5 kilometres, then 3 km and 2 miles") == ("km", "km", "mi")
    assert surface.units("a tenancy for ten years") == ("year",)  # no "ten ancy"
    assert surface.zh_units("一根香蕉和三公斤苹果") == ("公斤",)


def test_answers_agree_compares_numbers_then_meaning() -> None:
    class Embedder:
        def embed(self, texts: list[str]) -> np.ndarray:
            return np.array([[1.0, 0.0] if "rotate" in t else [0.0, 1.0] for t in texts])

    assert answers_agree("It is 42.", "It is 42.", Embedder(), 0.8)
    assert not answers_agree("It is 42 km.", "It is 41 km.", Embedder(), 0.8)
    assert answers_agree("You rotate it.", "Just rotate the key.", Embedder(), 0.8)
    assert not answers_agree("You rotate it.", "It cannot be done.", Embedder(), 0.8)


def test_guard_reads_both_client_flavours() -> None:
    raw = {b"checks": b"6", b"disagreements": b"2", b"rate": b"0.33", b"suspended": b"1"}
    assert Guard.from_hash(raw) == Guard(6, 2, 0.33, 0.0, True)
    assert Guard.from_hash({}) == Guard()


def test_eval_splits_are_built_and_do_not_leak() -> None:
    path = Path(__file__).resolve().parents[2] / "data" / "semantic" / "build.py"
    spec = importlib.util.spec_from_file_location("build_pairs", path)
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    counts = build.build(check_only=True)  # the files match the banks
    assert counts["tune"] + counts["test"] >= 400
    tune, test = build.tune_families(), [f for _, bank in build.test_banks() for f in bank]
    retired = [
        build._bank(name)
        for name in (
            "bank_seen",
            "bank_seen11",
            "bank_seen12",
            "bank_seen14",
            "bank_seen15",
            "bank_seen16",
            "bank_seen17",
            "bank_seen18",
            "bank_seen19",
            "bank_seen20",
            "bank_seen21",
            "bank_seen21b",
            "bank_seen22",
            "bank_seen22b",
            "bank_seen23",
            "bank_seen23b",
        )
    ]
    assert all(len(tune) > len(bank) for bank in retired)  # retired test banks are tuned on
    assert [name for name, _ in build.test_banks()] == ["sixteenth", "seventeenth"]
    assert build.leaks(build._bank("bank_sixteenth"), build._bank("bank_seventeenth")) == []
    assert build.leaks(tune, test) == []
    assert all(build.leaks(bank, test) == [] for bank in retired)
    assert build.leaks(build._bank("bank_seen"), test + build._bank("bank_seen")[:1])
    assert build.leaks(tune, tune)  # the check can fail


def test_the_parser_multiplies_with_numpy_on_one_thread() -> None:
    """structure._numpy_products: blis is ~5x slower than numpy on a parse's tiny products,
    and numpy's BLAS on two threads made a parse ~10x slower on the shared 2-core box."""
    from threadpoolctl import threadpool_info

    nlp = structure.nlp()
    models = [getattr(c, "model", None) for _, c in nlp.pipeline]
    nodes = [n for m in models if m is not None for n in m.walk()]
    assert nodes and not any(getattr(n.ops, "use_blis", False) for n in nodes)
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    assert blas and all(i["num_threads"] == 1 for i in blas)
    doc = nlp("Did the auditors flag the invoice?")
    assert [t.dep_ for t in doc if t.lower_ == "auditors"] == ["nsubj"]


def test_british_and_american_spellings_are_one_word() -> None:
    from runtime.cache import word_forms

    assert word_forms.spelling_variant("colour", "color")
    assert word_forms.spelling_variant("travelled", "traveled")
    assert word_forms.spelling_variant("organise", "organize")
    assert word_forms.spelling_variant("moisturiser", "moisturizer")  # -iser, one who does it
    assert not word_forms.spelling_variant("filled", "filed")
    assert (
        structure.clash_en("Why does the sea change colour?", "Why does the sea change color?")
        is None
    )
    assert structure.clash_en("Why does the sea change colour?", "Why does the sea change level?")


def test_an_adverb_of_manner_swapped_for_a_noun_is_a_swap() -> None:
    assert structure.clash_en(
        "How do I steam broccoli quickly?", "How do I steam broccoli in the microwave?"
    )
    assert structure.clash_en("Summarise the treaty briefly.", "Summarise the treaty in depth.")
    # A change of class that is a rephrasing still passes, and "-ly" derives an adverb.
    assert structure.clash_en("Who wrote Middlemarch?", "Who is the author of Middlemarch?") is None
    assert (
        structure.clash_en(
            "How much salt should I eat every day?", "How much salt should I eat daily?"
        )
        is None
    )


def test_a_noun_added_before_a_shared_noun_narrows_the_question() -> None:
    assert structure.clash_en("What is a good tablet?", "What is a good drawing tablet?")
    assert structure.clash_en("How do I reset my password?", "How do I reset my router password?")
    # A participle says which one too (session 18): "the extended deadline", "a used car".
    assert structure.clash_en(
        "When is the deadline for Kestrel grants?",
        "When is the extended deadline for Kestrel grants?",
    )
    assert structure.clash_en(
        "What does a car cost in Lisbon?", "What does a used car cost in Lisbon?"
    )
    # A praising adjective is no narrowing.
    assert (
        structure.clash_en("Give me a recipe for flatbread.", "What's a good recipe for flatbread?")
        is None
    )


def test_a_frame_noun_used_as_a_verb_is_the_action() -> None:
    # "sort" frames as a noun ("what sort of"); as a verb it is the action asked about.
    assert structure.clash_en(
        "How do I sort a list in Kotlin?", "How do I reverse a list in Kotlin?"
    )
    assert structure.clash_en("How do I sort my inbox?", "How do I shuffle my inbox?")
    assert (
        structure.clash_en("What sort of tent suits Dartmoor?", "What kind of tent suits Dartmoor?")
        is None
    )
